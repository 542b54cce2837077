"""Flows between groups: the Sankey of rotations between area types."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from oversight.present.figures.base import (
    FONT_FAMILY,
    PALETTE,
    empty_figure,
    layout,
)


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
    layout(fig, title, height=420)
    return fig.update_traces(textfont={"family": FONT_FAMILY, "size": 14, "color": "#222222"})
