"""Helpers shared by the reliability tests and scripts/: database fingerprints and ledger invariants.

Both are plain SQL on a read-only connection, so they can judge a database that a killed process left
behind without trusting any of the code under test.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from oversight.contract.schema import TABLES
from oversight.engine import connection


@contextlib.contextmanager
def read_only(path: str | os.PathLike[str]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A plain read-only connection (no sandbox needed: tests read their own temp files)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """(row count, order-independent hash sum) of every table, ledger and accounts included.

    Equal fingerprints before and after a refused upload mean nothing was written anywhere. The audit
    log is left out: a refused upload is an event it records (one 上传被拒绝 entry, tests/test_audit.py),
    not data written.
    """
    names = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' order by 1"
        ).fetchall()
        if r[0] != "audit_log"
    ]
    out = {}
    for name in names:
        count, digest = con.execute(
            f'select count(*), coalesce(sum(hash(t)), 0)::varchar from "{name}" t'
        ).fetchall()[0]
        out[name] = (int(count), str(digest))
    return out


def file_fingerprint(path: str | os.PathLike[str]) -> dict[str, tuple[int, str]]:
    with read_only(path) as con:
        return fingerprint(con)


def ledger_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every way the data and the batch ledger disagree; an empty list means they agree.

    - no history row, file record or change count belongs to a batch missing from `batches`
      (what a half-committed batch would leave);
    - each batch's history rows per table equal its recorded added + changed + deleted;
    - the current rows of each table are exactly what the history of the batches in force gives
      (latest version per key, deletions applied), i.e. what a rollback would rebuild.
    """
    problems: list[str] = []
    for ledger in ("batch_files", "batch_changes"):
        orphans = con.execute(
            f"select count(*) from {ledger} where batch_id not in (select batch_id from batches)"
        ).fetchall()[0][0]
        if orphans:
            problems.append(f"{ledger}: {orphans} rows of unknown batches")
    for t in TABLES:
        leaked = con.execute(
            f"select count(*) from {t.name}__history where _batch_id not in (select batch_id from batches)"
        ).fetchall()[0][0]
        if leaked:
            problems.append(f"{t.name}: {leaked} history rows of unknown batches")
        mismatched = con.execute(
            f"""select count(*) from (
                    select _batch_id as batch_id, count(*) as n from {t.name}__history group by 1
                ) h full join (
                    select batch_id, added + changed + deleted as n from batch_changes where table_name = ?
                ) c using (batch_id)
                where coalesce(h.n, 0) <> coalesce(c.n, 0)""",
            [t.name],
        ).fetchall()[0][0]
        if mismatched:
            problems.append(f"{t.name}: {mismatched} batches whose history rows differ from their counts")
        cols = ", ".join(t.column_names)
        keys = ", ".join(t.key)
        rebuilt = f"""select {cols} from (
                select h.*, row_number() over (partition by {keys} order by h._batch_id desc) as _rn
                from {t.name}__history h
                where h._batch_id in (select batch_id from batches where not rolled_back)
            ) where _rn = 1 and not _deleted"""
        differ = con.execute(
            f"""select count(*) from (
                    (select {cols} from {t.name} except all {rebuilt})
                    union all
                    ({rebuilt} except all select {cols} from {t.name}))"""
        ).fetchall()[0][0]
        if differ:
            problems.append(f"{t.name}: current rows differ from the batches in force by {differ} rows")
    return problems


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t.name: int(con.execute(f"select count(*) from {t.name}").fetchall()[0][0]) for t in TABLES}


def meetings_csv(path: Path, rows: int, *, org_code: str = "O001-01", prefix: str = "K") -> Path:
    """A valid 组织生活 file of `rows` meetings of one branch (the bulk of a real upload)."""
    header = "会议编号,党组织编码,类型,日期,参会人数,主题\n"
    kinds = ("支部党员大会", "支部委员会", "党课", "主题党日")
    with path.open("w", encoding="utf-8") as out:
        out.write(header)
        for n in range(rows):
            out.write(
                f"{prefix}{n:07d},{org_code},{kinds[n % 4]},2023-{n % 12 + 1:02d}-{n % 28 + 1:02d},{n % 40},学习\n"
            )
    return path


def corpus_base_files() -> list[Path]:
    """The valid base batch of the corpus (three schools, their organisations, a few records)."""
    base = Path(__file__).resolve().parent / "corpus" / "base"
    return sorted(base.glob("*.csv"))


# ---------------------------------------------------------------- kill -9 trials (tests/test_faults.py,
# scripts/kill_loader.py)


def loader_command(db: Path, files: list[Path]) -> list[str]:
    """`oversight load` exactly as an analyst runs it, as its own process."""
    return [
        sys.executable,
        "-m",
        "oversight.cli",
        "load",
        *map(str, files),
        "--db",
        str(db),
        "--user",
        "断电测试",
    ]


def timed_run(command: list[str]) -> float:
    start = time.monotonic()
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    return time.monotonic() - start


@dataclass
class Calibration:
    """How long the loader takes here: to the end of validation, and to the end of the commit."""

    validate_seconds: float
    load_seconds: float


def calibrate(base: Path, big: Path, work: Path) -> Calibration:
    db = work / "calibration.duckdb"
    shutil.copyfile(base, db)
    validate = [sys.executable, "-m", "oversight.cli", "validate", str(big), "--db", str(db)]
    return Calibration(timed_run(validate), timed_run(loader_command(db, [big])))


def kill_moments(calibration: Calibration, trials: int, seed: int) -> list[float]:
    """Half the kills anywhere in the run, half inside the write phase (after validation), where a
    half-written batch could appear, slightly past the expected end so some land around COMMIT."""
    rng = random.Random(seed)
    v, t = calibration.validate_seconds, calibration.load_seconds
    return [rng.uniform(0.05, t) if k % 2 == 0 else rng.uniform(0.8 * v, 1.1 * t) for k in range(trials)]


@dataclass
class Trial:
    moment: float
    outcome: str  # "none" (batch absent), "whole" (batch present), "finished" (exited before the kill)
    rows: int
    problems: list[str]
    reopen_seconds: float
    #: size of the write-ahead log the kill left behind: > 0 means the loader died with writes in flight
    wal_bytes: int = 0


def kill_trial(base: Path, big: Path, rows: int, work: Path, moment: float) -> Trial:
    """Start a load of `big` on a copy of `base`, SIGKILL it after `moment` seconds, then judge the file.

    Judged through the product's own sandboxed connection (which replays the WAL), then plain SQL:
    the batch is either wholly there (ledger row and all `rows` rows) or wholly absent, and the ledger
    agrees with the data.
    """
    db = work / "trial.duckdb"
    for leftover in (db, work / "trial.duckdb.wal"):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(base, db)
    with read_only(db) as con:
        before = table_counts(con)
        batches_before = con.execute("select count(*) from batches").fetchall()[0][0]
    proc = subprocess.Popen(loader_command(db, [big]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=moment)
        finished = True
    except subprocess.TimeoutExpired:
        proc.kill()  # SIGKILL to this one child, by its pid
        proc.wait()
        finished = False
    wal = work / "trial.duckdb.wal"
    wal_bytes = wal.stat().st_size if wal.exists() else 0
    start = time.monotonic()
    con = connection.connect(db, wait=5)
    try:
        reopen = time.monotonic() - start
        after = table_counts(con)
        batches = con.execute("select count(*) from batches").fetchall()[0][0]
        problems = ledger_problems(con)
    finally:
        con.close()
    added = after["meetings"] - before["meetings"]
    others = {k: v for k, v in after.items() if k != "meetings"} != {
        k: v for k, v in before.items() if k != "meetings"
    }
    if batches == batches_before and added == 0:
        outcome = "none"
    elif batches == batches_before + 1 and added == rows:
        outcome = "whole"
    else:
        outcome = "partial"
        problems.append(f"批次 {batches_before}->{batches}，组织生活新增 {added} 行（应为 0 或 {rows}）")
    if others:
        problems.append(f"其他表的行数变了：{before} -> {after}")
    if finished:
        outcome = "finished" if outcome == "whole" else outcome
    return Trial(moment, outcome, added, problems, reopen, wal_bytes)
