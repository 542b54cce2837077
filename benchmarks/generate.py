"""The synthetic province data set, as upload files (CSV with the schema's Chinese headers).

Vectorised (numpy + polars) from one fixed seed, every reference valid, so the batch loads; every
column, header and enum comes from `oversight.contract.schema`. The schools file is GBK as Excel writes
it in a Chinese locale, the leaders file has a UTF-8 BOM, the rest is plain UTF-8.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from oversight.contract import schema
from oversight.contract.schema import TABLES, Table

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
    "activities": 300_000,
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
    "activities": 30,
}
SCHOOL_YEARS = ("2023-2024", "2024-2025", "2025-2026")
CALENDAR_YEARS = (2024, 2025, 2026)
FIRST_DAY = date(2024, 1, 1)
LAST_DAY = date(2026, 10, 31)
#: schools come as Excel would export them in a Chinese locale (GBK, dates as 2023年1月5日); leaders
#: with a UTF-8 BOM; the rest plain UTF-8
ENCODINGS: dict[str, str] = {"schools": "gbk", "leaders": "utf-8-sig"}

SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国红梅志文斌海燕晓东亮宁雪春晨浩宇欣怡")
TOPICS = ("学习贯彻党的二十大精神", "主题教育专题学习", "师德师风建设", "党风廉政建设", "“三重一大”制度学习")


def scaled_rows(factor: float) -> dict[str, int]:
    """Row counts at `factor` of the province, never below MIN_ROWS."""
    return {name: max(MIN_ROWS[name], round(n * factor)) for name, n in PROVINCE_ROWS.items()}


# ---------------------------------------------------------------- column helpers


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


# ---------------------------------------------------------------- one function per table
# They all draw from the one random stream of generate_tables, so the order they are called in is part
# of the data set: change it and every table after the change comes out different.


def _schools(rng: np.random.Generator, n_s: int) -> pl.DataFrame:
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
    return pl.DataFrame(
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


def _party_orgs(rng: np.random.Generator, n: int, school_codes: pl.Series) -> pl.DataFrame:
    """One organization per school first, then sub-branches and 联合 organizations."""
    n_s = len(school_codes)
    n_o = max(n, n_s + 3)
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
    return pl.DataFrame(
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


def _leaders(rng: np.random.Generator, n_l: int, school_codes: pl.Series) -> pl.DataFrame:
    """Slots per school; slot 1 (校长) is slot 0's person in 30% of schools (一肩挑), slot 4 (支部委员) is
    slot 3's person (副校长) in 60% (交叉任职); slots from 6 on are former holders."""
    posts = ("书记", "校长", "副书记", "副校长", "支部委员", "副校长", "书记", "校长", "支部委员", "副书记")
    n_s = len(school_codes)
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
    return pl.DataFrame(
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


def _honors(rng: np.random.Generator, n_h: int, org_codes: pl.Series) -> pl.DataFrame:
    """Distinct (org, level, year)."""
    return (
        pl.DataFrame(
            {
                "org_code": org_codes.gather(rng.integers(0, len(org_codes), n_h * 2)),
                "level": _pick(rng, schema.HONOR_LEVELS, n_h * 2, [1, 3, 2]),
                "year": pl.Series(rng.integers(2018, 2027, n_h * 2)).cast(pl.String),
            }
        )
        .unique(maintain_order=True)
        .head(n_h)
    )


def _rotation_quotas(rng: np.random.Generator, school_codes: pl.Series) -> pl.DataFrame:
    """Every school, every school year."""
    n_s, years = len(school_codes), len(SCHOOL_YEARS)
    return pl.DataFrame(
        {
            "school_year": pl.Series(SCHOOL_YEARS).gather(np.repeat(np.arange(years), n_s)),
            "school_code": school_codes.gather(np.tile(np.arange(n_s), years)),
            "eligible_teachers": pl.Series(rng.integers(20, 160, n_s * years)).cast(pl.String),
        }
    )


def _rotations(rng: np.random.Generator, n_r: int, school_codes: pl.Series) -> pl.DataFrame:
    """Teacher ids unique, so the key (school_year, teacher_id, from_school_code) is unique."""
    n_s, years = len(school_codes), len(SCHOOL_YEARS)
    from_idx = rng.integers(0, n_s, n_r)
    to_idx = (from_idx + rng.integers(1, n_s, n_r)) % n_s
    return pl.DataFrame(
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


def _matters(rng: np.random.Generator, n_m: int, school_codes: pl.Series) -> pl.DataFrame:
    """Both reviews mostly present, implementation mostly after both."""
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
    return pl.DataFrame(
        {
            "matter_id": _ids("M", n_m, 9),
            "school_code": school_codes.gather(rng.integers(0, len(school_codes), n_m)),
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


def _meetings(rng: np.random.Generator, n_mt: int, org_codes: pl.Series) -> pl.DataFrame:
    """Meetings of every kind, mostly in branches."""
    return pl.DataFrame(
        {
            "meeting_id": _ids("H", n_mt, 9),
            "org_code": org_codes.gather(rng.integers(0, len(org_codes), n_mt)),
            "kind": _pick(rng, schema.MEETING_KINDS, n_mt, [3, 8, 4, 3, 4, 1, 1]),
            "held_on": _iso(_days(rng, n_mt)),
            "attendees": pl.Series(rng.integers(3, 80, n_mt))
            .cast(pl.String)
            .set(pl.Series(rng.random(n_mt) < 0.1), None),
            "topic": _pick(rng, TOPICS, n_mt).set(pl.Series(rng.random(n_mt) < 0.3), None),
        }
    )


def _duty_reports(rng: np.random.Generator, school_codes: pl.Series) -> pl.DataFrame:
    """Every school, every calendar year."""
    n_s, n_y = len(school_codes), len(CALENDAR_YEARS)
    return pl.DataFrame(
        {
            "school_code": school_codes.gather(np.tile(np.arange(n_s), n_y)),
            "year": pl.Series(CALENDAR_YEARS).gather(np.repeat(np.arange(n_y), n_s)).cast(pl.String),
            "to_superior": _bool_words(rng, n_s * n_y, 0.9),
            "to_staff": _bool_words(rng, n_s * n_y, 0.85),
        }
    )


def _activities(rng: np.random.Generator, n_a: int, school_codes: pl.Series) -> pl.DataFrame:
    """Activities of every kind and area; one in ten is district-level (no school)."""
    return pl.DataFrame(
        {
            "activity_id": _ids("A", n_a, 9),
            "school_code": school_codes.gather(rng.integers(0, len(school_codes), n_a)).set(
                pl.Series(rng.random(n_a) < 0.1), None
            ),
            "organiser": _pick(rng, ("区教研中心", "区教体局"), n_a).set(
                pl.Series(rng.random(n_a) < 0.6), None
            ),
            "kind": _pick(rng, schema.ACTIVITY_KINDS, n_a, [4, 3, 1, 4, 2, 2, 1, 1]),
            "area": _pick(rng, schema.ACTIVITY_AREAS, n_a),
            "title": _pick(rng, TOPICS, n_a),
            "held_on": _iso(_days(rng, n_a)),
            "participants": pl.Series(rng.integers(10, 400, n_a))
            .cast(pl.String)
            .set(pl.Series(rng.random(n_a) < 0.1), None),
        }
    )


def _unified_staffing(rng: np.random.Generator, school_codes: pl.Series) -> pl.DataFrame:
    """A fifth of the schools (the 民族语言授课学校) staff the three subjects every school year."""
    reporting = school_codes.gather(np.flatnonzero(rng.random(len(school_codes)) < 0.2))
    n_s, n_y, subjects = len(reporting), len(SCHOOL_YEARS), schema.UNIFIED_SUBJECTS
    n = n_s * n_y * len(subjects)
    needed = rng.integers(1, 5, n)
    return pl.DataFrame(
        {
            "school_year": pl.Series(SCHOOL_YEARS).gather(np.repeat(np.arange(n_y), n_s * len(subjects))),
            "school_code": reporting.gather(np.tile(np.repeat(np.arange(n_s), len(subjects)), n_y)),
            "subject": pl.Series(subjects).gather(np.tile(np.arange(len(subjects)), n_s * n_y)),
            "teachers_needed": pl.Series(needed).cast(pl.String),
            "teachers_assigned": pl.Series(needed - (rng.random(n) < 0.15)).cast(pl.String),
        }
    )


def generate_tables(rows: dict[str, int], seed: int = SEED) -> dict[str, pl.DataFrame]:
    """All the schema's tables as string frames keyed by English column names, every reference valid.

    Shapes follow the district report: one Party organization per school plus sub-branches and 联合
    organizations, about eight leader rows per school (some 一肩挑, some 交叉任职, some former holders),
    rotation quotas for every school and school year, matters and meetings spread over three years.
    """
    rng = np.random.default_rng(seed)
    # one statement per table, in this order: they share the random stream
    schools = _schools(rng, rows["schools"])
    school_codes = schools["school_code"]
    party_orgs = _party_orgs(rng, rows["party_orgs"], school_codes)
    org_codes = party_orgs["org_code"]
    leaders = _leaders(rng, rows["leaders"], school_codes)
    honors = _honors(rng, rows["honors"], org_codes)
    rotation_quotas = _rotation_quotas(rng, school_codes)
    rotations = _rotations(rng, rows["rotations"], school_codes)
    matters = _matters(rng, rows["matters"], school_codes)
    meetings = _meetings(rng, rows["meetings"], org_codes)
    duty_reports = _duty_reports(rng, school_codes)
    # issue 18's tables and 党建品牌 draw last, so every table above is what it was before them
    activities = _activities(rng, rows["activities"], school_codes)
    staffing = _unified_staffing(rng, school_codes)
    brands = pl.format("品牌{}", pl.int_range(0, party_orgs.height, eager=True))
    party_orgs = party_orgs.with_columns(
        pl.select(brands).to_series().set(pl.Series(rng.random(party_orgs.height) < 0.4), None).alias("brand")
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
        "activities": activities,
        "unified_subject_staffing": staffing,
    }
    return {t.name: frames[t.name].select(t.column_names) for t in TABLES}


# ---------------------------------------------------------------- files


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


#: the code the generated files depend on, hashed into the manifest's version
_GENERATOR_CODE = (
    generate_tables,
    _schools,
    _party_orgs,
    _leaders,
    _honors,
    _rotation_quotas,
    _rotations,
    _matters,
    _meetings,
    _duty_reports,
    _activities,
    _unified_staffing,
    write_files,
    _names,
    _days,
    _iso,
    _pick,
    _ids,
    _bool_words,
)


def _generator_version() -> str:
    """Changes when the generator's code or constants do, so stale files in --workdir are rebuilt."""
    import hashlib
    import inspect

    parts = [inspect.getsource(f) for f in _GENERATOR_CODE]
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


def read_manifest(files_dir: Path) -> dict[str, dict[str, Any]]:
    """The files `generate` wrote into `files_dir`, by table: file name, rows, bytes, encoding."""
    return json.loads((files_dir / "manifest.json").read_text(encoding="utf-8"))["files"]
