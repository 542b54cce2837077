"""What every Streamlit page shares: login and role check, the sidebar filters, cached queries.

The only module of the package that imports streamlit. Each page starts with `ctx = page_setup(...)`, so
setup runs in directory mode whatever page a leader opens first.

Filters live in the URL query parameters (bookmarkable, forwardable) and in session state (so they
survive moving between pages). Query results are cached on (database file, data version, parameters):
a new upload or a rollback changes the data version, and changing one filter re-runs only what
depends on it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st

from oversight import auth, indicators, store
from oversight.catalog import INDICATORS_BY_KEY
from oversight.errors import AccessDenied, OversightError
from oversight.schema import AREA_TYPES, STAGES

APP_TITLE = "党组织领导的校长负责制落实情况监督看板"
ALL = "全部"
SESSION_USER = "user"
SESSION_FILTERS = "_filters"

#: query parameter name -> (Params field, label)
FILTER_FIELDS: dict[str, tuple[str, str]] = {
    "year": ("year", "年度"),
    "school_year": ("school_year", "学年"),
    "as_of": ("as_of", "截止日期"),
    "town": ("town", "乡镇街道"),
    "stage": ("stage", "学段"),
    "area_type": ("area_type", "城乡类型"),
}


@dataclass(frozen=True)
class PageContext:
    user: auth.User
    db: str
    version: str
    params: indicators.Params
    years: list[int]
    school_years: list[str]


def db_path() -> str:
    return str(store.resolve_db_path())


@contextlib.contextmanager
def connection(db: str | None = None) -> Iterator[object]:
    """A connection held only while one piece of work runs, so command-line loads are never locked out."""
    with store.opened(db or db_path()) as con:
        yield con


def show_error(exc: Exception) -> None:
    if isinstance(exc, OversightError):
        st.error(f"**{exc.title}**：{exc.message}")
    else:
        st.error(f"程序内部错误（{type(exc).__name__}），数据未改动。请把本页截图发给维护人员。")


# ---------------------------------------------------------------- cached reads


def data_version(db: str) -> str:
    if not Path(db).exists():
        return "0-0"
    with connection(db) as con:
        return store.data_version(con)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=64)
def _filter_options(db: str, version: str) -> dict[str, list]:
    with connection(db) as con:
        towns = store.frame(con, "select distinct town from schools order by town")["town"].to_list()  # type: ignore[arg-type]
        years = indicators.available_years(con)  # type: ignore[arg-type]
        school_years = indicators.available_school_years(con)  # type: ignore[arg-type]
    return {"towns": towns, "years": years, "school_years": school_years}


@st.cache_data(show_spinner="正在计算指标……", max_entries=256)
def compute(db: str, version: str, params: indicators.Params) -> dict:
    with connection(db) as con:
        return indicators.compute(con, params)  # type: ignore[arg-type]


@st.cache_data(show_spinner="正在计算指标……", max_entries=256)
def compare(db: str, version: str, params: indicators.Params) -> dict:
    with connection(db) as con:
        return indicators.compare(con, params)  # type: ignore[arg-type]


@st.cache_data(show_spinner="正在查询……", max_entries=512)
def query(db: str, version: str, name: str, params: indicators.Params, extra: tuple = ()) -> pl.DataFrame:
    """Run queries/<name>.sql with the page's parameters (plus `extra` pairs such as the school code)."""
    with connection(db) as con:
        return indicators.run_query(con, name, indicators.sql_params(params) | dict(extra))  # type: ignore[arg-type]


@st.cache_data(show_spinner="正在查询……", max_entries=256)
def call(db: str, version: str, func_name: str, params: indicators.Params, *args: object) -> pl.DataFrame:
    """Run one of indicators' frame functions (school_matrix, breakdown, watch_list, history) cached."""
    func = getattr(indicators, func_name)
    with connection(db) as con:
        return func(con, *args, params) if args else func(con, params)


# ---------------------------------------------------------------- login


def _login_form(db: str) -> None:
    st.title(APP_TITLE)
    st.subheader("登录")
    with st.form("login"):
        username = st.text_input("用户名", key="login_username")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            with connection(db) as con:
                user = auth.login(con, username, password)  # type: ignore[arg-type]
        except OversightError as exc:
            st.error(exc.message)
        else:
            st.session_state[SESSION_USER] = {"username": user.username, "role": user.role}
            st.rerun()
    st.caption("首次使用：管理员账号在运行 make run 时创建，初始密码只在终端显示一次。忘记密码请联系管理员。")


def current_user() -> auth.User | None:
    data = st.session_state.get(SESSION_USER)
    return auth.User(data["username"], data["role"]) if data else None


# ---------------------------------------------------------------- filters


def _initial_filters() -> dict[str, str]:
    """Filters from the URL on arrival, else those carried in the session from the last page."""
    saved: dict[str, str] = dict(st.session_state.get(SESSION_FILTERS, {}))
    for name in FILTER_FIELDS:
        if name in st.query_params:
            saved[name] = st.query_params[name]
    return saved


def _select(label: str, options: list, current: object, key: str) -> object:
    choices = [ALL, *options]
    index = choices.index(current) if current in choices else 0
    return st.sidebar.selectbox(label, choices, index=index, key=key)


def _sidebar_filters(db: str, version: str) -> tuple[indicators.Params, dict[str, list]]:
    options = _filter_options(db, version)
    wanted = _initial_filters()
    st.sidebar.header("筛选条件")
    years = options["years"]
    year_default = int(wanted["year"]) if wanted.get("year", "").isdigit() else (years[-1] if years else None)
    year = _select("年度", list(reversed(years)), year_default, "f_year")
    sy = _select("学年", list(reversed(options["school_years"])), wanted.get("school_year"), "f_school_year")
    try:
        as_of_default = date.fromisoformat(wanted["as_of"]) if wanted.get("as_of") else date.today()
    except ValueError:
        as_of_default = date.today()
    as_of = st.sidebar.date_input("截止日期", value=as_of_default, key="f_as_of", format="YYYY-MM-DD")
    town = _select("乡镇街道", options["towns"], wanted.get("town"), "f_town")
    stage = _select("学段", list(STAGES), wanted.get("stage"), "f_stage")
    area = _select("城乡类型", list(AREA_TYPES), wanted.get("area_type"), "f_area_type")

    chosen = {
        "year": None if year == ALL else str(year),
        "school_year": None if sy == ALL else sy,
        "as_of": None if as_of == date.today() else as_of.isoformat(),
        "town": None if town == ALL else town,
        "stage": None if stage == ALL else stage,
        "area_type": None if area == ALL else area,
    }
    kept = {k: v for k, v in chosen.items() if v}
    st.session_state[SESSION_FILTERS] = kept
    for name in FILTER_FIELDS:
        if name in kept:
            if st.query_params.get(name) != kept[name]:
                st.query_params[name] = kept[name]
        elif name in st.query_params:
            del st.query_params[name]
    params = indicators.Params(
        year=int(kept["year"]) if "year" in kept else None,
        school_year=kept.get("school_year"),
        as_of=as_of,
        town=kept.get("town"),
        stage=kept.get("stage"),
        area_type=kept.get("area_type"),
    )
    return params, options


# ---------------------------------------------------------------- the one call every page makes


def page_setup(title: str, right: str = "view", *, filters: bool = True) -> PageContext:
    """Page config, login, the role check for this page, and the shared sidebar."""
    st.set_page_config(page_title=f"{title} · 监督看板", page_icon="🏫", layout="wide")
    db = db_path()
    if not Path(db).exists():
        st.title(APP_TITLE)
        st.warning(f"还没有数据库文件（{db}）。请在终端运行 `make run` 或 `oversight demo` 生成示例数据。")
        st.stop()
    user = current_user()
    if user is None:
        _login_form(db)
        st.stop()
    try:
        auth.require(user, right)
    except AccessDenied as exc:
        st.title(title)
        st.error(exc.message)
        st.stop()
    st.sidebar.markdown(f"**{user.username}**（{user.role}）")
    if st.sidebar.button("退出登录", key="logout"):
        st.session_state.pop(SESSION_USER, None)
        st.rerun()
    version = data_version(db)
    if filters:
        params, options = _sidebar_filters(db, version)
        params = _resolve(db, version, params)
    else:
        params, options = indicators.Params(), {"years": [], "school_years": []}
    st.title(title)
    return PageContext(user, db, version, params, options["years"], options["school_years"])


@st.cache_data(show_spinner=False, max_entries=256)
def _resolve(db: str, version: str, params: indicators.Params) -> indicators.Params:
    with connection(db) as con:
        return indicators.resolve(con, params)  # type: ignore[arg-type]


def indicator_label(key: str) -> str:
    return INDICATORS_BY_KEY[key].zh
