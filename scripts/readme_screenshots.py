"""Refresh the README's dashboard screenshots: a real server over the sample district, real chromium.

    .venv/bin/python scripts/readme_screenshots.py

Loopback only; the server is stopped at the end. (The upload screenshots come from tests/test_browser.py
with SAVE_SCREENSHOTS=1.)
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from oversight import demo
from oversight.contract import roles
from oversight.engine import connection, users

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = (("", "总览"), ("/交流轮岗", "交流轮岗"), ("/学校画像", "学校画像"), ("/组织建设", "组织建设"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    tmp = Path(tempfile.mkdtemp())
    db = tmp / "demo.duckdb"
    with connection.opened(db) as con:
        demo.load_demo(con, user="示例数据")
        users.add_user(con, "leader", "leader-pass-1", roles.ROLE_LEADER)
    port = free_port()
    env = {**os.environ, "OVERSIGHT_DB": str(db)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1900}, locale="zh-CN")
            page.goto(base)
            page.get_by_label("用户名").fill("leader")
            page.get_by_label("密码", exact=True).fill("leader-pass-1")
            page.get_by_role("button", name="登录").click()
            for path, label in PAGES:
                if path:
                    page.locator(
                        '[data-testid="stSidebar"] [data-testid="stPageLink"] a', has_text=label
                    ).first.click()
                page.wait_for_timeout(1500)
                page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=90_000)
                page.wait_for_timeout(2500)
                page.screenshot(path=str(OUT / f"{label}.png"), full_page=False)
                print(f"已保存 {OUT / (label + '.png')}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
