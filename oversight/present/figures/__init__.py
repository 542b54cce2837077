"""Plotly figure builders for the dashboard: each takes a polars frame and returns a go.Figure.

Kept free of Streamlit so every figure can be tested on a handful of rows. The rules every builder
follows, so the pages stay consistent without thinking about it:
- Chinese title, axis titles and hover text; one CJK font stack.
- A status is always drawn with catalog.STATUS_STYLE: its colour *and* its symbol, so a printed
  black-and-white page still tells 达标 from 未达标.
- Shares (`*_share`, `*_ratio`, `*_rate`) are percentages on the axis and in the hover.

Labels come from present.labels and numbers are formatted by present.formats, like every other surface.

One module per family: base (layout, fonts, colours), status, bars, lines, flows, orgs, school. Callers
use the builders from here: `figures.status_bars(...)`.
"""

from oversight.present.figures.bars import grouped_by, pie, stacked_bars
from oversight.present.figures.base import CHART_ROWS, ORG_TREE_NODES, ROOT_LABEL, empty_figure
from oversight.present.figures.flows import flows_sankey
from oversight.present.figures.lines import lines, trends
from oversight.present.figures.orgs import org_tree
from oversight.present.figures.school import school_vs_district, timeline
from oversight.present.figures.status import status_bars, status_heatmap, status_matrix

__all__ = [
    "CHART_ROWS",
    "ORG_TREE_NODES",
    "ROOT_LABEL",
    "empty_figure",
    "flows_sankey",
    "grouped_by",
    "lines",
    "org_tree",
    "pie",
    "school_vs_district",
    "stacked_bars",
    "status_bars",
    "status_heatmap",
    "status_matrix",
    "timeline",
    "trends",
]
