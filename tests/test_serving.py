"""Serving many leaders: what a page run shares between sessions, the published read-only copies every
server process reads, and several processes behind nginx (issue 16).

- app.memo: a repeated figure is the first one's finished copy and still each caller's own; the frozen
  Styler sends byte for byte what a plain one sends.
- engine.publish: a write publishes a copy when readers would see a difference, a login's counter does
  not; a change made past it is noticed; a reader never waits for a writer; roles reach readers at once.
- A warm page run opens no database file.
- app.warmup: which views it runs, and that it stays off under AppTest.
- Two server processes behind nginx (deploy/serve.py): leaders log in whichever process they land on, and
  an upload is seen by both (slow: real servers).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData
from streamlit.testing.v1 import AppTest

from oversight.app import cache, memo, warmup
from oversight.contract import roles
from oversight.engine import connection, publish, queries, users
from oversight.ingest import pipeline

ROOT = Path(__file__).resolve().parent.parent
LEADER = {"username": "leader", "role": "领导"}
SCHOOLS_HEADER = "学校标识码,学校名称,学段,所属乡镇街道,城乡类型,是否公办,章程已修订\n"


@pytest.fixture
def db(dashboard_db: Path, tmp_path: Path) -> Path:
    """A private copy of the sample district (with the `leader` account), never read by a server before."""
    path = tmp_path / "district.duckdb"
    shutil.copyfile(dashboard_db, path)
    return path


def schools_file(k: int, rows: int = 3) -> list[tuple[str, bytes]]:
    body = "".join(f"P{k}-{i},发布学校{k}-{i},小学,城关街道,城区,是,是\n" for i in range(rows))
    return [(f"学校_{k}.csv", (SCHOOLS_HEADER + body).encode("utf-8"))]


def copies(db: Path) -> list[str]:
    return sorted(p.name for p in publish.snapshot_dir(db).glob("*.duckdb"))


# ---------------------------------------------------------------- app.memo


def test_prepared_styler_sends_what_a_plain_styler_sends() -> None:
    """Frozen or not, st.dataframe's marshalling gives the same bytes (text cells, and cells that are not)."""
    text = pd.DataFrame({"学校": ["甲", "乙", "丙"], "章程": ["● 达标", "✖ 未达标", "○ 无数据"]}).astype(
        "string"
    )
    mixed = pd.DataFrame({"学校": ["甲", None, "丙"], "数": [1.5, None, 3.0]})

    def style(s):  # type: ignore[no-untyped-def]
        return s.map(lambda v: "color: red" if "✖" in str(v) else "color: green", subset=[s.data.columns[-1]])

    for frame in (text, mixed):
        plain, frozen = ArrowData(), ArrowData()
        marshall_styler(plain, style(frame.style.set_uuid("t")), "x")
        styled = memo.prepared_styler(frame, "t", style)
        for _ in range(2):  # the second marshalling uses the frozen rendering
            frozen.Clear()
            marshall_styler(frozen, styled, "x")
            assert frozen.SerializeToString() == plain.SerializeToString()


def test_figures_are_built_once_per_content_and_each_caller_gets_its_own() -> None:
    """Inside a page run a repeated builder call is a copy of the first figure: the same JSON; a caller
    that changes its figure changes nothing for the next; other content builds anew."""

    def page() -> None:
        import polars as pl
        import streamlit as st

        from oversight.app import memo
        from oversight.present import figures

        frame = pl.DataFrame({"part": ["甲", "乙"], "count": [3, 5]})
        before = memo.FIGURES.hits
        first = figures.pie(frame, "part", "count", title="占比")
        first.update_layout(title_text="被改过")
        second = figures.pie(frame, "part", "count", title="占比")
        third = figures.pie(frame.with_columns(count=pl.lit(1)), "part", "count", title="占比")
        built = figures.pie.__shared_builder__(frame, "part", "count", title="占比")  # type: ignore[attr-defined]
        st.session_state["seen"] = (
            second.layout.title.text,
            third.layout.title.text,
            memo.FIGURES.hits - before,
            second.to_dict() == built.to_dict(),
        )

    at = AppTest.from_function(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["seen"] == ("占比", "占比", 1, True)


def test_figure_builders_outside_a_page_run_are_left_alone() -> None:
    from oversight.present import figures

    frame = pl.DataFrame({"part": ["甲"], "count": [1]})
    before = memo.FIGURES.misses + memo.FIGURES.hits
    figures.pie(frame, "part", "count", title="占比")
    assert memo.FIGURES.misses + memo.FIGURES.hits == before


# ---------------------------------------------------------------- engine.publish


def test_a_write_publishes_a_copy_and_readers_see_it(db: Path) -> None:
    with cache.snapshot(str(db)) as con:
        before = con.execute("select count(*) from schools").fetchall()[0][0]
    first = copies(db)
    assert len(first) == 1
    with cache.connection(str(db)) as con:
        assert pipeline.load_files(con, schools_file(1), user="上传").ok  # type: ignore[arg-type]
    assert len(copies(db)) == 2
    with cache.snapshot(str(db)) as con:
        assert con.execute("select count(*) from schools").fetchall()[0][0] == before + 3
    assert cache.data_version(str(db)).startswith("2-")


def test_a_login_publishes_nothing_and_a_role_change_reaches_readers_at_once(db: Path) -> None:
    with cache.connection(str(db)) as con:
        assert users.role_of(con, "leader") == roles.ROLE_LEADER  # type: ignore[arg-type]
    published = copies(db)
    with cache.connection(str(db)) as con:
        users.login(con, "leader", "password123", sleep=False)  # type: ignore[arg-type]
    with cache.connection(str(db)) as con, pytest.raises(Exception, match="密码错误"):
        users.login(con, "leader", "wrong-password", sleep=False)  # type: ignore[arg-type]
    assert copies(db) == published  # counters are read and written on the file itself
    with connection.opened(db) as con:
        con.execute("update users set role = ? where username = 'leader'", [roles.ROLE_ANALYST])
    with cache.connection(str(db)) as con:
        assert users.role_of(con, "leader") == roles.ROLE_ANALYST  # type: ignore[arg-type]


def test_a_change_made_past_the_publisher_is_noticed(db: Path) -> None:
    assert cache.data_version(str(db)) == "1-0"
    con = duckdb.connect(str(db))  # a tool writing with plain duckdb: nothing published
    try:
        users.remove_user(con, "leader")
    finally:
        con.close()
    with cache.connection(str(db)) as work:
        assert users.role_of(work, "leader") is None  # type: ignore[arg-type]


def test_readers_never_wait_for_a_writer_in_another_process(db: Path) -> None:
    """While another process holds the file read-write, pages keep reading the published copy."""
    cache.data_version(str(db))  # the first copy
    with connection.opened(db) as con:
        con.execute("update users set role = role")  # the file changed: a reader would look
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); "
         "c.execute('update users set failed_attempts = 1'); print('held', flush=True); time.sleep(30)", str(db)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        for _ in range(5):
            with cache.snapshot(str(db)) as con:
                assert con.execute("select count(*) from schools").fetchall()[0][0] > 0
        assert time.monotonic() - start < 5
    finally:
        holder.kill()
        holder.wait()


def test_the_statements_answered_from_the_copy_are_those_pages_send(db: Path) -> None:
    """engine.publish answers these two texts from the copy; if users.role_of or data_version.sql change,
    pages would silently open the file on every run again."""
    sent: list[str] = []

    class Spy:
        def execute(self, sql: str, params: object = None) -> object:
            sent.append(sql)
            return duckdb.connect().execute("select 'x' as a where false")

    users.role_of(Spy(), "leader")  # type: ignore[arg-type]
    with contextlib.suppress(IndexError):
        queries.data_version(Spy())  # type: ignore[arg-type]
    assert set(sent) <= connection._snapshot_statements()


def test_a_warm_page_run_opens_no_database_file(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERSIGHT_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["user"] = LEADER
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    opened: list[str] = []
    real = duckdb.connect

    def counting(database: object = ":memory:", *args: object, **kwargs: object) -> object:
        opened.append(str(database))
        return real(database, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(duckdb, "connect", counting)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert opened == []


@pytest.mark.slow
def test_writers_of_two_processes_take_turns(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A piece of writing work waits while another process's writer has its turn (flock on .write.lock),
    instead of meeting it at DuckDB's file lock; past TURN_WAIT_SECONDS it goes ahead to the file anyway."""
    lock = publish.ensure_dir(db) / ".write.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl,sys,time; f=open(sys.argv[1],'a'); fcntl.flock(f, fcntl.LOCK_EX);"
         " print('held', flush=True); time.sleep(float(sys.argv[2]))", str(lock), "1.0"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with publish.writing(db):
            waited = time.monotonic() - started
        assert waited >= 0.5  # it waited for the other process's turn to end
    finally:
        holder.wait(timeout=30)

    monkeypatch.setattr(publish, "TURN_WAIT_SECONDS", 0.2)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl,sys,time; f=open(sys.argv[1],'a'); fcntl.flock(f, fcntl.LOCK_EX);"
         " print('held', flush=True); time.sleep(float(sys.argv[2]))", str(lock), "5.0"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with connection.opened(db) as con:  # the file itself is free: the work goes ahead after 0.2 s
            assert con.execute("select count(*) from users").fetchall()[0][0] >= 1
        assert time.monotonic() - started < 4.0
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_make_bench_keeps_the_load_test_section_of_the_report(tmp_path: Path) -> None:
    """docs/benchmarks.md is rewritten by `make bench`; its "Serving many leaders" section is measured by
    `make loadtest` and written by hand, so a new bench run carries it over."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.__main__ import kept_sections

    out = tmp_path / "benchmarks.md"
    assert kept_sections(out) == ""
    out.write_text("# Benchmarks\n\n## Load\n\nold\n\n## Serving many leaders\n\n| a |\n", "utf-8")
    assert kept_sections(out) == "\n## Serving many leaders\n\n| a |\n"
    assert kept_sections(ROOT / "docs" / "benchmarks.md").startswith("\n## Serving many leaders\n")


# ---------------------------------------------------------------- app.warmup


def test_warmup_views_every_page_and_each_town_of_a_district_but_not_of_a_province() -> None:
    """A district's towns are warmed one by one; a province's thousand would cost the leaders of the moment
    more CPU than the warm-up saves them, so only the default views are warmed there."""

    def source(towns: list[str]) -> warmup.Source:
        return warmup.Source("x.duckdb", lambda db: "v1", lambda db, v: towns, cache.snapshot)

    district = warmup._views(source(["城关街道", "东城镇"]), "v1")
    assert [page for page, _ in district[: len(warmup.VIEW_PAGES)]] == list(warmup.VIEW_PAGES)
    assert district[len(warmup.VIEW_PAGES) :] == [("", {"town": "城关街道"}), ("", {"town": "东城镇"})]
    province = warmup._views(source([f"第{i}乡镇街道" for i in range(1200)]), "v1")
    assert province == [(page, {}) for page in warmup.VIEW_PAGES]


def test_warmup_stays_off_under_apptest(dashboard_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest's runtime is no server's: page tests never start a warm-up thread beside them."""
    monkeypatch.setenv("OVERSIGHT_DB", str(dashboard_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = LEADER
    at.run()
    assert not at.exception
    assert warmup._thread is None


# ---------------------------------------------------------------- two processes behind nginx


def _has(run: object, text: str) -> bool:
    """Whether a page run drew `text` anywhere (any element: a caption, a table, a selectbox option)."""
    wanted = text.encode("utf-8")
    return any(wanted in e.SerializeToString() for e in run.elements)  # type: ignore[attr-defined]


@pytest.mark.slow
def test_two_processes_behind_nginx_share_uploads_roles_and_login_failures(db: Path, tmp_path: Path) -> None:
    """deploy/serve.py with two processes: a leader logs in on either process and through nginx; an upload
    made beside them (another process, as the command line) shows in both; a removed account is logged
    out of both; failed logins count in the file, so failures spread over both lock the account on both;
    each process warms itself at start and after the upload; nginx sends the static bundle compressed."""
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        pytest.skip("未安装 nginx（CI 会安装）")
    import asyncio

    sys.path.insert(0, str(ROOT))
    from scripts.loadtest import client, servers

    with connection.opened(db) as con:
        users.add_user(con, "乙领导", "right-password-1", roles.ROLE_LEADER)
    new_school = "发布学校7-0"

    async def scenario(srv: servers.Servers) -> None:
        places = [*srv.backends, srv.base]
        sessions = []
        for base in places:
            session = client.Session(base, timeout=120)
            await session.open()
            await session.login("leader", "password123")
            assert not _has(await session.turn("学校画像"), new_school)
            sessions.append(session)

        with connection.opened(db) as con:
            assert pipeline.load_files(con, schools_file(7), user="上传").ok
        for session in sessions:
            assert _has(await session.turn("学校画像"), new_school)

        with connection.opened(db) as con:
            users.remove_user(con, "leader")
        for session in sessions:
            run = await session.turn("总览")
            assert "metric" not in run.kinds() and {"用户名", "密码"} <= run.widget_ids().keys()
            await session.close()

        async def attempt(base: str, password: str) -> bool:
            session = client.Session(base, timeout=120)
            try:
                await session.open()
                await session.login("乙领导", password)
                return True
            except client.ProtocolError:
                return False
            finally:
                await session.close()

        for k in range(roles.MAX_FAILED_ATTEMPTS):
            assert not await attempt(srv.backends[k % 2], "wrong-password")
        assert not await attempt(srv.backends[0], "right-password-1")
        assert not await attempt(srv.backends[1], "right-password-1")

    with servers.started(db, tmp_path, 2, nginx=True) as srv:
        assert len(srv.backends) == 2
        # nginx, not Python, sends the static bundle, compressed ahead of time (gzip_static)
        first_visit = client.fetch_static(srv.base)
        assert first_visit["files"] >= 2 and first_visit["sent"] < 0.4 * first_visit["size"], first_visit
        asyncio.run(scenario(srv))
        # each process warmed its caches on its own (app.warmup), at start and again after the upload
        logs = [p for p in srv.logs if p.name.startswith("streamlit-")]
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not all(
            p.read_text("utf-8", "replace").count("预热完成") >= 2 for p in logs
        ):
            time.sleep(1)
        assert all(p.read_text("utf-8", "replace").count("预热完成") >= 2 for p in logs)
        assert srv.tracebacks() == 0
