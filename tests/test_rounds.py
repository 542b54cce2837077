"""报送任务 on the sample district: a round's completeness moves from 0/N to 1/N when one school's rows
arrive, stays right through an upsert, goes back with a rollback, and turns 逾期 after the deadline."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from oversight.contract import catalog, roles
from oversight.contract.errors import UsageError
from oversight.contract.schema import TABLES, TABLES_BY_NAME
from oversight.engine import Connection, audit, connection, ledger, queries, users
from oversight.ingest import pipeline
from oversight.metrics import rounds

SCHOOL = "2141020280"
DEADLINE = date.today() + timedelta(days=14)


@pytest.fixture
def con(demo_db: Path) -> Connection:
    c = connection.connect(demo_db)
    yield c
    c.close()


def _duty_csv(school: str, year: int = 2023, *, done: str = "是") -> bytes:
    return f"school_code,year,to_superior,to_staff\n{school},{year},{done},是\n".encode()


def _load(con: Connection, raw: bytes, name: str = "双向述职.csv") -> int:
    result = pipeline.load_files(con, [(name, raw)], user="学校甲")
    assert result.ok and result.batch_id is not None, result.validation
    return result.batch_id


def _open(con: Connection, tables: list[str], **kw: object) -> int:
    return rounds.open_round(
        con, name="2023年度双向述职报送", year=2023, tables=tables, deadline=DEADLINE, user="分析员甲", **kw
    )


def _summary(con: Connection, today: date | None = None) -> dict:
    frame = rounds.summary(rounds.tasks(con, today=today), rounds.rounds_list(con))
    return frame.row(0, named=True)


def test_completeness_moves_with_a_load_an_upsert_and_a_rollback(con: Connection) -> None:
    schools = queries.run_query(con, "schools_total", {})["total"].item()
    assert schools == 54
    round_id = _open(con, ["duty_reports"])
    # the sample district's rows were all loaded before the round opened: nothing has arrived yet
    row = _summary(con)
    assert (row["schools_done_count"], row["schools_count"]) == (0, 54)
    assert (row["expected_count"], row["reported_count"], row["missing_count"], row["overdue_count"]) == (
        54,
        0,
        54,
        0,
    )
    assert rounds.summary_line(row).startswith("2023年度双向述职报送：54 所学校中 0 所已报齐；应报 54 项")

    first = _load(con, _duty_csv(SCHOOL, done="否"))
    row = _summary(con)
    assert (row["schools_done_count"], row["reported_count"]) == (1, 1)
    task = rounds.tasks(con).filter(pl.col("school_code") == SCHOOL).row(0, named=True)
    assert task["task_status"] == catalog.TASK_REPORTED and task["rows_count"] == 1
    assert task["reported_by"] == "学校甲" and task["round_id"] == round_id

    # upsert: the school sends its corrected row again; still one school reported, by the new batch
    second = _load(con, _duty_csv(SCHOOL, done="是"), "双向述职（更正）.csv")
    assert _summary(con)["reported_count"] == 1
    # rolling back the correction leaves the first upload in force: still reported
    ledger.rollback(con, second, user="管理员甲")
    assert _summary(con)["reported_count"] == 1
    # rolling back the first too: back to 0/54
    ledger.rollback(con, first, user="管理员甲")
    row = _summary(con)
    assert (row["schools_done_count"], row["reported_count"], row["missing_count"]) == (0, 0, 54)


def test_rows_of_another_period_or_table_do_not_report(con: Connection) -> None:
    _open(con, ["duty_reports", "rotation_quotas"])
    _load(con, _duty_csv(SCHOOL, year=2022))  # the wrong year
    row = _summary(con)
    assert (row["expected_count"], row["reported_count"]) == (108, 0)
    _load(con, _duty_csv(SCHOOL, year=2023))
    row = _summary(con)
    # one of the school's two tables: reported 1, but the school has not reported everything
    assert (row["reported_count"], row["schools_done_count"]) == (1, 0)
    _load(con, f"school_year,school_code,eligible_teachers\n2022-2023,{SCHOOL},36\n".encode(), "轮岗基数.csv")
    row = _summary(con)
    assert (row["reported_count"], row["schools_done_count"]) == (2, 1)


def test_after_the_deadline_unreported_tasks_are_overdue(con: Connection) -> None:
    _open(con, ["duty_reports"])
    _load(con, _duty_csv(SCHOOL))
    late = DEADLINE + timedelta(days=1)
    row = _summary(con, today=late)
    assert (row["reported_count"], row["missing_count"], row["overdue_count"]) == (1, 53, 53)
    chase = rounds.chase_list(rounds.tasks(con, today=late))
    assert chase.height == 53 and SCHOOL not in chase["school_code"].to_list()
    assert set(chase["task_status"]) == {catalog.TASK_OVERDUE}
    assert _summary(con, today=DEADLINE)["overdue_count"] == 0


def test_a_round_for_some_schools_and_a_school_scope(con: Connection) -> None:
    _open(con, ["duty_reports"], town="城关街道")
    town_schools = queries.run_query(con, "schools_list", {"town": "城关街道"}).height
    assert _summary(con)["schools_count"] == town_schools > 0
    # a 学校 account sees its own tasks only
    mine = rounds.tasks(con, scope=(SCHOOL,))
    assert set(mine["school_code"]) <= {SCHOOL}
    assert rounds.tasks(con, scope=()).is_empty()
    assert queries.run_query(con, "rounds_list", {"scope": ()}).is_empty()


def test_an_explicit_list_of_schools(con: Connection) -> None:
    _open(con, ["duty_reports"], school_codes=[SCHOOL, "2141010148"])
    assert _summary(con)["schools_count"] == 2
    with pytest.raises(UsageError, match="没有这些学校标识码"):
        _open(con, ["duty_reports"], school_codes=["NOPE"])


def test_a_round_is_checked_and_audited(con: Connection) -> None:
    with pytest.raises(UsageError, match="名称"):
        rounds.open_round(con, name=" ", year=2023, tables=["duty_reports"], deadline=DEADLINE, user="a")
    with pytest.raises(UsageError, match="至少选择一张"):
        rounds.open_round(con, name="x", year=2023, tables=[], deadline=DEADLINE, user="a")
    with pytest.raises(UsageError, match="早于今天"):
        rounds.open_round(
            con, name="x", year=2023, tables=["duty_reports"], deadline=date(2020, 1, 1), user="a"
        )
    round_id = _open(con, ["duty_reports"])
    rounds.close_round(con, round_id, user="分析员甲")
    assert rounds.rounds_list(con)["is_open"].to_list() == [False]
    logged = audit.entries(con, text="2023年度双向述职报送")["action"].to_list()
    assert logged == ["结束报送任务", "发布报送任务"]


def test_every_table_of_the_schema_can_be_asked_for() -> None:
    """ledger.ARRIVALS names each table's school and period columns by hand: none may be missing."""
    assert set(ledger.ARRIVALS) == {t.name for t in TABLES}
    for name, (school, year, school_year) in ledger.ARRIVALS.items():
        columns = TABLES_BY_NAME[name].column_names
        for expr in (school, year, school_year):
            assert expr is None or expr.startswith("o.") or expr.split("i.")[1].rstrip(")") in columns, expr


def test_the_same_rows_sent_again_still_report(con: Connection) -> None:
    """The sample district already holds the school's 2023 row: sending it unchanged writes no new row
    version, but the school has reported."""
    _open(con, ["duty_reports"])
    batch = _load(con, _duty_csv(SCHOOL))
    assert ledger.list_batches(con)[0]["changes"]["duty_reports"]["unchanged"] == 1
    assert _summary(con)["reported_count"] == 1
    ledger.rollback(con, batch, user="管理员甲")
    assert _summary(con)["reported_count"] == 0


# ---------------------------------------------------------------- the pages (AppTest)

ROOT = Path(__file__).resolve().parent.parent
ROUNDS_PAGE = ROOT / "pages" / "11_报送任务.py"
HOME = ROOT / "app.py"


def _page(path: Path, username: str, role: str) -> AppTest:
    at = AppTest.from_file(str(path), default_timeout=120)
    at.session_state["user"] = {"username": username, "role": role}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_round_page_opens_a_round_and_shows_it_moving_on_the_home_page(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OVERSIGHT_DB", str(demo_db))
    at = _page(ROUNDS_PAGE, "分析员甲", "分析员")
    assert "还没有报送任务。" in [i.value for i in at.info]
    at.text_input(key="round_name").input("2023年度双向述职报送")
    at.multiselect(key="round_tables").set_value(["双向述职"])
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "已发布报送任务“2023年度双向述职报送”。" in [s.value for s in at.success]
    assert _metrics(at) == {"应报": "54", "已报": "0", "未报": "54", "逾期": "0", "已报齐学校": "0/54"}
    chase = at.dataframe[1].value  # the rounds table, then the 催报 list
    assert len(chase) == 54 and set(chase["未报送内容"]) == {"双向述职"}
    home = _page(HOME, "分析员甲", "分析员")
    assert any("2023年度双向述职报送：54 所学校中 0 所已报齐" in i.value for i in home.info)

    # one school reports: 0/54 → 1/54, on the page and on 总览
    with connection.opened(demo_db) as con:
        _load(con, _duty_csv(SCHOOL, done="否"))
    at = _page(ROUNDS_PAGE, "分析员甲", "分析员")
    assert _metrics(at)["已报齐学校"] == "1/54" and _metrics(at)["已报"] == "1"
    home = _page(HOME, "分析员甲", "分析员")
    assert any("54 所学校中 1 所已报齐" in i.value for i in home.info)


def test_a_school_sees_its_own_tasks_and_a_leader_cannot_open_rounds(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OVERSIGHT_DB", str(demo_db))
    with connection.opened(demo_db) as con:
        users.add_user(con, "学校甲", "school-pass-1", roles.ROLE_SCHOOL, school_code=SCHOOL)
        _open(con, ["duty_reports", "rotation_quotas"])
    at = _page(ROUNDS_PAGE, "学校甲", roles.ROLE_SCHOOL)
    assert _metrics(at) == {"应报": "2", "已报": "0", "未报": "2", "逾期": "0", "已报齐学校": "0/1"}
    assert not [e for e in at.expander if "发布报送任务" in e.label]
    names = {n for df in at.dataframe for col in ("学校",) if col in df.value for n in df.value[col]}
    assert names == {"城关第二初级中学"}
    leader = _page(ROUNDS_PAGE, "领导甲", "领导")
    assert not [e for e in leader.expander if "发布报送任务" in e.label]
    assert _metrics(leader)["应报"] == "108"
