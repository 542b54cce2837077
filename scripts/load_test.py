"""Loopback load test of a real `streamlit run app.py`: N leaders click through the dashboard at once.

    .venv/bin/python scripts/load_test.py [--sessions 10] [--duration 60] [--think 1.0-3.0]

Starts the server on 127.0.0.1 (a free port, never another interface) over a temporary copy of the
sample district with one 领导 account, opens one headless-chromium context per session (Streamlit talks
over a websocket, so each context is a real session with its own script runs), logs each in through the
form, then has every session open the dashboard pages in turn with a random think time. Stops by itself
after --duration seconds of browsing (and at most --max-views page views), stops the server it started (by its
pid), removes its temporary files and prints:

- sessions held: sessions still logged in and answering at the end;
- page time: from the click on a sidebar link until Streamlit's run indicator is gone (p50, p95, max);
- errors: pages showing an exception, a run that did not finish within the timeout, failed logins.

Exit code 0 when there were no errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = ("总览", "组织建设", "最强党支部", "交流轮岗", "议事决策", "学校画像", "趋势")
USER, PASSWORD = "压测领导", "load-test-pass-1"
#: the sidebar's page links (Streamlit's own navigation, or the app's st.page_link list)
NAV_LINKS = '[data-testid="stSidebarNav"] a, [data-testid="stPageLink-NavLink"]'
PAGE_TIMEOUT_MS = 120_000
#: seconds between two sessions' arrivals: people open the dashboard one after another, not all in the
#: same millisecond
RAMP_SECONDS = 1.0


@dataclass
class Figures:
    page_seconds: list[float] = field(default_factory=list)
    login_seconds: list[float] = field(default_factory=list)
    exceptions: int = 0
    timeouts: int = 0
    failed_logins: int = 0
    failures: list[str] = field(default_factory=list)
    held: int = 0
    views_left: int = 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_database(path: Path) -> None:
    from oversight import demo
    from oversight.contract import roles
    from oversight.engine import connection, users

    with connection.opened(path) as con:
        demo.load_demo(con)
        users.add_user(con, USER, PASSWORD, roles.ROLE_LEADER)


def start_server(db: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, OVERSIGHT_DB=str(db), PYTHONUNBUFFERED="1")
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("streamlit 未能启动：\n" + log.read_text("utf-8", errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("streamlit 90 秒内未就绪")


async def wait_idle(page: object) -> None:
    await page.wait_for_timeout(200)  # type: ignore[attr-defined]
    await page.locator('[data-testid="stStatusWidget"]').first.wait_for(  # type: ignore[attr-defined]
        state="detached", timeout=PAGE_TIMEOUT_MS
    )


async def session(
    browser: object, base: str, figures: Figures, duration: float, think: tuple[float, float], seed: int
) -> None:
    """One leader: log in, then click through the pages for `duration` seconds (counted after login)."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    rng = random.Random(seed)
    await asyncio.sleep(seed * RAMP_SECONDS)
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")  # type: ignore[attr-defined]
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = await context.new_page()
    start = time.monotonic()
    try:
        await page.goto(base, timeout=PAGE_TIMEOUT_MS)
        await page.get_by_label("用户名").fill(USER)
        await page.get_by_label("密码", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await page.get_by_text(f"{USER}（").wait_for(timeout=PAGE_TIMEOUT_MS)
        await wait_idle(page)
        figures.login_seconds.append(time.monotonic() - start)
    except PlaywrightTimeout as exc:
        figures.failed_logins += 1
        figures.failures.append(
            f"登录 {time.monotonic() - start:.0f} s 后超时：{str(exc).splitlines()[0][:160]}"
        )
        await context.close()
        return
    deadline = time.monotonic() + duration
    order = list(PAGES)
    rng.shuffle(order)
    k = 0
    while time.monotonic() < deadline and figures.views_left > 0:
        figures.views_left -= 1
        label = order[k % len(order)]
        k += 1
        links = page.locator(NAV_LINKS)
        link = links.filter(has_text=label).first
        start = time.monotonic()
        try:
            await link.click(timeout=PAGE_TIMEOUT_MS)
            await wait_idle(page)
            figures.page_seconds.append(time.monotonic() - start)
        except PlaywrightTimeout as exc:
            figures.timeouts += 1
            figures.failures.append(f"打开“{label}”超时：{str(exc).splitlines()[0][:160]}")
        figures.exceptions += await page.locator('[data-testid="stException"]').count()
        await asyncio.sleep(rng.uniform(*think))
    try:  # held = still logged in and the server still answers this session
        await page.locator(NAV_LINKS).filter(has_text="总览").first.click(timeout=30_000)
        await wait_idle(page)
        await page.get_by_text(f"{USER}（").wait_for(timeout=10_000)
        figures.held += 1
    except PlaywrightTimeout:
        figures.failures.append("结束时会话已无响应")
    await context.close()


async def drive(
    base: str, sessions: int, duration: float, think: tuple[float, float], max_views: int
) -> Figures:
    from playwright.async_api import async_playwright

    figures = Figures(views_left=max_views)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            # one visit first, as after any restart: compiles the queries and fills the shared caches
            warm = Figures(views_left=len(PAGES))
            await session(browser, base, warm, 600.0, (0.0, 0.0), 0)
            await asyncio.wait_for(
                asyncio.gather(
                    *(session(browser, base, figures, duration, think, k) for k in range(sessions))
                ),
                timeout=duration + sessions * RAMP_SECONDS + 2 * PAGE_TIMEOUT_MS / 1000 + 60,
            )
        finally:
            await browser.close()
    return figures


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="本机回环地址上的看板压力测试（有时间和次数上限，自动结束）")
    parser.add_argument("--sessions", type=int, default=10, help="同时在线的会话数（默认 10，上限 40）")
    parser.add_argument("--duration", type=float, default=60, help="持续秒数（默认 60，上限 600）")
    parser.add_argument("--think", default="1.0-3.0", help="每次翻页后的停留秒数范围（默认 1.0-3.0）")
    parser.add_argument("--max-views", type=int, default=2000, help="最多打开的页面数（默认 2000）")
    args = parser.parse_args(argv)
    sessions = max(1, min(args.sessions, 40))
    duration = max(5.0, min(args.duration, 600.0))
    low, high = (float(x) for x in args.think.split("-"))
    if not Path(CHROMIUM).exists():
        print(f"没有 {CHROMIUM}，无法运行真实浏览器压测。")
        return 1

    with tempfile.TemporaryDirectory(prefix="load_test_") as tmp:
        db = Path(tmp) / "district.duckdb"
        build_database(db)
        port = free_port()
        log = Path(tmp) / "streamlit.log"
        server = start_server(db, port, log)
        started = time.monotonic()
        try:
            figures = asyncio.run(
                drive(f"http://127.0.0.1:{port}", sessions, duration, (low, high), args.max_views)
            )
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        elapsed = time.monotonic() - started
        server_errors = log.read_text("utf-8", errors="replace").count("Traceback")

    times = figures.page_seconds
    errors = figures.exceptions + figures.timeouts + figures.failed_logins + server_errors
    print(f"会话 {sessions} 个，持续 {elapsed:.0f} s，停留 {low}-{high} s，服务地址 127.0.0.1:{port}")
    print(f"  坚持到结束的会话：{figures.held}/{sessions}")
    if figures.login_seconds:
        logins = figures.login_seconds
        print(f"  登录到总览出齐：p50 {statistics.median(logins):.2f} s，最长 {max(logins):.2f} s")
    if times:
        print(
            f"  翻页 {len(times)} 次（{len(times) / elapsed:.2f} 次/秒）：p50 {statistics.median(times):.2f} s，"
            f"p95 {percentile(times, 0.95):.2f} s，最长 {max(times):.2f} s"
        )
    print(
        f"  错误：页面异常 {figures.exceptions}，超时 {figures.timeouts}，登录失败 {figures.failed_logins}，"
        f"服务端 Traceback {server_errors}"
    )
    for failure in figures.failures[:10]:
        print(f"    {failure}")
    return 0 if errors == 0 and figures.held == sessions else 1


if __name__ == "__main__":
    raise SystemExit(main())
