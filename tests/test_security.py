"""Security promises of issue 6, each checked against the running code rather than by reading it:

- the connection that serves pages cannot read files, write files, attach databases or reach the
  network, and its configuration cannot be unlocked (shared/FACTS.md's DuckDB sandbox);
- values from uploads and filters reach SQL only as parameters: hostile text in every text column
  loads as text and comes back byte for byte, hostile filters select nothing and drop nothing;
- names carrying HTML or script are shown as text on every page (no element renders raw HTML);
- uploads are size-limited, XSRF protection and CORS are on, error details are hidden;
- no secret sits in the repository;
- every page and action checks the role on the server, for every role.
"""

from __future__ import annotations

import io
import re
import shutil
import tomllib
from pathlib import Path

import duckdb
import polars as pl
import pytest
from openpyxl import load_workbook
from reliability import corpus_base_files, file_fingerprint
from streamlit.testing.v1 import AppTest

from oversight.app import cache
from oversight.contract import roles
from oversight.contract.schema import TABLES
from oversight.engine import connection, ledger, queries, users
from oversight.ingest import pipeline
from oversight.metrics import indicators, periods
from oversight.present import xlsx

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py")])
HOSTILE = (
    "'); drop table schools; --",
    '<script>alert("xss")</script>',
    "<img src=x onerror=alert(1)>",
    '=HYPERLINK("http://evil.example","点我")',
    "$year {town} %s ? :name",
    "[点我](javascript:alert(1)) **粗体**",
)
ROLES = (roles.ROLE_LEADER, roles.ROLE_ANALYST, roles.ROLE_ADMIN, roles.ROLE_SCHOOL)
USERS = {
    roles.ROLE_LEADER: "领导甲",
    roles.ROLE_ANALYST: "分析员甲",
    roles.ROLE_ADMIN: "管理员甲",
    roles.ROLE_SCHOOL: "学校甲",
}

# ---------------------------------------------------------------- a database full of hostile text


def hostile_files() -> list[tuple[str, bytes]]:
    """The corpus base batch with every free-text cell (names, towns, titles, topics, text keys) hostile,
    plus one school per hostile value whose name and town are exactly that value."""
    files = []
    for path in corpus_base_files():
        frame = pl.read_csv(path, infer_schema=False)
        t = next(t for t in TABLES if t.zh == path.stem)
        if t.name == "schools":
            extra = pl.concat([frame.head(1)] * len(HOSTILE)).with_columns(
                pl.Series("学校标识码", [f"H{m}" for m in range(len(HOSTILE))])
            )
            frame = pl.concat([frame, extra])
        targets = {
            n for other in TABLES for r in other.references if r.table == t.name for n in r.target_columns
        }
        for k, c in enumerate(t.columns):
            sources = {n for r in t.references for n in r.columns}
            if c.type != "text" or c.name in sources or c.name in targets or c.zh not in frame.columns:
                continue
            cells = [f"{HOSTILE[(k + n) % len(HOSTILE)]}{n}" for n in range(frame.height)]
            if t.name == "schools":
                cells[-len(HOSTILE) :] = list(HOSTILE)
            frame = frame.with_columns(pl.Series(c.zh, cells))
        files.append((path.name, frame.write_csv().encode("utf-8")))
    return files


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("security") / "hostile.duckdb"
    with connection.opened(path) as con:
        result = pipeline.load_files(con, hostile_files(), user="安全测试")
        assert result.ok, result.validation.report if result.validation else None
        first_school = con.execute("select min(school_code) from schools").fetchall()[0][0]
        for role, name in USERS.items():
            bound = first_school if role == roles.ROLE_SCHOOL else None
            users.add_user(con, name, f"{name}-pass-1", role, school_code=bound)
    return path


@pytest.fixture
def db(hostile_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "hostile.duckdb"
    shutil.copyfile(hostile_db, path)
    monkeypatch.setenv("OVERSIGHT_DB", str(path))
    return path


# ---------------------------------------------------------------- DuckDB sandbox


FORBIDDEN_SQL = {
    "read a file": "select * from read_csv('/etc/passwd')",
    "read a file by name": "select * from '/etc/hostname'",
    "write a file": "copy (select 1 as x) to '/tmp/oversight_escape.csv'",
    "attach a database": "attach '/tmp/oversight_escape.duckdb' as other",
    "reach the network": "select * from read_csv('http://127.0.0.1:9/x.csv')",
    "install an extension": "install httpfs",
    "load an extension": "load httpfs",
    "unlock the sandbox": "set enable_external_access = true",
    "unlock the configuration": "set lock_configuration = false",
    "raise the memory limit": "set memory_limit = '64GB'",
    "export the database": "export database '/tmp/oversight_escape_dir'",
}


@pytest.mark.parametrize("what", list(FORBIDDEN_SQL))
def test_serving_connection_is_sandboxed(what: str, db: Path) -> None:
    """The exact connection the pages use (cache.connection and cache.snapshot) refuses each escape."""
    for opener in (cache.connection, cache.snapshot):
        with opener(str(db)) as con, pytest.raises(duckdb.Error):
            con.execute(FORBIDDEN_SQL[what])  # type: ignore[attr-defined]
    assert not Path("/tmp/oversight_escape.csv").exists()
    assert not Path("/tmp/oversight_escape.duckdb").exists()


def test_python_variables_are_not_reachable_by_name(db: Path) -> None:
    """DuckDB's replacement scan (reading a Python frame by its variable name) is external access too."""
    secret_frame = pl.DataFrame({"x": [1]})  # noqa: F841  (looked up by name from SQL)
    with cache.connection(str(db)) as con, pytest.raises(duckdb.Error):
        con.execute("select * from secret_frame")  # type: ignore[attr-defined]


def test_sandbox_settings_are_the_ones_facts_lists(db: Path) -> None:
    with cache.connection(str(db)) as con:
        settings = dict(
            con.execute(  # type: ignore[attr-defined]
                """select name, value from duckdb_settings() where name in (
                    'enable_external_access', 'lock_configuration', 'autoinstall_known_extensions',
                    'autoload_known_extensions')"""
            ).fetchall()
        )
    assert settings == {
        "enable_external_access": "false",
        "lock_configuration": "true",
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
    }


# ---------------------------------------------------------------- values reach SQL only as parameters


def test_hostile_text_loads_as_text_and_round_trips(db: Path) -> None:
    """Every hostile cell is stored exactly as uploaded; every table still exists."""
    sent = {}
    for name, raw in hostile_files():
        sent[name] = pl.read_csv(raw, infer_schema=False)
    with connection.opened(db, read_only=True) as con:
        names = set(ledger.current(con, "schools")["school_name"].to_list())
        topics = set(ledger.current(con, "meetings")["topic"].to_list())
        titles = set(ledger.current(con, "matters")["title"].to_list())
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert names == set(sent["学校.csv"]["学校名称"].to_list())
    assert topics == set(sent["组织生活.csv"]["主题"].to_list())
    assert titles == set(sent["三重一大事项.csv"]["事项名称"].to_list())
    assert set(HOSTILE) <= names
    assert {t.name for t in TABLES} <= tables


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_filters_match_as_plain_text_and_change_nothing(value: str, db: Path) -> None:
    """Town is free text and school codes come from the URL: both reach SQL as parameters. (学段 and
    城乡类型 are checked against their enums first and refused with a Chinese usage error.)"""
    before = file_fingerprint(db)
    params = periods.Params(year=2023, town=value)
    with cache.snapshot(str(db)) as con:
        result = indicators.compute(con, params)  # type: ignore[arg-type]
        for name in queries.query_names():
            try:
                queries.run_query(con, name, periods.query_params(params, school_code=value))  # type: ignore[arg-type]
            except Exception as exc:  # a query needing other parameters is a usage error, never SQL
                assert type(exc).__name__ == "UsageError", (name, exc)
        towns = ledger.current(con, "schools")["town"].to_list()  # type: ignore[arg-type]
    assert result["schools"]["total"] == towns.count(value) == 1  # the school whose town is this text
    assert file_fingerprint(db) == before


def test_queries_hold_no_format_placeholders() -> None:
    """queries/*.sql take $parameters only; a Python format brace would mean text pasted into SQL."""
    offenders = [p.name for p in (ROOT / "queries").glob("*.sql") if re.search(r"\{[A-Za-z_]", p.read_text())]
    assert not offenders


# ---------------------------------------------------------------- HTML and script shown as text


def markdown_with_html(at: AppTest) -> list[str]:
    """Bodies of elements that would render raw HTML: st.markdown/st.caption with unsafe_allow_html."""
    found = []
    for kind in ("markdown", "caption", "latex", "divider"):
        for element in at.get(kind):
            proto = getattr(element, "proto", None)
            if proto is not None and getattr(proto, "allow_html", False):
                found.append(proto.body)
    return found


def page_texts(at: AppTest) -> str:
    parts = []
    for kind in (
        "markdown",
        "caption",
        "title",
        "header",
        "subheader",
        "error",
        "warning",
        "info",
        "success",
    ):
        parts += [str(getattr(e, "value", "")) for e in at.get(kind)]
    for df in at.dataframe:
        parts.append(df.value.to_string() if hasattr(df.value, "to_string") else str(df.value))
    return "\n".join(parts)


def test_no_code_passes_data_to_unsafe_html() -> None:
    """FACTS: never pass data to unsafe_allow_html. The one st.html call is the constant stylesheet of
    oversight/app/style.py (built from our own settings at import); nothing else renders raw HTML."""
    sources = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "oversight").rglob("*.py")]
    offenders = [
        p.name
        for p in sources
        if re.search(r"unsafe_allow_html\s*=\s*True|components\.v1", p.read_text())
        or (re.search(r"st\.html\(", p.read_text()) and p.name != "style.py")
    ]
    assert not offenders
    style = (ROOT / "oversight" / "app" / "style.py").read_text()
    assert re.findall(r"st\.html\((.*)\)", style) == ["STYLESHEET"]


def test_exports_defuse_formulas() -> None:
    frame = pl.DataFrame({"学校名称": [HOSTILE[3], "+1", "-1", "@SUM(A1)", "普通"]})
    raw = xlsx.frame_to_xlsx(frame)
    cells = [r[0] for r in load_workbook(io.BytesIO(raw)).active.iter_rows(min_row=2, values_only=True)]
    assert cells[:4] == ["'" + v for v in frame["学校名称"].to_list()[:4]]
    assert cells[4] == "普通"


# ---------------------------------------------------------------- upload limit, XSRF, secrets


def test_streamlit_config_limits_uploads_and_keeps_xsrf_and_cors_on() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server = config["server"]
    assert 1 <= server["maxUploadSize"] <= 100  # MB; uploads are held whole in memory
    assert server["enableXsrfProtection"] is True
    assert server.get("enableCORS", True) is True
    assert config["client"]["showErrorDetails"] in ("none", False)
    assert config["browser"]["gatherUsageStats"] is False


def test_upload_page_states_the_size_limit_in_chinese(db: Path) -> None:
    at = run_page(ROOT / "pages" / "7_数据上传.py", roles.ROLE_ANALYST)
    limit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    assert f"{limit} MB" in page_texts(at) + " ".join(str(u.proto.help) for u in at.get("file_uploader"))


SECRET_PATTERNS = {
    "private key": r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    "AWS key": r"AKIA[0-9A-Z]{16}",
    "GitHub token": r"gh[pousr]_[A-Za-z0-9]{30,}",
    "API key": r"sk-[A-Za-z0-9]{20,}",
    "bcrypt hash": r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}",
    "password literal": r"(?i)(password|passwd|pwd|secret|token)\s*[:=]\s*['\"][^'\"\s]{6,}['\"]",
    "connection string": r"[a-z]+://[^/\s:@]+:[^/\s@]+@",
}


def repository_files() -> list[Path]:
    skip = {
        ".venv",
        ".git",
        "__pycache__",
        ".pytest_cache",
        ".ruff_cache",
        "oversight.egg-info",
        "data",
        "corpus",
    }
    return [
        p
        for p in ROOT.rglob("*")
        if p.is_file()
        and not skip.intersection(p.relative_to(ROOT).parts)
        and p.suffix in {".py", ".toml", ".md", ".sql", ".txt", ".cfg", ".ini", ".yml", ".yaml", ".json", ""}
    ]


def test_no_secret_in_the_repository() -> None:
    """Tests may hold throw-away passwords of temporary accounts; product code and config may not."""
    hits = []
    for path in repository_files():
        text = path.read_text(encoding="utf-8", errors="ignore")
        is_test = path.relative_to(ROOT).parts[0] == "tests"
        for what, pattern in SECRET_PATTERNS.items():
            if is_test and what == "password literal":
                continue
            hits += [
                f"{path.relative_to(ROOT)}: {what}: {m.group(0)[:40]}" for m in re.finditer(pattern, text)
            ]
    assert not hits
    assert not (ROOT / ".streamlit" / "secrets.toml").exists()
    ignored = (ROOT / ".gitignore").read_text()
    assert "data/*.duckdb" in ignored


# ---------------------------------------------------------------- role checks, every page x every role


def page_right(page: Path) -> str:
    """The right a page declares in its one page_setup call (default: view)."""
    m = re.search(r'page_setup\(\s*"[^"]+"(?:\s*,\s*"(\w+)")?', page.read_text(encoding="utf-8"))
    assert m, f"{page.name} 没有调用 page.page_setup"
    return m.group(1) or "view"


def page_title(page: Path) -> str:
    """The title a page gives its one page_setup call (what roles.SCHOOL_PAGES lists)."""
    m = re.search(r'page_setup\(\s*"([^"]+)"', page.read_text(encoding="utf-8"))
    assert m, f"{page.name} 没有调用 page.page_setup"
    return m.group(1)


def run_page(page: Path, role: str | None, **query: str) -> AppTest:
    at = AppTest.from_file(str(page), default_timeout=120)
    if role is not None:
        at.session_state["user"] = {"username": USERS[role], "role": role}
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


@pytest.mark.parametrize("role", [None, *ROLES])
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_role_gate_of_every_page(page: Path, role: str | None, db: Path) -> None:
    """Refused roles see one Chinese refusal and nothing else; allowed roles see the page, with every
    hostile name as text (no element renders raw HTML)."""
    at = run_page(page, role)
    assert not at.exception, [e.value for e in at.exception]
    refusals = [e.value for e in at.error if "无权" in e.value]
    if role is None:
        assert [t.label for t in at.text_input] == ["用户名", "密码"]
        assert not at.dataframe and not at.metric and not at.get("file_uploader")
        return
    user = roles.User(USERS[role], role)
    allowed = user.can(page_right(page)) and user.may_open(page_title(page))
    if allowed:
        assert not refusals, refusals
        assert not markdown_with_html(at)
    else:
        assert refusals, f"{page.name} 对 {role} 没有拒绝"
        assert not at.dataframe and not at.get("file_uploader") and not at.text_input
        assert not at.button or {b.key for b in at.button} <= {"logout"}


def test_rollback_is_offered_to_administrators_only(db: Path) -> None:
    page = ROOT / "pages" / "7_数据上传.py"
    shown = {role: any(b.key == "rollback" for b in run_page(page, role).button) for role in ROLES[1:]}
    assert shown == {roles.ROLE_ANALYST: False, roles.ROLE_ADMIN: True, roles.ROLE_SCHOOL: False}


@pytest.mark.parametrize("page", ["7_数据上传.py", "8_账号管理.py"])
def test_a_demoted_session_is_refused(page: str, db: Path) -> None:
    """The session still says 管理员, the database now says 领导 (demoted after login): the role is read
    again from the database, so the page refuses and offers no action."""
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=120)
    at.session_state["user"] = {"username": USERS[roles.ROLE_LEADER], "role": roles.ROLE_ADMIN}
    at.run()
    assert not at.exception
    assert any("无权" in e.value for e in at.error)
    assert not at.get("file_uploader") and not at.text_input
    assert not at.button or {b.key for b in at.button} <= {"logout"}


def test_a_removed_account_is_logged_out(db: Path) -> None:
    with connection.opened(db) as con:
        users.add_user(con, "临时管理员", "temp-admin-pass-1", roles.ROLE_ADMIN)
    at = AppTest.from_file(str(ROOT / "pages" / "8_账号管理.py"), default_timeout=120)
    at.session_state["user"] = {"username": "临时管理员", "role": roles.ROLE_ADMIN}
    at.run()
    assert at.dataframe  # the account list: allowed
    with connection.opened(db) as con:
        users.remove_user(con, "临时管理员")
    at.run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert not at.dataframe


def test_school_profile_shows_a_script_name_as_text(db: Path) -> None:
    """The profile of the school whose name is a <script> tag: the name is on the page, as text."""
    with connection.opened(db, read_only=True) as con:
        schools = ledger.current(con, "schools")
    code = schools.filter(pl.col("school_name") == HOSTILE[1])["school_code"][0]
    at = run_page(ROOT / "pages" / "5_学校画像.py", roles.ROLE_LEADER, school=code)
    assert not at.exception
    assert "<script>" in page_texts(at) + " ".join(str(s.options) for s in at.selectbox)
    assert not markdown_with_html(at)
