"""A 学校 account in a real browser against `streamlit run` (issue 17): it logs in, sees its own school
against the district, is refused a district page even when it types the address with another school's
code, uploads a file with a row of another school (refused, the row named) and then its own file
(imported). No other school's name reaches the screen on the way."""

from __future__ import annotations

import shutil
from pathlib import Path

import browser_tour as bt
import duckdb
import pytest

pytestmark = pytest.mark.browser

if not Path(bt.CHROMIUM).exists():
    pytest.skip("未安装 /usr/bin/chromium，跳过真实浏览器测试（CI 会安装 chromium）", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

OWN, OTHER = bt.SCHOOL_CODE, "2141012695"  # 城关第一小学, 城关第二小学
USER = bt.ACCOUNTS["学校"]


def _duty(*codes: str) -> bytes:
    rows = "".join(f"{c},{2020 + i},是,是\n" for i, c in enumerate(codes))
    return ("学校标识码,年度,向上级党组织述职,向党员和教职工报告\n" + rows).encode("utf-8")


def _other_names(db: Path) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select school_name from schools where school_code <> ?", [OWN]).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows if r[0] not in "城关第一小学"]


def test_a_school_account_in_the_browser(demo_db_template: Path, tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db_template, db)
    bt.add_school_account(db)
    others = _other_names(db)
    with bt.server(db, tmp_path / "streamlit.log") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=bt.CHROMIUM, headless=True, args=bt.CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport=bt.VIEWPORTS[bt.DESKTOP], locale="zh-CN").new_page()
            bt.login(page, base, *USER)
            expect(page.get_by_text("城关第一小学：各项指标与全区对比")).to_be_visible(timeout=bt.SLOW)
            assert not [n for n in others if n in bt.visible_text(page)]
            links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]').all_inner_texts()
            assert "组织建设" not in links and "账号管理" not in links and "审计日志" not in links

            # typing a district page's address, with another school in it: refused, nothing shown
            page.goto(f"{base}/组织建设?school={OTHER}&town=城关街道")
            if page.get_by_role("button", name="登录").count():
                bt.login(page, f"{base}/组织建设?school={OTHER}", *USER)
            expect(page.get_by_text("学校账号无权打开本页")).to_be_visible(timeout=bt.SLOW)
            assert not [n for n in others if n in bt.visible_text(page)]

            # another school's profile by address: its own school instead
            page.goto(f"{base}/学校画像?school={OTHER}")
            expect(page.get_by_role("heading", name="城关第一小学", exact=True)).to_be_visible(
                timeout=bt.SLOW
            )
            bt.wait_idle(page)
            assert "城关第二小学" not in bt.visible_text(page)

            # an upload with a row of another school: refused, the row named; then its own rows
            bt.open_page(page, "数据上传")
            uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
            uploader.set_input_files(
                [{"name": "双向述职.csv", "mimeType": "text/csv", "buffer": _duty(OWN, OTHER)}]
            )
            expect(page.get_by_text("双向述职.csv")).to_be_visible(timeout=bt.SLOW)
            page.get_by_role("button", name="校验", exact=True).click()
            expect(page.get_by_text("校验未通过")).to_be_visible(timeout=bt.SLOW)
            bt.wait_idle(page)
            assert OTHER in bt.visible_text(page)  # the refused row's own value, as the file holds it
            expect(page.get_by_role("button", name="导入", exact=True)).to_be_disabled()
            page.locator('[data-testid="stFileChipDeleteBtn"]').first.click()
            bt.wait_idle(page)
            uploader.set_input_files(
                [{"name": "双向述职_本校.csv", "mimeType": "text/csv", "buffer": _duty(OWN)}]
            )
            expect(page.get_by_text("双向述职_本校.csv")).to_be_visible(timeout=bt.SLOW)
            page.get_by_role("button", name="校验", exact=True).click()
            expect(page.get_by_text("校验通过，可以导入")).to_be_visible(timeout=bt.SLOW)
            page.get_by_role("button", name="导入", exact=True).click()
            expect(page.get_by_text("已导入，批次编号 2")).to_be_visible(timeout=bt.SLOW)
            bt.wait_idle(page)
            assert not [n for n in others if n in bt.visible_text(page)]
        finally:
            browser.close()
    con = duckdb.connect(str(db), read_only=True)
    try:
        logged = con.execute(
            "select action from audit_log where username = ? order by entry_id", [USER[0]]
        ).fetchall()
    finally:
        con.close()
    actions = [a for (a,) in logged]
    assert actions[0] == "登录" and "访问被拒绝" in actions
    assert actions.count("上传数据") == 1 and "打开学校画像" in actions
