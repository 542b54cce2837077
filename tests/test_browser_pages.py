"""Every page as each role, at a desktop and a phone width, in a real browser: no English control, raw
value or code name on screen, and nothing wider than the screen.

SAVE_SCREENSHOTS=1 writes the pictures to docs/screenshots/ (scripts/readme_screenshots.py does the same
for the README).
"""

from __future__ import annotations

import os
from pathlib import Path

import browser_tour as bt
import pytest

pytestmark = pytest.mark.browser

if not Path(bt.CHROMIUM).exists():
    pytest.skip("未安装 /usr/bin/chromium，跳过真实浏览器测试（CI 会安装 chromium）", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def base(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("tour")
    db = folder / "demo.duckdb"
    db.write_bytes(demo_db_template.read_bytes())
    bt.add_school_account(db)
    with bt.server(db, folder / "streamlit.log") as url:
        yield url


@pytest.mark.parametrize("width", [bt.DESKTOP, bt.PHONE])
@pytest.mark.parametrize("role", list(bt.ACCOUNTS))
def test_every_page_reads_in_chinese_and_fits_the_screen(
    base: str, role: str, width: int, tmp_path: Path
) -> None:
    save = os.environ.get("SAVE_SCREENSHOTS") == "1" and role == "管理员"
    shots = (bt.ROOT / "docs" / "screenshots") if save else tmp_path
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=bt.CHROMIUM, headless=True, args=bt.CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=bt.VIEWPORTS[width], locale="zh-CN")
            findings = bt.tour(context.new_page(), base, role, width, shots)
        finally:
            browser.close()
    assert [f.page for f in findings] == bt.pages_of(role)
    bad = [(f.page, f.words) for f in findings if f.words]
    assert bad == [], f"{role} @ {width}px 页面上出现了不该出现的文字"
    wide = [(f.page, f.overflow) for f in findings if f.overflow > 0]
    assert wide == [], f"{role} @ {width}px 页面比屏幕宽"
