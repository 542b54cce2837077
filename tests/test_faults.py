"""kill -9 of `oversight load` at random moments of a 300,000-row upload (SPEC: a batch is committed in one
transaction). After every kill the database must open with the product's own connection, hold the
whole batch or none of it, and its ledger must agree with the data row for row.

20 trials here, half of them aimed at the write phase; scripts/kill_loader.py runs 100+ and prints the
figures quoted in docs/reliability.md.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from reliability import (
    Calibration,
    calibrate,
    corpus_base_files,
    kill_moments,
    kill_trial,
    ledger_problems,
    loader_command,
    meetings_csv,
    read_only,
    table_counts,
    timed_run,
)

from oversight.engine import connection
from oversight.ingest import pipeline

TRIALS = 20
ROWS = 300_000
SEED = 20240102

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, Calibration]:
    """The corpus base batch in a database, a 300k-row meetings file, and how long a load takes here."""
    work = tmp_path_factory.mktemp("faults")
    base = work / "base.duckdb"
    with connection.opened(base) as con:
        result = pipeline.load_files(
            con, [(p.name, p.read_bytes()) for p in corpus_base_files()], user="基础数据"
        )
    assert result.ok
    big = meetings_csv(work / "组织生活_大批量.csv", ROWS)
    return work, base, big, calibrate(base, big, work)


@pytest.fixture(scope="module")
def moments(setup: tuple[Path, Path, Path, Calibration]) -> list[float]:
    return kill_moments(setup[3], TRIALS, SEED)


@pytest.mark.parametrize("trial", range(TRIALS))
def test_kill_during_load_leaves_all_or_nothing(
    trial: int, setup: tuple[Path, Path, Path, Calibration], moments: list[float]
) -> None:
    work, base, big, _ = setup
    result = kill_trial(base, big, ROWS, work, moments[trial])
    assert result.outcome in ("none", "whole", "finished"), result.problems
    assert not result.problems, result.problems


def test_after_a_kill_the_next_load_succeeds(setup: tuple[Path, Path, Path, Calibration]) -> None:
    """A killed loader leaves no lock and no half state behind: the same upload simply goes through."""
    work, base, big, calibration = setup
    kill_trial(base, big, ROWS, work, calibration.validate_seconds + 0.3 * calibration.load_seconds)
    db = work / "trial.duckdb"
    with read_only(db) as con:
        before = table_counts(con)["meetings"]
    timed_run(loader_command(db, [big]))
    with read_only(db) as con:
        assert table_counts(con)["meetings"] in (before + ROWS, before)  # already there if the kill came late
        assert ledger_problems(con) == []
        assert con.execute("select count(*) from batches").fetchall()[0][0] == 2


def test_ledger_check_catches_a_leaked_row(
    setup: tuple[Path, Path, Path, Calibration], tmp_path: Path
) -> None:
    """The judge is not blind: a history row of a batch missing from the ledger is reported."""
    _, base, _, _ = setup
    db = tmp_path / "leak.duckdb"
    shutil.copyfile(base, db)
    with connection.opened(db) as con:
        con.execute(
            "insert into meetings__history values ('X1', 'O001-01', '党课', date '2023-01-01', 1, 'x', 99, false, true)"
        )
        problems = ledger_problems(con)
    assert any("unknown batches" in p for p in problems)
