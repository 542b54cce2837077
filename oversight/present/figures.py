"""Plotly figure builders for the dashboard: each takes a polars frame and returns a go.Figure.

Kept free of Streamlit so every figure can be tested on a handful of rows. The rules every builder
follows, so the pages stay consistent without thinking about it:
- Chinese title, axis titles and hover text; one CJK font stack.
- A status is always drawn with catalog.STATUS_STYLE: its colour *and* its symbol, so a printed
  black-and-white page still tells 达标 from 未达标.
- Shares (`*_share`, `*_ratio`, `*_rate`) are percentages on the axis and in the hover.

Labels come from present.labels and numbers are formatted by present.formats, like every other surface.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from oversight.contract import catalog
from oversight.contract.catalog import INDICATORS, INDICATORS_BY_KEY, STATUS_BAD, STATUS_NONE, STATUS_STYLE
from oversight.present.formats import format_value
from oversight.present.labels import column_label, is_share, status_color, status_text

FONT_FAMILY = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
#: statuses in the order a legend lists them
STATUS_ORDER: tuple[str, ...] = (catalog.STATUS_OK, catalog.STATUS_WARN, catalog.STATUS_BAD, STATUS_NONE)
#: plotly marker shapes matching the text symbols of STATUS_STYLE (● ▲ ✖ ○)
STATUS_MARKERS: dict[str, str] = {
    catalog.STATUS_OK: "circle",
    catalog.STATUS_WARN: "triangle-up",
    catalog.STATUS_BAD: "x",
    STATUS_NONE: "circle-open",
}
#: a qualitative palette for categories that are not statuses (org types, levels, kinds)
PALETTE: tuple[str, ...] = ("#1f5f99", "#d98c1f", "#5b8c5a", "#8e5ea2", "#b55d4c", "#4a9bb0", "#7f7f7f")
#: hatching per series, so stacked bars of categories still separate in black-and-white print
PATTERNS: tuple[str, ...] = ("", "/", ".", "x", "\\", "+", "-")
ROOT_LABEL = "区教体局党委"
#: Per-school and per-branch charts draw at most this many bars / rows (the worst, as the caller sorts):
#: a province's 30,000 bars are unreadable and took seconds of every page run to build. The full data stays
#: in the table and the Excel download under each chart.
CHART_ROWS = 300
#: above this many organisations the tree keeps the primary ones with most members and drops sub-branches
ORG_TREE_NODES = 1500
BAR_COLOR = "#1f5f99"
DISTRICT_COLOR = "#7f7f7f"

# ---------------------------------------------------------------- layout


def _layout(
    fig: go.Figure,
    title: str,
    x_title: str | None = None,
    y_title: str | None = None,
    *,
    height: int | None = None,
) -> go.Figure:
    # the title sits at the very top of the figure and the legend on its own line under it, so a long
    # Chinese title never runs into the legend whatever the figure's height
    fig.update_layout(
        title={
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 14},
        },
        font={"family": FONT_FAMILY, "size": 13},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        legend={
            "title": {"text": ""},
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "x": 0,
            "traceorder": "normal",
        },
        margin={"l": 10, "r": 10, "t": 96, "b": 10},
        template="plotly_white",
        separators=".,",
    )
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    if height:
        fig.update_layout(height=height)
    return fig


def empty_figure(title: str, message: str = "当前筛选条件下没有数据") -> go.Figure:
    """A titled figure saying there is nothing to draw, rather than a blank frame."""
    fig = go.Figure()
    fig.add_annotation(
        text=message, showarrow=False, font={"size": 16}, x=0.5, y=0.5, xref="paper", yref="paper"
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, height=260)


def _pct_axis(fig: go.Figure, axis: str = "y") -> None:
    if axis == "y":
        fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    else:
        fig.update_xaxes(tickformat=".0%", rangemode="tozero")


# ---------------------------------------------------------------- status figures


def status_matrix(
    df: pl.DataFrame,
    row: str = "school_name",
    keys: Sequence[str] | None = None,
    title: str = "各校指标达标情况",
) -> go.Figure:
    """Schools × indicators as traffic lights: each cell the status colour with its symbol.

    `df` has one row per school with `<key>_status` columns (indicators.school_matrix); `<key>` value
    columns, when present, go into the hover.
    """
    if keys is None:
        keys = [i.key for i in INDICATORS if f"{i.key}_status" in df.columns]
    if df.is_empty() or not keys:
        return empty_figure(title)
    x_labels = [INDICATORS_BY_KEY[k].zh if k in INDICATORS_BY_KEY else column_label(k) for k in keys]
    y_labels = [str(v) for v in df[row].to_list()]
    code = {s: i for i, s in enumerate(STATUS_ORDER)}
    z, text, hover = [], [], []
    for rec in df.iter_rows(named=True):
        z_row, t_row, h_row = [], [], []
        for k, label in zip(keys, x_labels, strict=True):
            status = rec.get(f"{k}_status") or STATUS_NONE
            value = rec.get(k)
            unit_share = k in INDICATORS_BY_KEY and INDICATORS_BY_KEY[k].unit == "share"
            z_row.append(code.get(status, code[STATUS_NONE]))
            t_row.append(STATUS_STYLE.get(status, STATUS_STYLE[STATUS_NONE])[1])
            h_row.append(f"{rec[row]}<br>{label}：{_fmt_any(value, unit_share)}<br>状态：{status}")
        z.append(z_row)
        text.append(t_row)
        hover.append(h_row)
    n = len(STATUS_ORDER)
    # a stepped colour scale: each status code gets exactly its own colour
    scale = []
    for i, s in enumerate(STATUS_ORDER):
        scale.append([i / n, status_color(s)])
        scale.append([(i + 1) / n, status_color(s)])
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x_labels,
            y=y_labels,
            text=text,
            texttemplate="%{text}",
            textfont={"color": "white", "size": 14},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=scale,
            zmin=-0.5,
            zmax=n - 0.5,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    for s in STATUS_ORDER:  # legend entries: colour plus symbol
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=status_text(s),
                marker={"color": status_color(s), "symbol": STATUS_MARKERS[s], "size": 12},
                showlegend=True,
            )
        )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(side="top", type="category")
    _layout(fig, title, height=max(320, 26 * len(y_labels) + 140))
    fig.update_layout(legend={"y": -0.02, "yanchor": "top"}, margin={"t": 110})
    return fig


def status_bars(
    df: pl.DataFrame,
    category: str,
    value: str,
    status: str = "status",
    *,
    title: str,
    value_title: str | None = None,
    category_title: str | None = None,
    target: float | None = None,
    target_label: str = "目标",
    share: bool | None = None,
    horizontal: bool = True,
    hover_extra: Sequence[str] = (),
) -> go.Figure:
    """One bar per row coloured by its status (one trace per status, so the legend says which is which).

    Bars carry their symbol in the text; an optional dashed line marks the target (the 10% rotation line).
    """
    if df.is_empty():
        return empty_figure(title)
    if df.height > CHART_ROWS:
        title = f"{title}（共 {df.height} 项，显示排在最前的 {CHART_ROWS} 项）"
        df = df.head(CHART_ROWS)
    share = is_share(value) if share is None else share
    value_title = value_title or column_label(value)
    category_title = category_title or column_label(category)
    fig = go.Figure()
    order = [str(v) for v in df[category].to_list()]
    for s in STATUS_ORDER:
        part = df.filter(pl.col(status).fill_null(STATUS_NONE) == s)
        if part.is_empty():
            continue
        values = part[value].to_list()
        labels = [f"{STATUS_STYLE[s][1]} {format_value(v, share)}" for v in values]
        extra = [
            "<br>".join(f"{column_label(c)}：{_fmt_any(r.get(c), is_share(c))}" for c in hover_extra)
            for r in part.iter_rows(named=True)
        ]
        cats = [str(v) for v in part[category].to_list()]
        hover = (
            f"{category_title}：%{{{'y' if horizontal else 'x'}}}<br>{value_title}：%{{text}}"
            f"<br>状态：{s}%{{customdata}}<extra></extra>"
        )
        fig.add_trace(
            go.Bar(
                x=values if horizontal else cats,
                y=cats if horizontal else values,
                orientation="h" if horizontal else "v",
                name=status_text(s),
                marker={"color": status_color(s)},
                text=labels,
                textposition="outside",
                customdata=[("<br>" + e) if e else "" for e in extra],
                hovertemplate=hover,
            )
        )
    if target is not None:
        line = {"color": "#333333", "dash": "dash", "width": 2}
        note = f"{target_label} {format_value(target, share)}"
        if horizontal:
            fig.add_vline(x=target, line=line, annotation_text=note, annotation_position="top")
        else:
            fig.add_hline(y=target, line=line, annotation_text=note, annotation_position="top left")
    axis = "x" if horizontal else "y"
    if share:
        _pct_axis(fig, axis)
    # room beyond the longest bar for its outside label ('● 100.0%')
    top = max([v for v in df[value].to_list() if v is not None] + [target or 0, 0])
    if top > 0:
        fig.update_xaxes(range=[0, top * 1.18]) if horizontal else fig.update_yaxes(range=[0, top * 1.18])
    if horizontal:
        fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], type="category")
        _layout(fig, title, value_title, category_title, height=max(320, 24 * len(order) + 140))
    else:
        fig.update_xaxes(categoryorder="array", categoryarray=order, type="category")
        _layout(fig, title, category_title, value_title)
    fig.update_layout(barmode="overlay", bargap=0.25)
    return fig


def _fmt_any(value: object, share: bool) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return format_value(float(value), share)
    return str(value)


def status_heatmap(
    df: pl.DataFrame,
    x: str,
    y: str,
    status: str = "status",
    *,
    title: str,
    x_title: str | None = None,
    y_title: str | None = None,
    hover: str | None = None,
) -> go.Figure:
    """A long frame (x, y, status) as a grid of status cells, e.g. branch × quarter for 三会一课."""
    if df.is_empty():
        return empty_figure(title)
    rows_total = df[y].n_unique()
    if rows_total > CHART_ROWS:
        # the rows with most 未达标 cells first, ties in the caller's order
        bad = df.group_by(y, maintain_order=True).agg((pl.col(status) == STATUS_BAD).sum().alias("_bad"))
        keep = bad.sort("_bad", descending=True, maintain_order=True).head(CHART_ROWS)
        df = df.join(keep.select(y), on=y, how="semi", maintain_order="left")
        df = df.join(keep.with_row_index("_rank").select(y, "_rank"), on=y, how="left").sort(
            "_rank", maintain_order=True
        )
        title = f"{title}（共 {rows_total} 行，显示未达标最多的 {CHART_ROWS} 行）"
    wide = df.select(x, y, status, *([hover] if hover else [])).unique(subset=[x, y], keep="first")
    xs = sorted({str(v) for v in wide[x].to_list()})
    ys = list(dict.fromkeys(str(v) for v in df[y].to_list()))
    frame = (
        wide.with_columns(pl.col(x).cast(pl.String), pl.col(y).cast(pl.String))
        .rename({x: "key_x", y: "key_y", status: "key_s"} | ({hover: "key_h"} if hover else {}))
        .with_columns(pl.col("key_s").fill_null(STATUS_NONE))
    )
    cols = frame.select("key_x", "key_y", "key_s", *(["key_h"] if hover else [])).to_dicts()
    cells = {(c["key_y"], c["key_x"]): c for c in cols}
    code = {s: i for i, s in enumerate(STATUS_ORDER)}
    z, text, custom = [], [], []
    for yy in ys:
        z_row, t_row, c_row = [], [], []
        for xx in xs:
            cell = cells.get((yy, xx))
            s = cell["key_s"] if cell else STATUS_NONE
            z_row.append(code.get(s, code[STATUS_NONE]))
            t_row.append(STATUS_STYLE.get(s, STATUS_STYLE[STATUS_NONE])[1])
            detail = f"<br>{cell['key_h']}" if cell and hover and cell.get("key_h") else ""
            c_row.append(f"{s}{detail}")
        z.append(z_row)
        text.append(t_row)
        custom.append(c_row)
    n = len(STATUS_ORDER)
    scale = []
    for i, s in enumerate(STATUS_ORDER):
        scale += [[i / n, status_color(s)], [(i + 1) / n, status_color(s)]]
    x_title = x_title or column_label(x)
    y_title = y_title or column_label(y)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=xs,
            y=ys,
            text=text,
            texttemplate="%{text}",
            textfont={"color": "white"},
            customdata=custom,
            hovertemplate=f"{y_title}：%{{y}}<br>{x_title}：%{{x}}<br>状态：%{{customdata}}<extra></extra>",
            colorscale=scale,
            zmin=-0.5,
            zmax=n - 0.5,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    present = {c["key_s"] for c in cols}
    for s in STATUS_ORDER:
        if s in present:
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=status_text(s),
                    marker={"color": status_color(s), "symbol": STATUS_MARKERS[s], "size": 12},
                )
            )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="top")
    _layout(fig, title, x_title, y_title, height=max(320, 22 * len(ys) + 150))
    fig.update_layout(legend={"y": -0.02, "yanchor": "top"}, margin={"t": 110})
    return fig


# ---------------------------------------------------------------- categories, counts and shares


def stacked_bars(
    df: pl.DataFrame,
    category: str,
    parts: Sequence[str],
    *,
    title: str,
    category_title: str | None = None,
    value_title: str = "数量",
    colors: Mapping[str, str] | None = None,
    horizontal: bool = False,
    barmode: str = "stack",
    height: int | None = None,
) -> go.Figure:
    """Counts of several parts per category (分设/一肩挑/空缺 per 学段, outcomes per 类别 …)."""
    if df.is_empty():
        return empty_figure(title)
    category_title = category_title or column_label(category)
    cats = [str(v) for v in df[category].to_list()]
    fig = go.Figure()
    for i, part in enumerate(parts):
        name = column_label(part)
        values = df[part].to_list()
        color = (colors or {}).get(part, PALETTE[i % len(PALETTE)])
        fig.add_trace(
            go.Bar(
                x=values if horizontal else cats,
                y=cats if horizontal else values,
                orientation="h" if horizontal else "v",
                name=name,
                marker={"color": color, "pattern": {"shape": PATTERNS[i % len(PATTERNS)]}},
                text=values,
                textposition="inside",
                hovertemplate=(
                    f"{category_title}：%{{{'y' if horizontal else 'x'}}}<br>{name}："
                    f"%{{{'x' if horizontal else 'y'}}}<extra></extra>"
                ),
            )
        )
    fig.update_layout(barmode=barmode)
    if horizontal:
        fig.update_yaxes(type="category", categoryorder="array", categoryarray=cats[::-1])
        return _layout(fig, title, value_title, category_title, height=max(320, 26 * len(cats) + 140))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=cats)
    return _layout(fig, title, category_title, value_title, height=height)


def grouped_by(
    df: pl.DataFrame,
    x: str,
    color: str,
    value: str,
    *,
    title: str,
    x_title: str | None = None,
    value_title: str | None = None,
    color_order: Sequence[str] | None = None,
    cumulative_line: bool = False,
    barmode: str = "stack",
) -> go.Figure:
    """A long frame (x, group, value) as stacked bars per group, optionally with the running total.

    Used for 最强党支部 by year and level, with the cumulative count as a line on a second axis.
    """
    if df.is_empty():
        return empty_figure(title)
    x_title = x_title or column_label(x)
    value_title = value_title or column_label(value)
    xs = sorted({v for v in df[x].to_list() if v is not None})
    groups = list(color_order) if color_order else sorted({str(v) for v in df[color].to_list()})
    fig = make_subplots(specs=[[{"secondary_y": cumulative_line}]])
    for i, g in enumerate(groups):
        part = df.filter(pl.col(color).cast(pl.String) == g)
        by_x = dict(zip(part[x].to_list(), part[value].to_list(), strict=True))
        ys = [by_x.get(v, 0) or 0 for v in xs]
        fig.add_trace(
            go.Bar(
                x=[str(v) for v in xs],
                y=ys,
                name=g,
                marker={
                    "color": PALETTE[i % len(PALETTE)],
                    "pattern": {"shape": PATTERNS[i % len(PATTERNS)]},
                },
                hovertemplate=f"{x_title}：%{{x}}<br>{g}：%{{y}}<extra></extra>",
            ),
            secondary_y=False,
        )
    if cumulative_line:
        totals = df.group_by(x).agg(pl.col(value).sum()).sort(x)
        by_x = dict(zip(totals[x].to_list(), totals[value].to_list(), strict=True))
        running, cum = 0, []
        for v in xs:
            running += by_x.get(v, 0) or 0
            cum.append(running)
        fig.add_trace(
            go.Scatter(
                x=[str(v) for v in xs],
                y=cum,
                name="累计",
                mode="lines+markers+text",
                text=cum,
                textposition="top center",
                line={"color": "#333333", "width": 2},
                marker={"symbol": "diamond", "size": 8},
                hovertemplate=f"{x_title}：%{{x}}<br>累计：%{{y}}<extra></extra>",
            ),
            secondary_y=True,
        )
        fig.update_yaxes(
            title_text="累计", secondary_y=True, rangemode="tozero", tickformat="d", showgrid=False
        )
    fig.update_layout(barmode=barmode)
    fig.update_xaxes(type="category")
    _layout(fig, title, x_title)
    fig.update_yaxes(title_text=value_title, secondary_y=False)
    return fig


def lines(
    df: pl.DataFrame,
    x: str,
    y: str,
    color: str | None = None,
    *,
    title: str,
    x_title: str | None = None,
    y_title: str | None = None,
    share: bool | None = None,
    target: float | None = None,
    target_label: str = "目标",
) -> go.Figure:
    """One line per group over periods (school years, calendar years), optional target line."""
    if df.is_empty():
        return empty_figure(title)
    share = is_share(y) if share is None else share
    x_title = x_title or column_label(x)
    y_title = y_title or column_label(y)
    groups = [None] if color is None else list(dict.fromkeys(df[color].to_list()))
    fig = go.Figure()
    symbols = ("circle", "square", "diamond", "triangle-up", "cross", "star")
    for i, g in enumerate(groups):
        part = df if g is None else df.filter(pl.col(color) == g)
        part = part.sort(x)
        ys = part[y].to_list()
        name = y_title if g is None else str(g)
        fig.add_trace(
            go.Scatter(
                x=[str(v) for v in part[x].to_list()],
                y=ys,
                name=name,
                mode="lines+markers+text",
                text=[format_value(v, share) for v in ys],
                textposition="top center",
                line={"color": PALETTE[i % len(PALETTE)], "width": 2},
                marker={"symbol": symbols[i % len(symbols)], "size": 8},
                hovertemplate=f"{x_title}：%{{x}}<br>{name}：%{{text}}<extra></extra>",
            )
        )
    if target is not None:
        fig.add_hline(
            y=target,
            line={"color": "#333333", "dash": "dash"},
            annotation_text=f"{target_label} {format_value(target, share)}",
            annotation_position="top left",
        )
    if share:
        _pct_axis(fig, "y")
    fig.update_xaxes(type="category")
    return _layout(fig, title, x_title, y_title)


def flows_sankey(
    df: pl.DataFrame,
    source: str = "from_area_type",
    target: str = "to_area_type",
    value: str = "flows_count",
    *,
    title: str = "教师交流流向（派出 → 接收）",
) -> go.Figure:
    """Who goes where between 城区 / 镇区 / 乡村 schools: sending side on the left, receiving on the right."""
    if df.is_empty():
        return empty_figure(title)
    agg = df.group_by(source, target).agg(pl.col(value).sum()).sort(source, target)
    lefts = sorted({str(v) for v in agg[source].to_list()})
    rights = sorted({str(v) for v in agg[target].to_list()})
    nodes = [f"派出·{v}" for v in lefts] + [f"接收·{v}" for v in rights]
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(lefts))] + [
        PALETTE[i % len(PALETTE)] for i in range(len(rights))
    ]
    src = [lefts.index(str(v)) for v in agg[source].to_list()]
    dst = [len(lefts) + rights.index(str(v)) for v in agg[target].to_list()]
    vals = agg[value].to_list()
    fig = go.Figure(
        go.Sankey(
            node={
                "label": nodes,
                "color": colors,
                "pad": 24,
                "thickness": 22,
                "hovertemplate": "%{label}：%{value} 人<extra></extra>",
            },
            link={
                "source": src,
                "target": dst,
                "value": vals,
                "color": "rgba(31,95,153,0.25)",
                "hovertemplate": "%{source.label} → %{target.label}：%{value} 人<extra></extra>",
            },
        )
    )
    _layout(fig, title, height=420)
    return fig.update_traces(textfont={"family": FONT_FAMILY, "size": 14, "color": "#222222"})


def org_tree(
    df: pl.DataFrame,
    *,
    title: str = "党组织体系（局党委 → 党委 / 党总支 / 党支部）",
    kind: str = "sunburst",
) -> go.Figure:
    """The bureau's organisation tree from queries/org_tree.sql (node_id, parent_id, label, org_type,
    members_count; the root row has an empty parent_id).

    The first ring groups the primary orgs by type (党委 / 党总支 / 党支部 …), so fifty orgs still read as
    a few slices. Sizes are members, but `members` counts subordinate orgs too (SPEC) and recorded
    figures do not always add up, so each org is drawn with its own remainder (members minus its
    children's, at least 1 so an empty branch stays visible) while the hover shows the reported count.
    """
    if df.is_empty():
        return empty_figure(title)
    type_totals: dict[str, tuple[int, int]] | None = None
    if df.height > ORG_TREE_NODES:
        df, type_totals = _largest_primary_orgs(df)
        title = f"{title}（组织较多，仅显示党员最多的 {df.height - 1} 个一级党组织）"
    rows = [dict(r) for r in df.to_dicts()]
    if not any(not r["parent_id"] for r in rows):
        rows.insert(
            0,
            {"node_id": "__root__", "parent_id": "", "label": ROOT_LABEL, "org_type": "", "members_count": 0},
        )
    root = next(r for r in rows if not r["parent_id"])
    ids = {r["node_id"] for r in rows}
    for r in rows:
        if r["parent_id"] and r["parent_id"] not in ids:
            r["parent_id"] = root["node_id"]
    primary = [r for r in rows if r["parent_id"] == root["node_id"]]
    types = [t for t in dict.fromkeys(str(r["org_type"] or "") for r in rows if r is not root) if t]
    type_color = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(types)}
    groups = []
    for t in dict.fromkeys(str(r["org_type"]) for r in primary):
        members = [r for r in primary if str(r["org_type"]) == t]
        count, total = (
            type_totals[t]
            if type_totals
            else (len(members), sum(int(r["members_count"] or 0) for r in members))
        )
        groups.append(
            {
                "node_id": f"__type__{t}",
                "parent_id": root["node_id"],
                "label": f"{t}（{count}）",
                "org_type": t,
                "members_count": total,
                "group": True,
            }
        )
        for r in members:
            r["parent_id"] = f"__type__{t}"
    nodes = [root, *groups, *[r for r in rows if r is not root]]
    child_sum: dict[str, int] = {}
    for r in nodes:
        if r["parent_id"] and not r.get("group"):
            child_sum[r["parent_id"]] = child_sum.get(r["parent_id"], 0) + int(r["members_count"] or 0)
    values, colors, hover = [], [], []
    for r in nodes:
        members = int(r["members_count"] or 0)
        if r is root:
            values.append(0)
            colors.append("#eeeeee")
            hover.append(f"{r['label']}<br>一级党组织：{len(primary)} 个<br>党员人数：{members}")
        elif r.get("group"):
            values.append(0)
            colors.append(type_color.get(str(r["org_type"]), DISTRICT_COLOR))
            hover.append(f"一级{r['label']}<br>党员人数：{members}")
        else:
            values.append(max(members - child_sum.get(r["node_id"], 0), 1))
            colors.append(type_color.get(str(r["org_type"]), DISTRICT_COLOR))
            hover.append(f"{r['label']}<br>组织类型：{r['org_type']}<br>党员人数：{members}")
    trace_cls = go.Sunburst if kind == "sunburst" else go.Treemap
    extra: dict[str, object] = (
        {"insidetextorientation": "radial", "maxdepth": 3} if kind == "sunburst" else {}
    )
    fig = go.Figure(
        trace_cls(
            ids=[r["node_id"] for r in nodes],
            labels=[str(r["label"]) for r in nodes],
            parents=[r["parent_id"] or "" for r in nodes],
            values=values,
            branchvalues="remainder",
            marker={"colors": colors, "line": {"color": "white", "width": 1}},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            **extra,
        )
    )
    for t in types:  # a legend for the org types (a sunburst has none of its own)
        fig.add_trace(
            go.Scatter(
                x=[None], y=[None], mode="markers", name=t, marker={"color": type_color[t], "size": 12}
            )
        )
    fig.update_xaxes(visible=False, showgrid=False, zeroline=False)
    fig.update_yaxes(visible=False, showgrid=False, zeroline=False)
    return _layout(fig, title, height=640)


def _largest_primary_orgs(df: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, tuple[int, int]]]:
    """The root and the CHART_ROWS primary orgs with most members (sub-branches dropped; `members`
    already counts them), plus every type's true primary-org count and members for the type ring."""
    is_root = pl.col("parent_id").fill_null("") == ""
    roots = df.filter(is_root)
    primary = df.filter(pl.col("parent_id").is_in(roots["node_id"].implode()))
    totals = primary.group_by("org_type").agg(pl.len(), pl.col("members_count").fill_null(0).sum())
    type_totals = {str(t): (int(n), int(m)) for t, n, m in totals.iter_rows()}
    largest = primary.sort("members_count", descending=True, nulls_last=True).head(CHART_ROWS)
    return pl.concat([roots, largest], how="vertical_relaxed"), type_totals


def timeline(
    df: pl.DataFrame,
    *,
    start: str = "appointed_on",
    end: str = "left_on",
    label: str = "name",
    group: str = "post",
    as_of: date | None = None,
    title: str = "领导班子任职时间线",
) -> go.Figure:
    """Who held which post when: one bar per tenure, open tenures drawn up to the as-of date."""
    if df.is_empty():
        return empty_figure(title)
    as_of = as_of or date.today()
    rows = df.sort(group, start).to_dicts()
    groups = list(dict.fromkeys(str(r[group]) for r in rows))
    fig = go.Figure()
    for i, g in enumerate(groups):
        part = [r for r in rows if str(r[group]) == g]
        starts = [r[start] for r in part]
        ends = [r[end] or as_of for r in part]
        fig.add_trace(
            go.Bar(
                base=[s.isoformat() for s in starts],
                x=[(e - s).days * 86_400_000 for s, e in zip(starts, ends, strict=True)],
                y=[f"{r[label]}（{g}）" for r in part],
                orientation="h",
                name=g,
                marker={
                    "color": PALETTE[i % len(PALETTE)],
                    "pattern": {"shape": PATTERNS[i % len(PATTERNS)]},
                },
                customdata=[
                    [s.isoformat(), r[end].isoformat() if r[end] else "至今"]
                    for s, r in zip(starts, part, strict=True)
                ],
                hovertemplate="%{y}<br>任职：%{customdata[0]} 至 %{customdata[1]}<extra></extra>",
            )
        )
    fig.update_xaxes(type="date")
    fig.update_yaxes(type="category", autorange="reversed")
    return _layout(fig, title, "日期", "", height=max(300, 28 * len(rows) + 140))


def school_vs_district(
    df: pl.DataFrame,
    *,
    title: str = "本校与全区对比",
) -> go.Figure:
    """Each share indicator: the school's value (coloured by its status) beside the district's.

    `df`: indicator (key), school_value, school_text, district_value, status (school_vs_district_frame).
    """
    keys = [
        k
        for k in df["indicator"].to_list()
        if k in INDICATORS_BY_KEY and INDICATORS_BY_KEY[k].unit == "share"
    ]
    part = df.filter(pl.col("indicator").is_in(keys)) if keys else df.clear()
    if part.is_empty():
        return empty_figure(title)
    labels = [INDICATORS_BY_KEY[k].zh for k in part["indicator"].to_list()]
    statuses = [s or STATUS_NONE for s in part["status"].to_list()]
    school = part["school_value"].to_list()
    district = part["district_value"].to_list()
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=labels,
            x=school,
            orientation="h",
            name="本校（颜色和符号为状态）",
            marker={"color": [status_color(s) for s in statuses]},
            text=[
                f"{STATUS_STYLE[s][1]} {t}"
                for s, t in zip(statuses, part["school_text"].to_list(), strict=True)
            ],
            textposition="outside",
            customdata=statuses,
            hovertemplate="%{y}<br>本校：%{text}<br>状态：%{customdata}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=labels,
            x=district,
            mode="markers",
            name="全区",
            marker={
                "symbol": "line-ns-open",
                "size": 26,
                "color": "#222222",
                "line": {"width": 3, "color": "#222222"},
            },
            text=[format_value(v, True) for v in district],
            hovertemplate="%{y}<br>全区：%{text}<extra></extra>",
        )
    )
    _pct_axis(fig, "x")
    fig.update_xaxes(range=[0, 1.15])
    fig.update_yaxes(type="category", autorange="reversed")
    return _layout(fig, title, "比例", "", height=max(320, 50 * len(labels) + 140))


def trends(
    df: pl.DataFrame,
    *,
    period: str = "period",
    indicator: str = "indicator",
    value: str = "value",
    keys: Sequence[str] | None = None,
    title: str = "各项指标历年变化",
    columns: int = 2,
) -> go.Figure:
    """Every indicator over the periods in the data, one small panel each (shares in %, counts as counts).

    Share panels carry the 达标 and 预警 thresholds as dashed lines so a panel reads on its own.
    """
    if df.is_empty():
        return empty_figure(title)
    present = list(dict.fromkeys(df[indicator].to_list()))
    keys = [k for k in (keys or [i.key for i in INDICATORS]) if k in present]
    keys += [k for k in present if k not in keys]
    if not keys:
        return empty_figure(title)
    rows = (len(keys) + columns - 1) // columns
    names = [INDICATORS_BY_KEY[k].zh if k in INDICATORS_BY_KEY else column_label(str(k)) for k in keys]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=names, vertical_spacing=0.28 / max(rows, 1))
    for n, k in enumerate(keys):
        r, c = n // columns + 1, n % columns + 1
        part = df.filter(pl.col(indicator) == k).sort(period)
        ind = INDICATORS_BY_KEY.get(k)
        share = bool(ind and ind.unit == "share")
        ys = part[value].to_list()
        name = names[n]
        statuses = [catalog.status_of(ind, v) if ind else STATUS_NONE for v in ys]
        fig.add_trace(
            go.Scatter(
                x=[str(v) for v in part[period].to_list()],
                y=ys,
                mode="lines+markers",
                name=name,
                showlegend=False,
                line={"color": BAR_COLOR},
                marker={
                    "color": [status_color(s) for s in statuses] if share else BAR_COLOR,
                    "symbol": [STATUS_MARKERS[s] for s in statuses] if share else "circle",
                    "size": 10,
                },
                customdata=[[format_value(v, share), s] for v, s in zip(ys, statuses, strict=True)],
                hovertemplate=f"{name}<br>期间：%{{x}}<br>数值：%{{customdata[0]}}"
                + ("<br>状态：%{customdata[1]}" if share else "")
                + "<extra></extra>",
            ),
            row=r,
            col=c,
        )
        if share:
            fig.update_yaxes(tickformat=".0%", rangemode="tozero", row=r, col=c)
            for level, dash in ((ind.ok_at, "dash"), (ind.warn_at, "dot")):
                if level is not None:
                    fig.add_hline(y=level, line={"color": "#888888", "dash": dash, "width": 1}, row=r, col=c)
        else:
            fig.update_yaxes(rangemode="tozero", row=r, col=c)
        fig.update_xaxes(type="category", row=r, col=c)
    for s in STATUS_ORDER[:3]:
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=status_text(s),
                marker={"color": status_color(s), "symbol": STATUS_MARKERS[s], "size": 10},
            )
        )
    _layout(fig, title, height=260 * rows + 120)
    fig.update_annotations(font={"family": FONT_FAMILY, "size": 14})
    return fig


def pie(
    df: pl.DataFrame,
    names: str,
    values: str,
    *,
    title: str,
) -> go.Figure:
    """Parts of a whole (honoured vs not honoured branches); patterns keep it readable in print."""
    if df.is_empty() or not sum(v or 0 for v in df[values].to_list()):
        return empty_figure(title)
    n = df.height
    fig = go.Figure(
        go.Pie(
            labels=[str(v) for v in df[names].to_list()],
            values=df[values].to_list(),
            hole=0.45,
            sort=False,
            marker={"colors": list(PALETTE[:n]), "pattern": {"shape": list(PATTERNS[:n])}},
            textinfo="value+percent",
            textposition="inside",
            insidetextorientation="horizontal",
            hovertemplate="%{label}：%{value}（%{percent}）<extra></extra>",
        )
    )
    return _layout(fig, title, height=360)
