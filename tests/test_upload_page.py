"""数据上传 and 账号管理 driven through Streamlit's AppTest: real file bytes through the uploader, the
database before and after, and the role checks on the server (a hidden button is not enough)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from oversight.contract import roles
from oversight.engine import connection, ledger, users
from oversight.ingest import pipeline
from oversight.metrics import indicators, periods

ROOT = Path(__file__).resolve().parent.parent
UPLOAD_PAGE = str(ROOT / "pages" / "7_数据上传.py")
ACCOUNTS_PAGE = str(ROOT / "pages" / "8_账号管理.py")
ADMIN = {"username": "管理员甲", "role": roles.ROLE_ADMIN}
ANALYST = {"username": "分析员甲", "role": roles.ROLE_ANALYST}
LEADER = {"username": "领导甲", "role": roles.ROLE_LEADER}
BAD_SCHOOLS_CSV = (
    "学校标识码,学校名称,学段,所属乡镇街道,城乡类型,是否公办,章程已修订\n"
    "T900,测试大学,大学,城关街道,城区,是,是\n"
).encode("utf-8-sig")


def duty_csv_all_done(db: Path, year: int = 2023) -> tuple[bytes, int]:
    """A GBK 双向述职 file marking every school of the district as done in `year`, and how many rows
    it changes or adds (schools not yet both-done)."""
    with connection.opened(db, read_only=True) as con:
        schools = ledger.current(con, "schools")["school_code"].to_list()
        duty = ledger.current(con, "duty_reports").filter(pl.col("year") == year)
    done = set(duty.filter(pl.col("to_superior") & pl.col("to_staff"))["school_code"].to_list())
    lines = ["学校标识码,年度,向上级党组织述职,向党员和教职工报告"]
    lines += [f"{code},{year},是,是" for code in sorted(schools)]
    return ("\n".join(lines) + "\n").encode("gbk"), len(set(schools) - done)


def both_done(db: Path, year: int = 2023) -> int:
    with connection.opened(db, read_only=True) as con:
        return indicators.compute(con, periods.Params(year=year))["duty_reports"]["both_done"]


def batches(db: Path) -> list[dict]:  # type: ignore[type-arg]
    with connection.opened(db, read_only=True) as con:
        return ledger.list_batches(con)


def page(path: str, db: Path, user: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("OVERSIGHT_DB", str(db))
    at = AppTest.from_file(path, default_timeout=120)
    at.session_state["user"] = dict(user)
    return at.run()


def texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("success", "error", "info", "warning", "markdown", "caption")
        for e in at.get(kind)
    ]
    return "\n".join(str(p) for p in parts)


def table_with(at: AppTest, column: str):  # type: ignore[no-untyped-def]
    """The first table on the page with this column (AppTest keeps no key on plain st.dataframe)."""
    for element in at.dataframe:
        value = element.value
        if column in value.columns:
            return value
    raise AssertionError(f"页面上没有含“{column}”列的表格")


def has_button(at: AppTest, key: str) -> bool:
    return any(b.key == key for b in at.button)


# ---------------------------------------------------------------- analyst: validate and commit


def test_analyst_uploads_gbk_csv_sees_table_commits_and_db_changes(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, expected_changes = duty_csv_all_done(demo_db)
    before = both_done(demo_db)
    at = page(UPLOAD_PAGE, demo_db, ANALYST, monkeypatch)
    assert not at.exception
    assert "50 MB" in at.file_uploader(key="upload_files").help
    assert at.button(key="commit").disabled  # nothing validated yet

    at.file_uploader(key="upload_files").set_value([("双向述职.csv", raw, "text/csv")]).run()
    at.button(key="validate").click().run()
    assert not at.exception
    parts = table_with(at, "识别为")
    assert list(parts["识别为"]) == ["双向述职"]
    assert list(parts["行数"]) == [54]
    assert "校验通过" in texts(at)
    assert not at.button(key="commit").disabled
    assert both_done(demo_db) == before  # validation writes nothing

    at.button(key="commit").click().run()
    assert not at.exception
    assert "已导入，批次编号 2" in texts(at)
    changes = table_with(at, "新增")
    row = changes[changes["表"] == "双向述职"].iloc[0]
    assert int(row["新增"]) + int(row["修改"]) == expected_changes
    assert int(row["新增"]) + int(row["修改"]) + int(row["未变"]) == 54
    assert both_done(demo_db) == 54 > before
    latest = batches(demo_db)[0]
    assert latest["user"] == "分析员甲" and latest["files"][0]["name"] == "双向述职.csv"
    history = table_with(at, "导入人")
    assert list(history["批次"])[:2] == [2, 1] and list(history["状态"])[:1] == ["有效"]


def test_same_file_again_is_reported_not_loaded_twice(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw, _ = duty_csv_all_done(demo_db)
    with connection.opened(demo_db) as con:
        assert pipeline.load_files(con, [("双向述职.csv", raw)], user="分析员甲").batch_id == 2
    at = page(UPLOAD_PAGE, demo_db, ANALYST, monkeypatch)
    at.file_uploader(key="upload_files").set_value([("双向述职_再次.csv", raw, "text/csv")]).run()
    at.button(key="validate").click().run()
    shown = texts(at)
    assert "与批次 2 中已导入的文件完全相同，未重复导入" in shown
    assert "都已导入过" in shown
    assert at.button(key="commit").disabled
    assert len(batches(demo_db)) == 2


def test_invalid_file_shows_chinese_report_and_writes_nothing(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = page(UPLOAD_PAGE, demo_db, ANALYST, monkeypatch)
    at.file_uploader(key="upload_files").set_value([("学校.csv", BAD_SCHOOLS_CSV, "text/csv")]).run()
    at.button(key="validate").click().run()
    assert not at.exception
    assert "校验未通过" in texts(at)
    report = table_with(at, "问题类型")
    assert list(report.columns) == ["文件", "工作表", "行号", "列", "值", "问题类型", "级别", "说明"]
    bad = report[report["问题类型"] == "取值不在范围"].iloc[0]
    assert (bad["文件"], int(bad["行号"]), bad["列"], bad["值"]) == ("学校.csv", 2, "学段", "大学")
    assert any(b.proto.label.startswith("下载校验报告") for b in at.get("download_button"))
    assert at.button(key="commit").disabled
    assert len(batches(demo_db)) == 1


def test_mode_and_table_choices_come_from_the_schema(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = page(UPLOAD_PAGE, demo_db, ANALYST, monkeypatch)
    assert [o for o in at.radio(key="upload_mode").options] == ["增量更新（按主键覆盖）", "整表替换"]
    assert "按表头自动识别" in at.selectbox(key="upload_table").options
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载全部模板（Excel 工作簿）" in labels and "学校（CSV）" in labels


# ---------------------------------------------------------------- roles


@pytest.mark.parametrize(
    ("path", "refusal"), [(UPLOAD_PAGE, "无权上传数据"), (ACCOUNTS_PAGE, "无权管理账号")]
)
def test_leader_is_refused_upload_and_accounts_pages(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch, path: str, refusal: str
) -> None:
    at = page(path, demo_db, LEADER, monkeypatch)
    assert not at.exception
    assert any(refusal in e.value for e in at.error)
    assert len(at.file_uploader) == 0
    assert not has_button(at, "rollback") and not has_button(at, "rollback_confirm")
    assert not has_button(at, "delete_user")
    assert len(at.dataframe) == 0


def test_not_logged_in_sees_the_login_form_only(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERSIGHT_DB", str(demo_db))
    at = AppTest.from_file(UPLOAD_PAGE, default_timeout=60).run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert len(at.file_uploader) == 0 and len(at.dataframe) == 0


def test_analyst_sees_no_rollback_and_a_forged_request_is_refused(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, _ = duty_csv_all_done(demo_db)
    with connection.opened(demo_db) as con:
        pipeline.load_files(con, [("双向述职.csv", raw)], user="分析员甲")
    at = page(UPLOAD_PAGE, demo_db, ANALYST, monkeypatch)
    assert not has_button(at, "rollback") and not has_button(at, "rollback_confirm")
    assert "撤销批次（仅管理员）" not in [s.value for s in at.subheader]

    # a session that claims a pending rollback (stale page, tampered state) still hits the server check
    at.session_state["_rollback_pending"] = 2
    at.run()
    assert any("无权撤销批次" in e.value for e in at.error)
    assert not batches(demo_db)[0]["rolled_back"]
    assert both_done(demo_db) == 54


# ---------------------------------------------------------------- administrator: rollback with confirmation


def test_admin_rollback_needs_confirmation_and_restores_data(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = both_done(demo_db)
    raw, _ = duty_csv_all_done(demo_db)
    with connection.opened(demo_db) as con:
        pipeline.load_files(con, [("双向述职.csv", raw)], user="分析员甲")
    assert both_done(demo_db) == 54

    at = page(UPLOAD_PAGE, demo_db, ADMIN, monkeypatch)
    assert at.selectbox(key="rollback_batch").value == 2
    at.button(key="rollback").click().run()
    assert any("确认撤销批次 2" in w.value for w in at.warning)
    assert both_done(demo_db) == 54  # nothing happens before the confirmation

    at.button(key="rollback_cancel").click().run()
    assert not has_button(at, "rollback_confirm")
    assert not batches(demo_db)[0]["rolled_back"]

    at.button(key="rollback").click().run()
    at.button(key="rollback_confirm").click().run()
    assert not at.exception
    assert "已撤销批次 2" in texts(at)
    assert batches(demo_db)[0]["rolled_back"]
    assert both_done(demo_db) == before
    history = table_with(at, "导入人")
    assert list(history["状态"])[:1] == ["已撤销"]


def test_removed_admin_cannot_roll_back_from_a_page_still_open(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, _ = duty_csv_all_done(demo_db)
    with connection.opened(demo_db) as con:
        pipeline.load_files(con, [("双向述职.csv", raw)], user="分析员甲")
        users.add_user(con, "管理员乙", "admin-pass-2", roles.ROLE_ADMIN)
    at = page(UPLOAD_PAGE, demo_db, {"username": "管理员乙", "role": roles.ROLE_ADMIN}, monkeypatch)
    at.button(key="rollback").click().run()
    with connection.opened(demo_db) as con:
        users.remove_user(con, "管理员乙")
    at.button(key="rollback_confirm").click().run()
    # the account is checked against the database on every run: the removed admin is back at the login
    assert [b.label for b in at.button if b.label == "登录"] == ["登录"]
    assert not [b for b in at.button if b.key == "rollback_confirm"]
    assert not batches(demo_db)[0]["rolled_back"]
    assert both_done(demo_db) == 54


# ---------------------------------------------------------------- 账号管理


def test_admin_adds_resets_and_deletes_an_account(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = page(ACCOUNTS_PAGE, demo_db, ADMIN, monkeypatch)
    assert not at.exception
    shown = at.dataframe[0].value
    assert {"管理员甲", "分析员甲", "领导甲"} <= set(shown["用户名"])

    at.text_input(key="add_username").input("新分析员")
    at.selectbox(key="add_role").select(roles.ROLE_ANALYST)
    at.text_input(key="add_password").input("new-analyst-1")
    at.text_input(key="add_password2").input("new-analyst-1")
    at.button(key="FormSubmitter:add_user-添加").click().run()
    assert not at.exception
    assert "已添加账号 新分析员（分析员）" in texts(at)
    with connection.opened(demo_db) as con:
        assert users.login(con, "新分析员", "new-analyst-1", sleep=False).role == roles.ROLE_ANALYST

    at.selectbox(key="reset_username").select("新分析员")
    at.text_input(key="reset_password").input("reset-pass-22")
    at.text_input(key="reset_password2").input("reset-pass-22")
    at.button(key="FormSubmitter:reset_password-重置密码").click().run()
    assert "已重置 新分析员 的密码" in texts(at)
    with connection.opened(demo_db) as con:
        assert users.login(con, "新分析员", "reset-pass-22", sleep=False)

    at.selectbox(key="delete_username").select("新分析员").run()
    assert at.button(key="delete_user").disabled  # needs the confirmation box
    at.checkbox(key="delete_confirm").check().run()
    at.button(key="delete_user").click().run()
    assert "已删除账号 新分析员" in texts(at)
    with connection.opened(demo_db) as con:
        assert "新分析员" not in [u["用户名"] for u in users.list_users(con)]


def test_admin_cannot_delete_self_and_mismatched_passwords_are_refused(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = page(ACCOUNTS_PAGE, demo_db, ADMIN, monkeypatch)
    assert "管理员甲" not in at.selectbox(key="delete_username").options
    at.text_input(key="add_username").input("x")
    at.text_input(key="add_password").input("password-one")
    at.text_input(key="add_password2").input("password-two")
    at.button(key="FormSubmitter:add_user-添加").click().run()
    assert any("两次输入的密码不一致" in e.value for e in at.error)
    at.text_input(key="add_username").input("y")
    at.text_input(key="add_password").input("short")
    at.text_input(key="add_password2").input("short")
    at.button(key="FormSubmitter:add_user-添加").click().run()
    assert any("至少" in e.value for e in at.error)
    with connection.opened(demo_db) as con:
        assert not {"x", "y"} & {u["用户名"] for u in users.list_users(con)}


def test_analyst_is_refused_the_accounts_page(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = page(ACCOUNTS_PAGE, demo_db, ANALYST, monkeypatch)
    assert any("无权管理账号" in e.value for e in at.error)
    assert len(at.text_input) == 0 and len(at.dataframe) == 0


def test_a_header_only_file_cannot_be_imported(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An untouched template validates as nothing: the page says so and keeps 导入 disabled."""
    from oversight.contract import schema

    header = ",".join(c.zh for c in schema.table("duty_reports").columns)
    at = page(UPLOAD_PAGE, demo_db, ANALYST, monkeypatch)
    at.file_uploader(key="upload_files").set_value(
        [("双向述职.csv", (header + "\n").encode("utf-8-sig"), "text/csv")]
    ).run()
    at.button(key="validate").click().run()
    assert any("没有任何数据行" in e.value for e in at.error)
    assert at.button(key="commit").disabled
    assert len(batches(demo_db)) == 1


def test_a_load_from_the_page_opens_the_rectification_items_of_its_watch_list(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `oversight load` does: the 重点关注 entries of the data as loaded now become 整改 items at once,
    not only when somebody next opens 整改台账."""
    from oversight.metrics import rectification, watch

    with connection.opened(demo_db) as con:
        con.execute("delete from rectification_events")
        con.execute("delete from rectifications")
    raw, _ = duty_csv_all_done(demo_db)
    at = page(UPLOAD_PAGE, demo_db, ANALYST, monkeypatch)
    at.file_uploader(key="upload_files").set_value([("双向述职.csv", raw, "text/csv")]).run()
    at.button(key="validate").click().run()
    at.button(key="commit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with connection.opened(demo_db, read_only=True) as con:
        p = periods.resolve(con, periods.Params())
        watched = watch.watch_list(con, p)
        items = rectification.ledger(con)
    assert watched.height > 0 and items.height == watched.height
    assert f"新立整改事项 {items.height} 项" in "\n".join(str(m.value) for m in at.markdown)
