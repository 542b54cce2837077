"""学校 accounts (issue 17): deny by default, scoped where the data is read, own rows only on upload.

Against the sample district with one 学校 account bound to 城关第一小学: every page and every download it
can reach shows no other school's code or name, also when the URL names another school, town or stage;
every other page refuses it; the query layer refuses any file that does not read the scope; its upload
refuses another school's rows naming them and writes nothing.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from oversight.app import audit_log, downloads
from oversight.contract import roles
from oversight.contract.errors import AccessDenied, OversightError
from oversight.engine import connection, ledger, queries, users
from oversight.ingest import pipeline
from oversight.metrics import indicators, periods

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py")])
OWN = "2141010148"  # 城关第一小学 of the sample district
OTHER = "2141012695"  # 城关第二小学, same town
SCHOOL_USER = "城关一小"
GROUP_USER = "青山学区"


def page_title(page: Path) -> str:
    m = re.search(r'page_setup\(\s*"([^"]+)"', page.read_text(encoding="utf-8"))
    assert m, page.name
    return m.group(1)


@pytest.fixture(scope="module")
def school_db_template(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("school") / "school.duckdb"
    shutil.copyfile(demo_db_template, path)
    with connection.opened(path) as con:
        users.add_user(con, SCHOOL_USER, "school-pass-1", roles.ROLE_SCHOOL, school_code=OWN)
        users.add_user(con, GROUP_USER, "school-pass-2", roles.ROLE_SCHOOL, education_group="青山镇学区")
    return path


@pytest.fixture
def db(school_db_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "school.duckdb"
    shutil.copyfile(school_db_template, path)
    monkeypatch.setenv("OVERSIGHT_DB", str(path))
    return path


def _schools(db: Path) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("select school_code, school_name from schools").fetchall())
    finally:
        con.close()


def _foreign(db: Path, own: set[str]) -> list[str]:
    """Every other school's code and name (names that are part of an own school's name left out)."""
    schools = _schools(db)
    own_names = [schools[c] for c in own]
    out = [c for c in schools if c not in own]
    out += [n for c, n in schools.items() if c not in own and not any(n in m for m in own_names)]
    return out


def _xlsx_text(raw: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return " ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


class Captured:
    """Everything a page run handed to a download: workbooks built for real, figures as JSON."""

    def __init__(self) -> None:
        self.files: list[tuple[str, str]] = []


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Captured:
    seen = Captured()

    def eager(build, what):  # type: ignore[no-untyped-def]
        raw = build()
        seen.files.append((what, _xlsx_text(raw) if raw[:2] == b"PK" else raw.decode("utf-8", "ignore")))
        return lambda: raw

    def png(fig, file_name, *, key, label="下载图片 PNG"):  # type: ignore[no-untyped-def]
        seen.files.append((file_name, fig.to_json()))

    monkeypatch.setattr(audit_log, "session_audited", eager)
    monkeypatch.setattr(downloads, "png_download_button", png)
    return seen


def run_as(page: Path, username: str, role: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(page), default_timeout=120)
    at.session_state["user"] = {"username": username, "role": role}
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_output(at: AppTest) -> str:
    """Every text, table cell, choice and chart of a page run."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "success",
        "warning",
        "error",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [str(m.label) + str(m.value) for m in at.metric]
    parts += [df.value.to_csv() if hasattr(df.value, "to_csv") else str(df.value) for df in at.dataframe]
    parts += [str(s.options) + str(s.value) for s in at.selectbox]
    parts += [e.proto.spec for e in at.get("plotly_chart")]
    parts += [str(b.label) for b in at.button]
    return "\n".join(parts)


# ---------------------------------------------------------------- the role


def test_a_school_account_carries_its_scope_from_the_account(db: Path) -> None:
    with connection.opened(db) as con:
        school = users.account(con, SCHOOL_USER)
        group = users.account(con, GROUP_USER)
        leader = users.account(con, "领导甲")
        with pytest.raises(OversightError, match="二者选一"):
            users.add_user(con, "无绑定", "school-pass-3", roles.ROLE_SCHOOL)
        with pytest.raises(OversightError, match="不存在"):
            users.add_user(con, "错码", "school-pass-3", roles.ROLE_SCHOOL, school_code="NOPE")
        with pytest.raises(OversightError, match="只有学校账号"):
            users.add_user(con, "领导乙", "leader-pass-2", roles.ROLE_LEADER, school_code=OWN)
        qs = con.execute("select school_code from schools where education_group = '青山镇学区' order by 1")
        group_codes = tuple(r[0] for r in qs.fetchall())
    assert school == roles.User(SCHOOL_USER, roles.ROLE_SCHOOL, (OWN,))
    assert group is not None and group.scope == group_codes and len(group_codes) == 4
    assert leader is not None and leader.scope is None and not leader.is_school
    # a 学校 User built without a scope (a stale session) sees nothing, never everything
    assert roles.User("x", roles.ROLE_SCHOOL).scope == ()
    assert roles.role_named("school") == roles.ROLE_SCHOOL


def test_rights_of_the_school_role() -> None:
    school = roles.User("s", roles.ROLE_SCHOOL, (OWN,))
    assert [r for r in ("view", "upload", "rollback", "accounts", "audit") if school.can(r)] == [
        "view",
        "upload",
    ]
    assert {
        t for t in ("总览", "学校画像", "数据上传", "组织建设", "趋势", "账号管理") if school.may_open(t)
    } == {
        "总览",
        "学校画像",
        "数据上传",
    }
    assert roles.User("l", roles.ROLE_LEADER).may_open("组织建设")


def test_a_school_page_run_reads_its_scope_from_the_published_copy() -> None:
    """A 学校 account's role and scope are read on every page run; engine.publish answers those texts
    from the read-only copy, so a school's page run opens no file either."""
    from oversight.engine import connection as engine_connection

    for sql in (users.BINDING_SQL, users.GROUP_SCHOOLS_SQL):
        assert sql in engine_connection._snapshot_statements()


# ---------------------------------------------------------------- the query layer


def test_every_filtered_query_file_reads_the_scope() -> None:
    """A file that takes the filters passes $scope to the rules too, else a 学校 account's reading of it
    would be refused (check_scope) rather than scoped."""
    for name in queries.query_names():
        used = queries.query_parameters(name)
        if "town" in used:
            assert "scope" in used, name
            code = re.sub(r"--[^\n]*", "", queries.sql_text(name))
            for call in re.findall(r"(?:filtered_\w+|branches|honored_pairs)\(([^)]*)\)", code):
                assert "$scope" in call, (name, call)


def test_the_query_layer_refuses_what_the_scope_does_not_cover(db: Path) -> None:
    with connection.opened(db, read_only=True) as con:
        scoped = periods.resolve(con, periods.Params(scope=(OWN,)))
        listed = queries.run_query(con, "schools_list", periods.query_params(scoped))
        assert listed["school_code"].to_list() == [OWN]
        with pytest.raises(AccessDenied, match="本校"):
            queries.run_query(con, "school_profile_info", periods.query_params(scoped, school_code=OTHER))
        assert (
            queries.run_query(
                con, "school_profile_info", periods.query_params(scoped, school_code=OWN)
            ).height
            == 1
        )
        with pytest.raises(AccessDenied, match="全区"):
            queries.run_query(con, "history_years", periods.query_params(scoped))
        # the school's own readings: one school, 联合 orgs and district-level activities left out
        result, matrix = indicators.overview(con, scoped)
        district, _ = indicators.overview(con, periods.resolve(con, periods.Params()))
    assert result["schools"]["total"] == 1 and matrix["school_code"].to_list() == [OWN]
    assert district["schools"]["total"] == 54
    assert result["activities"]["total"] < district["activities"]["total"]


# ---------------------------------------------------------------- every page, every download


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_page_as_a_school_shows_only_its_school(page: Path, db: Path, captured: Captured) -> None:
    """With another school's code, its town and a stage in the URL: a page open to schools shows and
    offers for download nothing of another school; every other page refuses in Chinese and shows
    nothing."""
    at = run_as(page, SCHOOL_USER, roles.ROLE_SCHOOL, school=OTHER, town="城关街道", stage="初中")
    title = page_title(page)
    out = page_output(at)
    if title in roles.SCHOOL_PAGES:
        assert not [e.value for e in at.error if "无权" in e.value or "学校账号" in e.value]
        foreign = _foreign(db, {OWN})
        leaks = [f for f in foreign if f in out]
        assert not leaks, (title, leaks[:5])
        for what, text in captured.files:
            leaks = [f for f in foreign if f in text]
            assert not leaks, (title, what, leaks[:5])
    else:
        assert [e.value for e in at.error if "无权" in e.value or "学校账号" in e.value], title
        assert not at.dataframe and not at.get("plotly_chart") and not at.get("file_uploader")
        assert not captured.files
        assert not at.button or {b.key for b in at.button} <= {"logout"}


def test_the_school_home_and_profile_show_its_own_school(db: Path, captured: Captured) -> None:
    home = run_as(ROOT / "app.py", SCHOOL_USER, roles.ROLE_SCHOOL, school=OTHER)
    assert "城关第一小学：各项指标与全区对比" in [s.value for s in home.subheader]
    assert not any(b.key == "report_docx" for b in home.button)  # no Word report of the district
    # the period only: its schools are the account's, so no 乡镇街道 / 学段 / 城乡类型 to choose
    assert not {"乡镇街道", "学段", "城乡类型"} & {s.label for s in home.selectbox}
    profile = run_as(ROOT / "pages" / "5_学校画像.py", SCHOOL_USER, roles.ROLE_SCHOOL, school=OTHER)
    assert [s.value for s in profile.selectbox if s.key == "profile_school"] == [OWN]
    assert "城关第一小学" in [s.value for s in profile.subheader]
    # the comparison's district figure is the whole district's (54 schools), not the school's own
    versus = next(json.loads(e.proto.spec) for e in profile.get("plotly_chart"))
    district_marks = next(t for t in versus["data"] if t["name"] == "全区")
    with connection.opened(db, read_only=True) as con:
        district = indicators.compute(con, periods.resolve(con, periods.Params()))
    at = district_marks["y"].index("交流轮岗比例")
    assert district_marks["x"][at] == pytest.approx(district["rotation"]["ratio"])
    names = [w for w, _ in captured.files]
    assert "城关第一小学：指标对比.xlsx" in names


def test_a_group_account_sees_its_group_schools_only(db: Path, captured: Captured) -> None:
    with connection.opened(db, read_only=True) as con:
        group = users.account(con, GROUP_USER)
    assert group is not None and group.scope
    at = run_as(ROOT / "pages" / "5_学校画像.py", GROUP_USER, roles.ROLE_SCHOOL, school=OWN)
    assert sorted(next(s.options for s in at.selectbox if s.key == "profile_school")) == sorted(
        f"{_schools(db)[c]}（{c}）" for c in group.scope
    )
    leaks = [f for f in _foreign(db, set(group.scope)) if f in page_output(at)]
    assert not leaks


def test_a_district_leader_still_sees_the_district(db: Path) -> None:
    at = run_as(ROOT / "pages" / "5_学校画像.py", "领导甲", roles.ROLE_LEADER, school=OTHER)
    assert "城关第二小学" in [s.value for s in at.subheader]
    assert len(next(s.options for s in at.selectbox if s.key == "profile_school")) == 54


# ---------------------------------------------------------------- uploads


def _duty_csv(*codes: str) -> bytes:
    rows = "".join(f"{c},{2020 + i},是,是\n" for i, c in enumerate(codes))
    return ("学校标识码,年度,向上级党组织述职,向党员和教职工报告\n" + rows).encode("utf-8")


def test_a_school_upload_refuses_another_schools_rows_and_writes_nothing(db: Path) -> None:
    with connection.opened(db) as con:
        before = len(ledger.list_batches(con))
        result = pipeline.load_files(
            con, [("双向述职.csv", _duty_csv(OWN, OTHER, OTHER))], user=SCHOOL_USER, scope=(OWN,)
        )
        after = len(ledger.list_batches(con))
        assert not result.ok and result.batch_id is None and after == before
        errors = result.validation.report.filter(pl.col("级别") == "错误")  # type: ignore[union-attr]
        assert errors.select("文件", "行号", "列", "值").rows() == [
            ("双向述职.csv", 3, "学校标识码", OTHER),
            ("双向述职.csv", 4, "学校标识码", OTHER),
        ]
        assert "本校（2141010148）" in errors["说明"][0]
        # its own rows load, through the same validation
        ok = pipeline.load_files(con, [("双向述职.csv", _duty_csv(OWN))], user=SCHOOL_USER, scope=(OWN,))
        assert ok.ok and ok.batch_id is not None
        with pytest.raises(AccessDenied, match="整表替换"):
            pipeline.validate_only(con, [("双向述职.csv", _duty_csv(OWN))], mode="replace", scope=(OWN,))


def test_a_school_upload_refuses_rows_of_another_schools_party_org(db: Path) -> None:
    with connection.opened(db) as con:
        org = con.execute("select org_code from party_orgs where school_code = ?", [OTHER]).fetchall()[0][0]
        own_org = con.execute("select org_code from party_orgs where school_code = ?", [OWN]).fetchall()[0][0]
        raw = f"会议编号,党组织编码,类型,日期\nM-X1,{own_org},党课,2024-03-01\nM-X2,{org},党课,2024-03-01\n"
        result = pipeline.validate_only(con, [("组织生活.csv", raw.encode("utf-8"))], scope=(OWN,))
    errors = result.report.filter(pl.col("级别") == "错误")
    assert errors.select("行号", "列", "值").rows() == [(3, "党组织编码", org)]


def test_the_upload_page_as_a_school(db: Path) -> None:
    page = ROOT / "pages" / "7_数据上传.py"
    at = AppTest.from_file(str(page), default_timeout=120)
    at.session_state["user"] = {"username": SCHOOL_USER, "role": roles.ROLE_SCHOOL}
    at.run()
    assert [r.options for r in at.radio if r.key == "upload_mode"] == [["增量更新（按主键覆盖）"]]
    assert not any(b.key == "rollback" for b in at.button)
    assert not at.dataframe  # the district's batches are not its history
    at.get("file_uploader")[0].set_value(("双向述职.csv", _duty_csv(OWN, OTHER), "text/csv")).run()
    at.button(key="validate").click().run()
    assert not at.exception
    report = "\n".join(df.value.to_csv() for df in at.dataframe)
    assert OTHER in report and "本校" in report  # the refused row is named (its own code, nothing else)
    assert at.button(key="commit").disabled


def test_a_school_upload_cannot_take_over_another_schools_key(db: Path) -> None:
    """An upsert replaces the row of the same key: a 三重一大 matter of another school, sent again with this
    school's code, would move it here. It is refused, without naming the other school."""
    with connection.opened(db) as con:
        matter = con.execute(
            "select matter_id from matters where school_code = ? limit 1", [OTHER]
        ).fetchall()[0][0]
        raw = (
            "事项编号,学校标识码,类别,事项名称,登记日期\n"
            f"NEW-1,{OWN},其他,本校新事项,2024-03-01\n"
            f"{matter},{OWN},其他,改成本校的事项,2024-03-01\n"
        )
        result = pipeline.load_files(
            con, [("三重一大事项.csv", raw.encode("utf-8"))], user=SCHOOL_USER, scope=(OWN,)
        )
        owner = con.execute("select school_code from matters where matter_id = ?", [matter]).fetchall()[0][0]
    assert not result.ok and owner == OTHER
    errors = result.validation.report.filter(pl.col("级别") == "错误")  # type: ignore[union-attr]
    assert errors.select("行号", "列", "值", "问题类型").rows() == [(3, "事项编号", matter, "重复键")]
    assert OTHER not in errors["说明"][0] and "城关第二小学" not in errors["说明"][0]
