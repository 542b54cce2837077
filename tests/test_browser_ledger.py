"""The loop with a school, in a real browser against a real server (the flow of issue 17):

an analyst opens a 报送任务 round for the bundled district; a 学校 account uploads its own file (a row of
another school is refused), and completeness on 总览 moves from 0/54 to 1/54; the school writes measures
for its 重点关注 item and submits them; the analyst's 销号 is refused while the data is still red and
accepted after a load that makes it 达标; a later load that makes it red again reopens it as 反弹.

The later loads go through the same pipeline the upload page calls (ingest.pipeline.load_files), from the
test, while the server runs: the dashboard opens the database file only while it works.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    SLOW,
    VIEWPORT,
    login,
    open_home,
    open_page,
    wait_idle,
)
from test_browser import server as server

from oversight.contract import roles
from oversight.engine import connection, users
from oversight.ingest import pipeline

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    pytest.skip("未安装 /usr/bin/chromium，跳过真实浏览器测试（CI 会安装 chromium）", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

ANALYST = ("分析员甲", "analyst-pass-1")
SCHOOL_ACCOUNT = ("城关二中", "school-pass-1")
#: 城关第二初级中学 rotated 1 of its 35 eligible teachers in 2022-2023 (2.9%), below 10% the year before too
SCHOOL, SCHOOL_NAME, OTHER = "2141020280", "城关第二初级中学", "2141010148"
HEADER = "学年,教师编号,教师姓名,派出学校标识码,接收学校标识码,方式,岗位"


def _rotations(rows: list[tuple[str, int]]) -> bytes:
    lines = [HEADER] + [f"2022-2023,TX{code}{i:03d},教师{i},{code},2141097800,交流,教师" for code, i in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def school_db(demo_db: Path) -> Path:
    with connection.opened(demo_db) as con:
        users.add_user(con, SCHOOL_ACCOUNT[0], SCHOOL_ACCOUNT[1], roles.ROLE_SCHOOL, school_code=SCHOOL)
    return demo_db


def _upload(page: Page, name: str, raw: bytes) -> None:
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    chips = page.locator('[data-testid="stFileChipDeleteBtn"]')
    while chips.count():
        chips.first.click()
        wait_idle(page)
    uploader.set_input_files([{"name": name, "mimeType": "text/csv", "buffer": raw}])
    expect(page.get_by_text(name, exact=True)).to_be_visible(timeout=SLOW)
    page.get_by_role("button", name="校验", exact=True).click()
    wait_idle(page)


def _pick_item(page: Page) -> None:
    """The school's 交流轮岗比例 item in the picker (typing filters the options; Enter takes the match)."""
    box = page.locator('[data-testid="stSelectbox"]', has_text="选择整改事项")
    box.locator("input").click()
    page.keyboard.type(f"{SCHOOL_NAME} · 交流轮岗比例")
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(box.get_by_role("combobox")).to_have_value(
        re.compile(f"{SCHOOL_NAME} · 交流轮岗比例"), timeout=SLOW
    )


def _load(raw: bytes, db: Path, name: str) -> None:
    with connection.opened(db) as con:
        result = pipeline.load_files(con, [(name, raw)], user=SCHOOL_ACCOUNT[0])
    assert result.ok and result.batch_id, result.validation


def test_round_upload_measures_close_and_rebound(school_db: Path, server: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            analyst = browser.new_context(viewport=VIEWPORT, locale="zh-CN").new_page()
            login(analyst, server, ANALYST)

            # the analyst opens a round asking every school for its 交流轮岗 rows of 2022-2023
            open_page(analyst, "报送任务")
            analyst.get_by_label("任务名称").fill("2023年度交流轮岗报送")
            tables = analyst.locator('[data-testid="stMultiSelect"]', has_text="各校须报送的表")
            tables.locator("input").click()
            for _ in range(8):
                analyst.keyboard.press("Backspace")
            analyst.keyboard.type("交流轮岗")
            analyst.get_by_role("option", name="交流轮岗", exact=True).click()
            analyst.keyboard.press("Escape")
            analyst.locator('[data-testid="stFormSubmitButton"] button', has_text="发布报送任务").click()
            expect(analyst.get_by_text("已发布报送任务“2023年度交流轮岗报送”。")).to_be_visible(timeout=SLOW)
            wait_idle(analyst)
            open_home(analyst)
            expect(
                analyst.get_by_text(re.compile("2023年度交流轮岗报送：54 所学校中 0 所已报齐"))
            ).to_be_visible(timeout=SLOW)

            # the school uploads: a row of another school is refused, its own row is imported
            school = browser.new_context(viewport=VIEWPORT, locale="zh-CN").new_page()
            login(school, server, SCHOOL_ACCOUNT)
            open_page(school, "数据上传")
            _upload(school, "交流轮岗_含他校.csv", _rotations([(SCHOOL, 1), (OTHER, 1)]))
            expect(school.get_by_text("校验未通过").first).to_be_visible(timeout=SLOW)
            _upload(school, "交流轮岗.csv", _rotations([(SCHOOL, 1)]))  # 2 of 35: still below 10%
            expect(school.get_by_text("校验通过，可以导入")).to_be_visible(timeout=SLOW)
            school.get_by_role("button", name="导入", exact=True).click()
            expect(school.get_by_text(re.compile("已导入，批次编号"))).to_be_visible(timeout=SLOW)
            wait_idle(school)
            open_home(school)
            expect(
                school.get_by_text(re.compile("2023年度交流轮岗报送：1 所学校中 1 所已报齐"))
            ).to_be_visible(timeout=SLOW)
            open_home(analyst)
            expect(
                analyst.get_by_text(re.compile("2023年度交流轮岗报送：54 所学校中 1 所已报齐"))
            ).to_be_visible(timeout=SLOW)

            # the school writes its measures for its 重点关注 item and submits them
            open_page(school, "整改台账")
            _pick_item(school)
            school.get_by_label("整改措施").fill("本学年再派 2 名教师到乡村学校交流")
            school.locator('[data-testid="stFormSubmitButton"] button', has_text="保存整改措施").click()
            expect(school.get_by_text("整改措施已保存，状态为“整改中”。")).to_be_visible(timeout=SLOW)
            wait_idle(school)
            _pick_item(school)
            school.get_by_role("button", name="提交复核").click()
            expect(school.get_by_text("已提交复核。")).to_be_visible(timeout=SLOW)
            wait_idle(school)
            school.screenshot(path=str(SCREENSHOTS / "整改台账_学校.png"), full_page=True)

            # the analyst's 销号 is refused while the school is still red (2 of 35 = 5.7%)
            open_page(analyst, "整改台账")
            _pick_item(analyst)
            analyst.locator('[data-testid="stFormSubmitButton"] button', has_text="销号").click()
            expect(analyst.get_by_text(re.compile("仍为“未达标”（5.7%）"))).to_be_visible(timeout=SLOW)
            wait_idle(analyst)

            # accepted after a load that makes it 达标 (4 of 35 = 11.4%)
            _load(_rotations([(SCHOOL, 2), (SCHOOL, 3)]), school_db, "交流轮岗_补报.csv")
            open_home(analyst)
            open_page(analyst, "整改台账")
            _pick_item(analyst)
            analyst.locator('[data-testid="stFormSubmitButton"] button', has_text="销号").click()
            expect(analyst.get_by_text("已销号。")).to_be_visible(timeout=SLOW)
            wait_idle(analyst)

            # a later load makes it red again (80 eligible teachers): it reopens by itself as 反弹
            quota = "学年,学校标识码,符合交流条件教师数\n2022-2023,2141020280,80\n".encode()
            _load(quota, school_db, "轮岗基数.csv")
            open_home(analyst)
            open_page(analyst, "整改台账")
            _pick_item(analyst)
            expect(analyst.get_by_text(re.compile("状态：✖ 反弹"))).to_be_visible(timeout=SLOW)
            analyst.screenshot(path=str(SCREENSHOTS / "整改台账.png"), full_page=False)
        finally:
            browser.close()
