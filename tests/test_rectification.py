"""整改台账 on the sample district: items open from 重点关注 when data is loaded, 销号 is refused while the
school is still red and accepted after a load that makes it 达标, a later red load reopens the item as
反弹, overdue items are levelled by days, and a rollback never deletes an item.

The school used throughout, 2141020280, rotated 1 of its 35 eligible teachers in 2022-2023 (2.9%) and was
below 10% in 2021-2022 too, so it is on the 2023 重点关注 list for 交流轮岗比例.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from oversight.contract import catalog, roles
from oversight.contract.errors import OversightError
from oversight.engine import Connection, audit, connection, ledger, users
from oversight.ingest import pipeline
from oversight.metrics import rectification, watch
from oversight.metrics.indicators import overview
from oversight.metrics.periods import Params, resolve
from oversight.present import ledger as ledger_view

SCHOOL = "2141020280"
OTHER = "2141010148"


@pytest.fixture
def con(demo_db: Path) -> Connection:
    c = connection.connect(demo_db)
    yield c
    c.close()


def _rotations_csv(school: str, first: int, count: int) -> bytes:
    lines = ["school_year,teacher_id,teacher_name,from_school_code,to_school_code,kind,role"]
    lines += [
        f"2022-2023,TX{school}{i:03d},教师{i},{school},2141097800,交流,教师"
        for i in range(first, first + count)
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _quota_csv(school: str, eligible: int) -> bytes:
    return f"school_year,school_code,eligible_teachers\n2022-2023,{school},{eligible}\n".encode()


def _load(con: Connection, name: str, raw: bytes, user: str = "学校甲") -> int:
    result = pipeline.load_files(con, [(name, raw)], user=user)
    assert result.ok and result.batch_id is not None, result.validation
    return result.batch_id


def _item(con: Connection, school: str = SCHOOL, key: str = "rotation") -> dict:
    items = rectification.ledger(con)
    row = items.filter((pl.col("school_code") == school) & (pl.col("indicator") == key))
    assert row.height == 1, row
    return row.row(0, named=True)


def test_every_watch_entry_opens_one_item_once(con: Connection) -> None:
    entries = watch.watch_list(con, Params())
    outcome = rectification.sync(con)
    assert outcome.ran and len(outcome.opened) == entries.height == 44 and outcome.reopened == []
    items = rectification.ledger(con)
    assert items.height == 44
    assert set(items["state"]) == {catalog.RECTIFY_PENDING}
    assert set(items["source"]) == {catalog.RECTIFY_FROM_WATCH}
    # the deadline is the catalog's default from today
    assert set(items["deadline"]) == {date.today() + timedelta(days=catalog.RECTIFY_DEADLINE_DAYS)}
    item = _item(con)
    assert item["problem"] == "2022-2023学年交流轮岗比例 2.9%，低于 10%"
    assert (item["year"], item["school_year"], item["period_text"]) == (2023, "2022-2023", "2022-2023学年")
    # idempotent: the same data version opens nothing more, and neither does a forced run
    assert rectification.sync(con).ran is False
    assert rectification.sync(con, force=True).opened == []
    assert rectification.ledger(con).height == 44


def test_problem_text_from_the_rule_and_values() -> None:
    assert rectification.problem_text("rotation", 0.063, 2023, "2022-2023") == (
        "2022-2023学年交流轮岗比例 6.3%，低于 10%"
    )
    assert rectification.problem_text("three_meetings_one_lesson", 0.5, 2023, "2022-2023") == (
        "2023年度三会一课 50.0%，低于 90%"
    )
    assert rectification.problem_text("unified_subjects", 3, 2023, "2022-2023") == (
        "2022-2023学年统编三科教师缺口 3名，超过 0名"
    )
    assert rectification.problem_text("split_roles", "一肩挑", 2023, None) == (
        "2023年度书记、校长由一人兼任（一肩挑），应分设"
    )
    assert (
        rectification.problem_text("charter", False, 2023, None)
        == "2023年度学校章程未修订，应写明党组织的领导作用"
    )


def test_close_refused_while_red_accepted_after_a_load_then_reopened_as_rebound(con: Connection) -> None:
    rectification.sync(con)
    item_id = _item(con)["item_id"]
    rectification.write_measures(
        con, item_id, "增派 3 名教师到乡村学校交流", user="学校甲", responsible="张校长"
    )
    rectification.submit(con, item_id, user="学校甲")
    assert _item(con)["state"] == catalog.RECTIFY_REVIEW

    with pytest.raises(OversightError, match=re.escape("仍为“未达标”（2.9%）")):
        rectification.close(con, item_id, user="分析员甲")
    assert _item(con)["state"] == catalog.RECTIFY_REVIEW

    # the school's upload: 3 more rotated teachers, 4 of 35 = 11.4%
    fix = _load(con, "交流轮岗.csv", _rotations_csv(SCHOOL, 1, 3))
    assert rectification.evidence(con, _item(con)).closes
    assert rectification.close(con, item_id, user="分析员甲") == catalog.CLOSE_ON_DATA
    closed = _item(con)
    assert closed["state"] == catalog.RECTIFY_CLOSED and closed["closed_year"] == 2023
    assert closed["closed_at"] is not None and closed["closed_by"] == "分析员甲"

    # a later load that makes it red again: 80 eligible teachers, 4 of 80 = 5.0%
    _load(con, "轮岗基数.csv", _quota_csv(SCHOOL, 80))
    outcome = rectification.sync(con)
    assert outcome.reopened == [item_id]
    rebound = _item(con)
    assert rebound["state"] == catalog.RECTIFY_REBOUND and rebound["reopened_count"] == 1
    assert rebound["problem"] == "2022-2023学年交流轮岗比例 5.0%，低于 10%"
    assert rebound["closed_at"] is None and rebound["opened_after_batch"] > fix

    # every change is in the item's history and in the audit log
    steps = rectification.history(con).filter(pl.col("item_id") == item_id)["action"].to_list()
    assert steps == ["重点关注自动立项", "填写整改措施", "提交复核", "销号（数据达标）", "反弹重新打开"]
    logged = audit.entries(con, action="整改台账", text=f"第 {item_id} 号")
    assert logged.height == 5


def test_close_needs_data_loaded_after_the_item_opened(con: Connection) -> None:
    """A school already 达标 before the item opened (an analyst's item on a 达标 cell is refused) cannot be
    closed on old data: here the load comes first, the item after it, so no later rows exist."""
    rectification.sync(con)
    item_id = _item(con)["item_id"]
    rectification.write_measures(con, item_id, "增派教师交流", user="学校甲")
    item = _item(con)
    found = rectification.evidence(con, item)
    assert found.status == catalog.STATUS_BAD and not found.has_new_rows
    # another school's upload is no evidence for this one
    _load(con, "交流轮岗.csv", _rotations_csv(OTHER, 1, 1))
    assert not rectification.evidence(con, _item(con)).has_new_rows


def test_close_with_a_written_reason_is_recorded_and_not_reopened_in_the_same_period(con: Connection) -> None:
    rectification.sync(con)
    item_id = _item(con)["item_id"]
    rectification.write_measures(con, item_id, "本校教师编制不足，已向区编办申请", user="学校甲")
    with pytest.raises(OversightError, match="书面说明太短"):
        rectification.close(con, item_id, user="分析员甲", reason="同意")
    reason = "该校 2023 年有 5 名教师退休，经局党委研究同意本学年暂缓交流"
    assert rectification.close(con, item_id, user="分析员甲", reason=reason) == catalog.CLOSE_ON_REASON
    closed = _item(con)
    assert (closed["close_basis"], closed["close_reason"]) == (catalog.CLOSE_ON_REASON, reason)
    # still red in the same period: a load of anything else does not reopen it
    _load(con, "交流轮岗.csv", _rotations_csv(OTHER, 1, 1))
    assert rectification.sync(con).reopened == []
    assert _item(con)["state"] == catalog.RECTIFY_CLOSED


def test_rollback_never_deletes_an_item(con: Connection) -> None:
    rectification.sync(con)
    batch = _load(con, "交流轮岗.csv", _rotations_csv(SCHOOL, 1, 3))
    before = rectification.ledger(con).height
    ledger.rollback(con, batch, user="管理员甲")
    assert rectification.ledger(con).height == before == 44
    # after the rollback the school is red again with no new rows: 销号 on the data is refused again
    item = _item(con)
    rectification.write_measures(con, item["item_id"], "增派教师交流", user="学校甲")
    with pytest.raises(OversightError, match="仍为"):
        rectification.close(con, item["item_id"], user="分析员甲")


def test_analyst_opens_from_a_red_cell_only(con: Connection) -> None:
    rectification.sync(con)
    # already an item for this school and indicator
    with pytest.raises(OversightError, match="已有整改事项"):
        rectification.open_manual(con, SCHOOL, "rotation", user="分析员甲")
    # a cell that is not 未达标
    with pytest.raises(OversightError, match="只有未达标的指标"):
        rectification.open_manual(con, OTHER, "rotation", user="分析员甲")


def test_overdue_items_are_levelled_by_days() -> None:
    deadline = date(2024, 3, 1)
    items = pl.DataFrame(
        {
            "item_id": [1, 2, 3, 4, 5],
            "indicator": ["rotation"] * 5,
            "year": [2023] * 5,
            "school_year": ["2022-2023"] * 5,
            "state": [
                catalog.RECTIFY_PENDING,
                catalog.RECTIFY_DOING,
                catalog.RECTIFY_REBOUND,
                catalog.RECTIFY_REVIEW,
                catalog.RECTIFY_CLOSED,
            ],
            "deadline": [deadline] * 5,
        }
    )
    levels = {
        0: [None] * 5,
        1: ["逾期", "逾期", "逾期", None, None],
        31: ["逾期超过30天", "逾期超过30天", "逾期超过30天", None, None],
        91: ["逾期超过90天", "逾期超过90天", "逾期超过90天", None, None],
    }
    for days, expected in levels.items():
        frame = rectification.with_overdue(items, deadline + timedelta(days=days))
        assert frame["overdue_level"].to_list() == expected, days
        owed = [days if e else 0 for e in expected]
        assert frame["days_overdue"].to_list() == owed
        shown = ["逾期" if e else s for e, s in zip(expected, items["state"], strict=True)]
        assert frame["shown_state"].to_list() == shown
    assert rectification.overdue_color("逾期超过90天") == catalog.RECTIFY_OVERDUE_LEVELS[-1][2]


def test_a_school_scope_sees_only_its_own_items(con: Connection) -> None:
    rectification.sync(con)
    mine = rectification.ledger(con, scope=(SCHOOL,))
    assert set(mine["school_code"]) == {SCHOOL} and mine.height >= 1
    assert rectification.ledger(con, scope=()).is_empty()
    assert set(rectification.history(con, scope=(SCHOOL,))["school_code"]) == {SCHOOL}


# ---------------------------------------------------------------- the pages (AppTest)

ROOT = Path(__file__).resolve().parent.parent
LEDGER_PAGE = ROOT / "pages" / "12_整改台账.py"
PROFILE_PAGE = ROOT / "pages" / "5_学校画像.py"


def _page(username: str, role: str, path: Path = LEDGER_PAGE, **query: str) -> AppTest:
    at = AppTest.from_file(str(path), default_timeout=120)
    at.session_state["user"] = {"username": username, "role": role}
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _pick_rotation_item(at: AppTest) -> AppTest:
    box = at.selectbox(key="ledger_item")
    label = next(o for o in box.options if "交流轮岗比例" in o and ("城关第二初级中学" in o))
    box.set_value(label).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_ledger_page_from_measures_to_close_and_rebound(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OVERSIGHT_DB", str(demo_db))
    with connection.opened(demo_db) as c:
        users.add_user(c, "学校甲", "school-pass-1", roles.ROLE_SCHOOL, school_code=SCHOOL)
    # opening the page opens the 重点关注 items of the data as loaded
    at = _page("分析员甲", "分析员")
    assert {m.label: m.value for m in at.metric}["整改事项"] == "44"
    assert {m.label: m.value for m in at.metric}["待整改"] == "44"

    # the school sees its own items only, and writes and submits its measures
    school = _page("学校甲", roles.ROLE_SCHOOL)
    assert set(school.dataframe[0].value["学校"]) == {"城关第二初级中学"}
    _pick_rotation_item(school)
    item_id = int(school.selectbox(key="ledger_item").value.split(" ")[1])
    school.text_area(key=f"measures_text_{item_id}").input("增派 3 名教师到乡村学校交流")
    _click(school, "保存整改措施")
    assert "整改措施已保存，状态为“整改中”。" in [s.value for s in school.success]
    _pick_rotation_item(school)
    _click(school, "提交复核")
    assert "已提交复核。" in [s.value for s in school.success]
    assert not [b for b in school.button if b.label == "销号"]  # a school cannot close

    # the bureau's 销号 is refused while the school is still red
    at = _pick_rotation_item(_page("分析员甲", "分析员"))
    _click(at, "销号")
    assert any("不能销号" in e.value and "2.9%" in e.value for e in at.error), [e.value for e in at.error]

    # accepted after the school's load makes it 达标
    with connection.opened(demo_db) as c:
        _load(c, "交流轮岗.csv", _rotations_csv(SCHOOL, 1, 3))
    at = _pick_rotation_item(_page("分析员甲", "分析员"))
    _click(at, "销号")
    assert "已销号。" in [s.value for s in at.success], [e.value for e in at.error]
    with connection.opened(demo_db) as c:
        assert _item(c)["state"] == catalog.RECTIFY_CLOSED
        _load(c, "轮岗基数.csv", _quota_csv(SCHOOL, 80))  # red again: 4 of 80
    at = _page("分析员甲", "分析员")
    assert {m.label: m.value for m in at.metric}["反弹"] == "1"
    with connection.opened(demo_db) as c:
        assert _item(c)["state"] == catalog.RECTIFY_REBOUND

    # the school profile lists the school's items
    profile = _page("分析员甲", "分析员", PROFILE_PAGE, school=SCHOOL)
    assert "整改事项" in [s.value for s in profile.subheader]
    shown = next(df.value for df in profile.dataframe if "问题" in df.value)
    assert set(shown["学校"]) == {"城关第二初级中学"} and "2022-2023学年交流轮岗比例 5.0%，低于 10%" in set(
        shown["问题"]
    )


def test_the_ledger_export_has_the_bureaus_layout(con: Connection) -> None:
    rectification.sync(con)
    items = rectification.ledger(con)
    book = openpyxl.load_workbook(io.BytesIO(ledger_view.ledger_xlsx(items)))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("序号", "学校", "问题", "整改措施", "责任人", "整改时限", "状态", "销号日期")
    assert len(rows) == 45 and rows[1][0] == 1
    rotation = next(r for r in rows if r[2] == "2022-2023学年交流轮岗比例 2.9%，低于 10%")
    assert rotation[1] == "城关第二初级中学" and rotation[6] == "待整改" and rotation[7] in ("", None)


def test_a_leader_sees_the_ledger_but_cannot_act(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERSIGHT_DB", str(demo_db))
    at = _pick_rotation_item(_page("领导甲", "领导"))
    labels = {b.label for b in at.button}
    assert not labels & {"销号", "保存整改措施", "提交复核", "立项"}


def test_an_analyst_opens_an_item_from_any_red_cell_and_a_stale_action_is_refused(con: Connection) -> None:
    rectification.sync(con)
    reading = Params()
    _, matrix = overview(con, resolve(con, reading))
    cells = rectification.red_cells(matrix, rectification.ledger(con))
    assert cells.height > 0  # red this period only (not on 重点关注), so no item yet
    cell = cells.row(0, named=True)
    item_id = rectification.open_manual(
        con, cell["school_code"], cell["indicator"], user="分析员甲", responsible="李书记"
    )
    item = _item(con, cell["school_code"], cell["indicator"])
    assert (item["item_id"], item["source"], item["responsible"]) == (
        item_id,
        catalog.RECTIFY_FROM_ANALYST,
        "李书记",
    )
    assert cell["value_text"] in item["problem"]
    assert rectification.red_cells(matrix, rectification.ledger(con)).height == cells.height - 1
    # two sessions submit the same item: the second finds it moved and is refused
    rectification.write_measures(con, item_id, "召开专题会议研究整改", user="学校甲")
    rectification.submit(con, item_id, user="学校甲")
    with pytest.raises(OversightError, match="现在是“待复核”"):
        rectification.submit(con, item_id, user="学校甲")


def test_the_ledger_page_colours_overdue_items_by_level(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OVERSIGHT_DB", str(demo_db))
    with connection.opened(demo_db) as c:
        rectification.sync(c)
        item_id = _item(c)["item_id"]
        late = date.today() - timedelta(days=100)
        rectification.edit(c, item_id, user="分析员甲", responsible="张校长", deadline=late)
    at = _page("分析员甲", "分析员")
    assert {m.label: m.value for m in at.metric}["逾期"] == "1"
    line = next(m.value for m in at.markdown if m.value.startswith("**逾期**"))
    assert "逾期超过90天 1 项" in line and catalog.RECTIFY_OVERDUE_LEVELS[-1][2] in line
    table = at.dataframe[0].value
    assert table.loc[table["编号"] == item_id, "状态"].item() == "⚠ 逾期超过90天（100天）"
    assert table.loc[table["编号"] == item_id, "责任人"].item() == "张校长"
