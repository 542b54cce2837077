"""The audit log (issue 17): one entry per action with user, time and object; append-only; the
administrator's 审计日志 page filters and exports it, and every other role is refused."""

from __future__ import annotations

import io
import re
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from oversight import cli
from oversight.app import audit_log
from oversight.contract import roles
from oversight.contract.errors import AccessDenied
from oversight.engine import audit, connection, ledger, users
from oversight.ingest import pipeline

ROOT = Path(__file__).resolve().parent.parent
OWN = "2141010148"  # 城关第一小学 of the sample district
AUDIT_PAGE = ROOT / "pages" / "13_审计日志.py"


@pytest.fixture
def db(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OVERSIGHT_DB", str(demo_db))
    with connection.opened(demo_db) as con:
        con.execute("delete from audit_log")  # the fixture's own account creations, so counts start at 0
    return demo_db


def _entries(db: Path, **filters: object) -> list[dict]:
    with connection.opened(db, read_only=True) as con:
        return audit.entries(con, **filters).to_dicts()  # type: ignore[arg-type]


def _one(db: Path, action: str) -> dict:
    found = [e for e in _entries(db) if e["action"] == action]
    assert len(found) == 1, (action, found)
    entry = found[0]
    assert isinstance(entry["logged_at"], datetime)
    assert abs(entry["logged_at"] - datetime.now()) < timedelta(minutes=5)
    return entry


def test_logins_ok_and_failed_are_entries(db: Path) -> None:
    with connection.opened(db) as con:
        users.login(con, "领导甲", "leader-pass-1", sleep=False)
        with pytest.raises(AccessDenied):
            users.login(con, "领导甲", "wrong-password", sleep=False)
        with pytest.raises(AccessDenied):
            users.login(con, "没有这个人", "whatever-1", sleep=False)
    ok = _one(db, audit.LOGIN)
    assert (ok["username"], ok["role"], ok["object"]) == ("领导甲", roles.ROLE_LEADER, "领导甲")
    failed = [e for e in _entries(db) if e["action"] == audit.LOGIN_FAILED]
    assert [(e["username"], e["role"]) for e in failed] == [("没有这个人", None), ("领导甲", None)]
    assert "还可尝试 4 次" in failed[1]["detail"]


def test_account_changes_are_entries_naming_who_did_them(db: Path) -> None:
    admin = roles.User("管理员甲", roles.ROLE_ADMIN)
    with connection.opened(db) as con:
        users.add_user(con, "城关一小", "school-pass-1", roles.ROLE_SCHOOL, school_code=OWN, by=admin)
        users.set_password(con, "城关一小", "school-pass-2", by=admin)
        users.set_role(con, "领导甲", roles.ROLE_ANALYST, by=admin)
        users.remove_user(con, "城关一小", by=admin)
    added = _one(db, audit.ACCOUNT_ADDED)
    assert (added["username"], added["role"], added["object"]) == ("管理员甲", roles.ROLE_ADMIN, "城关一小")
    assert added["detail"] == f"角色：学校，绑定学校 {OWN}"
    assert _one(db, audit.PASSWORD_RESET)["object"] == "城关一小"
    assert _one(db, audit.ROLE_CHANGED)["detail"] == "领导 → 分析员"
    assert _one(db, audit.ACCOUNT_REMOVED)["object"] == "城关一小"


def test_uploads_refused_uploads_and_rollbacks_are_entries_and_a_rollback_keeps_the_log(db: Path) -> None:
    good = f"学校标识码,年度,向上级党组织述职,向党员和教职工报告\n{OWN},2024,是,是\n".encode()
    bad = b"\xe5\xad\xa6\xe6\xa0\xa1\xe6\xa0\x87\xe8\xaf\x86\xe7\xa0\x81,\xe5\xb9\xb4\xe5\xba\xa6\nNOPE,abc\n"
    analyst = roles.User("分析员甲", roles.ROLE_ANALYST)
    with connection.opened(db) as con:
        loaded = pipeline.load_files(con, [("双向述职.csv", good)], user=analyst.username, by=analyst)
        pipeline.load_files(con, [("坏文件.csv", bad)], user=analyst.username, by=analyst)
        before = len(audit.entries(con))
        ledger.rollback(con, loaded.batch_id, user="管理员甲")  # type: ignore[arg-type]
        after = audit.entries(con)
    upload = _one(db, audit.UPLOAD)
    assert (upload["username"], upload["object"]) == ("分析员甲", f"第 {loaded.batch_id} 批")
    assert upload["detail"] == "双向述职.csv：1 行，增量更新（按主键覆盖）"
    assert _one(db, audit.UPLOAD_REFUSED)["object"] == "坏文件.csv"
    rollback = _one(db, audit.ROLLBACK)
    assert (rollback["username"], rollback["object"], rollback["detail"]) == (
        "管理员甲",
        f"第 {loaded.batch_id} 批",
        "双向述职",
    )
    assert len(after) == before + 1  # nothing of the log went with the batch


def test_command_line_actions_are_entries(db: Path, capsys: pytest.CaptureFixture) -> None:
    code = cli.main(
        [
            "users",
            "add",
            "学校乙",
            "--role",
            "school",
            "--school",
            OWN,
            "--password",
            "school-pass-9",
            "--db",
            str(db),
        ]
    )
    assert code == 0 and "已添加用户 学校乙（学校）" in capsys.readouterr().out
    entry = _one(db, audit.ACCOUNT_ADDED)
    assert (entry["username"], entry["object"]) == (audit.COMMAND_LINE, "学校乙")
    with connection.opened(db, read_only=True) as con:
        assert users.account(con, "学校乙") == roles.User("学校乙", roles.ROLE_SCHOOL, (OWN,))
    code = cli.main(["users", "role", "学校乙", "--role", "学校", "--group", "青山镇学区", "--db", str(db)])
    assert code == 0 and "已把用户 学校乙 的角色改为学校" in capsys.readouterr().out
    assert _one(db, audit.ROLE_CHANGED)["detail"] == "学校 → 学校，绑定教育集团 青山镇学区"


def test_a_download_writes_one_entry_each_time_it_is_built(db: Path) -> None:
    who = roles.User("领导甲", roles.ROLE_LEADER)
    build = audit_log.audited(lambda: b"xlsx bytes", "交流轮岗：各校.xlsx", db=str(db), who=who)
    assert build() == b"xlsx bytes"
    entry = _one(db, audit.DOWNLOAD)
    assert (entry["username"], entry["role"], entry["object"]) == (
        "领导甲",
        roles.ROLE_LEADER,
        "交流轮岗：各校.xlsx",
    )
    build()
    assert len([e for e in _entries(db) if e["action"] == audit.DOWNLOAD]) == 2


def test_opening_a_school_profile_is_one_entry_per_session(db: Path) -> None:
    with connection.opened(db) as con:
        users.add_user(con, "城关一小", "school-pass-1", roles.ROLE_SCHOOL, school_code=OWN)
    at = AppTest.from_file(str(ROOT / "pages" / "5_学校画像.py"), default_timeout=120)
    at.session_state["user"] = {"username": "城关一小", "role": roles.ROLE_SCHOOL}
    at.run()
    at.run()  # a rerun of the same page: no second entry
    assert not at.exception
    entry = _one(db, audit.PROFILE_OPENED)
    assert (entry["username"], entry["role"], entry["school_scope"]) == ("城关一小", roles.ROLE_SCHOOL, OWN)
    assert entry["object"] == f"城关第一小学（{OWN}）"


@pytest.mark.parametrize("role", [roles.ROLE_LEADER, roles.ROLE_ANALYST, roles.ROLE_SCHOOL])
def test_the_audit_page_refuses_every_role_but_administrators(db: Path, role: str) -> None:
    with connection.opened(db) as con:
        users.add_user(con, "城关一小", "school-pass-1", roles.ROLE_SCHOOL, school_code=OWN)
    name = {roles.ROLE_LEADER: "领导甲", roles.ROLE_ANALYST: "分析员甲", roles.ROLE_SCHOOL: "城关一小"}[role]
    at = AppTest.from_file(str(AUDIT_PAGE), default_timeout=120)
    at.session_state["user"] = {"username": name, "role": role}
    at.run()
    assert any("无权" in e.value for e in at.error)
    assert not at.dataframe


def test_the_audit_page_filters_and_exports(db: Path) -> None:
    with connection.opened(db) as con:
        users.login(con, "领导甲", "leader-pass-1", sleep=False)
        with pytest.raises(AccessDenied):
            users.login(con, "分析员甲", "wrong-password", sleep=False)
    at = AppTest.from_file(str(AUDIT_PAGE), default_timeout=120)
    at.session_state["user"] = {"username": "管理员甲", "role": roles.ROLE_ADMIN}
    at.run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert list(shown.columns) == list(audit.COLUMNS_ZH.values())
    assert sorted(shown["操作"]) == sorted([audit.LOGIN, audit.LOGIN_FAILED])
    at.selectbox(key="audit_action").set_value(audit.LOGIN_FAILED).run()
    assert list(at.dataframe[0].value["账号"]) == ["分析员甲"]
    # the export: the filtered rows, built the way the button builds them
    with connection.opened(db, read_only=True) as con:
        entries = audit.entries(con, action=audit.LOGIN_FAILED, since=date.today(), until=date.today())
    from oversight.present import xlsx

    sheet = load_workbook(io.BytesIO(xlsx.frame_to_xlsx(audit_log.readable(entries), "审计日志"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(audit.COLUMNS_ZH.values()) and rows[1][2] == "分析员甲" and len(rows) == 2


def test_nothing_in_the_program_edits_or_deletes_the_log() -> None:
    """Append-only by construction: only engine/audit.py writes the table, and only with insert."""
    pattern = re.compile(
        r"(update|delete\s+from|drop\s+table|truncate|alter\s+table)\s+(if\s+exists\s+)?audit_log", re.I
    )
    hits = []
    for path in [*(ROOT / "oversight").rglob("*.py"), *(ROOT / "queries").rglob("*.sql"), ROOT / "app.py"]:
        text = path.read_text(encoding="utf-8")
        hits += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
        if "insert into audit_log" in text:
            assert path.name == "audit.py", path
    assert not hits


def test_a_record_survives_a_restart_and_keeps_its_order(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    with connection.opened(path) as con:
        for n in range(3):
            audit.record(con, None, audit.DOWNLOAD, f"文件{n}")
    shutil.copyfile(path, tmp_path / "b.duckdb")
    with connection.opened(tmp_path / "b.duckdb", read_only=True) as con:
        assert [e["object"] for e in audit.entries(con).to_dicts()] == ["文件2", "文件1", "文件0"]


def test_a_logout_is_an_entry(db: Path) -> None:
    from oversight.engine import logins

    with connection.opened(db) as con:
        token = logins.start_session(con, "领导甲")
        logins.end_session(con, token)
        logins.end_session(con, token)  # already ended: nothing more to record
    entry = _one(db, audit.LOGOUT)
    assert (entry["username"], entry["role"], entry["object"]) == ("领导甲", roles.ROLE_LEADER, "领导甲")


def test_the_accounts_page_binds_a_school_account_and_changes_roles(db: Path) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "8_账号管理.py"), default_timeout=120)
    at.session_state["user"] = {"username": "管理员甲", "role": roles.ROLE_ADMIN}
    at.run()
    at.text_input(key="add_username").input("城关一小")
    at.selectbox(key="add_role").set_value(roles.ROLE_SCHOOL)
    at.selectbox(key="add_school").set_value(OWN)
    at.text_input(key="add_password").input("school-pass-1")
    at.text_input(key="add_password2").input("school-pass-1")
    next(b for b in at.button if b.label == "添加").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with connection.opened(db, read_only=True) as con:
        assert users.account(con, "城关一小") == roles.User("城关一小", roles.ROLE_SCHOOL, (OWN,))
    listed = at.dataframe[0].value
    assert listed.loc[listed["用户名"] == "城关一小", "绑定学校"].item() == f"城关第一小学（{OWN}）"
    at.selectbox(key="role_username").set_value("领导甲")
    at.selectbox(key="role_role").set_value(roles.ROLE_ANALYST)
    next(b for b in at.button if b.label == "更改").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    added, changed = _one(db, audit.ACCOUNT_ADDED), _one(db, audit.ROLE_CHANGED)
    assert (added["username"], added["object"]) == ("管理员甲", "城关一小")
    assert (changed["username"], changed["object"], changed["detail"]) == (
        "管理员甲",
        "领导甲",
        "领导 → 分析员",
    )


def test_the_word_report_is_one_download_entry(db: Path) -> None:
    """总览's 生成情况总结 builds the document only to hand it over: one 下载 entry naming the file."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["user"] = {"username": "领导甲", "role": roles.ROLE_LEADER}
    at.run()
    at.button(key="report_docx").click().run()
    assert not at.exception, [e.value for e in at.exception]
    entry = _one(db, audit.DOWNLOAD)
    assert (entry["username"], entry["object"]) == (
        "领导甲",
        "全区2023年党组织领导的校长负责制落实情况总结.docx",
    )


def test_a_refused_page_is_one_entry_per_session(db: Path) -> None:
    with connection.opened(db) as con:
        users.add_user(con, "城关一小", "school-pass-1", roles.ROLE_SCHOOL, school_code=OWN)
    at = AppTest.from_file(str(ROOT / "pages" / "1_组织建设.py"), default_timeout=120)
    at.session_state["user"] = {"username": "城关一小", "role": roles.ROLE_SCHOOL}
    at.run()
    at.run()
    entry = _one(db, audit.PAGE_REFUSED)
    assert (entry["username"], entry["school_scope"], entry["object"]) == ("城关一小", OWN, "组织建设")
