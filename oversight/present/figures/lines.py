"""Values over time: one line with its threshold, every indicator's trend."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from oversight.contract import catalog
from oversight.contract.catalog import INDICATORS, INDICATORS_BY_KEY, STATUS_NONE
from oversight.present.figures.base import (
    BAR_COLOR,
    FONT_FAMILY,
    PALETTE,
    STATUS_MARKERS,
    STATUS_ORDER,
    empty_figure,
    layout,
    pct_axis,
    target_line,
)
from oversight.present.formats import format_value
from oversight.present.labels import column_label, is_share, status_color


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
        target_line(fig, target, f"{target_label} {format_value(target, share)}", vertical=False)
    if share:
        pct_axis(fig, "y")
    fig.update_xaxes(type="category")
    return layout(fig, title, x_title, y_title)


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
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=names, vertical_spacing=0.36 / max(rows, 1))
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
                name=s,  # the marker is the symbol: the word alone beside it
                marker={"color": status_color(s), "symbol": STATUS_MARKERS[s], "size": 10},
            )
        )
    height = 280 * rows + 150
    layout(fig, title, height=height)
    # the first row's panel titles sit where a paper-anchored legend would go: the legend is placed in
    # pixels under the figure's title instead, clear of them at any width (a phone's too) and in the PNG
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 140, "b": 10},
        legend={"yref": "container", "y": 1 - 52 / height, "yanchor": "top"},
    )
    fig.update_annotations(font={"family": FONT_FAMILY, "size": 14})
    return fig
