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
import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas  # noqa: F401  imported here, once, before page threads convert frames concurrently
import polars as pl
import pyarrow  # noqa: F401  (a lazy first import from several threads at once half-initialised pandas)
import streamlit as st
from streamlit.errors import StreamlitAPIException

from oversight.contract import catalog, roles
from oversight.contract.catalog import INDICATORS_BY_KEY, STATUS_BAD, STATUS_NONE
from oversight.contract.errors import AccessDenied, OversightError
from oversight.contract.schema import AREA_TYPES, STAGES
from oversight.engine import Connection, ledger, queries, users
from oversight.engine import connection as engine_connection
from oversight.metrics import history as metrics_history
from oversight.metrics import indicators, periods, schools, watch
from oversight.present import figures, formats, labels, tables, xlsx

APP_TITLE = "党组织领导的校长负责制落实情况监督看板"
ALL = "全部"
SESSION_USER = "user"
SESSION_FILTERS = "_filters"
#: rows of the school × indicator matrix drawn on screen (a province has tens of thousands of schools; the
#: download carries them all, and the laggards come first)
MATRIX_ROWS = figures.CHART_ROWS
#: a detail table shows at most this many rows in the browser (a province's list of non-compliant matters
#: runs to hundreds of thousands); the Excel download below it keeps every row
TABLE_ROWS = 5000
#: how many of the latest years the 年度 picker offers
YEAR_CHOICES = 10

#: The sidebar's page list: (file, label, right needed). Directory mode would label the home page "app"
#: and list every page to everyone before login; our own links say 总览 and show only what the role may open.
NAV: tuple[tuple[str, str, str], ...] = (
    ("app.py", "总览", "view"),
    ("pages/1_组织建设.py", "组织建设", "view"),
    ("pages/2_最强党支部.py", "最强党支部", "view"),
    ("pages/3_交流轮岗.py", "交流轮岗", "view"),
    ("pages/4_议事决策.py", "议事决策", "view"),
    ("pages/5_学校画像.py", "学校画像", "view"),
    ("pages/6_趋势.py", "趋势", "view"),
    ("pages/7_数据上传.py", "数据上传", "upload"),
    ("pages/8_账号管理.py", "账号管理", "accounts"),
)

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
    user: roles.User
    db: str
    version: str
    params: periods.Params
    years: list[int]
    school_years: list[str]


def db_path() -> str:
    return str(engine_connection.resolve_db_path())


def connection(db: str | None = None) -> contextlib.AbstractContextManager[Connection]:
    """A connection held only while one piece of work runs, so command-line loads are never locked out."""
    return engine_connection.opened(db or db_path())


def snapshot(db: str | None = None) -> contextlib.AbstractContextManager[Connection]:
    """One committed state of the data for one piece of work (engine.connection.snapshot)."""
    return engine_connection.snapshot(db or db_path())


def show_error(exc: Exception) -> None:
    if isinstance(exc, OversightError):
        st.error(f"**{exc.title}**：{exc.message}")
    else:
        st.error(f"程序内部错误（{type(exc).__name__}），数据未改动。请把本页截图发给维护人员。")


# ---------------------------------------------------------------- cached reads


def data_version(db: str) -> str:
    return engine_connection.file_data_version(db)


@st.cache_data(show_spinner=False, max_entries=64)
def _filter_options(db: str, version: str) -> dict[str, list]:
    with snapshot(db) as con:
        towns = queries.frame(con, "select distinct town from schools order by town")["town"].to_list()  # type: ignore[arg-type]
        years = periods.available_years(con)  # type: ignore[arg-type]
        school_years = periods.available_school_years(con)  # type: ignore[arg-type]
    # founding and appointment dates reach back decades; a leader picks among recent years only
    return {"towns": towns, "years": years[-YEAR_CHOICES:], "school_years": school_years}


@st.cache_data(show_spinner="正在计算指标……", max_entries=256)
def compute(db: str, version: str, params: periods.Params, keys: tuple[str, ...] | None = None) -> dict:
    """compute() cached; `keys` limits it to the indicators a page shows (only their queries run)."""
    with snapshot(db) as con:
        return indicators.compute(con, params, keys)  # type: ignore[arg-type]


@st.cache_data(show_spinner="正在计算指标……", max_entries=64)
def overview(db: str, version: str, params: periods.Params) -> tuple[dict, pl.DataFrame]:
    """compute() and school_matrix() of one period from one run of their files (学校画像; 总览 uses
    overview_pair for both periods)."""
    with snapshot(db) as con:
        return indicators.overview(con, params)  # type: ignore[arg-type]


@st.cache_data(show_spinner="正在计算指标……", max_entries=32)
def overview_pair(
    db: str, version: str, params: periods.Params
) -> tuple[tuple[dict, pl.DataFrame], tuple[dict, pl.DataFrame]]:
    """overview() of this period and the previous one from one run of all their files (总览: the cards'
    change and 重点关注 need both); files that do not depend on the period run once."""
    with snapshot(db) as con:
        now, before = indicators.overviews(con, [params, periods.previous(params)])  # type: ignore[arg-type]
    return now, before


def overview_compared(db: str, version: str, params: periods.Params) -> dict:
    """总览's cards: now against the previous period, from the cached overview_pair()."""
    (now, _), (before, _) = overview_pair(db, version, params)
    return indicators.compare_results(now, before)


def watch_list(db: str, version: str, params: periods.Params) -> pl.DataFrame:
    """重点关注 from the two periods' matrices of the cached overview_pair()."""
    (_, now), (_, before) = overview_pair(db, version, params)
    return watch.watch_between(now, before)


@st.cache_data(show_spinner="正在查询……", max_entries=512)
def query(db: str, version: str, name: str, params: periods.Params, extra: tuple = ()) -> pl.DataFrame:
    """Run queries/<name>.sql with the page's parameters (plus `extra` pairs such as the school code)."""
    with snapshot(db) as con:
        return queries.run_query(con, name, periods.query_params(params, **dict(extra)))  # type: ignore[arg-type]


@st.cache_data(show_spinner="正在计算指标……", max_entries=64)
def compute_with(
    db: str, version: str, params: periods.Params, keys: tuple[str, ...], files: tuple[str, ...] = ()
) -> tuple[dict, dict, dict[str, pl.DataFrame]]:
    """A page's cards and detail files in one go: compute() of `keys` now, their change against the
    previous period (compare_results) and the files `files`, all run at once (indicators.compute_with)."""
    with snapshot(db) as con:
        now, before, frames = indicators.compute_with(con, params, keys, files)  # type: ignore[arg-type]
    return now, indicators.compare_results(now, before), frames


@st.cache_data(show_spinner="正在查询……", max_entries=64)
def history(db: str, version: str, params: periods.Params) -> pl.DataFrame:
    """Every indicator's headline per period (metrics.history), cached."""
    with snapshot(db) as con:
        return metrics_history.history(con, params)


# ---------------------------------------------------------------- login


def _login_form(db: str) -> None:
    st.title(APP_TITLE)
    st.subheader("登录")
    with st.form("login", enter_to_submit=False):
        username = st.text_input("用户名", key="login_username")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            with connection(db) as con:
                user = users.login(con, username, password)  # type: ignore[arg-type]
        except OversightError as exc:
            st.error(exc.message)
        else:
            st.session_state[SESSION_USER] = {"username": user.username, "role": user.role}
            st.rerun()
    st.caption("首次使用：管理员账号在运行 make run 时创建，初始密码只在终端显示一次。忘记密码请联系管理员。")


def current_user() -> roles.User | None:
    data = st.session_state.get(SESSION_USER)
    return roles.User(data["username"], data["role"]) if data else None


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


def _sidebar_filters(db: str, version: str) -> tuple[periods.Params, dict[str, list]]:
    options = _filter_options(db, version)
    wanted = _initial_filters()
    st.sidebar.header("筛选条件")
    years = options["years"]
    year_default = int(wanted["year"]) if wanted.get("year", "").isdigit() else (years[-1] if years else None)
    year = _select("年度", list(reversed(years)), year_default, "f_year")
    school_years = options["school_years"]
    sy_default = wanted.get("school_year") or (school_years[-1] if school_years else None)
    sy = _select("学年", list(reversed(school_years)), sy_default, "f_school_year")
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
    params = periods.Params(
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
    user, version = _session_state_of(db)
    if user is None:
        st.session_state.pop(SESSION_USER, None)
        _login_form(db)
        st.stop()
    _navigation(user)
    try:
        roles.require(user, right)
    except AccessDenied as exc:
        st.title(title)
        st.error(exc.message)
        st.stop()
    st.sidebar.markdown(f"**{user.username}**（{user.role}）")
    if st.sidebar.button("退出登录", key="logout"):
        st.session_state.pop(SESSION_USER, None)
        st.rerun()
    if filters:
        params, options = _sidebar_filters(db, version)
        params = _resolve(db, version, params)
    else:
        params, options = periods.Params(), {"years": [], "school_years": []}
    st.title(title)
    return PageContext(user, db, version, params, options["years"], options["school_years"])


def _session_state_of(db: str) -> tuple[roles.User | None, str]:
    """The user's role as the database holds it now, and the data version: one connection per rerun."""
    user = current_user()
    with connection(db) as con:
        version = queries.data_version(con)  # type: ignore[arg-type]
        role = users.role_of(con, user.username) if user else None  # type: ignore[arg-type]
    return (roles.User(user.username, role) if user and role else None), version


def _navigation(user: roles.User) -> None:
    """Links to the pages this role may open. A page run on its own (AppTest of one page file) has no
    page registry to link into; it then simply draws no links."""
    try:
        for path, label, right in NAV:
            if user.can(right):
                st.sidebar.page_link(path, label=label)
    except StreamlitAPIException:
        return
    st.sidebar.divider()


@st.cache_data(show_spinner=False, max_entries=256)
def _resolve(db: str, version: str, params: periods.Params) -> periods.Params:
    with snapshot(db) as con:
        return periods.resolve(con, params)  # type: ignore[arg-type]


def indicator_label(key: str) -> str:
    return INDICATORS_BY_KEY[key].zh


# ---------------------------------------------------------------- actions: the right checked against the database


def verified_user(db: str | None = None) -> roles.User | None:
    """The logged-in user with the role the database holds now, for actions that change data.

    The session remembers the role from login; an administrator may since have changed or removed the
    account. Actions (upload, rollback, account changes) check this, so a demoted session cannot act.
    """
    user = current_user()
    if user is None:
        return None
    with connection(db) as con:
        role = users.role_of(con, user.username)  # type: ignore[arg-type]
    return roles.User(user.username, role) if role else None


# ---------------------------------------------------------------- downloads: chart pictures and the Word report

PNG_MIME = "image/png"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def png_download_button(fig: object, file_name: str, *, key: str, label: str = "下载图片 PNG") -> None:
    """A button under a chart that downloads it as a PNG with Chinese text rendered.

    The picture is drawn only when the button is pressed (a deferred download, on its own thread), since
    starting chromium costs seconds and most figures are never downloaded.
    """
    from oversight.present import png

    if png.chromium_path() is None:
        st.button(label, key=key, disabled=True, help="服务器未安装 chromium，暂时无法导出图片。")
        return
    name = file_name if file_name.lower().endswith(".png") else f"{file_name}.png"
    st.download_button(
        label,
        data=lambda: png.figure_to_png(fig),  # type: ignore[arg-type]
        file_name=name,
        mime=PNG_MIME,
        key=key,
        on_click="ignore",
        help="下载该图表的 PNG 图片，可直接插入材料或打印",
    )


def report_file_name(params: periods.Params) -> str:
    scope = f"{params.town}" if params.town else "全区"
    year = f"{params.year}年" if params.year else ""
    return f"{scope}{year}党组织领导的校长负责制落实情况总结.docx"


def report_download_button(ctx: PageContext, *, key: str = "report_docx") -> None:
    """One click: the year's 情况总结 as a Word document, written from the data under the page's filters.

    Built only when pressed (a deferred download), with its own database connection, so the 总览 page
    stays as fast as before for everyone who does not need the document.
    """
    from oversight.present import report

    db, params = ctx.db, ctx.params

    def build() -> bytes:
        with connection(db) as con:
            return report.build_docx(con, params)  # type: ignore[arg-type]

    st.download_button(
        "生成情况总结（Word）",
        data=build,
        file_name=report_file_name(params),
        mime=DOCX_MIME,
        key=key,
        on_click="ignore",
        icon="📄",
        help="按当前年度和筛选条件，根据数据生成本年度情况总结（含各部分图表和需关注学校名单），约需十几秒",
    )


# ---------------------------------------------------------------- drawing helpers shared by the pages

SCHOOL_PARAM = "school"
PROFILE_PAGE = "pages/5_学校画像.py"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def display_frame(df: pl.DataFrame) -> pl.DataFrame:
    """The frame with Chinese headers (labels.column_label, the one mapping); duplicates get a suffix.
    Columns that only feed district figures (schools.shown) are left out."""
    df = schools.shown(df)
    seen: dict[str, int] = {}
    names = []
    for c in df.columns:
        label = labels.column_label(c)
        seen[label] = seen.get(label, 0) + 1
        names.append(label if seen[label] == 1 else f"{label}（{seen[label]}）")
    return df.rename(dict(zip(df.columns, names, strict=True)))


def _column_config(df: pl.DataFrame) -> dict[str, object]:
    """Shares as percentages, booleans as 是/否 text, following the suffix convention of queries/."""
    config: dict[str, object] = {}
    for c, dtype in df.schema.items():
        if labels.is_share(c) and dtype.is_numeric():
            config[labels.column_label(c)] = st.column_config.NumberColumn(format="percent")
        elif dtype == pl.Date:
            config[labels.column_label(c)] = st.column_config.DateColumn(format="YYYY-MM-DD")
    return config


def _readable(df: pl.DataFrame) -> pl.DataFrame:
    """Booleans as 是/否 so a leader reads words, not ticks, and statuses with their symbol ('✖ 未达标')
    so they read in black-and-white print; the .xlsx carries the same words."""
    bools = [c for c, t in df.schema.items() if t == pl.Boolean]
    statuses = [
        c for c, t in df.schema.items() if t == pl.String and (c == "status" or c.endswith("_status"))
    ]
    symbols = {status: f"{symbol} {status}" for status, (_, symbol) in catalog.STATUS_STYLE.items()}
    return df.with_columns(
        *(
            pl.when(pl.col(c)).then(pl.lit("是")).when(pl.col(c).not_()).then(pl.lit("否")).alias(c)
            for c in bools
        ),
        *(pl.col(c).replace(symbols) for c in statuses),
    )


def _blank_text(df: pl.DataFrame) -> pl.DataFrame:
    """Empty text cells as '—' on screen (the grid would print an English 'None'); numbers stay typed."""
    texts = [c for c, t in df.schema.items() if t == pl.String]
    return df.with_columns(pl.col(c).fill_null("—") for c in texts) if texts else df


def download_xlsx(df: pl.DataFrame, name: str, key: str) -> None:
    """A download button for the table as .xlsx; the workbook is built only when clicked."""
    shown = display_frame(_readable(df))
    st.download_button(
        "下载 Excel（.xlsx）",
        data=functools.partial(xlsx.frame_to_xlsx, shown, name),
        file_name=f"{name}.xlsx",
        mime=XLSX_MIME,
        key=f"dl_{key}",
        on_click="ignore",
        icon=":material/download:",
    )


def table(df: pl.DataFrame, name: str, key: str, *, height: int | str = "auto") -> None:
    """A data table with Chinese headers and its .xlsx download."""
    if df.is_empty():
        st.info("当前筛选条件下没有数据。")
        return
    readable = _readable(df)
    if readable.height > TABLE_ROWS:
        st.caption(f"共 {readable.height} 行，此处显示前 {TABLE_ROWS} 行；完整数据请点下方“下载 Excel”。")
    st.dataframe(
        display_frame(_blank_text(readable.head(TABLE_ROWS))),
        hide_index=True,
        column_config=_column_config(readable),  # type: ignore[arg-type]
        height=height,  # type: ignore[arg-type]
        key=f"tbl_{key}",
    )
    download_xlsx(df, name, key)


def chart(fig: object, df: pl.DataFrame, name: str, key: str) -> None:
    """A figure with the table behind it one click away (expander) and downloadable as .xlsx."""
    st.plotly_chart(fig, key=f"fig_{key}", config={"displaylogo": False})
    png_download_button(fig, name, key=f"png_{key}")
    with st.expander(f"查看图表数据：{name}"):
        table(df, name, key)


def status_markdown(status: str | None) -> str:
    """'● 达标' in the status colour of catalog.STATUS_STYLE (constants only, never user data)."""
    status = status or STATUS_NONE
    color = labels.status_color(status)
    return f':color[{labels.status_text(status)}]{{foreground="{color}"}}'


def _card_value(key: str, value: object) -> str:
    ind = INDICATORS_BY_KEY[key]
    return formats.format_value(value if isinstance(value, int | float) else None, ind.unit == "share")  # type: ignore[arg-type]


def card_details(key: str, data: dict) -> str:
    """The figures behind an indicator's headline, e.g. '党委 0 · 党总支 8 · 党支部 41 · … · 党员人数 1715',
    labelled with labels.FIELD_LABELS (the labels the command line prints too)."""
    ind = INDICATORS_BY_KEY[key]
    field_labels = labels.FIELD_LABELS.get(key, {})
    parts: list[str] = []
    for field, value in data.items():
        if field == ind.headline:
            continue
        if isinstance(value, dict):
            parts += [f"{k} {v}" for k, v in value.items() if isinstance(v, int | float)]
        elif isinstance(value, int | float) and not isinstance(value, bool) and field in field_labels:
            parts.append(f"{field_labels[field]} {formats.format_value(value, labels.is_share(field))}")
    return " · ".join(parts)


def change_text(key: str, value: object, previous: object, trend: str | None) -> str:
    """'↑ 较上期 +3.1 个百分点' / '↓ 较上期 -2' / '持平', or '无上期数据' when there is nothing to compare."""
    if trend is None or not isinstance(value, int | float) or not isinstance(previous, int | float):
        return "无上期数据"
    if trend == catalog.TREND_FLAT:
        return f"{catalog.TREND_FLAT}（上期 {_card_value(key, previous)}）"
    diff = value - previous
    if INDICATORS_BY_KEY[key].unit == "share":
        return f"{trend} 较上期 {diff * 100:+.1f} 个百分点"
    return f"{trend} 较上期 {diff:+.0f}"


def indicator_card(key: str, data: dict, change: dict | None = None) -> None:
    """One indicator: headline value, status colour + symbol, change against the previous period."""
    ind = INDICATORS_BY_KEY[key]
    change = change or {}
    value = data.get(ind.headline)
    status = change.get("status") or data.get("status") or catalog.status_of(ind, value)
    with st.container(border=True):
        st.metric(
            ind.zh,
            _card_value(key, value),
            delta=change_text(key, value, change.get("previous"), change.get("trend")),
            delta_color="off",
            delta_arrow="off",
            help=ind.description or None,
        )
        if ind.ok_at is not None:
            st.markdown(status_markdown(status))
        details = card_details(key, data)
        if details:
            st.caption(details)


def go_to_school(school_code: str) -> None:
    """Open 学校画像 with the school preselected (query parameter `school`, filters carried along)."""
    st.switch_page(
        PROFILE_PAGE, query_params={SCHOOL_PARAM: school_code} | st.session_state.get(SESSION_FILTERS, {})
    )


def school_picker(
    schools: pl.DataFrame, key: str, *, label: str = "选择学校", sync_url: bool = True
) -> str | None:
    """A selectbox of school names, preselected from the `school` query parameter; returns the code.

    With `sync_url` the choice is written back to the URL, so a school's page can be bookmarked."""
    if schools.is_empty():
        return None
    codes = schools["school_code"].to_list()
    names = dict(zip(codes, schools["school_name"].to_list(), strict=True))
    wanted = st.query_params.get(SCHOOL_PARAM)
    index = codes.index(wanted) if wanted in codes else 0
    code = st.selectbox(label, codes, index=index, format_func=lambda c: f"{names[c]}（{c}）", key=key)
    if sync_url and code and st.query_params.get(SCHOOL_PARAM) != code:
        st.query_params[SCHOOL_PARAM] = code
    return code


@st.cache_data(show_spinner=False, max_entries=32)
def freshness(db: str, version: str) -> dict[str, object] | None:
    """The latest batch in force: when it was loaded, by whom, which files (for the data-freshness line)."""
    with snapshot(db) as con:
        batches = [b for b in ledger.list_batches(con) if not b["rolled_back"]]  # type: ignore[arg-type]
    if not batches:
        return None
    latest = batches[0]
    return {
        "id": latest["id"],
        "user": latest["user"],
        "loaded_at": str(latest["loaded_at"]).replace("T", " "),
        "files": [f["name"] for f in latest["files"]],  # type: ignore[union-attr]
        "batches": len(batches),
    }


def params_caption(params: periods.Params) -> str:
    """What the page is computed for, in one line (年度, 学年, 截止日期 and the filters in force)."""
    parts = [
        f"年度 {params.year}" if params.year else "年度 —",
        f"学年 {params.school_year}" if params.school_year else "学年 —",
        f"截止 {params.as_of}" if params.as_of else "",
    ]
    for field, label in (("town", "乡镇街道"), ("stage", "学段"), ("area_type", "城乡类型")):
        value = getattr(params, field, None)
        if value:
            parts.append(f"{label}：{value}")
    return "统计口径：" + "，".join(p for p in parts if p)


def laggards_first(matrix: pl.DataFrame) -> pl.DataFrame:
    """The school matrix with the schools 未达标 on most indicators first (ties keep the query's order):
    the order in which the status table and the heat map cut a province down to MATRIX_ROWS schools."""
    status_keys = [c for c in matrix.columns if c.endswith("_status")]
    if not status_keys:
        return matrix
    lagging = pl.sum_horizontal([(pl.col(c) == STATUS_BAD).cast(pl.Int32) for c in status_keys])
    return matrix.sort(lagging, descending=True, maintain_order=True)


def status_matrix_table(matrix: pl.DataFrame, key: str) -> str | None:
    """The school × indicator matrix as a table whose cells carry the status symbol and colour.

    Clicking a row selects that school; returns its code so the page can open 学校画像.
    """
    if matrix.is_empty():
        st.info("当前筛选条件下没有学校。")
        return None
    matrix = laggards_first(matrix)
    if matrix.height > MATRIX_ROWS:
        st.caption(
            f"共 {matrix.height} 所学校，按未达标项数从多到少显示前 {MATRIX_ROWS} 所；完整表格请点下方“下载 Excel”。"
        )
    full = tables.matrix_cells(matrix)
    cells = full.head(MATRIX_ROWS)
    shown = display_frame(cells.drop("school_code"))
    status_columns = [INDICATORS_BY_KEY[k].zh for k in INDICATORS_BY_KEY if f"{k}_status" in matrix.columns]

    def colour(text: object) -> str:
        return f"color: {labels.status_color(tables.cell_status(text))}; font-weight: 600"

    styler = shown.to_pandas().style.map(colour, subset=status_columns)
    event = st.dataframe(
        styler,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=f"tbl_{key}",
        height=min(36 + 35 * shown.height, 640),
    )
    download_xlsx(full.drop("school_code"), "各校指标达标情况", key)
    rows = getattr(getattr(event, "selection", None), "rows", None) or []
    return cells["school_code"][rows[0]] if rows else None


def count_change(now: int | None, before: int | None, *, fewer_is_better: bool = False) -> str:
    """'↓ 减少 2 所（好转）' style wording of a change in a count of schools."""
    if now is None or before is None:
        return "无上期数据"
    diff = now - before
    if diff == 0:
        return catalog.TREND_FLAT
    better = (diff < 0) == fewer_is_better
    word = "减少" if diff < 0 else "增加"
    arrow = catalog.TREND_DOWN if diff < 0 else catalog.TREND_UP
    return f"{arrow} {word} {abs(diff)} 所（{'好转' if better else '变差'}）"
