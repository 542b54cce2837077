"""A tour of every page in a real browser: the shared steps of the browser tests and the README screenshots.

A real `streamlit run app.py` over a private copy of the sample district, Debian's chromium through
Playwright (no browser download), each role logged in through the form, every page it may open visited at
a desktop and a phone width. At each page the visible text (the page and the table cells, which the grid
draws on a canvas) is checked against the words a Chinese user must never see, and the main column must
not be wider than the screen.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, expect

from oversight.app import page as app_page
from oversight.contract import roles
from oversight.contract.schema import TABLES

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
DESKTOP, PHONE = 1440, 390
VIEWPORTS = {DESKTOP: {"width": 1440, "height": 900}, PHONE: {"width": 390, "height": 844}}
SLOW = 90_000  # ms: a first page run compiles its queries; the machine may be busy
#: accounts of the tour, one per role (made by the caller in the database it serves)
ACCOUNTS = {
    roles.ROLE_LEADER: ("领导甲", "leader-pass-1"),
    roles.ROLE_ANALYST: ("分析员甲", "analyst-pass-1"),
    roles.ROLE_ADMIN: ("管理员甲", "admin-pass-1"),
    roles.ROLE_SCHOOL: ("城关一小", "school-pass-1"),  # bound to 城关第一小学 by add_school_account
}
SCHOOL_CODE = "2141010148"


def add_school_account(db: Path) -> None:
    """The tour's 学校 account (the shared fixture has the district roles only)."""
    from oversight.engine import connection, users

    with connection.opened(db) as con:
        if users.role_of(con, ACCOUNTS[roles.ROLE_SCHOOL][0]) is None:
            users.add_user(
                con,
                ACCOUNTS[roles.ROLE_SCHOOL][0],
                ACCOUNTS[roles.ROLE_SCHOOL][1],
                roles.ROLE_SCHOOL,
                school_code=SCHOOL_CODE,
            )


#: Words that must never reach a user's eyes: raw values, English controls, and the code's own names.
FORBIDDEN_WORDS = (
    "None",
    "nan",
    "NaN",
    "NaT",
    "null",
    "Upload",
    "Browse files",
    "Drag and drop",
    "Download",
    "Deploy",
    "Made with Streamlit",
    "Record screen",
    "Show/hide",
    "Fullscreen",
    "Search",
    "Choose an option",
    "No results",
    "Traceback",
    "Error",
    "This app has encountered an error",
)
#: table and column names of the schema: a header or a value printed as code
CODE_NAMES = tuple(
    sorted({t.name for t in TABLES} | {c.name for t in TABLES for c in t.columns if "_" in c.name})
)


def forbidden_in(text: str) -> list[str]:
    """The forbidden words and code names found in a page's visible text (as whole words)."""
    found = [w for w in FORBIDDEN_WORDS if re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", text)]
    found += [n for n in CODE_NAMES if re.search(rf"(?<![A-Za-z_]){re.escape(n)}(?![A-Za-z_])", text)]
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(db: Path, log: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port over `db`; yields its base URL."""
    port = free_port()
    env = dict(os.environ, OVERSIGHT_DB=str(db), PYTHONUNBUFFERED="1")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "oversight/app/asgi.py",
                "--server.headless", "true",
                "--server.port", str(port),
                "--server.address", "127.0.0.1",
                "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                if proc.poll() is not None:
                    raise AssertionError("streamlit 服务未能启动：" + log.read_text("utf-8"))
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                        if r.read().decode().strip() == "ok":
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError("streamlit 服务 90 秒内未就绪")
                time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def wait_idle(page: Page) -> None:
    """Until Streamlit has finished the current script run (its status widget disappears)."""
    page.wait_for_timeout(300)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=SLOW)
    # the status widget shows only after a delay: the app's own run state, and no placeholder still drawn
    expect(page.locator('[data-testid="stApp"][data-test-script-state="running"]')).to_have_count(
        0, timeout=SLOW
    )
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=SLOW)
    page.wait_for_timeout(500)


def login(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base)
    expect(page.get_by_role("button", name="登录")).to_be_visible(timeout=SLOW)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text(f"{username}（")).to_be_attached(timeout=SLOW)
    wait_idle(page)


#: below this width Streamlit draws the sidebar as a drawer over the page
PHONE_BREAKPOINT = 768


def open_page(page: Page, label: str) -> None:
    """Through our sidebar link (a client-side move keeps the session); on a phone the sidebar is a
    drawer that has to be opened first."""
    link = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"] a', has_text=label).first
    box = link.bounding_box() if link.is_visible() else None
    width = page.viewport_size["width"] if page.viewport_size else 1440
    # a closed drawer is moved off the screen, where its links still count as visible
    if box is None or box["x"] + box["width"] <= 0 or box["x"] >= width:
        page.locator('[data-testid="stExpandSidebarButton"]').first.click()
        page.wait_for_timeout(500)
    link.click()
    wait_idle(page)
    close = page.locator('[data-testid="stSidebarCollapseButton"] button')
    if width < PHONE_BREAKPOINT and close.count() and close.first.is_visible():
        close.first.click()  # on a phone the drawer covers the page: close it, as a person would
        page.wait_for_timeout(500)


def visible_text(page: Page) -> str:
    """What a person sees: the page's text plus the table cells the grid draws on a canvas."""
    cells = page.locator('[data-testid="stDataFrame"] td, [data-testid="stDataFrame"] th').all_inner_texts()
    return page.locator("body").inner_text() + "\n" + "\n".join(cells)


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the screen (0 when it fits)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))


@dataclass
class Finding:
    role: str
    page: str
    width: int
    words: list[str] = field(default_factory=list)
    overflow: int = 0


def pages_of(role: str) -> list[str]:
    """The labels of the pages a role may open, in the sidebar's order."""
    user = roles.User("tour", role)
    return [label for _, label, right in app_page.NAV if user.can(right) and user.may_open(label)]


def tour(page: Page, base: str, role: str, width: int, shots: Path | None = None) -> list[Finding]:
    """Log `role` in, open each of its pages, and report what should not be there."""
    username, password = ACCOUNTS[role]
    login(page, base, username, password)
    findings = []
    for label in pages_of(role):
        if label != "总览":
            open_page(page, label)
        if shots is not None:
            page.screenshot(path=str(shots / f"{label}_{width}.png"), full_page=False)
        findings.append(Finding(role, label, width, forbidden_in(visible_text(page)), overflow(page)))
    return findings
