"""Measuring: every measurement in its own subprocess, the product's workers, page record/replay, the run.

Every measurement runs as `python -m benchmarks _worker TASK JSON` in a fresh interpreter (cwd and
PYTHONPATH the repository root, since benchmarks/ is not installed), so peak RSS (`ru_maxrss`, read
with `os.wait4`) belongs to that measurement alone and "cold" really means a fresh process and a fresh
connection.

The dashboard pages are not timed through a browser: each page is run once with Streamlit's AppTest
while the functions pages call with a connection are wrapped to record the calls the page makes
(`worker_record`, with `worker_report` the only places streamlit is imported); those calls are then replayed cold (fresh
process) and warm (same connection, repeated), and once more "app style" (a fresh connection per call,
which is what `oversight.ui` does on a cache miss).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pickle
import platform
import pstats
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.baselines import worker_pandas, worker_raw
from benchmarks.generate import CALENDAR_YEARS, SCALES, generate, read_manifest, scaled_rows
from oversight.contract.schema import TABLES

ROOT = Path(__file__).resolve().parent.parent
RESULT_MARK = "BENCH_RESULT "

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
    """The repository root first on PYTHONPATH: the children import `benchmarks`, which is not installed."""
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
    cmd = [sys.executable, "-m", "benchmarks", "_worker", task, json.dumps(args, ensure_ascii=False)]
    log = logs / f"{task}-{args.get('label', 'run')}"
    run, code, out = run_measured(cmd, log)
    lines = [line for line in out.splitlines() if line.startswith(RESULT_MARK)]
    if code != 0 or not lines:
        err = log.with_suffix(".err").read_text(encoding="utf-8", errors="replace")
        raise RuntimeError(f"benchmark step {task} failed (exit {code}):\n{err[-3000:]}")
    run.result = json.loads(lines[-1][len(RESULT_MARK) :])
    return run


def emit(result: dict[str, Any]) -> None:
    """A worker's result, as the one line `run_worker` parses."""
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


def _profile_text(profiler: cProfile.Profile, limit: int = 30) -> str:
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf)
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)
    text = buf.getvalue().replace(str(ROOT) + os.sep, "").replace(sys.prefix + os.sep, "")
    return re.sub(r"[ \t]+\n", "\n", text)


# ---------------------------------------------------------------- the product's load (its own process)


def _time_pipeline_stages(stage: _Stages) -> None:
    """Wrap the pipeline's validate, write and summary-table steps so each counts as a stage (for the
    rest of this worker process: it ends with the load)."""
    from oversight.engine import ledger, migrations
    from oversight.ingest import pipeline

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


def worker_load(args: dict[str, Any]) -> dict[str, Any]:
    """The product's load, as `oversight load` does it: read the files, open a fresh database file,
    pipeline.load_files of the whole batch; by stage."""
    from oversight.cli import read_inputs
    from oversight.engine import connection
    from oversight.ingest import pipeline

    files_dir, db = Path(args["files"]), Path(args["db"])
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    stage = _Stages()
    # CPU time (all threads), not wall: on a shared machine wall time mostly measures the neighbours
    profiler = cProfile.Profile(time.process_time) if args.get("profile") else None
    _time_pipeline_stages(stage)
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    with stage("read files"):
        files = read_inputs([files_dir / info["file"] for info in read_manifest(files_dir).values()])
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

#: one recorded call: (module label, function name, arguments after the connection, keyword arguments)
Call = tuple[str, str, tuple[Any, ...], dict[str, Any]]


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


def _record_top_level_calls(calls: list[Call]) -> None:
    """Wrap every function of `_con_functions` so its top-level calls land in `calls` (for the rest of
    this worker process)."""
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

    for module, label, name in _con_functions():
        wrap(module, label, name)


def _record_page(app_test: Any, path: Path, calls: list[Call], user_key: str, role: str) -> dict[str, Any]:
    """Run one page twice with AppTest (caches empty, then full) with a user of `role` logged in under
    session key `user_key`; `calls` keeps the first run's calls."""
    # every page runs with app.py as the entry point, as under `streamlit run app.py`, so the
    # sidebar's page links resolve
    home = ROOT / "app.py"
    at = app_test.from_file(str(home if home.exists() else path), default_timeout=900)
    if home.exists() and path != home:
        at.switch_page(path.relative_to(ROOT).as_posix())
    at.session_state[user_key] = {"username": BENCH_USER, "role": role}
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    recorded = list(calls)
    # the same page again: Streamlit's caches now hold every result, as for the next viewer
    started = time.perf_counter()
    at.run()
    rerun = time.perf_counter() - started
    calls[:] = recorded
    return {
        "seconds": seconds,
        "rerun_seconds": rerun,
        "exceptions": [f"{e.message} {' '.join(e.stack_trace[-2:])}"[:400] for e in at.exception]
        + ([] if calls else ["the page stopped before reading the database (login or access check)"]),
        "calls": list(calls),
        "labels": [_call_label(m, n, a) for m, n, a, _ in calls],
    }


def worker_record(args: dict[str, Any]) -> dict[str, Any]:
    """Open every page once with AppTest as a logged-in administrator and record its database calls.

    Only top-level calls are kept (compute's own run_query calls replay inside compute). Streamlit's
    cache is cleared before each page so every page shows all the work it does on a first visit.
    """
    os.environ["OVERSIGHT_DB"] = args["db"]
    import streamlit as st
    from streamlit import config as st_config
    from streamlit.testing.v1 import AppTest

    # imported before the functions are wrapped, as the pages' own imports are
    from oversight.app import page
    from oversight.contract import roles

    # the app's config hides error details from viewers; the benchmark needs them to report a broken page
    st_config.set_option("client.showErrorDetails", "full")

    calls: list[Call] = []
    _ensure_bench_admin(args["db"])
    _record_top_level_calls(calls)
    pages: dict[str, dict[str, Any]] = {}
    for path in page_files():
        st.cache_data.clear()
        calls.clear()
        pages[path.stem] = _record_page(AppTest, path, calls, page.SESSION_USER, roles.ROLE_ADMIN)
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


def _timed_run_query(
    real_run_query: Callable[..., Any],
    per_file: dict[str, list[float]],
    last_params: dict[str, dict[str, Any]],
    collecting: list[bool],
) -> Callable[..., Any]:
    """`queries.run_query` that, while `collecting[0]`, adds each query file's time to `per_file` and
    keeps its last parameters (for EXPLAIN ANALYZE)."""

    def timed_run_query(con: Any, name: str, params: dict[str, Any], *more: Any) -> Any:
        started = time.perf_counter()
        try:
            return real_run_query(con, name, params, *more)
        finally:
            if collecting[0]:
                per_file.setdefault(name, []).append(time.perf_counter() - started)
                last_params[name] = params

    return timed_run_query


def _replay_cold_and_warm(
    funcs: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]],
    db: str,
    repeats: int,
    collecting: list[bool],
) -> tuple[Any, dict[str, Any]]:
    """Open a connection, run the page's calls once (cold) and `repeats` times more (warm, with the
    query files timed); returns the still open connection and the timings."""
    from oversight.engine import connection

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
    for _ in range(repeats):
        warm_runs.append(run_all(con))
    collecting[0] = False
    return con, {"open_cold": open_cold, "cold": cold, "warm_runs": warm_runs, "cpu": cpu}


def _replay_app_style(
    funcs: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]], db: str, repeats: int
) -> tuple[list[float], list[float]]:
    """The page's calls with a connection opened and closed per call; (run times, open times)."""
    from oversight.engine import connection

    app_runs, opens = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        for fn, a, kw in funcs:
            o = time.perf_counter()
            c = connection.connect(db)
            opens.append(time.perf_counter() - o)
            fn(c, *a, **kw)
            c.close()
        app_runs.append(time.perf_counter() - started)
    return app_runs, opens


def _replay_page(calls: list[Call], db: str, args: dict[str, Any]) -> dict[str, Any]:
    """Replay one page's recorded calls: cold (first run on a fresh connection), warm (same connection,
    repeated; median), app style (a connection opened and closed per call, as oversight.ui does)."""
    from oversight.engine import queries

    modules = _reading_modules()
    per_file: dict[str, list[float]] = {}
    last_params: dict[str, dict[str, Any]] = {}
    real_run_query = queries.run_query
    collecting = [False]
    queries.run_query = _timed_run_query(real_run_query, per_file, last_params, collecting)  # type: ignore[assignment]
    try:
        funcs = [(getattr(modules[m], n), a, kw) for m, n, a, kw in calls]
        con, same = _replay_cold_and_warm(funcs, db, int(args["repeats"]), collecting)
        plans: dict[str, str] = {}
        slowest = sorted(per_file, key=lambda n: -sum(per_file[n]))[: int(args.get("explain", 0))]
        for name in slowest:
            plan = real_run_query(_ExplainConnection(con), name, last_params[name])  # type: ignore[arg-type]
            plans[name] = plan_summary(str(plan[:, -1].to_list()[-1]))
        con.close()
        app_runs, opens = _replay_app_style(funcs, db, int(args["app_repeats"]))
    finally:
        queries.run_query = real_run_query  # type: ignore[assignment]
    repeats = max(1, int(args["repeats"]))
    warm_runs, cpu = same["warm_runs"], same["cpu"]
    return {
        "calls": len(funcs),
        "open_cold_s": same["open_cold"],
        "cold_s": same["cold"],
        "warm_s": statistics.median(warm_runs) if warm_runs else same["cold"],
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


# ---------------------------------------------------------------- the Word report (issue 15)

#: builds timed after the first click, in the same process (chromium already up)
REPORT_WARM_RUNS = 3


def _report_page(db: str, year: int) -> None:
    """The 总览 button's own code (app.downloads) on a page of its own: AppTest runs this as a script."""
    from types import SimpleNamespace

    from oversight.app import downloads
    from oversight.contract import roles
    from oversight.metrics import periods

    ctx = SimpleNamespace(
        db=db, user=roles.User("bench", roles.ROLE_LEADER), version="bench", params=periods.Params(year=year)
    )
    downloads.report_download_button(ctx)  # type: ignore[arg-type]


def _click_report(db: str, year: int) -> float:
    """A fresh session: the page with its button, then the click, timed until the download button is
    there (the document built, with its progress bar, as a leader waits for it)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_report_page, args=(db, year), default_timeout=600).run()
    started = time.perf_counter()
    at.button[0].click().run()
    seconds = time.perf_counter() - started
    if at.exception or not at.get("download_button"):
        raise RuntimeError(f"the report button failed: {[e.value for e in at.exception]}")
    return seconds


def worker_report(args: dict[str, Any]) -> dict[str, Any]:
    """The Word report of `args["year"]` on `args["db"]`: the click on 总览's button in a fresh process
    (chromium not yet started: the button starts it, the data is read meanwhile), then REPORT_WARM_RUNS
    more clicks (chromium up, as within ten minutes of the last picture); one build's stages (read, charts,
    write); a build without chromium (text and tables only); chromium's start on its own. Imports
    streamlit, like worker_record."""
    from oversight.engine import connection
    from oversight.metrics import periods
    from oversight.present import png, report

    db, year = args["db"], int(args["year"])
    load_before = _load_average()  # the neighbours' share of the cores moves these seconds most
    cold = _click_report(db, year)
    warm = [_click_report(db, year) for _ in range(int(args.get("warm_runs", REPORT_WARM_RUNS)))]
    marks: list[tuple[str, float]] = []
    with connection.snapshot(Path(db)) as con:
        started = time.perf_counter()
        raw = report.build_docx(
            con, periods.Params(year=year), progress=lambda f, text: marks.append((text, time.perf_counter()))
        )
        built = time.perf_counter() - started
        started = time.perf_counter()
        report.build_docx(con, periods.Params(year=year), render=lambda figs: {})
        text_only = time.perf_counter() - started
    times = [t for _, t in marks]
    stages = {name: round(b - a, 3) for (name, a), b in zip(marks, times[1:], strict=False)}
    png.close()
    started = time.perf_counter()
    chromium = time.perf_counter() - started if png.wait_started() else None
    png.close()
    return {
        "cold_s": cold,
        "warm_s": warm,
        "build_s": built,
        "stages": stages,
        "text_only_s": text_only,
        "chromium_start_s": chromium,
        "docx_bytes": len(raw),
        "charts": png.chromium_path() is not None,
        "load_average": load_before,
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
    }


#: the tasks of `python -m benchmarks _worker TASK JSON`
WORKERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "generate": worker_generate,
    "load": worker_load,
    "raw": worker_raw,
    "pandas": worker_pandas,
    "record": worker_record,
    "queries": worker_queries,
    "report": worker_report,
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


def _alternate_load_and_raw(
    step: int, workdir: Path, common: dict[str, Any], profile: str, repeats: int
) -> tuple[Run, Run]:
    """The product and the limit alternate, `repeats` times each, and the fastest of each counts: on a
    shared machine the minimum is the figure least disturbed by the neighbours."""
    logs = workdir / "logs"
    loads, raws = [], []
    for _ in range(repeats):
        load = run_worker("load", common | {"db": str(workdir / f"x{step}.duckdb"), "profile": profile}, logs)
        if not load.result["ok"]:
            problems = "\n".join(str(p) for p in load.result.get("problems", []))
            raise RuntimeError(f"the generated batch x{step} did not validate:\n{problems}")
        _progress(f"x{step}: product load {load.result['seconds']:.1f} s")
        raw = run_worker("raw", common | {"db": str(workdir / f"x{step}-raw.duckdb")}, logs)
        _progress(f"x{step}: raw read_csv {raw.result['seconds']:.1f} s")
        loads.append(load)
        raws.append(raw)
    return min(loads, key=lambda r: r.result["seconds"]), min(raws, key=lambda r: r.result["seconds"])


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
    load, raw = _alternate_load_and_raw(step, workdir, common, profile, args.repeats)
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


def _measure_pages(
    label: str, db: str, workdir: Path, args: argparse.Namespace, explain: int, out: dict[str, Any]
) -> None:
    """Record every page's calls, then replay them (one process per page, one for all with --quick);
    fills out["record"] and out["pages"]."""
    logs = workdir / "logs"
    slug = re.sub(r"\W+", "-", label)
    calls_path = workdir / f"calls-{slug}.pkl"
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
            _progress(f"{label} {page}: warm {r['warm_s'] * 1000:.0f} ms, cold {r['cold_s'] * 1000:.0f} ms")


def _measure_indicators(label: str, db: str, workdir: Path, runs: int) -> list[dict[str, Any]]:
    """`oversight indicators --db DB --json` as a subprocess, `runs` times."""
    slug = re.sub(r"\W+", "-", label)
    out = []
    for i in range(runs):
        run, code, stdout = run_measured(
            [*_oversight_cmd(), "indicators", "--db", db, "--json"],
            workdir / "logs" / f"indicators-{slug}-{i}",
        )
        if code != 0:
            raise RuntimeError(f"oversight indicators failed on {db} (exit {code})")
        json.loads(stdout)
        out.append({"seconds": run.seconds, "cpu_seconds": run.cpu_seconds, "rss_bytes": run.rss_bytes})
    _progress(f"{label}: oversight indicators {statistics.median(r['seconds'] for r in out):.2f} s")
    return out


def measure_queries(
    label: str, db: str, workdir: Path, args: argparse.Namespace, explain: int
) -> dict[str, Any]:
    """Every page's recorded calls, cold, warm and app style, plus `oversight indicators --json`."""
    out: dict[str, Any] = {"label": label, "db": db, "pages": {}}
    if page_files():
        _measure_pages(label, db, workdir, args, explain, out)
    out["indicators"] = _measure_indicators(label, db, workdir, args.indicator_runs)
    return out


def measure_report(label: str, db: str, year: int, workdir: Path) -> dict[str, Any]:
    """The Word report from the 总览 button (worker_report) and from `oversight report` (a subprocess:
    interpreter, chromium start and exit included)."""
    slug = re.sub(r"\W+", "-", label)
    run = run_worker("report", {"db": db, "year": year, "label": slug}, workdir / "logs")
    out_file = workdir / f"report-{slug}.docx"
    cli, code, _ = run_measured(
        [*_oversight_cmd(), "report", "--year", str(year), "--db", db, "--out", str(out_file)],
        workdir / "logs" / f"report-cli-{slug}",
    )
    if code != 0:
        raise RuntimeError(f"oversight report failed on {db} (exit {code})")
    r = run.result
    _progress(
        f"{label}: Word report from the button {r['cold_s']:.1f} s cold, "
        f"{statistics.median(r['warm_s']):.1f} s warm; oversight report {cli.seconds:.1f} s"
    )
    return {
        "label": label,
        "year": year,
        "result": r,
        "rss_bytes": run.rss_bytes,
        "cli_s": cli.seconds,
        "cli_cpu_s": cli.cpu_seconds,
        "cli_rss_bytes": cli.rss_bytes,
    }


def district_db(workdir: Path) -> tuple[str | None, float]:
    """The bundled sample district (`oversight demo`), the "district" of the page figures."""
    db = workdir / "demo.duckdb"
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    run, code, _ = run_measured([*_oversight_cmd(), "demo", "--db", str(db)], workdir / "logs" / "demo")
    return (str(db), run.seconds) if code == 0 else (None, run.seconds)


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """Every growth step's load, then the page queries on the district and on the largest step; the
    results also go to WORKDIR/results.json."""
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
    # the Word report: the sample district's 2023 (the summary it reproduces); --quick, the smoke run,
    # the largest step's last full calendar year instead
    if demo_db:
        results["report"] = [measure_report("district (oversight demo)", demo_db, 2023, workdir)]
    elif args.quick:
        year = CALENDAR_YEARS[-2]
        results["report"] = [measure_report(f"{args.scale} (x{main['step']})", main["db"], year, workdir)]
    results["total_s"] = time.perf_counter() - started
    results["load_average_end"] = _load_average()
    results["driver_rss_bytes"] = _peak_rss()
    (workdir / "results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    return results
