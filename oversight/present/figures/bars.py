"""Categories, counts and shares: stacked and grouped bars, a pie."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from oversight.present.figures.base import (
    PALETTE,
    PATTERNS,
    empty_figure,
    layout,
)
from oversight.present.labels import column_label


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
                text=[v if v else "" for v in values],
                textposition="inside",
                textangle=0,  # never turned 90° inside a horizontal bar
                insidetextanchor="middle",
                hovertemplate=(
                    f"{category_title}：%{{{'y' if horizontal else 'x'}}}<br>{name}："
                    f"%{{{'x' if horizontal else 'y'}}}<extra></extra>"
                ),
            )
        )
    # a label that does not fit its bar is left out rather than squeezed or rotated
    fig.update_layout(barmode=barmode, uniformtext={"minsize": 11, "mode": "hide"})
    if horizontal:
        fig.update_yaxes(type="category", categoryorder="array", categoryarray=cats[::-1])
        return layout(fig, title, value_title, category_title, height=max(320, 26 * len(cats) + 140))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=cats)
    return layout(fig, title, category_title, value_title, height=height)


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
                marker={"color": PALETTE[i % len(PALETTE)]},
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
            title_text="累计",
            secondary_y=True,
            rangemode="tozero",
            tickformat="d",
            showgrid=False,
            tickmode="auto",
            nticks=6,  # its own round ticks (0/10/20/30), not the left axis' grid (0/8/17/25/33)
        )
    fig.update_layout(barmode=barmode)
    fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat="d", secondary_y=False)
    layout(fig, title, x_title)
    fig.update_yaxes(title_text=value_title, secondary_y=False)
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
    return layout(fig, title, height=360)
