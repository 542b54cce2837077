"""A real browser against a real server: Playwright drives Debian's chromium (no browser download) against
`streamlit run app.py` started by the test on localhost.

An analyst logs in, uploads a GBK CSV with a mistake and reads the report, uploads the corrected file,
commits it, sees the changed 双向述职 value on 总览 and downloads the Word summary; a leader is refused the
upload page and never sees the rollback action. Screenshots for the README go to docs/screenshots/.

Skipped only when /usr/bin/chromium is absent (CI installs it). Set OVERSIGHT_APP_ROOT to run it against
another checkout of the app.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import docx
import polars as pl
import pytest

from oversight.engine import connection, ledger

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
APP_ROOT = Path(os.environ.get("OVERSIGHT_APP_ROOT", ROOT))
CHROMIUM = "/usr/bin/chromium"
#: the README's pictures are refreshed only on request (`SAVE_SCREENSHOTS=1 make test`), so an ordinary
#: test run leaves the work tree clean; otherwise they go to a scratch folder
SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("SAVE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "oversight-screenshots"
)
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
#: accounts of the demo_db_template fixture (tests/conftest.py)
ANALYST = ("分析员甲", "analyst-pass-1")
LEADER = ("领导甲", "leader-pass-1")
#: tall enough that a screenshot shows the uploader, the recognised tables and the report together
VIEWPORT = {"width": 1440, "height": 1500}
SLOW = 90_000  # ms: the first page render compiles every query; a report builds its charts in chromium

if not Path(CHROMIUM).exists():
    pytest.skip("未安装 /usr/bin/chromium，跳过真实浏览器测试（CI 会安装 chromium）", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(demo_db: Path, tmp_path: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free localhost port over a private copy of the sample district."""
    port = free_port()
    log = (tmp_path / "streamlit.log").open("wb")
    env = dict(os.environ, OVERSIGHT_DB=str(demo_db), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "oversight/app/asgi.py",  # as make run serves it: the login keeps its cookie
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=APP_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError(
                    "streamlit 服务未能启动：" + (tmp_path / "streamlit.log").read_text("utf-8")
                )
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("streamlit 服务 60 秒内未就绪")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def duty_files(db: Path) -> tuple[bytes, bytes]:
    """GBK 双向述职 CSVs for 2023: every school both-done, and the same with one impossible value."""
    with connection.opened(db, read_only=True) as con:
        codes = sorted(ledger.current(con, "schools")["school_code"].to_list())
    header = "学校标识码,年度,向上级党组织述职,向党员和教职工报告"
    good = [header] + [f"{c},2023,是,是" for c in codes]
    bad = [*good[:-1], f"{codes[-1]},2023,是,也许"]
    return ("\n".join(good) + "\n").encode("gbk"), ("\n".join(bad) + "\n").encode("gbk")


def wait_idle(page: Page) -> None:
    """Until Streamlit has finished the current script run (its status widget disappears)."""
    page.wait_for_timeout(300)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=SLOW)
    # the status widget shows only after a delay: the app's own run state, and no placeholder still drawn
    expect(page.locator('[data-testid="stApp"][data-test-script-state="running"]')).to_have_count(
        0, timeout=SLOW
    )
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=SLOW)


def login(page: Page, base: str, user: tuple[str, str], shot: str | None = None) -> None:
    page.goto(base)
    expect(page.get_by_role("button", name="登录")).to_be_visible(timeout=SLOW)
    page.get_by_label("用户名").fill(user[0])
    page.get_by_label("密码", exact=True).fill(user[1])
    if shot:
        page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text(f"{user[0]}（")).to_be_visible(timeout=SLOW)
    wait_idle(page)


def open_by_address(page: Page, url: str, user: tuple[str, str], expected: str) -> None:
    """Typing a page's address: log in again if Streamlit started a new session for it."""
    page.goto(url)
    login_button = page.get_by_role("button", name="登录")
    expect(login_button.or_(page.get_by_text(expected))).to_be_visible(timeout=SLOW)
    if login_button.count():
        page.get_by_label("用户名").fill(user[0])
        page.get_by_label("密码", exact=True).fill(user[1])
        page.get_by_role("button", name="登录").click()
        wait_idle(page)


def open_page(page: Page, label: str) -> None:
    """Through our sidebar link: a client-side move keeps the session (and the login)."""
    page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"] a', has_text=label).first.click()
    wait_idle(page)


def open_home(page: Page) -> None:
    """总览 is app.py, labelled 总览 by our own navigation (ui.NAV)."""
    open_page(page, "总览")
    wait_idle(page)


def metric_text(page: Page, label: str) -> str:
    card = page.locator('[data-testid="stMetric"]', has_text=label).first
    expect(card).to_be_visible(timeout=SLOW)
    return card.inner_text()


def test_analyst_upload_to_overview_and_report_then_leader_refused(
    server: str, demo_db: Path, tmp_path: Path
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    good, bad = duty_files(demo_db)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(accept_downloads=True, viewport=VIEWPORT, locale="zh-CN")
            page = context.new_page()
            login(page, server, ANALYST, shot="登录.png")
            assert "88.9%" in metric_text(page, "双向述职")

            # a file with a mistake: the report names the cell, nothing can be imported
            open_page(page, "数据上传")
            uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
            uploader.set_input_files([{"name": "双向述职_有错.csv", "mimeType": "text/csv", "buffer": bad}])
            expect(page.get_by_text("双向述职_有错.csv")).to_be_visible(timeout=SLOW)
            page.get_by_role("button", name="校验", exact=True).click()
            expect(page.get_by_text("校验未通过")).to_be_visible(timeout=SLOW)
            expect(page.get_by_role("button", name="下载校验报告（Excel），发回学校修改")).to_be_visible()
            expect(page.get_by_role("button", name="导入", exact=True)).to_be_disabled()
            wait_idle(page)
            page.screenshot(path=str(SCREENSHOTS / "校验报告.png"), full_page=True)

            # the corrected file replaces it, validates and commits
            page.locator('[data-testid="stFileChipDeleteBtn"]').first.click()
            wait_idle(page)
            uploader.set_input_files([{"name": "双向述职.csv", "mimeType": "text/csv", "buffer": good}])
            expect(page.get_by_text("双向述职.csv", exact=True)).to_be_visible(timeout=SLOW)
            page.get_by_role("button", name="校验", exact=True).click()
            expect(page.get_by_text("校验通过，可以导入")).to_be_visible(timeout=SLOW)
            wait_idle(page)
            page.screenshot(path=str(SCREENSHOTS / "数据上传.png"), full_page=True)
            page.get_by_role("button", name="导入", exact=True).click()
            expect(page.get_by_text("已导入，批次编号 2")).to_be_visible(timeout=SLOW)
            wait_idle(page)

            # 总览 shows the new value, and the Word summary carries it
            open_home(page)
            assert "100.0%" in metric_text(page, "双向述职")
            button = page.get_by_role("button", name="生成情况总结（Word）")
            assert button.count() == 1, (
                "总览页缺少“生成情况总结（Word）”按钮：app.py 需调用 ui.report_download_button(ctx)"
            )
            # built with a progress bar in a status box, then handed over by its own button
            button.click()
            expect(page.get_by_text(re.compile(r"情况总结已生成（用时 [0-9.]+ 秒）"))).to_be_visible(
                timeout=SLOW * 2
            )
            with page.expect_download(timeout=SLOW) as download:
                page.get_by_role("button", name="下载情况总结（Word）").click()
            target = tmp_path / "情况总结.docx"
            download.value.save_as(target)
            document = docx.Document(io.BytesIO(target.read_bytes()))
            text = "\n".join(par.text for par in document.paragraphs)
            assert "全区共有一级党组织49个，其中党总支8个、党支部41个，党员1715人。" in text
            assert "54所学校党组织书记完成" in text and "占100.0%" in text
            context.close()

            # a leader: no upload page, no rollback action
            context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
            page = context.new_page()
            login(page, server, LEADER)
            links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]')
            expect(links.first).to_be_visible(timeout=SLOW)
            assert "数据上传" not in links.all_inner_texts() and "账号管理" not in links.all_inner_texts()
            # the link is hidden, but the page itself refuses too: open it by its address
            open_by_address(page, server + "/数据上传", LEADER, "无权上传数据")
            expect(page.get_by_text("无权上传数据")).to_be_visible(timeout=SLOW)
            assert page.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
            assert page.get_by_role("button", name="撤销该批次……").count() == 0
            assert page.get_by_role("button", name="确认撤销").count() == 0
            open_by_address(page, server + "/账号管理", LEADER, "无权管理账号")
            expect(page.get_by_text("无权管理账号")).to_be_visible(timeout=SLOW)
            context.close()
        finally:
            browser.close()

    with connection.opened(demo_db, read_only=True) as con:
        duty = ledger.current(con, "duty_reports").filter(pl.col("year") == 2023)
        assert duty.filter(pl.col("to_superior") & pl.col("to_staff")).height == 54
        assert [b["user"] for b in ledger.list_batches(con)][:1] == ["分析员甲"]
