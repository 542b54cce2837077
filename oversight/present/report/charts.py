"""The document's few charts: built with the dashboard's figure builders, drawn in one chromium session.

Five pictures, not one per section: every picture costs time in chromium, and a summary that goes upward
reads by its text. 总体情况 has the judged indicators over the years (one small panel each, thresholds
dashed); the sections whose numbers a picture explains better than a sentence have theirs (分设 by 学段,
最强党支部 by year, 三重一大 by 类别, activities by kind). None is drawn per school, so a province's
pictures are no larger than a district's. Without chromium there are none, and the document says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from oversight.contract import catalog
from oversight.contract.schema import ACTIVITY_KINDS, HONOR_LEVELS
from oversight.metrics import schools
from oversight.present import figures, png
from oversight.present.report.data import ReportData

log = logging.getLogger(__name__)

CHART_WIDTH, CHART_HEIGHT = 900, 400
#: print needs no more: 1350 px across 15 cm is about 230 dpi, and a smaller PNG is drawn faster
CHART_SCALE = 1.5
#: text size in the picture (CSS px): 900 px print 15 cm wide, so 20 px is about 9.5 pt on paper, near the
#: tables' 五号; the dashboard's 13 px would print at 6 pt
PRINT_FONT = 20
CHARTS_MISSING = "（注：本次生成时服务器未能绘制图表（未安装 chromium 或渲染失败），以下各部分只列文字和表格，数字不受影响。）"
#: the indicators of the 总体情况 chart, one panel each (the yearly shares with a 达标 line)
TREND_KEYS: tuple[str, ...] = (
    "split_roles",
    "cross_appointment",
    "two_level_review",
    "three_meetings_one_lesson",
    "charter",
    "duty_reports",
)


def for_print(
    fig: go.Figure, *, height: int, legend_below: bool = False, category_axis: str | None = None
) -> go.Figure:
    """The dashboard's figure made for paper: no title of its own (the caption under the picture says
    it), text large enough to read at 15 cm, the legend on one line above the plot (or below it, where
    subplot titles sit at the top), and the height the page gives it. The category axis (`category_axis`,
    "x" or "y") loses its title: the names on it say what they are, and the width goes to the bars."""
    legend = any(trace.showlegend is not False for trace in fig.data)
    top = 20 if legend_below or not legend else 60
    fig.update_layout(
        title_text="",
        font_size=PRINT_FONT,
        legend={
            "font": {"size": PRINT_FONT},
            "y": -0.12 if legend_below else 1.0,
            "yanchor": "top" if legend_below else "bottom",
        },
        uniformtext_minsize=PRINT_FONT - 4,
        margin={"l": 10, "r": 20, "t": top, "b": 80 if legend_below else 10},
        width=CHART_WIDTH,
        height=height,
    )
    fig.update_annotations(font_size=PRINT_FONT)  # subplot titles
    if category_axis == "x":
        fig.update_xaxes(title_text="")
    elif category_axis == "y":
        fig.update_yaxes(title_text="")
    return fig


@dataclass(frozen=True)
class Chart:
    #: where the picture goes: "overview" (总体情况) or a section key
    key: str
    caption: str
    build: Callable[[ReportData], go.Figure]


def _trends(d: ReportData) -> go.Figure:
    part = d.trend.filter(pl.col("indicator").is_in(TREND_KEYS)) if d.trend.height else d.trend
    fig = figures.trends(part, keys=TREND_KEYS, title="主要考核指标历年变化", columns=3)
    # one scale for every panel, so a panel's height reads against the others'
    fig.update_yaxes(range=[0, 1.05], dtick=0.2)
    # the first row's panel titles need the room a title and legend had above them
    return for_print(fig, height=640, legend_below=True).update_layout(margin_t=50)


def _split(d: ReportData) -> go.Figure:
    per_school = d.matrix.select("stage", pl.col("split_roles").alias("split_status"))
    grouped = schools.split_roles_grouped(per_school, "stage")
    fig = figures.stacked_bars(
        grouped,
        "stage",
        ["split_count", "combined_count", "vacant_count"],
        title="各学段书记、校长分设情况",
        category_title="学段",
        value_title="学校数",
        horizontal=True,  # nine 学段 names side by side do not fit 15 cm at a readable size
    )
    return for_print(fig, height=120 + 44 * grouped.height, category_axis="y")


def _honors(d: ReportData) -> go.Figure:
    honors = d.frames["honors_by_level_year"].sort("year")
    fig = figures.grouped_by(
        honors.filter(pl.col("year") <= (d.p.year or 9999)),
        "year",
        "level",
        "new_count",
        title="最强党支部历年新增（柱）与累计（线）",
        x_title="年度",
        value_title="新增个数",
        color_order=HONOR_LEVELS,
        cumulative_line=True,
    )
    running = honors.filter(pl.col("year") <= (d.p.year or 9999))["new_count"].sum() or 0
    # room above the last point for its label (it was cut at the top)
    # by name, not by secondary_y=True: a figure handed out by the page's memo (app.memo) is a copy
    # without make_subplots' grid, and an empty figure has no second axis at all
    if "yaxis2" in fig.layout:
        fig.update_layout(yaxis2_range=[0, max(1, running) * 1.18])
    return for_print(fig, height=CHART_HEIGHT + 40, category_axis="x")


def _review(d: ReportData) -> go.Figure:
    by_category = d.frames["review_by_category"].with_columns(
        schools.status_expr("two_level_review", "compliant_share").alias("status")
    )
    review = figures.status_bars(
        by_category,
        "category",
        "compliant_share",
        title="“三重一大”事项各类别两级审议合规率",
        value_title="合规率",
        category_title="类别",
        share=True,
        target=catalog.INDICATORS_BY_KEY["two_level_review"].ok_at,
        target_label="达标线",
    )
    # the value inside the end of its bar: outside, right of the bar, it ran into the dashed 达标 line
    review.update_traces(
        textposition="auto",
        insidetextanchor="end",
        insidetextfont={"color": "white"},
        selector={"type": "bar"},
    )
    review.update_xaxes(range=[0, 1.02])
    return for_print(review, height=120 + 48 * by_category.height, category_axis="y")


def _activities(d: ReportData) -> go.Figure:
    by_kind = d.result["activities"]["by_kind"]
    frame = pl.DataFrame(
        {"activity_kind": list(ACTIVITY_KINDS), "activities_count": [by_kind[k] for k in ACTIVITY_KINDS]}
    ).filter(pl.col("activities_count") > 0)
    fig = figures.stacked_bars(
        frame,
        "activity_kind",
        ["activities_count"],
        title=f"{d.p.year}年各类活动开展次数",
        category_title="活动类型",
        value_title="次数",
        horizontal=True,
    )
    # each count right of its bar: inside a 30 px bar it was shrunk below the minimum size and dropped
    fig.update_traces(textposition="outside", cliponaxis=False, showlegend=False)
    top = int(frame["activities_count"].max() or 0) if frame.height else 0
    if top:
        fig.update_xaxes(range=[0, top * 1.12])
    return for_print(fig, height=70 + 38 * frame.height, category_axis="y")


CHARTS: tuple[Chart, ...] = (
    Chart("overview", "主要考核指标历年变化（虚线为达标线，点线为预警线）", _trends),
    Chart("split", "各学段书记、校长分设情况", _split),
    Chart("honors", "最强党支部历年新增与累计", _honors),
    Chart("review", "“三重一大”事项各类别两级审议合规率", _review),
    Chart("activities", "各类活动开展次数", _activities),
)
CAPTIONS: dict[str, str] = {c.key: c.caption for c in CHARTS}


def section_charts(data: ReportData) -> dict[str, go.Figure]:
    """The document's figures by where they go (CHARTS), built with the dashboard's chart builders; a
    chart with nothing to draw is left out (the page's "没有数据" frame is no picture for paper: the
    section's sentence already says there is no record)."""
    built = {chart.key: chart.build(data) for chart in CHARTS}
    return {key: fig for key, fig in built.items() if fig.data}


def render_charts(figs: dict[str, go.Figure]) -> dict[str, bytes]:
    """All pictures in one chromium session; an empty dict when they cannot be drawn."""
    keys = list(figs)
    try:
        pictures = png.figures_to_png(
            [figs[k] for k in keys], width=CHART_WIDTH, height=CHART_HEIGHT, scale=CHART_SCALE, own_size=True
        )
    except png.ChartRenderError as exc:
        log.warning("情况总结的图表未能生成：%s", exc)
        return {}
    return dict(zip(keys, pictures, strict=True))


def can_draw() -> bool:
    """Whether render_charts can draw at all (chromium installed): else the history is not read."""
    return png.chromium_path() is not None


def prestart() -> None:
    """Start chromium now, in the background, so it is ready when the figures are (png.prestart)."""
    png.prestart()
