"""What the pages draw with: tables with their Excel download, charts with their data, indicator
cards, the status matrix, the school picker.
"""

from __future__ import annotations

import functools

import polars as pl
import streamlit as st

from oversight.app import audit_log, downloads, memo, sidebar
from oversight.contract import catalog
from oversight.contract.catalog import INDICATORS_BY_KEY, STATUS_NONE
from oversight.metrics import indicators, schools
from oversight.present import figures, formats, headline, labels, tables, xlsx

#: rows of the school × indicator matrix drawn on screen (a province has tens of thousands of schools; the
#: download carries them all, and the laggards come first)
MATRIX_ROWS = figures.CHART_ROWS
#: a detail table shows at most this many rows in the browser (a province's list of non-compliant matters
#: runs to hundreds of thousands); the Excel download below it keeps every row
TABLE_ROWS = 5000


def indicator_label(key: str) -> str:
    return INDICATORS_BY_KEY[key].zh


SCHOOL_PARAM = "school"
PROFILE_PAGE = "pages/5_学校画像.py"
XLSX_MIME = xlsx.MIME


#: how the grid formats each kind of column (present.tables.column_kinds): one decimal for shares,
#: thousands separators for amounts, ISO dates
_FORMATS = {
    tables.SHARE: lambda: st.column_config.NumberColumn(format="%.1f%%"),
    tables.AMOUNT: lambda: st.column_config.NumberColumn(format="localized"),
    tables.DATE: lambda: st.column_config.DateColumn(format="YYYY-MM-DD"),
}
#: what an empty cell shows (the grid would print an English "None")
EMPTY = "—"


def _column_config(kinds: dict[str, str]) -> dict[str, object]:
    return {name: _FORMATS[kind]() for name, kind in kinds.items()}


def download_xlsx(df: pl.DataFrame, name: str, key: str) -> None:
    """A download button for the table as .xlsx; the workbook is built only when clicked."""
    shown = tables.display_frame(tables.readable(df))
    st.download_button(
        "下载 Excel（.xlsx）",
        data=audit_log.session_audited(
            functools.partial(xlsx.frame_to_xlsx, shown, name, tables.column_kinds(df)), f"{name}.xlsx"
        ),
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
    if df.height > TABLE_ROWS:
        st.caption(f"共 {df.height} 行，此处显示前 {TABLE_ROWS} 行；完整数据请点下方“下载 Excel”。")
    # readable cells and Chinese headers once per content, shared by every session (app.memo)
    shown, kinds = memo.shared("screen_frame", tables.screen_frame, df.head(TABLE_ROWS))
    st.dataframe(
        shown,
        hide_index=True,
        column_config=_column_config(kinds),  # type: ignore[arg-type]
        height=height,  # type: ignore[arg-type]
        placeholder=EMPTY,
        key=f"tbl_{key}",
    )
    download_xlsx(df, name, key)


def chart(fig: object, df: pl.DataFrame, name: str, key: str) -> None:
    """A figure with the table behind it one click away (expander) and downloadable as .xlsx."""
    # no plotly mode bar: its tooltips are English (Download plot as a PNG, Zoom, Pan ...) and the chart
    # has our own 下载图片 button below it
    st.plotly_chart(fig, key=f"fig_{key}", config={"displayModeBar": False, "displaylogo": False})
    downloads.png_download_button(fig, name, key=f"png_{key}")
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
        if field == ind.headline or field in labels.DETAIL_HIDDEN:
            continue
        if isinstance(value, dict):  # counts per type or level: the ones that occur
            parts += [f"{k} {v}" for k, v in value.items() if isinstance(v, int | float) and v]
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
        return f"{trend} 较上期 {formats.points(diff)}"
    return f"{trend} 较上期 {diff:+.0f}"


def indicator_card(key: str, result: dict, change: dict | None = None) -> None:
    """One indicator of a compute() result: headline value (无数据 when nothing was reported), status
    colour + symbol, the change against 上期, how complete the period's records are, and, on hover, the
    rule and threshold that gave the colour (from the catalog)."""
    ind = INDICATORS_BY_KEY[key]
    change = change or {}
    data = result[key]
    value = indicators.reported_headline(result, key)
    status = result.get("status", {}).get(key) or catalog.status_of(ind, value)
    shown = (
        catalog.STATUS_NONE
        if status == catalog.STATUS_NONE and ind.ok_at is not None
        else _card_value(key, value)
    )
    reason = headline.status_reason(key, result)
    rule = f"{ind.description}。{headline.threshold_text(key)}" if ind.ok_at is not None else ind.description
    with st.container(border=True):
        st.metric(
            ind.zh,
            shown,
            delta=change_text(key, value, change.get("previous"), change.get("trend")),
            delta_color="off",
            delta_arrow="off",
            help=f"{reason}\n\n{rule}" if ind.ok_at is not None else rule or None,
        )
        if ind.ok_at is not None:
            st.markdown(status_markdown(status))
        covered = result.get("coverage", {}).get(key)
        if covered is not None and covered["reported"] < covered["expected"]:
            st.caption(headline.coverage_text(key, covered))
        details = card_details(key, data)
        if details:
            st.caption(details)


def facts_row(result: dict, changes: dict, keys: tuple[str, ...]) -> None:
    """The indicators without a status (counts: schools, orgs, appointments, honours) as one compact row
    of figures with their change, so the cards below carry only what is judged against a threshold."""
    for col, key in zip(st.columns(len(keys)), keys, strict=True):
        ind = INDICATORS_BY_KEY[key]
        change = changes.get(key, {})
        value = result[key].get(ind.headline)
        col.metric(
            ind.zh,
            _card_value(key, value),
            delta=change_text(key, value, change.get("previous"), change.get("trend")),
            delta_color="off",
            delta_arrow="off",
            help=ind.description or None,
        )
        details = card_details(key, result[key])
        if details:
            col.caption(details)


def lagging_list(matrix: pl.DataFrame, limit: int = MATRIX_ROWS) -> None:
    """The schools 未达标 on at least one indicator, worst first, each with its red items in words: the
    matrix as a phone reads it (one line per school instead of a wide grid)."""
    # sorted and worded once per matrix and shared by every session (app.memo): 9 ms of a warm 总览
    lines = memo.shared("lagging_lines", _lagging_lines, matrix, limit)
    if not lines:
        st.success("本期没有未达标的学校。")
        return
    # one element for the whole list, not one per school: every element is a message of its own to
    # serialise, compress and send on every run (the district's 30-odd lines were a tenth of 总览's)
    st.markdown("\n\n".join(lines))


def _lagging_lines(matrix: pl.DataFrame, limit: int) -> list[str]:
    return tables.lagging_lines(schools.laggards_first(matrix), limit)


def go_to_school(school_code: str) -> None:
    """Open 学校画像 with the school preselected (query parameter `school`, filters carried along)."""
    st.switch_page(
        PROFILE_PAGE,
        query_params={SCHOOL_PARAM: school_code} | st.session_state.get(sidebar.SESSION_FILTERS, {}),
    )


def school_picker(
    school_list: pl.DataFrame, key: str, *, label: str = "选择学校", sync_url: bool = True
) -> str | None:
    """A selectbox of school names, preselected from the `school` query parameter; returns the code.

    With `sync_url` the choice is written back to the URL, so a school's page can be bookmarked."""
    if school_list.is_empty():
        return None
    codes = school_list["school_code"].to_list()
    names = dict(zip(codes, school_list["school_name"].to_list(), strict=True))
    wanted = st.query_params.get(SCHOOL_PARAM)
    index = codes.index(wanted) if wanted in codes else 0
    code = st.selectbox(label, codes, index=index, format_func=lambda c: f"{names[c]}（{c}）", key=key)
    if sync_url and code and st.query_params.get(SCHOOL_PARAM) != code:
        st.query_params[SCHOOL_PARAM] = code
    return code


def status_matrix_table(matrix: pl.DataFrame, key: str) -> str | None:
    """The school × indicator matrix as a table whose cells carry the status symbol and colour.

    Clicking a row selects that school; returns its code so the page can open 学校画像.
    """
    if matrix.is_empty():
        st.info("当前筛选条件下没有学校。")
        return None
    # the ordering, the cells and the coloured rendering are worked out once per matrix and shared by
    # every session (app.memo): they cost more than the rest of 总览 together
    total, codes, full, styler = memo.shared("status_matrix", _matrix_view, matrix, MATRIX_ROWS, key)
    if total > MATRIX_ROWS:
        st.caption(
            f"共 {total} 所学校，按未达标项数从多到少显示前 {MATRIX_ROWS} 所；完整表格请点下方“下载 Excel”。"
        )
    # each indicator column says on hover how its colours were judged (the catalog's thresholds)
    rules = {
        INDICATORS_BY_KEY[k].zh: st.column_config.TextColumn(
            help=f"{headline.threshold_text(k)}；◇ 未报送：本期没有该校记录；○ 无数据"
        )
        for k in INDICATORS_BY_KEY
        if f"{k}_status" in matrix.columns
    }
    event = st.dataframe(
        styler,
        hide_index=True,
        column_config=rules,
        on_select="rerun",
        selection_mode="single-row",
        key=f"tbl_{key}",
        height=min(36 + 35 * len(codes), 640),
    )
    download_xlsx(full, "各校指标达标情况", key)
    rows = getattr(getattr(event, "selection", None), "rows", None) or []
    return codes[rows[0]] if rows else None


def _matrix_view(matrix: pl.DataFrame, rows: int, key: str) -> tuple[int, list[str], pl.DataFrame, object]:
    """What status_matrix_table draws: the school count, the codes of the rows shown, the full table for
    the download, and the shown rows' cells coloured by status (a Styler rendered once)."""
    ordered = schools.laggards_first(matrix)
    full = tables.matrix_cells(ordered)
    cells = full.head(rows)
    shown = tables.display_frame(cells.drop("school_code"))
    status_columns = [INDICATORS_BY_KEY[k].zh for k in INDICATORS_BY_KEY if f"{k}_status" in matrix.columns]

    def colour(text: object) -> str:
        return f"color: {labels.status_color(tables.cell_status(text))}; font-weight: 600"

    styler = memo.prepared_styler(
        shown.to_pandas(), f"matrix_{key}", lambda s: s.map(colour, subset=status_columns)
    )
    return ordered.height, cells["school_code"].to_list(), full.drop("school_code"), styler


def pick_school(df: pl.DataFrame, name: str, key: str) -> str | None:
    """A table of schools (one row per entry, `school_code` among its columns) whose rows can be clicked;
    returns the clicked school's code so the page can open 学校画像. The Excel download carries all rows."""
    if df.is_empty():
        return None
    shown = df.head(TABLE_ROWS)
    # readable cells and Chinese headers once per content, shared by every session (app.memo)
    screen, kinds = memo.shared("screen_frame", tables.screen_frame, shown.drop("school_code"))
    event = st.dataframe(
        screen,
        hide_index=True,
        column_config=_column_config(kinds),  # type: ignore[arg-type]
        placeholder=EMPTY,
        on_select="rerun",
        selection_mode="single-row",
        key=f"tbl_{key}",
    )
    download_xlsx(df.drop("school_code"), name, key)
    rows = getattr(getattr(event, "selection", None), "rows", None) or []
    return shown["school_code"][rows[0]] if rows else None


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
