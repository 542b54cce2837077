"""Refresh the README's screenshots: every page at 1440 and 390 px, a real server over the sample
district, real chromium (the same tour as tests/test_browser_pages.py).

    .venv/bin/python scripts/readme_screenshots.py

Writes docs/screenshots/<页面>_1440.png and <页面>_390.png, plus 登录.png. Loopback only; the server is
stopped at the end. Look at each picture before committing it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import browser_tour as bt  # noqa: E402

from oversight import demo  # noqa: E402
from oversight.contract import roles  # noqa: E402
from oversight.engine import connection, users  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def build(db: Path) -> None:
    with connection.opened(db) as con:
        demo.load_demo(con)
        for role, (name, password) in bt.ACCOUNTS.items():
            if role != roles.ROLE_SCHOOL:
                users.add_user(con, name, password, role)
    bt.add_school_account(db)


def school_view(browser: object, base: str) -> None:
    """学校账号.png: what a 学校 account sees on 总览 (its own school against the district totals)."""
    page = browser.new_context(viewport=bt.VIEWPORTS[bt.DESKTOP], locale="zh-CN").new_page()  # type: ignore[attr-defined]
    bt.login(page, base, *bt.ACCOUNTS[roles.ROLE_SCHOOL])
    page.screenshot(path=str(OUT / "学校账号.png"), full_page=False)
    print(f"已保存 {OUT / '学校账号.png'}")


def main() -> int:
    tmp = Path(tempfile.mkdtemp())
    db = tmp / "demo.duckdb"
    build(db)
    OUT.mkdir(parents=True, exist_ok=True)
    with bt.server(db, tmp / "streamlit.log") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=bt.CHROMIUM, headless=True, args=bt.CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport=bt.VIEWPORTS[bt.DESKTOP], locale="zh-CN").new_page()
            page.goto(base)
            expect(page.get_by_role("button", name="登录")).to_be_visible(timeout=bt.SLOW)
            page.screenshot(path=str(OUT / "登录.png"))
            for width in (bt.DESKTOP, bt.PHONE):
                context = browser.new_context(viewport=bt.VIEWPORTS[width], locale="zh-CN")
                for finding in bt.tour(context.new_page(), base, roles.ROLE_ADMIN, width, OUT):
                    note = (
                        f"  （{finding.words}，宽出 {finding.overflow} px）"
                        if finding.words or finding.overflow
                        else ""
                    )
                    print(f"已保存 {OUT / f'{finding.page}_{width}.png'}{note}")
                context.close()
            school_view(browser, base)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
