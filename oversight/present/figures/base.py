"""What every figure shares: the CJK font, status markers and colours, the palette, the layout
(title above the legend so a long Chinese title never runs into it) and the empty figure."""

from __future__ import annotations

import plotly.graph_objects as go

from oversight.contract import catalog
from oversight.contract.catalog import STATUS_NONE
from oversight.present.formats import format_value

FONT_FAMILY = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
#: statuses in the order a legend lists them
STATUS_ORDER: tuple[str, ...] = (
    catalog.STATUS_OK,
    catalog.STATUS_WARN,
    catalog.STATUS_BAD,
    catalog.STATUS_MISSING,
    STATUS_NONE,
)
#: plotly marker shapes matching the text symbols of STATUS_STYLE (● ▲ ✖ ○)
STATUS_MARKERS: dict[str, str] = {
    catalog.STATUS_OK: "circle",
    catalog.STATUS_WARN: "triangle-up",
    catalog.STATUS_BAD: "x",
    catalog.STATUS_MISSING: "diamond-open",
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


def layout(
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
    return layout(fig, title, height=260)


def pct_axis(fig: go.Figure, axis: str = "y") -> None:
    if axis == "y":
        fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    else:
        fig.update_xaxes(tickformat=".0%", rangemode="tozero")


def fmt_any(value: object, share: bool) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return format_value(float(value), share)
    return str(value)


def target_line(fig: go.Figure, value: float, label: str, *, vertical: bool) -> None:
    """A dashed target line named in the legend ('目标 10.0%'), not by an annotation: an annotation at
    the top collided with the legend and, at the side, with the bars."""
    line = {"color": "#333333", "dash": "dash", "width": 2}
    if vertical:
        fig.add_vline(x=value, line=line)
    else:
        fig.add_hline(y=value, line=line)
    fig.add_trace(
        go.Scatter(x=[None], y=[None], mode="lines", name=label, line=line, hoverinfo="skip", showlegend=True)
    )
