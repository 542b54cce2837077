"""`make loadtest`: websocket-level leaders against a real server on 127.0.0.1, one process and N.

    .venv/bin/python -m scripts.loadtest [--sessions 10,25,50,100] [--processes 1,2] [--duration 90]
                                         [--ramp 30] [--think 5-15] [--db FILE] [--no-prime] [--markdown]

For every (processes, sessions) pair: start the servers fresh over a private copy of the sample district
(processes 1 = `streamlit run app.py` as `make run`; more = `deploy/serve.py`, N processes behind nginx),
prime each process with one visit of every page unless --no-prime (so the figures are those of a server
whose caches are warm), then let the sessions arrive spread over --ramp seconds. Each logs in through the
form, then turns to a random other page after a think time drawn from --think, until --duration seconds
after the last arrival. Prints, per scenario: sessions held to the end, login → 总览 and page-turn p50/p95
and max, errors (exceptions or error boxes on a page, timeouts, failed logins, dropped connections, server
tracebacks), server CPU seconds and share of the machine's cores, what a page turn sends. Bounded: every
wait has a timeout, every server is stopped by its pid, the temporary files are removed.

Exit code 0 when every session was held and nothing failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import resource
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import client, servers


@dataclass
class Figures:
    sessions: int
    processes: int
    logins: list[float] = field(default_factory=list)
    turns: list[float] = field(default_factory=list)
    by_page: dict[str, list[float]] = field(default_factory=dict)
    payload: list[int] = field(default_factory=list)
    wire: list[int] = field(default_factory=list)
    held: int = 0
    page_errors: int = 0
    timeouts: int = 0
    failed_logins: int = 0
    dropped: int = 0
    tracebacks: int = 0
    failures: list[str] = field(default_factory=list)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    seconds: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)
    rss: tuple[float, float] = (0.0, 0.0)

    @property
    def errors(self) -> int:
        return self.page_errors + self.timeouts + self.failed_logins + self.dropped + self.tracebacks


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(len(ordered) * q) - 1))]


async def leader(
    base: str, figures: Figures, arrive: float, end: float, think: tuple[float, float], rng: random.Random
) -> None:
    """One leader: arrive, log in, turn pages until `end` (monotonic)."""
    await asyncio.sleep(max(0.0, arrive - time.monotonic()))
    session = client.Session(base)
    page = client.HOME
    try:
        try:
            await session.open()
            run = await session.login(servers.USER, servers.PASSWORD)
        except Exception as exc:  # no form, wrong answer, timeout, refused or dropped connection
            figures.failed_logins += 1
            figures.failures.append(f"登录失败：{type(exc).__name__} {exc}"[:200])
            return
        figures.logins.append(run.seconds)
        ok = not run.problems()
        if not ok:
            figures.page_errors += 1
            figures.failures.append(f"总览：{run.problems()[0]}")
        while True:
            wait = rng.uniform(*think)
            if time.monotonic() + wait >= end:
                break
            await asyncio.sleep(wait)
            # the pages this server lists (an older checkout measured with --app-root may have fewer)
            page = rng.choice([p for p in client.VIEW_PAGES if p != page and p in session.pages])
            try:
                run = await session.turn(page)
            except TimeoutError as exc:
                figures.timeouts += 1
                figures.failures.append(f"打开“{page}”超时：{exc}"[:200])
                ok = False
                break
            except Exception as exc:
                figures.dropped += 1
                figures.failures.append(f"打开“{page}”时连接断开：{type(exc).__name__} {exc}"[:200])
                ok = False
                break
            figures.turns.append(run.seconds)
            figures.by_page.setdefault(page, []).append(run.seconds)
            figures.payload.append(run.payload_bytes)
            figures.wire.append(run.wire_bytes)
            problems = run.problems()
            if problems:
                figures.page_errors += 1
                figures.failures.append(f"{page}：{problems[0]}")
                ok = False
        if ok and session.ws is not None and session.ws.state.name == "OPEN":
            figures.held += 1
    finally:
        with contextlib.suppress(Exception):
            await session.close()


async def prime(backends: list[str]) -> None:
    """One visit of every page on each process, as after any restart (fills that process's caches)."""
    for base in backends:
        session = client.Session(base, timeout=300)
        try:
            await session.open()
            await session.login(servers.USER, servers.PASSWORD)
            for page in client.VIEW_PAGES[1:]:
                if page in session.pages:
                    await session.turn(page)
        finally:
            await session.close()


WARMED = "预热完成"


async def warmed(srv: servers.Servers, timeout: float = 300.0) -> None:
    """Wait until every process has finished its own warm-up (app.warmup logs 预热完成), so that its CPU
    is not counted as the leaders' and they arrive at a server as a meeting would find it. A checkout
    without the warm-up (an older one, --app-root) or with it turned off has nothing to wait for."""
    logs = [p for p in srv.logs if p.name.startswith("streamlit")]
    if not logs or not srv.warmup:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(WARMED in p.read_text("utf-8", errors="replace") for p in logs if p.exists()):
            return
        await asyncio.sleep(0.5)
    print(f"    （{timeout:.0f} 秒内预热未完成，照常开始）", flush=True)


async def rerun_cost(srv: servers.Servers, count: int) -> dict[str, tuple[float, float, int]]:
    """Server CPU and wall time per warm rerun of each page: one session, `count` runs of a page in a
    row after one unmeasured run (the figures a page costs when nothing changed), plus the bytes sent."""
    session = client.Session(srv.base, timeout=300)
    costs: dict[str, tuple[float, float, int]] = {}
    try:
        await session.open()
        await session.login(servers.USER, servers.PASSWORD)
        await warmed(srv)
        for page in (p for p in client.VIEW_PAGES if p in session.pages):
            await session.turn(page)
            cpu0, t0 = servers.cpu_seconds(srv.pids), time.perf_counter()
            sent = 0
            for _ in range(count):
                sent += (await session.turn(page)).payload_bytes
            costs[page] = (
                (servers.cpu_seconds(srv.pids) - cpu0) / count,
                (time.perf_counter() - t0) / count,
                sent // count,
            )
    finally:
        await session.close()
    return costs


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def scenario(
    srv: servers.Servers, sessions: int, processes: int, args: argparse.Namespace, seed: int
) -> Figures:
    figures = Figures(sessions, processes)
    if args.prime:
        await prime(srv.backends)
        await warmed(srv)
    rng = random.Random(seed)
    figures.load = (os.getloadavg()[0], 0.0)
    figures.rss = (servers.rss_mb(srv.pids), 0.0)
    cpu0, me0, t0 = servers.cpu_seconds(srv.pids), client_cpu(), time.monotonic()
    arrivals = sorted(t0 + rng.uniform(0, args.ramp) for _ in range(sessions))
    end = t0 + args.ramp + args.duration
    tasks = [leader(srv.base, figures, at, end, args.think, random.Random(rng.random())) for at in arrivals]
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=args.ramp + args.duration + 300)
    figures.seconds = time.monotonic() - t0
    figures.server_cpu = servers.cpu_seconds(srv.pids) - cpu0
    figures.client_cpu = client_cpu() - me0
    figures.load = (figures.load[0], os.getloadavg()[0])
    figures.rss = (figures.rss[0], servers.rss_mb(srv.pids))
    figures.tracebacks = srv.tracebacks()
    return figures


def seconds(value: float) -> str:
    return "—" if value != value else f"{value:.2f}"


HEADER = (
    "| processes | sessions | held | login → 总览 p50 / p95 s | page turns | turn p50 / p95 / max s "
    "| errors | server CPU s (% of 2 cores) | KB per turn sent / on the wire | load 1-min before → after "
    "| server RSS MiB before → after |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def row(f: Figures) -> str:
    cores = os.cpu_count() or 1
    share = 100 * f.server_cpu / (f.seconds * cores) if f.seconds else 0.0
    kb = statistics.mean(f.payload) / 1024 if f.payload else 0.0
    wire = statistics.mean(f.wire) / 1024 if f.wire else 0.0
    errors = (
        f"{f.errors}"
        if not f.errors
        else f"{f.errors} (page {f.page_errors}, timeout {f.timeouts}, login {f.failed_logins}, "
        f"dropped {f.dropped}, traceback {f.tracebacks})"
    )
    return (
        f"| {f.processes} | {f.sessions} | {f.held}/{f.sessions} "
        f"| {seconds(percentile(f.logins, 0.5))} / {seconds(percentile(f.logins, 0.95))} "
        f"| {len(f.turns)} | {seconds(percentile(f.turns, 0.5))} / {seconds(percentile(f.turns, 0.95))} / "
        f"{seconds(max(f.turns) if f.turns else float('nan'))} | {errors} "
        f"| {f.server_cpu:.0f} ({share:.0f}%) | {kb:.0f} / {wire:.0f} | {f.load[0]:.1f} → {f.load[1]:.1f} "
        f"| {f.rss[0]:.0f} → {f.rss[1]:.0f} |"
    )


def pages_line(f: Figures) -> str:
    parts = [
        f"{p} {seconds(percentile(v, 0.5))}/{seconds(percentile(v, 0.95))}"
        for p, v in sorted(f.by_page.items(), key=lambda kv: client.VIEW_PAGES.index(kv[0]))
    ]
    return "    per page p50/p95 s: " + ", ".join(parts)


def as_dict(f: Figures) -> dict[str, object]:
    return {
        "processes": f.processes,
        "sessions": f.sessions,
        "held": f.held,
        "logins": len(f.logins),
        "login_p50": percentile(f.logins, 0.5),
        "login_p95": percentile(f.logins, 0.95),
        "turns": len(f.turns),
        "turn_p50": percentile(f.turns, 0.5),
        "turn_p95": percentile(f.turns, 0.95),
        "errors": f.errors,
        "failures": f.failures[:20],
        "server_cpu": f.server_cpu,
        "seconds": f.seconds,
        "kb_per_turn": statistics.mean(f.payload) / 1024 if f.payload else 0.0,
        "wire_kb_per_turn": statistics.mean(f.wire) / 1024 if f.wire else 0.0,
        "load": f.load,
        "rss_mb": f.rss,
    }


def int_list(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m scripts.loadtest", description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int_list, default=[10, 25, 50, 100], help="会话数列表，如 10,25,50,100")
    p.add_argument(
        "--processes", type=int_list, default=[1, 2], help="进程数列表；1 为单进程（make run），更多经 nginx"
    )
    p.add_argument("--duration", type=float, default=90.0, help="最后一个会话到达后继续翻页的秒数（默认 90）")
    p.add_argument("--ramp", type=float, default=30.0, help="会话在多少秒内陆续到达（默认 30）")
    p.add_argument("--think", default="5-15", help="两次翻页之间的停留秒数范围（默认 5-15）")
    p.add_argument("--db", type=Path, help="用这个数据库文件的副本（默认生成示例区县）")
    p.add_argument(
        "--nginx-single", action="store_true", help="单进程也经 nginx（deploy/serve.py --processes 1）"
    )
    p.add_argument("--no-prime", dest="prime", action="store_false", help="不先预热（测冷启动）")
    p.add_argument("--server", help="测已在运行的服务（如 http://127.0.0.1:8501），不启动服务；CPU 不计")
    p.add_argument("--pages", action="store_true", help="另打印每页的翻页时间")
    p.add_argument(
        "--app-root", type=Path, default=servers.ROOT, help="运行这个目录里的 app.py（测另一版本）"
    )
    p.add_argument("--reruns", type=int, default=0, help="只测每页一次热重跑的服务端 CPU（每页重跑次数）")
    p.add_argument("--json", type=Path, help="另把每个场景的结果写入这个 JSON 文件")
    p.add_argument("--env", action="append", default=[], help="传给服务进程的环境变量 NAME=VALUE，可多次")
    args = p.parse_args(argv)
    low, high = (float(x) for x in args.think.split("-"))
    args.think = (low, high)
    args.duration = max(5.0, min(args.duration, 900.0))
    args.ramp = max(0.0, min(args.ramp, 300.0))
    if max(args.sessions) > 200:
        p.error("最多 200 个会话")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    # a `kill PID` of the load test still stops the servers it started (the finally blocks run)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    env = dict(item.split("=", 1) for item in args.env)
    print(f"# load test: think {args.think[0]:g}-{args.think[1]:g} s, ramp {args.ramp:g} s, "
          f"duration {args.duration:g} s after the ramp, prime {'on' if args.prime else 'off'}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")  # fmt: skip
    if not args.reruns:
        print(HEADER, flush=True)
    results: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="oversight_loadtest_") as tmp:
        work = Path(tmp)
        template = work / "template.duckdb"
        if args.server is None:
            servers.build_database(template, args.db, args.app_root.resolve())
        for processes in args.processes:
            for k, sessions in enumerate(args.sessions):
                if args.server:
                    srv_cm = contextlib.nullcontext(servers.Servers(args.server, [args.server], []))
                else:
                    run_dir = work / f"p{processes}-s{sessions}"
                    run_dir.mkdir()
                    db = run_dir / "district.duckdb"
                    db.write_bytes(template.read_bytes())
                    srv_cm = servers.started(
                        db,
                        run_dir,
                        processes,
                        nginx=processes > 1 or args.nginx_single,
                        env=env,
                        app_root=args.app_root.resolve(),
                    )
                with srv_cm as srv:
                    if args.reruns:
                        costs = asyncio.run(rerun_cost(srv, args.reruns))
                        print(f"\n{processes} process(es): server CPU ms / wall ms / KB sent per warm rerun")
                        for page, (cpu, wall, sent) in costs.items():
                            print(f"| {page} | {1000 * cpu:.0f} | {1000 * wall:.0f} | {sent / 1024:.0f} |")
                        break
                    figures = asyncio.run(scenario(srv, sessions, processes, args, seed=1000 * processes + k))
                results.append(figures)
                print(row(figures), flush=True)
                if args.pages:
                    print(pages_line(figures))
                for failure in figures.failures[:5]:
                    print(f"    {failure}")
    if args.json:
        args.json.write_text(json.dumps([as_dict(f) for f in results], ensure_ascii=False, indent=1), "utf-8")
    bad = [f for f in results if f.errors or f.held < f.sessions]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
