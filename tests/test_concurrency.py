"""Loads while the dashboard reads: readers see the old data or the new, never a mix, and many sessions
at once run without errors.

How the product is used decides how readers are tested (shared/FACTS.md):
- Inside the Streamlit server every session is a thread of one process, and an upload through the
  数据上传 page commits in that same process. DuckDB then lets readers and the writer share the file
  (MVCC), so the question is snapshot isolation: a page's dozen queries must all see the same
  committed state. Readers here are threads using `cache.snapshot`, as the dashboard's cached reads do.
- A command-line load is another process. DuckDB lets one process hold the file, and the dashboard
  holds it only per piece of work, so readers and the loader take turns: a reader waits while the load
  runs (connection.connect waits up to 15 s) and then sees the new data whole.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from reliability import corpus_base_files, ledger_problems, loader_command, meetings_csv, read_only
from streamlit.testing.v1 import AppTest

from oversight.app import cache
from oversight.contract.errors import StoreBusy
from oversight.engine import connection
from oversight.ingest import pipeline
from oversight.metrics import indicators, periods

#: whole servers, subprocesses or long runs: outside `make test-fast`, always in `make test`
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SCHOOLS_HEADER = "学校标识码,学校名称,学段,所属乡镇街道,城乡类型,是否公办,章程已修订\n"


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("concurrency") / "base.duckdb"
    with connection.opened(path) as con:
        result = pipeline.load_files(
            con, [(p.name, p.read_bytes()) for p in corpus_base_files()], user="基础数据"
        )
    assert result.ok
    return path


@pytest.fixture
def db(base_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "live.duckdb"
    shutil.copyfile(base_db, path)
    return path


def schools_batch(k: int, rows: int) -> list[tuple[str, bytes]]:
    body = "".join(f"Z{k}-{i},并发学校{k}-{i},小学,城关街道,城区,是,是\n" for i in range(rows))
    return [(f"学校_{k}.csv", (SCHOOLS_HEADER + body).encode("utf-8"))]


def run_while(writer: Callable[[], None], reader: Callable[[], None], readers: int) -> None:
    """Run `reader` in `readers` threads for as long as `writer` runs (at least one reading each)."""
    done = threading.Event()
    errors: list[BaseException] = []

    def loop() -> None:
        try:
            reader()
            while not done.is_set():
                reader()
        except BaseException as exc:  # handed to the main thread, which fails the test with it
            errors.append(exc)

    threads = [threading.Thread(target=loop) for _ in range(readers)]
    for t in threads:
        t.start()
    try:
        writer()
    finally:
        done.set()
        for t in threads:
            t.join(timeout=120)
    if errors:
        raise errors[0]


def test_indicators_during_uploads_in_the_server_process_are_never_mixed(db: Path) -> None:
    """Five uploads of 3,000 schools each while three sessions compute every indicator.

    Each indicator counts the schools on its own (schools.total, charter, duty_reports, split_roles);
    a reading that straddles a commit shows different totals. Without `cache.snapshot` this happened in
    14 of 19 readings on this machine.
    """
    readings: list[tuple[int, ...]] = []
    lock = threading.Lock()

    def writer() -> None:
        for k in range(5):
            with cache.connection(str(db)) as con:
                assert pipeline.load_files(con, schools_batch(k, 3000), user="上传").ok  # type: ignore[arg-type]

    def reader() -> None:
        with cache.snapshot(str(db)) as con:
            r = indicators.compute(con, periods.Params(year=2023))  # type: ignore[arg-type]
        totals = (
            r["schools"]["total"],
            r["charter"]["schools"],
            r["duty_reports"]["schools"],
            r["split_roles"]["schools"],
        )
        with lock:
            readings.append(totals)

    run_while(writer, reader, readers=3)
    mixed = [t for t in readings if len(set(t)) > 1]
    assert not mixed, f"{len(mixed)} of {len(readings)} readings mixed two states: {mixed[:5]}"
    states = {t[0] for t in readings}
    assert states <= {3 + 3000 * k for k in range(6)}
    assert len(readings) >= 6
    with read_only(db) as con:
        assert ledger_problems(con) == []


def test_two_tables_of_one_batch_appear_together(db: Path) -> None:
    """meetings and matters loaded in one batch: every reading sees both or neither (one statement and a
    multi-statement snapshot alike)."""
    m = 20_000

    def batch(k: int) -> list[tuple[str, bytes]]:
        meet = "会议编号,党组织编码,类型,日期,参会人数,主题\n" + "".join(
            f"B{k}-{n},O001-01,党课,2023-03-01,1,学习\n" for n in range(m)
        )
        mat = "事项编号,学校标识码,类别,事项名称,金额（元）,登记日期\n" + "".join(
            f"B{k}-{n},S001,其他,事项,1,2023-03-01\n" for n in range(m)
        )
        return [(f"会议_{k}.csv", meet.encode()), (f"事项_{k}.csv", mat.encode())]

    seen: list[tuple[int, int, int]] = []

    def writer() -> None:
        for k in range(4):
            with cache.connection(str(db)) as con:
                assert pipeline.load_files(con, batch(k), user="上传").ok  # type: ignore[arg-type]

    def reader() -> None:
        with cache.snapshot(str(db)) as con:
            meetings = con.execute("select count(*) from meetings").fetchall()[0][0]  # type: ignore[attr-defined]
            time.sleep(0.005)  # widen the window between the two statements
            matters = con.execute("select count(*) from matters").fetchall()[0][0]  # type: ignore[attr-defined]
            batches = con.execute("select count(*) from batches").fetchall()[0][0]  # type: ignore[attr-defined]
        seen.append((meetings, matters, batches))

    run_while(writer, reader, readers=3)
    for meetings, matters, batches in seen:
        assert meetings - 1 == matters - 1 == m * (batches - 1), (meetings, matters, batches)
    assert len({s[2] for s in seen}) >= 2, "the readers never overlapped a commit"


def test_command_line_load_while_the_dashboard_reads(db: Path, tmp_path: Path) -> None:
    """`oversight load` (its own process) of 100,000 meetings while dashboard readers open the file per
    reading: the load waits its turn and succeeds, readers wait theirs and see 0 or all 100,000 rows."""
    rows = 100_000
    big = meetings_csv(tmp_path / "组织生活.csv", rows)
    seen: list[int] = []
    busy: list[str] = []

    def reader() -> None:
        try:
            con = connection.connect(db, read_only=True)
        except StoreBusy as exc:
            busy.append(exc.message)
            return
        try:
            seen.append(con.execute("select count(*) from meetings").fetchall()[0][0])
        finally:
            con.close()
        time.sleep(0.05)

    proc_result: list[subprocess.CompletedProcess[str]] = []

    def writer() -> None:
        proc_result.append(
            subprocess.run(
                loader_command(db, [big]), capture_output=True, text=True, encoding="utf-8", timeout=120
            )
        )

    run_while(writer, reader, readers=2)
    proc = proc_result[0]
    assert proc.returncode == 0, proc.stdout[-1500:] + proc.stderr[-1500:]
    assert not busy, busy[:3]
    assert set(seen) <= {1, 1 + rows}
    with read_only(db) as con:
        assert con.execute("select count(*) from meetings").fetchall()[0][0] == 1 + rows


def test_a_held_file_gives_a_chinese_busy_message_not_a_lock_error(db: Path) -> None:
    """Another process holding the file past the wait: one Chinese sentence naming what to do."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(20)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        with pytest.raises(StoreBusy) as caught:
            connection.connect(db, wait=1.0)
        assert time.monotonic() - start < 10
        assert "占用" in caught.value.message and "请稍后重试" in caught.value.message
    finally:
        holder.kill()
        holder.wait()
    with contextlib.closing(connection.connect(db, wait=5)) as con:
        assert con.execute("select count(*) from schools").fetchall()[0][0] == 3


PAGES = [ROOT / "app.py", ROOT / "pages" / "1_组织建设.py", ROOT / "pages" / "3_交流轮岗.py"]


def test_many_sessions_at_once_while_an_upload_commits(
    dashboard_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nine simultaneous sessions (three pages x three) in threads of this process, as the server runs
    them, while an upload commits to the same file: every page renders, none shows an exception.

    The pages run once in turn first (a warm server); the concurrent burst comes after."""
    db = tmp_path / "district.duckdb"
    shutil.copyfile(dashboard_db, db)
    monkeypatch.setenv("OVERSIGHT_DB", str(db))

    def session(page: Path) -> list[str]:
        at = AppTest.from_file(str(page), default_timeout=180)
        at.session_state["user"] = {"username": "leader", "role": "领导"}
        at.run()
        return [str(e.value) for e in at.exception] + [e.value for e in at.error]

    def upload() -> None:
        codes = "".join(f"Y{i},负载学校{i},小学,城关街道,城区,是,是\n" for i in range(2000))
        with cache.connection(str(db)) as con:
            assert pipeline.load_files(con, [("学校.csv", (SCHOOLS_HEADER + codes).encode())], user="上传").ok  # type: ignore[arg-type]

    # One visit first, as a server that has served a page: a cold process imports pandas/pyarrow lazily
    # from inside the first page runs, and nine threads doing that at once break the import (see
    # docs/reliability.md, 已知限制) -- that cold start is the product's open problem, not this test's.
    for page in PAGES:
        assert not session(page)
    with ThreadPoolExecutor(max_workers=10) as pool:
        futures = [pool.submit(session, page) for page in PAGES * 3]
        writer = pool.submit(upload)
        problems = [f.result(timeout=300) for f in futures]
        writer.result(timeout=300)
    assert all(not p for p in problems), problems
