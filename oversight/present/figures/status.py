"""Figures of statuses: the school × indicator matrix, per-school bars against a target, heat maps."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

from oversight.contract.catalog import INDICATORS, INDICATORS_BY_KEY, STATUS_BAD, STATUS_NONE, STATUS_STYLE
from oversight.present.figures.base import (
    CHART_ROWS,
    STATUS_MARKERS,
    STATUS_ORDER,
    empty_figure,
    fmt_any,
    layout,
    pct_axis,
    target_line,
)
from oversight.present.formats import format_value
from oversight.present.labels import column_label, is_share, status_color, status_text


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
            h_row.append(f"{rec[row]}<br>{label}：{fmt_any(value, unit_share)}<br>状态：{status}")
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
                name=s,  # the marker is the symbol: the word alone beside it
                marker={"color": status_color(s), "symbol": STATUS_MARKERS[s], "size": 12},
                showlegend=True,
            )
        )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(side="top", type="category")
    layout(fig, title, height=max(320, 26 * len(y_labels) + 140))
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
            "<br>".join(f"{column_label(c)}：{fmt_any(r.get(c), is_share(c))}" for c in hover_extra)
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
                cliponaxis=False,  # the label of a full bar ('● 100.0%') is drawn, not cut at the edge
                customdata=[("<br>" + e) if e else "" for e in extra],
                hovertemplate=hover,
            )
        )
    if target is not None:
        target_line(fig, target, f"{target_label} {format_value(target, share)}", vertical=horizontal)
    axis = "x" if horizontal else "y"
    if share:
        pct_axis(fig, axis)
    # room beyond the longest bar for its outside label ('● 100.0%')
    top = max([v for v in df[value].to_list() if v is not None] + [target or 0, 0])
    if top > 0:
        fig.update_xaxes(range=[0, top * 1.25]) if horizontal else fig.update_yaxes(range=[0, top * 1.25])
    if horizontal:
        fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], type="category")
        layout(fig, title, value_title, category_title, height=max(320, 24 * len(order) + 140))
    else:
        fig.update_xaxes(categoryorder="array", categoryarray=order, type="category")
        layout(fig, title, category_title, value_title)
    fig.update_layout(barmode="overlay", bargap=0.25)
    return fig


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
                    name=s,  # the marker is the symbol: the word alone beside it
                    marker={"color": status_color(s), "symbol": STATUS_MARKERS[s], "size": 12},
                )
            )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="top")
    layout(fig, title, x_title, y_title, height=max(320, 22 * len(ys) + 150))
    fig.update_layout(legend={"y": -0.02, "yanchor": "top"}, margin={"t": 110})
    return fig
