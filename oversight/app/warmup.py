"""Warm this server process's caches when it starts and whenever the data changes, so that no leader pays
for a first view.

The first run of a page after a start or an upload computes its indicators (seconds at province scale),
builds its figures and renders its tables; every later run, in any session, reuses them (app.cache,
app.memo). So each server process runs the view pages itself, once, in a session of its own that no
browser is attached to: every page with the default filters, and 总览 for each town. It does so when the
process has started (deploy/serve.py opens one page to start it; under `make run` the first visitor's
login page does) and again whenever the data version changes (an upload or a rollback, in this process,
another one or the command line; engine.publish), which every process notices within POLL_SECONDS.

The warm-up session is shown the pages as the first account with a viewing right (page_setup reads the
role from the database); it presses nothing, so it can change nothing. What it renders goes nowhere.
It uses Streamlit's runtime the way its websocket handler does (connect_session, request_rerun on the
event loop); if that ever fails, the process simply serves cold, as before. OVERSIGHT_WARMUP=0 turns it off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import Runtime

from oversight.contract import roles
from oversight.engine import Connection, users

LOG = logging.getLogger("oversight.warmup")
if not LOG.handlers:  # Streamlit configures only its own loggers: say when a warm-up ran, in the server log
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
    LOG.addHandler(_handler)
    LOG.setLevel(logging.INFO)
#: how often each process looks whether the published data changed
POLL_SECONDS = 2.0
#: the pages a leader may open, by their URL name ("" is 总览, app.py)
VIEW_PAGES = ("", "组织建设", "最强党支部", "交流轮岗", "议事决策", "学校画像", "趋势", "活动台账")
#: each town's 总览 is warmed only while there are at most this many towns: a district has a handful (the
#: bundled one 6), a province over a thousand (the benchmark's 1,200, about a second of CPU each), and
#: warming those after every upload would cost the leaders of that moment more than it saves them; it also
#: keeps the warmed views within cache.overview_pair's 32 entries, so none evicts the default 总览
MAX_TOWNS = 20
#: a warm-up page run that takes longer than this is left to finish on its own
RUN_TIMEOUT = 300.0

_started = threading.Lock()
_thread: threading.Thread | None = None
#: what the last warm-up did, for tests and the log: {"stamp": ..., "runs": n, "seconds": s}
last: dict[str, object] = {}


class _Context:
    headers: Iterable[tuple[str, str]] = ()
    cookies: Mapping[str, str] = {}
    remote_ip: str | None = None


class _Client:
    """A session client with no browser: counts finished runs, drops everything else."""

    def __init__(self) -> None:
        self.finished = threading.Condition()
        self.runs = 0
        self.failed = 0

    def write_forward_msg(self, msg: ForwardMsg) -> None:
        if msg.WhichOneof("type") == "script_finished":
            if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return
            with self.finished:
                self.runs += 1
                self.failed += msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY
                self.finished.notify_all()

    @property
    def client_context(self) -> _Context:
        return _Context()


@dataclass(frozen=True)
class Source:
    """What the warm-up reads, handed over by app.cache (which starts it): the file, its data version,
    the filter options, and a read of the published copy."""

    db: str
    version: Callable[[str], str]
    towns: Callable[[str, str], list[str]]
    snapshot: Callable[[str], contextlib.AbstractContextManager[Connection]]


def start(source: Source) -> None:
    """Start this process's warm-up thread once (a no-op outside a real `streamlit run`)."""
    global _thread
    if os.environ.get("OVERSIGHT_WARMUP", "1") == "0":
        return
    with _started:
        if _thread is not None:
            return
        if not Runtime.exists() or type(Runtime.instance()) is not Runtime:  # AppTest mocks the runtime
            return
        _thread = threading.Thread(target=_loop, args=(source,), name="oversight-warmup", daemon=True)
        _thread.start()


def _viewer(source: Source) -> tuple[str, str] | None:
    """An account that may view (the warm-up session's user): a leader first, then by name."""
    with source.snapshot(source.db) as con:
        accounts = [(str(u["用户名"]), str(u["角色"])) for u in users.list_users(con)]  # type: ignore[arg-type]
    for role in (roles.ROLE_LEADER, roles.ROLE_ANALYST, roles.ROLE_ADMIN):
        for name, r in accounts:
            if r == role and roles.User(name, r).can("view"):
                return name, r
    return None


def _views(source: Source, version: str) -> list[tuple[str, dict[str, str]]]:
    """The default view of every page, then 总览 for each town (when there are few enough: MAX_TOWNS)."""
    towns = source.towns(source.db, version)
    defaults = [(page, {}) for page in VIEW_PAGES]
    return defaults + ([("", {"town": str(t)}) for t in towns] if len(towns) <= MAX_TOWNS else [])


def _loop(source: Source) -> None:
    seen: str | None = None
    while True:
        try:
            runtime = Runtime.instance()
            if runtime.state.name in ("STOPPING", "STOPPED"):
                return
            version = source.version(source.db)
            if version != seen:
                warm(runtime, source, version)
                seen = version
        except Exception:  # a missing file, a runtime going down: try again later, serve cold meanwhile
            LOG.warning("预热失败，稍后重试", exc_info=True)
        time.sleep(POLL_SECONDS)


def warm(runtime: Runtime, source: Source, version: str) -> None:
    """Run every view once in a session of this process's own, one after the other."""
    user = _viewer(source)
    if user is None:
        return
    started = time.monotonic()
    loop = runtime._get_async_objs().eventloop
    client = _Client()

    async def connect() -> str:
        return runtime.connect_session(client=client, user_info={})  # type: ignore[arg-type]

    session_id = asyncio.run_coroutine_threadsafe(connect(), loop).result(timeout=30)
    try:
        session = runtime.get_app_session(session_id)
        if session is None:
            return
        session.session_state["user"] = {"username": user[0], "role": user[1]}
        for page, query in _views(source, version):
            if source.version(source.db) != version:
                break  # newer data: the next round warms that
            state = ClientState(page_name=page, query_string=urlencode(query))
            with client.finished:
                before = client.runs
            loop.call_soon_threadsafe(session.request_rerun, state)
            with client.finished:
                client.finished.wait_for(lambda b=before: client.runs > b, timeout=RUN_TIMEOUT)
    finally:
        with contextlib.suppress(Exception):
            loop.call_soon_threadsafe(runtime.close_session, session_id)
    last.update(stamp=version, runs=client.runs, failed=client.failed, seconds=time.monotonic() - started)
    LOG.info("预热完成：数据版本 %s，%d 个页面，%.1f 秒", version, client.runs, last["seconds"])
