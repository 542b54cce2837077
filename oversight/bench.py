"""Benchmark of the product at district and province scale (issue 5): `make bench`.

Why it is built this way:
- The data set is generated as *upload files* (CSV with Chinese headers, mostly UTF-8, the schools file
  in GBK as Excel writes it, one file with a BOM), so the load measured is the one an analyst triggers.
  The generator is vectorised (numpy + polars, fixed seed) and every reference is valid, so the batch
  loads; it reads every column, header and enum from `oversight.schema`, never retypes them.
- Every measurement runs in its own subprocess (`python -m oversight.bench _worker ...`), so peak RSS
  (`ru_maxrss`) belongs to that measurement alone and "cold" really means a fresh process and a fresh
  connection.
- The load is compared with two neighbours: the limit (DuckDB `create table as select * from
  read_csv(...)` of the same files into plain tables) and what an analyst would write instead (pandas
  `read_csv`, a per-row Python check of types and references, insert into DuckDB). The pandas pipeline
  is measured on a per-table sample at large scale and extrapolated linearly; the report says so.
- The dashboard pages are not timed through a browser: each page is run once with Streamlit's AppTest
  while the query functions of `oversight.indicators` are wrapped to record the calls the page makes;
  those calls are then replayed cold (fresh process) and warm (same connection, repeated), and once more
  "app style" (a fresh connection per call, which is what `oversight.ui` does on a cache miss).

Nothing here is a timed test: tests/test_bench.py runs the tiny scale end to end and checks the report's
shape only.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import math
import os
import pickle
import platform
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from oversight.contract import schema
from oversight.contract.schema import TABLES, Reference, Table

ROOT = Path(__file__).resolve().parent.parent
RESULT_MARK = "BENCH_RESULT "
SEED = 20240901

#: Row counts of the province data set (issue 5). Quotas and duty reports follow from the schools:
#: one row per school and school year / calendar year.
PROVINCE_ROWS: dict[str, int] = {
    "schools": 30_000,
    "party_orgs": 35_000,
    "leaders": 250_000,
    "honors": 12_000,
    "rotations": 1_000_000,
    "matters": 1_500_000,
    "meetings": 3_000_000,
}
#: the main data set of each --scale, as a fraction of the province
SCALES: dict[str, float] = {"province": 1.0, "district": 0.01, "tiny": 0.001}
#: the smallest sensible data set: a handful of schools still exercises every table and query
MIN_ROWS: dict[str, int] = {
    "schools": 12,
    "party_orgs": 15,
    "leaders": 60,
    "honors": 6,
    "rotations": 40,
    "matters": 60,
    "meetings": 120,
}
SCHOOL_YEARS = ("2023-2024", "2024-2025", "2025-2026")
CALENDAR_YEARS = (2024, 2025, 2026)
FIRST_DAY = date(2024, 1, 1)
LAST_DAY = date(2026, 10, 31)
#: schools come as Excel would export them in a Chinese locale (GBK, dates as 2023年1月5日); leaders
#: with a UTF-8 BOM; the rest plain UTF-8
ENCODINGS: dict[str, str] = {"schools": "gbk", "leaders": "utf-8-sig"}

#: issue 5's targets
TARGET_LOAD_VS_RAW = 2.0
TARGET_VS_PANDAS = 5.0
TARGET_PAGE_WARM_MS = 300.0
TARGET_INDICATORS_S = 1.0
TARGET_RSS_BYTES = 2 * 1024**3

#: above this many rows in a table, the pandas baseline reads a sample of that table and extrapolates
PANDAS_SAMPLE_ROWS = 100_000
WARM_REPEATS = 5
INDICATOR_RUNS = 3

SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国红梅志文斌海燕晓东亮宁雪春晨浩宇欣怡")
TOPICS = ("学习贯彻党的二十大精神", "主题教育专题学习", "师德师风建设", "党风廉政建设", "“三重一大”制度学习")


# ---------------------------------------------------------------- generator


def scaled_rows(factor: float) -> dict[str, int]:
    """Row counts at `factor` of the province, never below MIN_ROWS."""
    return {name: max(MIN_ROWS[name], round(n * factor)) for name, n in PROVINCE_ROWS.items()}


def _pick(
    rng: np.random.Generator, values: tuple[str, ...], n: int, weights: list[float] | None = None
) -> pl.Series:
    p = None if weights is None else np.asarray(weights, dtype=float) / sum(weights)
    return pl.Series(values, dtype=pl.String).gather(rng.choice(len(values), size=n, p=p))


def _days(rng: np.random.Generator, n: int, first: date = FIRST_DAY, last: date = LAST_DAY) -> np.ndarray:
    span = (last - first).days + 1
    return np.datetime64(first, "D") + rng.integers(0, span, size=n).astype("timedelta64[D]")


def _iso(days: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    s = pl.Series(days).cast(pl.Date).dt.strftime("%Y-%m-%d")
    return s if null is None else s.set(pl.Series(null), None)


def _bool_words(rng: np.random.Generator, n: int, p_true: float) -> pl.Series:
    return pl.Series(np.where(rng.random(n) < p_true, "是", "否"))


def _names(rng: np.random.Generator, n: int) -> pl.Series:
    sur = pl.Series(SURNAMES).gather(rng.integers(0, len(SURNAMES), n))
    g1 = pl.Series(GIVEN).gather(rng.integers(0, len(GIVEN), n))
    g2 = pl.Series(GIVEN).gather(rng.integers(0, len(GIVEN), n))
    two = pl.Series(rng.random(n) < 0.6)
    return pl.select(pl.concat_str(sur, g1, pl.when(two).then(g2).otherwise(pl.lit("")))).to_series()


def _ids(prefix: str, n: int, width: int) -> pl.Series:
    """Unique codes such as D00000042: letters and digits only, so they pass the code rule."""
    return pl.select(
        pl.format(prefix + "{}", pl.int_range(0, n, dtype=pl.Int64).cast(pl.String).str.zfill(width))
    ).to_series()


def generate_tables(rows: dict[str, int], seed: int = SEED) -> dict[str, pl.DataFrame]:
    """All nine tables as string frames keyed by English column names, every reference valid.

    Shapes follow the district report: one Party organization per school plus sub-branches and 联合
    organizations, about eight leader rows per school (some 一肩挑, some 交叉任职, some former holders),
    rotation quotas for every school and school year, matters and meetings spread over three years.
    """
    rng = np.random.default_rng(seed)
    n_s = rows["schools"]

    # schools
    n_towns = max(3, n_s // 25)
    town_idx = rng.integers(0, n_towns, n_s)
    towns = pl.select(pl.format("第{}乡镇街道", pl.Series(town_idx + 1))).to_series()
    school_codes = _ids("33", n_s, 10)
    revised = rng.random(n_s) < 0.9
    revised_days = _days(rng, n_s, date(2019, 1, 1), date(2024, 12, 31))
    revised_on = pl.Series(revised_days).cast(pl.Date).dt.strftime("%Y年%-m月%-d日")
    revised_on = revised_on.set(pl.Series(~revised | (rng.random(n_s) < 0.2)), None)
    groups = pl.select(
        pl.format("第{}教育集团", pl.Series(rng.integers(1, max(2, n_s // 40), n_s)))
    ).to_series()
    schools = pl.DataFrame(
        {
            "school_code": school_codes,
            "school_name": pl.select(
                pl.format("{}第{}学校", towns, pl.int_range(1, n_s + 1, eager=True))
            ).to_series(),
            "stage": _pick(rng, schema.STAGES, n_s, [8, 40, 20, 10, 6, 12, 2, 2]),
            "town": towns,
            "area_type": _pick(rng, schema.AREA_TYPES, n_s, [3, 3, 4]),
            "is_public": _bool_words(rng, n_s, 0.92),
            "education_group": groups.set(pl.Series(rng.random(n_s) < 0.6), None),
            "students": pl.Series(rng.integers(80, 3000, n_s)).cast(pl.String),
            "staff": pl.Series(rng.integers(10, 250, n_s)).cast(pl.String),
            "charter_revised": pl.Series(np.where(revised, "是", "否")),
            "charter_revised_on": revised_on,
        }
    )

    # party organizations: one per school first, then sub-branches and 联合 organizations
    n_o = max(rows["party_orgs"], n_s + 3)
    org_codes = _ids("D", n_o, 8)
    school_type = _pick(rng, ("党委", "党总支", "党支部"), n_s, [4, 2, 4])
    extra = n_o - n_s
    kind = np.arange(extra) % 5  # 0-2 sub-branch of a school org, 3 联合党委, 4 联合党支部
    parents_pool = np.flatnonzero(school_type.to_numpy() != "党支部")
    if parents_pool.size == 0:
        parents_pool = np.arange(n_s)
    sub_parent = rng.choice(parents_pool, size=extra)
    union_committees = n_s + np.flatnonzero(kind == 3)
    union_parent = rng.choice(union_committees, size=extra) if union_committees.size else np.full(extra, -1)
    extra_type = np.where(kind < 3, "党支部", np.where(kind == 3, "联合党委", "联合党支部"))
    parent_idx = np.where(
        kind < 3, sub_parent, np.where((kind == 4) & (rng.random(extra) < 0.5), union_parent, -1)
    )
    extra_school = np.where(kind < 3, sub_parent, -1)
    all_parent = np.concatenate([np.full(n_s, -1), parent_idx])
    all_school = np.concatenate([np.arange(n_s), extra_school])
    org_type = pl.concat([school_type, pl.Series(extra_type)])
    founded_null = rng.random(n_o) < 0.3
    party_orgs = pl.DataFrame(
        {
            "org_code": org_codes,
            "org_name": pl.select(
                pl.format("{}{}号", org_type, pl.int_range(1, n_o + 1, eager=True))
            ).to_series(),
            "org_type": org_type,
            "school_code": school_codes.gather(np.maximum(all_school, 0)).set(
                pl.Series(all_school < 0), None
            ),
            "parent_org_code": org_codes.gather(np.maximum(all_parent, 0)).set(
                pl.Series(all_parent < 0), None
            ),
            "members": pl.Series(rng.integers(3, 120, n_o)).cast(pl.String),
            "founded_on": _iso(_days(rng, n_o, date(2000, 1, 1), date(2020, 12, 31)), founded_null),
        }
    )

    # leaders: slots per school; slot 1 (校长) is slot 0's person in 30% of schools (一肩挑), slot 4
    # (支部委员) is slot 3's person (副校长) in 60% (交叉任职); slots from 6 on are former holders
    posts = ("书记", "校长", "副书记", "副校长", "支部委员", "副校长", "书记", "校长", "支部委员", "副书记")
    n_l = rows["leaders"]
    slots = math.ceil(n_l / n_s)
    slot = np.repeat(np.arange(slots), n_s)[:n_l]
    school = np.tile(np.arange(n_s), slots)[:n_l]
    combined = rng.random(n_s) < 0.3
    cross = rng.random(n_s) < 0.6
    person_slot = slot.copy()
    person_slot[(slot == 1) & combined[school]] = 0
    person_slot[(slot == 4) & cross[school]] = 3
    person = pl.select(
        pl.format(
            "P{}{}",
            pl.Series(school).cast(pl.String).str.zfill(7),
            pl.Series(person_slot).cast(pl.String).str.zfill(2),
        )
    ).to_series()
    former = slot >= 6
    appointed = np.where(
        former,
        _days(rng, n_l, date(2005, 1, 1), date(2014, 12, 31)),
        _days(rng, n_l, date(2015, 1, 1), date(2025, 12, 31)),
    )
    # a few principals left recently without a successor: vacant posts
    vacant = (slot == 1) & ~combined[school] & (rng.random(n_l) < 0.05)
    left = np.where(
        former,
        _days(rng, n_l, date(2015, 1, 1), date(2020, 12, 31)),
        _days(rng, n_l, date(2026, 1, 1), date(2026, 6, 30)),
    )
    party_member = np.where(np.isin(slot, (3, 5)), rng.random(n_l) < 0.8, True)
    leaders = pl.DataFrame(
        {
            "person_id": person,
            "name": _names(rng, n_l),
            "school_code": school_codes.gather(school),
            "post": pl.Series(posts).gather(slot % len(posts)),
            "is_party_member": pl.Series(np.where(party_member, "是", "否")),
            "appointed_on": _iso(appointed),
            "left_on": _iso(left, ~(former | vacant)),
        }
    )

    # honors: distinct (org, level, year)
    n_h = rows["honors"]
    honors = (
        pl.DataFrame(
            {
                "org_code": org_codes.gather(rng.integers(0, n_o, n_h * 2)),
                "level": _pick(rng, schema.HONOR_LEVELS, n_h * 2, [1, 3, 2]),
                "year": pl.Series(rng.integers(2018, 2027, n_h * 2)).cast(pl.String),
            }
        )
        .unique(maintain_order=True)
        .head(n_h)
    )

    # rotation quotas: every school, every school year
    years = len(SCHOOL_YEARS)
    rotation_quotas = pl.DataFrame(
        {
            "school_year": pl.Series(SCHOOL_YEARS).gather(np.repeat(np.arange(years), n_s)),
            "school_code": school_codes.gather(np.tile(np.arange(n_s), years)),
            "eligible_teachers": pl.Series(rng.integers(20, 160, n_s * years)).cast(pl.String),
        }
    )

    # rotations: teacher ids unique, so the key (school_year, teacher_id, from_school_code) is unique
    n_r = rows["rotations"]
    from_idx = rng.integers(0, n_s, n_r)
    to_idx = (from_idx + rng.integers(1, n_s, n_r)) % n_s
    rotations = pl.DataFrame(
        {
            "school_year": pl.Series(SCHOOL_YEARS).gather(rng.integers(0, years, n_r)),
            "teacher_id": _ids("T", n_r, 8),
            "teacher_name": _names(rng, n_r).set(pl.Series(rng.random(n_r) < 0.1), None),
            "from_school_code": school_codes.gather(from_idx),
            "to_school_code": school_codes.gather(to_idx),
            "kind": _pick(rng, schema.ROTATION_KINDS, n_r, [5, 4, 1]),
            "role": _pick(rng, schema.ROTATION_ROLES, n_r, [90, 2, 3, 5]),
        }
    )

    # matters: both reviews mostly present, implementation mostly after both
    n_m = rows["matters"]
    registered = _days(rng, n_m, FIRST_DAY, date(2026, 9, 30))
    principal = registered + rng.integers(0, 15, n_m).astype("timedelta64[D]")
    party = registered + rng.integers(0, 15, n_m).astype("timedelta64[D]")
    implemented = np.maximum(principal, party) + rng.integers(-3, 30, n_m).astype("timedelta64[D]")
    category = _pick(rng, schema.MATTER_CATEGORIES, n_m, [2, 3, 2, 3, 1, 2])
    amount = pl.select(
        pl.format(
            "{}.{}",
            pl.Series(rng.integers(1_000, 5_000_000, n_m)),
            pl.Series(rng.integers(0, 100, n_m)).cast(pl.String).str.zfill(2),
        )
    ).to_series()
    matters = pl.DataFrame(
        {
            "matter_id": _ids("M", n_m, 9),
            "school_code": school_codes.gather(rng.integers(0, n_s, n_m)),
            "category": category,
            "title": pl.select(
                pl.format("{}事项第{}号", category, pl.int_range(1, n_m + 1, eager=True))
            ).to_series(),
            "amount_yuan": amount.set(pl.Series(rng.random(n_m) < 0.5), None),
            "registered_on": _iso(registered),
            "principal_meeting_on": _iso(principal, rng.random(n_m) < 0.04),
            "party_meeting_on": _iso(party, rng.random(n_m) < 0.05),
            "implemented_on": _iso(implemented, rng.random(n_m) < 0.1),
        }
    )

    # meetings of every kind, mostly in branches
    n_mt = rows["meetings"]
    meetings = pl.DataFrame(
        {
            "meeting_id": _ids("H", n_mt, 9),
            "org_code": org_codes.gather(rng.integers(0, n_o, n_mt)),
            "kind": _pick(rng, schema.MEETING_KINDS, n_mt, [3, 8, 4, 3, 4, 1, 1]),
            "held_on": _iso(_days(rng, n_mt)),
            "attendees": pl.Series(rng.integers(3, 80, n_mt))
            .cast(pl.String)
            .set(pl.Series(rng.random(n_mt) < 0.1), None),
            "topic": _pick(rng, TOPICS, n_mt).set(pl.Series(rng.random(n_mt) < 0.3), None),
        }
    )

    n_y = len(CALENDAR_YEARS)
    duty_reports = pl.DataFrame(
        {
            "school_code": school_codes.gather(np.tile(np.arange(n_s), n_y)),
            "year": pl.Series(CALENDAR_YEARS).gather(np.repeat(np.arange(n_y), n_s)).cast(pl.String),
            "to_superior": _bool_words(rng, n_s * n_y, 0.9),
            "to_staff": _bool_words(rng, n_s * n_y, 0.85),
        }
    )
    frames = {
        "schools": schools,
        "party_orgs": party_orgs,
        "leaders": leaders,
        "honors": honors,
        "rotation_quotas": rotation_quotas,
        "rotations": rotations,
        "matters": matters,
        "meetings": meetings,
        "duty_reports": duty_reports,
    }
    return {t.name: frames[t.name].select(t.column_names) for t in TABLES}


def file_name(t: Table) -> str:
    return f"{t.zh}.csv"


def write_files(frames: dict[str, pl.DataFrame], out: Path) -> dict[str, dict[str, Any]]:
    """One CSV per table with the Chinese headers of the schema, in that table's encoding."""
    out.mkdir(parents=True, exist_ok=True)
    info: dict[str, dict[str, Any]] = {}
    for t in TABLES:
        df = frames[t.name].rename({c.name: c.zh for c in t.columns})
        path = out / file_name(t)
        encoding = ENCODINGS.get(t.name, "utf-8")
        if encoding == "utf-8":
            df.write_csv(path)
        else:
            path.write_bytes(df.write_csv().encode(encoding))
        info[t.name] = {
            "file": path.name,
            "rows": df.height,
            "bytes": path.stat().st_size,
            "encoding": encoding,
        }
    return info


def _generator_version() -> str:
    """Changes when the generator's code or constants do, so stale files in --workdir are rebuilt."""
    import hashlib
    import inspect

    parts = [inspect.getsource(f) for f in (generate_tables, write_files, _names, _days, _iso, _pick, _ids)]
    parts.append(
        repr((SCHOOL_YEARS, CALENDAR_YEARS, FIRST_DAY, LAST_DAY, ENCODINGS, TOPICS, SURNAMES, GIVEN))
    )
    return hashlib.sha256("".join(parts).encode("utf-8")).hexdigest()[:16]


def generate(factor: float, out: Path, seed: int = SEED) -> dict[str, dict[str, Any]]:
    """Write the upload files of a data set at `factor` of the province into `out` (reused if present)."""
    manifest = out / "manifest.json"
    rows = scaled_rows(factor)
    key = {"rows": rows, "seed": seed, "version": _generator_version()}
    if manifest.exists():
        saved = json.loads(manifest.read_text(encoding="utf-8"))
        if all(saved.get(k) == v for k, v in key.items()):
            return saved["files"]
    if out.exists():
        shutil.rmtree(out)
    started = time.perf_counter()
    info = write_files(generate_tables(rows, seed), out)
    manifest.write_text(
        json.dumps(key | {"files": info, "seconds": time.perf_counter() - started}),
        encoding="utf-8",
    )
    return info


# ---------------------------------------------------------------- subprocess plumbing


@dataclass
class Run:
    """One measured subprocess: wall time, CPU time (user + system, all threads), its own peak RSS
    (from wait4) and its JSON result. CPU time is what to compare when the machine is shared."""

    seconds: float
    cpu_seconds: float
    rss_bytes: int
    result: dict[str, Any]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_measured(cmd: list[str], log: Path) -> tuple[Run, int, str]:
    """Run `cmd`; returns its measurements (result empty), exit code and stdout.

    `os.wait4` gives the child's own rusage, so the peak RSS is that process's alone, not the maximum
    over every child this benchmark has run (which RUSAGE_CHILDREN would be).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log.with_suffix(".out"), log.with_suffix(".err")
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT, env=_child_env())
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    run = Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, {})
    return run, proc.returncode, out_path.read_text(encoding="utf-8", errors="replace")


def run_worker(task: str, args: dict[str, Any], logs: Path) -> Run:
    """Run one `_worker` task in a fresh interpreter and parse the JSON line it prints."""
    cmd = [sys.executable, "-m", "oversight.bench", "_worker", task, json.dumps(args, ensure_ascii=False)]
    log = logs / f"{task}-{args.get('label', 'run')}"
    run, code, out = run_measured(cmd, log)
    lines = [line for line in out.splitlines() if line.startswith(RESULT_MARK)]
    if code != 0 or not lines:
        err = log.with_suffix(".err").read_text(encoding="utf-8", errors="replace")
        raise RuntimeError(f"benchmark step {task} failed (exit {code}):\n{err[-3000:]}")
    run.result = json.loads(lines[-1][len(RESULT_MARK) :])
    return run


def _emit(result: dict[str, Any]) -> None:
    result["self_rss_bytes"] = _peak_rss()
    print(RESULT_MARK + json.dumps(result, ensure_ascii=False, default=str), flush=True)


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@dataclass
class _Stages:
    """Wall time, CPU time and the process's peak RSS so far, per named stage of one worker."""

    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    peaks: dict[str, int] = field(default_factory=dict)

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - started
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu_started
            self.peaks[name] = _peak_rss()


def _manifest(files_dir: Path) -> dict[str, dict[str, Any]]:
    return json.loads((files_dir / "manifest.json").read_text(encoding="utf-8"))["files"]


def _profile_text(profiler: cProfile.Profile, limit: int = 30) -> str:
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf)
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)
    text = buf.getvalue().replace(str(ROOT) + os.sep, "").replace(sys.prefix + os.sep, "")
    return re.sub(r"[ \t]+\n", "\n", text)


# ---------------------------------------------------------------- workers (each in its own process)


def worker_load(args: dict[str, Any]) -> dict[str, Any]:
    """The product's load, as `oversight load` does it: read the files, open a fresh database file,
    pipeline.load_files of the whole batch; by stage."""
    from oversight.cli import read_inputs
    from oversight.engine import connection, ledger, migrations
    from oversight.ingest import pipeline

    files_dir, db = Path(args["files"]), Path(args["db"])
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    stage = _Stages()
    # CPU time (all threads), not wall: on a shared machine wall time mostly measures the neighbours
    profiler = cProfile.Profile(time.process_time) if args.get("profile") else None
    real_validate, real_load_batch = pipeline.validate_files, ledger.load_batch
    real_refresh = migrations.refresh_derived

    def timed_validate(*a: Any, **kw: Any) -> Any:
        with stage("validate"):
            return real_validate(*a, **kw)

    def timed_load_batch(*a: Any, **kw: Any) -> Any:
        with stage("write"):
            return real_load_batch(*a, **kw)

    def timed_refresh(*a: Any, **kw: Any) -> Any:
        with stage("summary tables (part of write)"):
            return real_refresh(*a, **kw)

    pipeline.validate_files = timed_validate  # type: ignore[assignment]
    ledger.load_batch = timed_load_batch  # type: ignore[assignment]
    migrations.refresh_derived = timed_refresh  # type: ignore[assignment]
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    with stage("read files"):
        files = read_inputs([files_dir / info["file"] for info in _manifest(files_dir).values()])
    with stage("open"):
        con = connection.connect(db)
    result = pipeline.load_files(con, files, user="bench")
    with stage("close"):
        con.close()
    if profiler:
        profiler.disable()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    out: dict[str, Any] = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "stages": stage.wall,
        "stages_cpu": stage.cpu,
        "peaks": stage.peaks,
        "ok": result.ok,
    }
    if not result.ok:
        report = result.validation.report if result.validation is not None else None
        out["problems"] = report.head(20).rows() if report is not None else []
        return out
    con = connection.connect(db, read_only=True)
    out["rows"] = {t.name: con.execute(f"select count(*) from {t.name}").fetchall()[0][0] for t in TABLES}
    con.close()
    out["db_bytes"] = db.stat().st_size
    if profiler:
        Path(args["profile"]).write_text(_profile_text(profiler), encoding="utf-8")
    return out


def _utf8_path(files_dir: Path, info: dict[str, Any], scratch: Path) -> tuple[Path, float]:
    """The file as UTF-8 for read_csv: GBK has to be decoded in Python (no `encodings` extension
    offline, FACTS.md), so the limit pays that transcode too."""
    path = files_dir / info["file"]
    if info["encoding"] != "gbk":
        return path, 0.0
    started = time.perf_counter()
    target = scratch / f"utf8-{info['file']}"
    target.write_bytes(path.read_bytes().decode("gb18030").encode("utf-8"))
    return target, time.perf_counter() - started


def worker_raw(args: dict[str, Any]) -> dict[str, Any]:
    """The limit: `create table as select * from read_csv(...)` per file into plain tables."""
    import duckdb

    files_dir, db = Path(args["files"]), Path(args["db"])
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    per_table: dict[str, float] = {}
    started, cpu_started = time.perf_counter(), time.process_time()
    con = duckdb.connect(str(db), config={"autoinstall_known_extensions": False})
    transcode = 0.0
    for name, info in _manifest(files_dir).items():
        t0 = time.perf_counter()
        path, spent = _utf8_path(files_dir, info, db.parent)
        transcode += spent
        con.execute(f"create table {name} as select * from read_csv('{path.as_posix()}')")
        per_table[name] = time.perf_counter() - t0
    con.close()
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,
        "per_table": per_table,
        "transcode_seconds": transcode,
    }


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


_CODE_RE = re.compile(r"[A-Za-z0-9-]+")
_SCHOOL_YEAR_RE = re.compile(r"(\d{4})-(\d{4})")
#: (table, columns) pairs some reference points at: the key sets the pandas pipeline keeps
REFERENCED = frozenset((r.table, r.target_columns) for t in TABLES for r in t.references)
_TRUE = frozenset(schema.TRUE_WORDS)
_FALSE = frozenset(schema.FALSE_WORDS)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    for fmt in schema.DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _check_cell(col: schema.Column, text: str) -> tuple[Any, bool]:
    """(typed value, ok) for one cell, the way a hand-written pipeline checks it: one value at a time."""
    if col.type in ("text", "enum", "code", "school_year"):
        if col.choices and text not in col.choices:
            return None, False
        if col.type == "code" and (not _CODE_RE.fullmatch(text) or len(text) > (col.max_len or 10**6)):
            return None, False
        if col.type == "school_year":
            m = _SCHOOL_YEAR_RE.fullmatch(text)
            if not m or int(m.group(2)) != int(m.group(1)) + 1:
                return None, False
        return text, True
    if col.type == "int":
        try:
            value: Any = int(text)
        except ValueError:
            return None, False
    elif col.type == "decimal":
        try:
            value = float(text)
        except ValueError:
            return None, False
    elif col.type == "bool":
        low = text.lower()
        if low in _TRUE:
            return True, True
        if low in _FALSE:
            return False, True
        return None, False
    else:
        value = _parse_date(text)
        return value, value is not None
    ok = (col.min_value is None or value >= col.min_value) and (
        col.max_value is None or value <= col.max_value
    )
    return value, ok


def worker_pandas(args: dict[str, Any]) -> dict[str, Any]:
    """What an analyst would write instead: pandas.read_csv, a per-row check, insert into DuckDB.

    Tables above `sample_rows` are read as their first `sample_rows` rows and their time is scaled by
    full rows / sample rows (reading, checking and inserting are all linear in rows). Referenced tables
    (schools, orgs, quotas) are small, so they are always read whole and every reference check is real.
    """
    import duckdb
    import pandas as pd

    files_dir, db, cap = Path(args["files"]), Path(args["db"]), int(args["sample_rows"])
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    for t in TABLES:  # plain typed tables, as an analyst's own script would create
        con.execute(f"create table {t.name} ({', '.join(f'{c.name} {c.sql_type}' for c in t.columns)})")
    keys: dict[tuple[str, tuple[str, ...]], set[tuple[Any, ...]]] = {}
    per_table: dict[str, dict[str, Any]] = {}
    errors = 0
    for t in TABLES:
        info = _manifest(files_dir)[t.name]
        started, cpu_started = time.perf_counter(), time.process_time()
        text = _decode((files_dir / info["file"]).read_bytes())
        sampled = info["rows"] > cap
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, nrows=cap if sampled else None)
        df = df.rename(columns={c.zh: c.name for c in t.columns})[t.column_names]
        typed: dict[str, list[Any]] = {c: [] for c in t.column_names}
        seen: set[tuple[Any, ...]] = set()
        key_idx = [t.column_names.index(k) for k in t.key]
        refs = [(r, [t.column_names.index(c) for c in r.columns]) for r in t.references]
        pending_self: list[tuple[Reference, tuple[Any, ...]]] = []
        for row in df.itertuples(index=False, name=None):
            values = []
            for col, cell in zip(t.columns, row, strict=True):
                cell = cell.strip()
                if not cell:
                    errors += col.required
                    values.append(None)
                    continue
                value, ok = _check_cell(col, cell)
                errors += not ok
                values.append(value)
            key = tuple(values[i] for i in key_idx)
            errors += key in seen
            seen.add(key)
            for ref, idx in refs:
                target = tuple(values[i] for i in idx)
                if any(v is None for v in target):
                    continue
                if ref.table == t.name:
                    pending_self.append((ref, target))
                elif target not in keys.get((ref.table, ref.target_columns), ()):
                    errors += 1
            for name, value in zip(t.column_names, values, strict=True):
                typed[name].append(value)
        for target_table, target_columns in REFERENCED:
            if target_table == t.name:
                keys[(t.name, target_columns)] = set(zip(*(typed[c] for c in target_columns), strict=True))
        errors += sum(1 for ref, target in pending_self if target not in keys[(t.name, ref.target_columns)])
        frame = pd.DataFrame(typed)
        con.register("_pandas_rows", frame)
        con.execute(f"insert into {t.name} select * from _pandas_rows")
        con.unregister("_pandas_rows")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        rows = len(frame)
        per_table[t.name] = {
            "rows": rows,
            "full_rows": info["rows"],
            "seconds": seconds,
            "extrapolated_seconds": seconds * info["rows"] / max(rows, 1),
            "extrapolated_cpu_seconds": cpu * info["rows"] / max(rows, 1),
            "sampled": sampled,
        }
    con.close()
    return {
        "measured_seconds": sum(v["seconds"] for v in per_table.values()),
        "seconds": sum(v["extrapolated_seconds"] for v in per_table.values()),
        "cpu_seconds": sum(v["extrapolated_cpu_seconds"] for v in per_table.values()),
        "sampled": any(v["sampled"] for v in per_table.values()),
        "sampled_rows": sum(v["rows"] for v in per_table.values()),
        "per_table": per_table,
        "errors": errors,
    }


# ---------------------------------------------------------------- pages: record the calls, then replay them

#: functions outside `oversight.indicators` that pages call with a connection on every rerun: the data
#: version (the cache key), the role check of the logged-in user, the filter options, the batch list
OTHER_READS: dict[str, tuple[str, ...]] = {
    "queries": ("run_query", "data_version", "frame"),
    "ledger": ("current", "list_batches"),
    "users": ("role_of", "list_users", "count_admins"),
}


def _reading_modules() -> dict[str, Any]:
    """The modules whose functions pages call with a connection, by the label the report uses."""
    from oversight.engine import ledger, queries, users
    from oversight.metrics import history, indicators, periods, schools, watch

    return {
        "indicators": indicators,
        "schools": schools,
        "watch": watch,
        "history": history,
        "periods": periods,
        "queries": queries,
        "ledger": ledger,
        "users": users,
    }


BENCH_USER = "bench"


def page_files() -> list[Path]:
    """The dashboard's pages in menu order: app.py, then pages/N_*.py."""
    home = [ROOT / "app.py"] if (ROOT / "app.py").exists() else []
    return home + sorted(
        (ROOT / "pages").glob("*.py"), key=lambda p: (int(re.match(r"\d*", p.name)[0] or 0), p.name)
    )


def _call_label(module: str, name: str, args: tuple[Any, ...]) -> str:
    if name == "run_query" and args:
        return f"run_query({args[0]})"
    if name == "breakdown" and args:
        return f"breakdown({args[0]})"
    return name if module == "indicators" else f"{module}.{name}"


def _con_functions() -> list[tuple[Any, str, str]]:
    """(module, module name, function name) of every function pages may call with a connection."""
    import inspect

    found = []
    for label, module in _reading_modules().items():
        for name, fn in vars(module).items():
            if not inspect.isfunction(fn) or fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            if label in OTHER_READS and name not in OTHER_READS[label]:
                continue
            params = list(inspect.signature(fn).parameters)
            if params and params[0] == "con":
                found.append((module, label, name))
    return found


def _ensure_bench_admin(db: str) -> None:
    """Pages check the session's user against the users table on every rerun: give them one."""
    import secrets

    from oversight.contract import roles
    from oversight.engine import connection, users

    with connection.opened(db) as con:
        if users.role_of(con, BENCH_USER) is None:
            users.add_user(con, BENCH_USER, secrets.token_urlsafe(24), roles.ROLE_ADMIN)


def worker_record(args: dict[str, Any]) -> dict[str, Any]:
    """Open every page once with AppTest as a logged-in administrator and record its database calls.

    Only top-level calls are kept (compute's own run_query calls replay inside compute). Streamlit's
    cache is cleared before each page so every page shows all the work it does on a first visit.
    """
    os.environ["OVERSIGHT_DB"] = args["db"]
    import streamlit as st
    from streamlit import config as st_config
    from streamlit.testing.v1 import AppTest

    from oversight.app import ui
    from oversight.contract import roles

    # the app's config hides error details from viewers; the benchmark needs them to report a broken page
    st_config.set_option("client.showErrorDetails", "full")

    calls: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = []
    depth = [0]

    def wrap(module: Any, label: str, name: str) -> None:
        fn = getattr(module, name)

        def recorded(*a: Any, **kw: Any) -> Any:
            if depth[0] == 0:
                calls.append((label, name, a[1:], kw))
            depth[0] += 1
            try:
                return fn(*a, **kw)
            finally:
                depth[0] -= 1

        setattr(module, name, recorded)

    _ensure_bench_admin(args["db"])
    for module, label, name in _con_functions():
        wrap(module, label, name)
    pages: dict[str, dict[str, Any]] = {}
    for path in page_files():
        st.cache_data.clear()
        calls.clear()
        # every page runs with app.py as the entry point, as under `streamlit run app.py`, so the
        # sidebar's page links resolve
        home = ROOT / "app.py"
        at = AppTest.from_file(str(home if home.exists() else path), default_timeout=900)
        if home.exists() and path != home:
            at.switch_page(path.relative_to(ROOT).as_posix())
        at.session_state[ui.SESSION_USER] = {"username": BENCH_USER, "role": roles.ROLE_ADMIN}
        started = time.perf_counter()
        at.run()
        seconds = time.perf_counter() - started
        recorded = list(calls)
        # the same page again: Streamlit's caches now hold every result, as for the next viewer
        started = time.perf_counter()
        at.run()
        rerun = time.perf_counter() - started
        calls[:] = recorded
        pages[path.stem] = {
            "seconds": seconds,
            "rerun_seconds": rerun,
            "exceptions": [f"{e.message} {' '.join(e.stack_trace[-2:])}"[:400] for e in at.exception]
            + ([] if calls else ["the page stopped before reading the database (login or access check)"]),
            "calls": list(calls),
            "labels": [_call_label(m, n, a) for m, n, a, _ in calls],
        }
    Path(args["out"]).write_bytes(pickle.dumps({k: v["calls"] for k, v in pages.items()}))
    return {"pages": {k: {kk: vv for kk, vv in v.items() if kk != "calls"} for k, v in pages.items()}}


class _ExplainConnection:
    """Hands `run_query` a connection whose `sql` prefixes EXPLAIN ANALYZE (JSON), so the plan is
    profiled with exactly the parameters the page bound."""

    def __init__(self, con: Any) -> None:
        self._con = con

    def sql(self, query: str, params: dict[str, Any] | None = None) -> Any:
        return self._con.sql("explain (analyze, format json) " + query, params=params)


def plan_summary(plan_json: str, top: int = 8) -> str:
    """The query's totals and its costliest operators (operator time is summed over threads)."""
    doc = json.loads(plan_json)
    nodes: list[dict[str, Any]] = []
    stack = list(doc.get("operator", []))
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("children", []))
    query, system = doc.get("query", {}), doc.get("system", {})
    lines = [
        f"total {query.get('total_time', 0) * 1000:.0f} ms, CPU {query.get('cpu_time', 0) * 1000:.0f} ms, "
        f"rows scanned {query.get('total_rows_scanned', 0):,}, "
        f"peak buffer memory {system.get('peak_buffer_memory', 0) / 2**20:.0f} MiB",
    ]
    for node in sorted(nodes, key=lambda n: -n.get("timing", 0.0))[:top]:
        info = node.get("extra_info", {})
        detail = "; ".join(
            f"{k}: {info[k] if isinstance(info[k], str) else ', '.join(map(str, info[k]))}"
            for k in ("Table", "Join Type", "Conditions", "Groups", "Aggregates", "Expression", "Filters")
            if info.get(k)
        )
        lines.append(
            f"{node.get('timing', 0.0) * 1000:7.0f} ms  {node.get('name', '?'):<18} "
            f"{node.get('intermediate_rows', 0):>11,} rows  {detail[:160]}"
        )
    return "\n".join(lines)


def _replay_page(calls: list[Any], db: str, args: dict[str, Any]) -> dict[str, Any]:
    """Replay one page's recorded calls: cold (first run on a fresh connection), warm (same connection,
    repeated; median), app style (a connection opened and closed per call, as oversight.ui does)."""
    from oversight.engine import connection, queries

    modules = _reading_modules()
    per_file: dict[str, list[float]] = {}
    last_params: dict[str, dict[str, Any]] = {}
    real_run_query = queries.run_query
    collecting = [False]

    def timed_run_query(con: Any, name: str, params: dict[str, Any], *more: Any) -> Any:
        started = time.perf_counter()
        try:
            return real_run_query(con, name, params, *more)
        finally:
            if collecting[0]:
                per_file.setdefault(name, []).append(time.perf_counter() - started)
                last_params[name] = params

    queries.run_query = timed_run_query  # type: ignore[assignment]
    try:
        funcs = [(getattr(modules[m], n), a, kw) for m, n, a, kw in calls]

        cpu: list[float] = []

        def run_all(con: Any) -> float:
            started, cpu_started = time.perf_counter(), time.process_time()
            for fn, a, kw in funcs:
                fn(con, *a, **kw)
            cpu.append(time.process_time() - cpu_started)
            return time.perf_counter() - started

        t0 = time.perf_counter()
        con = connection.connect(db)
        open_cold = time.perf_counter() - t0
        cold = run_all(con)
        warm_runs = []
        collecting[0] = True
        for _ in range(int(args["repeats"])):
            warm_runs.append(run_all(con))
        collecting[0] = False
        plans: dict[str, str] = {}
        slowest = sorted(per_file, key=lambda n: -sum(per_file[n]))[: int(args.get("explain", 0))]
        for name in slowest:
            plan = real_run_query(_ExplainConnection(con), name, last_params[name])  # type: ignore[arg-type]
            plans[name] = plan_summary(str(plan[:, -1].to_list()[-1]))
        con.close()
        app_runs, opens = [], []
        for _ in range(int(args["app_repeats"])):
            started = time.perf_counter()
            for fn, a, kw in funcs:
                o = time.perf_counter()
                c = connection.connect(db)
                opens.append(time.perf_counter() - o)
                fn(c, *a, **kw)
                c.close()
            app_runs.append(time.perf_counter() - started)
    finally:
        queries.run_query = real_run_query  # type: ignore[assignment]
    repeats = max(1, int(args["repeats"]))
    return {
        "calls": len(funcs),
        "open_cold_s": open_cold,
        "cold_s": cold,
        "warm_s": statistics.median(warm_runs) if warm_runs else cold,
        "cold_cpu_s": cpu[0],
        "warm_cpu_s": statistics.median(cpu[1:]) if len(cpu) > 1 else cpu[0],
        "app_s": statistics.median(app_runs) if app_runs else 0.0,
        "open_s": statistics.median(opens) if opens else 0.0,
        # per page run: the file's total time over the warm runs / runs (a file may run twice per page)
        "per_file_warm_s": {n: sum(v) / repeats for n, v in per_file.items()},
        "per_file_calls": {n: len(v) // repeats for n, v in per_file.items()},
        "plans": plans,
    }


def worker_queries(args: dict[str, Any]) -> dict[str, Any]:
    """Replay the recorded calls of `args["pages"]`, in order, in this one process. The full benchmark
    starts one process per page so every page's cold run is really cold; --quick uses one for all."""
    recorded = pickle.loads(Path(args["calls"]).read_bytes())
    return {"pages": {page: _replay_page(recorded[page], args["db"], args) for page in args["pages"]}}


def worker_generate(args: dict[str, Any]) -> dict[str, Any]:
    """Generation runs in a worker too: Linux carries a parent's peak RSS over fork and exec into the
    child's ru_maxrss, so a benchmark process that had held the province frames would inflate the peak
    RSS of every process it starts afterwards."""
    started = time.perf_counter()
    files = generate(float(args["factor"]), Path(args["out"]), int(args["seed"]))
    return {"files": files, "seconds": time.perf_counter() - started}


WORKERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "generate": worker_generate,
    "load": worker_load,
    "raw": worker_raw,
    "pandas": worker_pandas,
    "record": worker_record,
    "queries": worker_queries,
}


# ---------------------------------------------------------------- the run


def machine_facts() -> dict[str, Any]:
    """What a reader needs to compare figures: CPU, cores, memory, versions."""
    from importlib.metadata import PackageNotFoundError, version

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    versions = {}
    for package in ("duckdb", "polars", "pandas", "pyarrow", "numpy", "streamlit"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "-"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu,
        "cores": cores,
        "memory_bytes": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "load_average": _load_average(),
    }


def _load_average() -> str:
    """The 1/5/15-minute load average: on a shared 2-core machine it says how much else was running."""
    try:
        return " / ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "-"


def _oversight_cmd() -> list[str]:
    script = Path(sys.executable).parent / "oversight"
    return [str(script)] if script.exists() else [sys.executable, "-m", "oversight.cli"]


def _progress(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def measure_step(step: int, factor: float, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Generate the files of one growth step and load them three ways."""
    files = workdir / f"data-x{step}"
    logs = workdir / "logs"
    made = run_worker(
        "generate", {"factor": factor, "out": str(files), "seed": args.seed, "label": f"x{step}"}, logs
    )
    info, generate_s = made.result["files"], made.result["seconds"]
    rows = sum(v["rows"] for v in info.values())
    _progress(f"x{step}: {rows:,} rows, {sum(v['bytes'] for v in info.values()) / 2**20:.0f} MiB of CSV")
    common = {"files": str(files), "label": f"x{step}"}
    profile = str(workdir / f"profile-load-x{step}.txt") if args.profile else ""
    # the product and the limit alternate, `repeats` times each, and the fastest of each counts: on a
    # shared machine the minimum is the figure least disturbed by the neighbours
    loads, raws = [], []
    for _ in range(args.repeats):
        load = run_worker("load", common | {"db": str(workdir / f"x{step}.duckdb"), "profile": profile}, logs)
        if not load.result["ok"]:
            problems = "\n".join(str(p) for p in load.result.get("problems", []))
            raise RuntimeError(f"the generated batch x{step} did not validate:\n{problems}")
        _progress(f"x{step}: product load {load.result['seconds']:.1f} s")
        raw = run_worker("raw", common | {"db": str(workdir / f"x{step}-raw.duckdb")}, logs)
        _progress(f"x{step}: raw read_csv {raw.result['seconds']:.1f} s")
        loads.append(load)
        raws.append(raw)
    load = min(loads, key=lambda r: r.result["seconds"])
    raw = min(raws, key=lambda r: r.result["seconds"])
    pandas = run_worker(
        "pandas",
        common | {"db": str(workdir / f"x{step}-pandas.duckdb"), "sample_rows": args.pandas_sample_rows},
        logs,
    )
    _progress(
        f"x{step}: pandas {pandas.result['seconds']:.1f} s (measured {pandas.result['measured_seconds']:.1f} s)"
    )
    for extra in ("raw", "pandas"):
        for p in (workdir / f"x{step}-{extra}.duckdb", workdir / f"x{step}-{extra}.duckdb.wal"):
            p.unlink(missing_ok=True)
    return {
        "step": step,
        "factor": factor,
        "files": info,
        "rows": rows,
        "bytes": sum(v["bytes"] for v in info.values()),
        "generate_s": generate_s,
        "db": str(workdir / f"x{step}.duckdb"),
        "load": asdict(load),
        "raw": asdict(raw),
        "pandas": asdict(pandas),
        "profile": profile,
    }


def measure_queries(
    label: str, db: str, workdir: Path, args: argparse.Namespace, explain: int
) -> dict[str, Any]:
    """Every page's recorded calls, cold, warm and app style, plus `oversight indicators --json`."""
    logs = workdir / "logs"
    slug = re.sub(r"\W+", "-", label)
    calls_path = workdir / f"calls-{slug}.pkl"
    out: dict[str, Any] = {"label": label, "db": db, "pages": {}}
    if page_files():
        record = run_worker("record", {"db": db, "out": str(calls_path), "label": slug}, logs)
        out["record"] = asdict(record)
        pages = list(record.result["pages"])
        for group in [pages] if args.quick else [[page] for page in pages]:
            run = run_worker(
                "queries",
                {
                    "db": db,
                    "calls": str(calls_path),
                    "pages": group,
                    "repeats": args.warm_repeats,
                    "app_repeats": 1 if args.quick else 2,
                    "explain": explain,
                    "label": f"{slug}-{group[0]}",
                },
                logs,
            )
            for page in group:
                r = run.result["pages"][page]
                out["pages"][page] = {
                    "seconds": run.seconds,
                    "rss_bytes": run.rss_bytes,
                    "result": r,
                    "labels": record.result["pages"][page]["labels"],
                }
                _progress(
                    f"{label} {page}: warm {r['warm_s'] * 1000:.0f} ms, cold {r['cold_s'] * 1000:.0f} ms"
                )
    runs = []
    for i in range(args.indicator_runs):
        run, code, stdout = run_measured(
            [*_oversight_cmd(), "indicators", "--db", db, "--json"], logs / f"indicators-{slug}-{i}"
        )
        if code != 0:
            raise RuntimeError(f"oversight indicators failed on {db} (exit {code})")
        json.loads(stdout)
        runs.append({"seconds": run.seconds, "cpu_seconds": run.cpu_seconds, "rss_bytes": run.rss_bytes})
    out["indicators"] = runs
    _progress(f"{label}: oversight indicators {statistics.median(r['seconds'] for r in runs):.2f} s")
    return out


def district_db(workdir: Path) -> tuple[str | None, float]:
    """The bundled sample district (`oversight demo`), the "district" of the page figures."""
    db = workdir / "demo.duckdb"
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    run, code, _ = run_measured([*_oversight_cmd(), "demo", "--db", str(db)], workdir / "logs" / "demo")
    return (str(db), run.seconds) if code == 0 else (None, run.seconds)


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    steps = sorted(set(args.steps))
    factor = SCALES[args.scale]
    base = factor / steps[-1]
    results: dict[str, Any] = {
        "facts": machine_facts(),
        "scale": args.scale,
        "steps": steps,
        "base_rows": scaled_rows(base),
        "args": args.argv,
        "pandas_sample_rows": args.pandas_sample_rows,
        "warm_repeats": args.warm_repeats,
        "repeats": args.repeats,
    }
    started = time.perf_counter()
    results["growth"] = [measure_step(step, base * step, workdir, args) for step in steps]
    main = results["growth"][-1]
    demo_db, demo_s = (None, 0.0) if args.quick else district_db(workdir)
    results["demo_load_s"] = demo_s
    sets = []
    if demo_db:
        sets.append(("district (oversight demo)", demo_db, 0))
    elif len(steps) > 1 and not args.quick:
        sets.append((f"x{steps[0]}", results["growth"][0]["db"], 0))
    sets.append((f"{args.scale} (x{main['step']})", main["db"], args.explain))
    results["queries"] = [measure_queries(label, db, workdir, args, explain) for label, db, explain in sets]
    results["total_s"] = time.perf_counter() - started
    results["load_average_end"] = _load_average()
    results["driver_rss_bytes"] = _peak_rss()
    (workdir / "results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    return results


# ---------------------------------------------------------------- the report


def _s(seconds: float) -> str:
    return (
        f"{seconds * 1000:.0f} ms"
        if seconds < 1
        else f"{seconds:.2f} s"
        if seconds < 10
        else f"{seconds:.1f} s"
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}" if seconds < 0.1 else f"{seconds * 1000:.0f}"


def _mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB" if n >= 10 * 2**20 else f"{n / 2**20:,.2f} MiB"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 5's targets against the largest step and its query set."""
    main = results["growth"][-1]
    load_s, raw_s, pandas_s = (
        main["load"]["result"]["seconds"],
        main["raw"]["result"]["seconds"],
        main["pandas"]["result"]["seconds"],
    )
    qs = results["queries"][-1]
    pages = qs["pages"]
    worst_page = max(pages.items(), key=lambda kv: kv[1]["result"]["warm_s"], default=None)
    indicators_s = statistics.median(r["seconds"] for r in qs["indicators"])
    rss = {
        "load": main["load"]["rss_bytes"],
        "queries": max((p["rss_bytes"] for p in pages.values()), default=0),
        "indicators": max(r["rss_bytes"] for r in qs["indicators"]),
    }
    out = [
        {
            "target": f"load ≤ {TARGET_LOAD_VS_RAW:.1f}× raw read_csv",
            "value": f"{load_s / raw_s:.2f}× ({_s(load_s)} vs {_s(raw_s)})",
            "ok": load_s / raw_s <= TARGET_LOAD_VS_RAW,
        },
        {
            "target": f"≥ {TARGET_VS_PANDAS:.0f}× faster than the pandas pipeline",
            "value": f"{pandas_s / load_s:.1f}× ({_s(pandas_s)}{' extrapolated' if main['pandas']['result']['sampled'] else ''} vs {_s(load_s)})",
            "ok": pandas_s / load_s >= TARGET_VS_PANDAS,
        },
    ]
    if worst_page:
        out.append(
            {
                "target": f"every page's queries ≤ {TARGET_PAGE_WARM_MS:.0f} ms warm ({qs['label']})",
                "value": f"worst {worst_page[0]}: {_ms(worst_page[1]['result']['warm_s'])} ms",
                "ok": worst_page[1]["result"]["warm_s"] * 1000 <= TARGET_PAGE_WARM_MS,
            }
        )
    out += [
        {
            "target": f"oversight indicators ≤ {TARGET_INDICATORS_S:.0f} s",
            "value": f"{_s(indicators_s)} (median of {len(qs['indicators'])})",
            "ok": indicators_s <= TARGET_INDICATORS_S,
        },
        {
            "target": "peak RSS ≤ 2 GiB",
            "value": ", ".join(f"{k} {_mib(v)}" for k, v in rss.items()),
            "ok": max(rss.values()) <= TARGET_RSS_BYTES,
        },
    ]
    return out


def render(results: dict[str, Any]) -> str:
    facts, growth, main = results["facts"], results["growth"], results["growth"][-1]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `oversight/bench.py` (issue 5); do not edit by hand, run the command below again.",
        f"Run of {facts['date']}, scale `{results['scale']}`, growth steps "
        + ", ".join(f"×{s}" for s in results["steps"])
        + f", {_s(results['total_s'])} in all.",
        "",
        "## Machine",
        "",
        *_table(
            ["CPU", "cores", "memory", "OS", "Python", "duckdb", "polars", "pandas", "pyarrow"],
            [
                [
                    facts["cpu"],
                    facts["cores"],
                    f"{facts['memory_bytes'] / 2**30:.1f} GiB",
                    facts["os"],
                    facts["python"],
                    *(facts["versions"][p] for p in ("duckdb", "polars", "pandas", "pyarrow")),
                ]
            ],
        ),
        "",
        f"Load average (1/5/15 min) at the start {facts['load_average']}, at the end "
        f"{results.get('load_average_end', '-')}: anything well above 0 is other work sharing the cores, "
        "and inflates the times.",
        "",
        "## Reproduce",
        "",
        "```sh",
        f'make bench BENCH_ARGS="{" ".join(results["args"])}"',
        "# or: .venv/bin/python -m oversight.bench " + " ".join(results["args"]),
        "```",
        "",
        "## Targets",
        "",
        *_table(
            ["target", "measured", "result"],
            [[t["target"], t["value"], "pass" if t["ok"] else "**miss**"] for t in targets(results)],
        ),
        "",
        "## Data set",
        "",
        f"The largest step (×{main['step']}), generated by `oversight.bench.generate_tables` (numpy + polars, "
        f"seed {SEED}; every reference valid) as upload files with the schema's Chinese headers:",
        "",
        *_table(
            ["table", "file", "rows", "size", "encoding"],
            [
                [name, v["file"], f"{v['rows']:,}", _mib(v["bytes"]), v["encoding"]]
                for name, v in main["files"].items()
            ]
            + [["**total**", "", f"{main['rows']:,}", _mib(main["bytes"]), ""]],
        ),
        "",
        "## Load: the product against the limit and against pandas",
        "",
        "- **product**: `pipeline.load_files(con, files, user=..)` of the whole batch (read the files' bytes, "
        "validate, commit current + history + ledger) into a fresh database file, then close (checkpoint).",
        "- **raw read_csv (the limit)**: `create table T as select * from read_csv('file')` per file into plain "
        "tables of a fresh file; the GBK file is transcoded to UTF-8 in Python first (no `encodings` "
        "extension offline), which counts.",
        "- **pandas**: `pandas.read_csv(dtype=str)`, a per-row Python check of every cell's type, range, key "
        "and reference, `insert into T select * from <registered DataFrame>`."
        + (
            f" Tables above {results['pandas_sample_rows']:,} rows are measured on their first "
            f"{results['pandas_sample_rows']:,} rows and extrapolated linearly (marked *extrapolated*)."
            if any(g["pandas"]["result"]["sampled"] for g in growth)
            else ""
        ),
        "",
        f"The product and the limit ran {results.get('repeats', 1)} times each, alternating; the fastest run "
        "of each counts. "
        "All three are timed inside their own process, from reading the first file to closing the database "
        "(wall time; CPU time of all the process's threads alongside, steadier when the cores are shared); "
        f"interpreter start-up and imports are left out of all three (the product's process took "
        f"{_s(main['load']['seconds'])} wall in all at ×{main['step']}).",
        "",
        *_table(
            [
                "step",
                "rows",
                "product",
                "raw read_csv",
                "product / raw",
                "pandas",
                "pandas / product",
                "CPU s: product / raw / pandas",
                "product peak RSS",
            ],
            [
                [
                    f"×{g['step']}",
                    f"{g['rows']:,}",
                    _s(g["load"]["result"]["seconds"]),
                    _s(g["raw"]["result"]["seconds"]),
                    f"{g['load']['result']['seconds'] / g['raw']['result']['seconds']:.2f}×",
                    _s(g["pandas"]["result"]["seconds"])
                    + (" *extrapolated*" if g["pandas"]["result"]["sampled"] else ""),
                    f"{g['pandas']['result']['seconds'] / g['load']['result']['seconds']:.1f}×",
                    " / ".join(f"{g[w]['result']['cpu_seconds']:.1f}" for w in ("load", "raw", "pandas")),
                    _mib(g["load"]["rss_bytes"]),
                ]
                for g in growth
            ],
        ),
        "",
        f"Product load by stage at ×{main['step']}:",
        "",
        *_table(
            ["stage", "wall s", "share", "CPU s", "peak RSS of the process after the stage"],
            [
                [
                    name,
                    f"{sec:.2f}",
                    f"{sec / main['load']['result']['seconds']:.0%}",
                    f"{main['load']['result']['stages_cpu'][name]:.2f}",
                    _mib(main["load"]["result"]["peaks"][name]),
                ]
                for name, sec in main["load"]["result"]["stages"].items()
            ],
        ),
        "",
        f"Raw read_csv per table at ×{main['step']}: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in main["raw"]["result"]["per_table"].items())
        + f" (GBK transcode {main['raw']['result']['transcode_seconds']:.2f} s).",
        "",
        "## Growth",
        "",
        "Rows ×1, ×10, ×100 of a base data set; the time per row should stay flat (fixed start-up cost "
        "shows at the small end).",
        "",
        *_table(
            ["step", "rows", "CSV", "product", "µs/row", "raw read_csv", "µs/row", "pandas", "µs/row"],
            [
                [
                    f"×{g['step']}",
                    f"{g['rows']:,}",
                    _mib(g["bytes"]),
                    _s(g["load"]["result"]["seconds"]),
                    f"{g['load']['result']['seconds'] / g['rows'] * 1e6:.2f}",
                    _s(g["raw"]["result"]["seconds"]),
                    f"{g['raw']['result']['seconds'] / g['rows'] * 1e6:.2f}",
                    _s(g["pandas"]["result"]["seconds"]),
                    f"{g['pandas']['result']['seconds'] / g['rows'] * 1e6:.2f}",
                ]
                for g in growth
            ],
        ),
        "",
        "## Page queries",
        "",
        "Each page is opened once with Streamlit's AppTest as an administrator, with the functions of "
        "`oversight.indicators` (and the store reads a page makes) wrapped to record the page's database "
        "calls; the calls are then replayed in a fresh process against the same file. **cold** = first run "
        "on a fresh connection in a fresh process (the OS file cache is warm); **warm** = the same calls "
        f"again on that connection (median of {results['warm_repeats']}); **warm CPU** = that run's CPU "
        "time over all threads (steadier than wall time when the cores are shared); **app style** = each "
        "call opens "
        "and closes its own connection, as `oversight.ui` does on a cache miss. Streamlit rendering is not "
        "included; *AppTest* is the whole first page run (Streamlit caches empty) for reference, *AppTest "
        "rerun* the same page run again with Streamlit's caches full, which is what the next viewer of an "
        "unchanged page waits for.",
        "",
    ]
    for qs in results["queries"]:
        lines += [f"### {qs['label']}", ""]
        if not qs["pages"]:
            lines += ["No pages found (app.py, pages/*.py).", ""]
        rows = []
        for page, p in qs["pages"].items():
            r = p["result"]
            rec = qs["record"]["result"]["pages"][page]
            rows.append(
                [
                    page,
                    r["calls"],
                    _ms(r["cold_s"]),
                    _ms(r["warm_s"]),
                    _ms(r["warm_cpu_s"]),
                    _ms(r["app_s"]),
                    _s(rec["seconds"]) + (" (exception)" if rec["exceptions"] else ""),
                    _ms(rec["rerun_seconds"]),
                    _mib(p["rss_bytes"]),
                ]
            )
        if rows:
            lines += _table(
                [
                    "page",
                    "calls",
                    "cold ms",
                    "warm ms",
                    "warm CPU ms",
                    "app style ms",
                    "AppTest",
                    "AppTest rerun ms",
                    "peak RSS",
                ],
                rows,
            )
            errors = {
                page: rec["exceptions"][0]
                for page, rec in qs["record"]["result"]["pages"].items()
                if rec["exceptions"]
            }
            if errors:
                lines += [
                    "",
                    "Pages that failed while being recorded (their calls stop where the page did):",
                    "",
                ]
                lines += [f"- **{page}**: {' '.join(text.split())[:300]}" for page, text in errors.items()]
            lines += ["", "Calls each page makes (in order):", ""]
            for page, p in qs["pages"].items():
                lines.append(f"- **{page}**: " + (", ".join(f"`{c}`" for c in p["labels"]) or "none"))
            worst: dict[str, tuple[float, int, str]] = {}
            for page, p in qs["pages"].items():
                for name, sec in p["result"]["per_file_warm_s"].items():
                    if sec > worst.get(name, (0.0, 0, ""))[0]:
                        worst[name] = (sec, p["result"]["per_file_calls"][name], page)
            slow = sorted(worst.items(), key=lambda kv: -kv[1][0])[:10]
            if slow:
                lines += [
                    "",
                    "Slowest query files (warm, per run of one page). A page's files may run at once "
                    "(`indicators.run_many`), so their times overlap and can add up to more than the "
                    "page's warm time:",
                    "",
                ]
                lines += _table(
                    ["query file", "ms per page run", "runs per page", "page"],
                    [[f"queries/{n}.sql", _ms(v[0]), v[1], v[2]] for n, v in slow],
                )
            opens = [p["result"]["open_s"] for p in qs["pages"].values()]
            lines += [
                "",
                f"Opening a connection (app style, median): {_ms(statistics.median(opens))} ms.",
                "",
            ]
    lines += [
        "## Indicators command",
        "",
        "`oversight indicators --db FILE --json` as a subprocess (wall time, "
        "including interpreter start-up):",
        "",
    ]
    lines += _table(
        ["data", "runs", "first", "median", "peak RSS"],
        [
            [
                qs["label"],
                len(qs["indicators"]),
                _s(qs["indicators"][0]["seconds"]),
                _s(statistics.median(r["seconds"] for r in qs["indicators"])),
                _mib(max(r["rss_bytes"] for r in qs["indicators"])),
            ]
            for qs in results["queries"]
        ],
    )
    qs = results["queries"][-1]
    lines += [
        "",
        "## Peak memory",
        "",
        "Peak RSS of each measured process alone (`wait4` rusage), largest step. Linux keeps a parent's "
        "high-water mark across fork and exec, so every figure includes at least the benchmark driver's "
        f"own {_mib(results.get('driver_rss_bytes', 0))} (it generates no data itself for that reason).",
        "",
        *_table(
            ["process", "peak RSS"],
            [
                ["product load", _mib(main["load"]["rss_bytes"])],
                ["raw read_csv", _mib(main["raw"]["rss_bytes"])],
                [
                    "pandas pipeline" + (" (sample)" if main["pandas"]["result"]["sampled"] else ""),
                    _mib(main["pandas"]["rss_bytes"]),
                ],
                [
                    "page queries (worst page)",
                    _mib(max((p["rss_bytes"] for p in qs["pages"].values()), default=0)),
                ],
                ["oversight indicators", _mib(max(r["rss_bytes"] for r in qs["indicators"]))],
            ],
        ),
        "",
    ]
    plans = {n: t for p in qs["pages"].values() for n, t in p["result"]["plans"].items()}
    profiles = [g for g in growth[-1:] if g["profile"] and Path(g["profile"]).exists()]
    if plans or profiles:
        lines += ["## Profiles", ""]
        for g in profiles:
            lines += [f"cProfile of the product load at ×{g['step']} (CPU seconds, all threads):", "", "```"]
            lines += Path(g["profile"]).read_text(encoding="utf-8").strip().splitlines()[:60]
            lines += ["```", ""]
        for name, text in plans.items():
            lines += [
                f"EXPLAIN ANALYZE of queries/{name}.sql ({qs['label']}), costliest operators:",
                "",
                "```",
            ]
            lines += text.strip().splitlines()
            lines += ["```", ""]
    return "\n".join(lines).rstrip() + "\n"


def summary_text(results: dict[str, Any]) -> str:
    """The console table: targets first, then the growth curve."""
    rows = [f"{'target':<52} {'measured':<60} result"]
    rows += [f"{t['target']:<52} {t['value']:<60} {'pass' if t['ok'] else 'MISS'}" for t in targets(results)]
    rows.append("")
    rows.append(f"{'step':<6} {'rows':>12} {'product':>10} {'raw':>10} {'pandas':>10} {'µs/row':>8}")
    for g in results["growth"]:
        rows.append(
            f"×{g['step']:<5} {g['rows']:>12,} {_s(g['load']['result']['seconds']):>10} {_s(g['raw']['result']['seconds']):>10} "
            f"{_s(g['pandas']['result']['seconds']):>10} {g['load']['result']['seconds'] / g['rows'] * 1e6:>8.2f}"
        )
    for qs in results["queries"]:
        rows.append("")
        rows.append(
            f"pages at {qs['label']}: "
            + ", ".join(
                f"{page} {_ms(p['result']['warm_s'])}/{_ms(p['result']['cold_s'])} ms"
                for page, p in qs["pages"].items()
            )
            + " (warm/cold)"
        )
    return "\n".join(rows)


# ---------------------------------------------------------------- command line


def _steps(text: str) -> list[int]:
    try:
        steps = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(text) from None
    if not steps or min(steps) < 1:
        raise argparse.ArgumentTypeError(text)
    return steps


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m oversight.bench", description=__doc__.splitlines()[0])
    p.add_argument("--scale", choices=tuple(SCALES), default="province", help="size of the largest step")
    p.add_argument("--steps", type=_steps, default=[1, 10, 100], help="growth steps, e.g. 1,10,100")
    p.add_argument("--out", default="docs/benchmarks.md", help="the Markdown report")
    p.add_argument("--workdir", default="bench_out", help="generated files, databases, logs")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--pandas-sample-rows", type=int, default=PANDAS_SAMPLE_ROWS)
    p.add_argument("--warm-repeats", type=int, default=WARM_REPEATS)
    p.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="runs of the product load and of the limit per step (fastest counts)",
    )
    p.add_argument("--indicator-runs", type=int, default=INDICATOR_RUNS)
    p.add_argument("--explain", type=int, default=3, help="EXPLAIN ANALYZE the N slowest query files")
    p.add_argument("--profile", action="store_true", help="cProfile the product load")
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run (CI): all pages replayed in one process, one warm repeat, one indicators run, no demo",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_worker"]:
        _emit(WORKERS[argv[1]](json.loads(argv[2])))
        return 0
    args = build_parser().parse_args(argv)
    args.argv = argv
    if args.quick:
        args.warm_repeats, args.indicator_runs, args.repeats = 1, 1, 1
    results = run_benchmark(args)
    report = render(results)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")
    print(summary_text(results))
    print(f"\nwritten {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
