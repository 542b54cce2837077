"""One school: its leadership timeline and its indicators against the district."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from oversight.contract.catalog import INDICATORS_BY_KEY, STATUS_NONE, STATUS_STYLE
from oversight.present.figures.base import (
    PALETTE,
    PATTERNS,
    empty_figure,
    layout,
    pct_axis,
)
from oversight.present.formats import format_value
from oversight.present.labels import status_color


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
    return layout(fig, title, "日期", "", height=max(300, 28 * len(rows) + 140))


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
    pct_axis(fig, "x")
    fig.update_xaxes(range=[0, 1.15])
    fig.update_yaxes(type="category", autorange="reversed")
    return layout(fig, title, "比例", "", height=max(320, 50 * len(labels) + 140))
