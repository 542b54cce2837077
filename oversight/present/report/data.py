"""What the report reads, once, through the one snapshot build_docx is given.

One overviews() run gives both periods' indicators and school matrices (the sections, 存在问题, the
需关注 list); one run_many gives the few query files the sentences and charts need beyond them; the
history (the 总体情况 chart) is one compute_many over the years; the 整改台账 (metrics.rectification) gives
this period's items and how far they have got. Nothing else touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from oversight.engine import Connection, DatabaseError, queries
from oversight.metrics import history, indicators, periods, rectification, watch
from oversight.present.report.lagging import lagging_from
from oversight.present.report.sentences import DETAIL_FILES

#: the query files the charts draw besides the indicators (the rest come from the school matrix)
CHART_FILES: tuple[str, ...] = ("honors_by_level_year", "review_by_category")
#: every file read besides overviews() and the history, in one run_many
FILES: tuple[str, ...] = tuple(dict.fromkeys(DETAIL_FILES + CHART_FILES))


@dataclass(frozen=True)
class ReportData:
    """One reading of this period and 上期, and what the sections derive from it."""

    p: periods.Params
    result: dict[str, Any]
    before: dict[str, Any]
    matrix: pl.DataFrame
    before_matrix: pl.DataFrame
    #: FILES by name
    frames: dict[str, pl.DataFrame]
    #: history.history(): every indicator per year (the 总体情况 chart)
    trend: pl.DataFrame
    #: the 重点关注 list: 未达标 on the same indicator in both periods
    watched: pl.DataFrame
    #: lagging_from(): every school 未达标 on at least one indicator, most first
    lagging: pl.DataFrame
    #: the 整改台账's items of this period (rectification.ledger(): state, is_overdue, reopened_count …)
    rectify: pl.DataFrame = field(default_factory=pl.DataFrame)


def period_params(con: Connection, params: periods.Params) -> periods.Params:
    """The report's period: the same rules as every page and the command line (metrics.periods)."""
    return periods.resolve(con, params)


def detail_frames(
    con: Connection, p: periods.Params, names: tuple[str, ...] = FILES
) -> dict[str, pl.DataFrame]:
    """The query files of one reading, all started at once."""
    qp = periods.query_params(p)
    return dict(zip(names, queries.run_many(con, [(n, qp) for n in names]), strict=True))


def rectify_items(con: Connection, p: periods.Params) -> pl.DataFrame:
    """The 整改台账's items opened for this period (its year, or its school year for the indicators read
    by school year); empty where the file predates the ledger (an old file opened read-only)."""
    try:
        items = rectification.ledger(con)
    except DatabaseError:  # no ledger table in a file that predates it
        return pl.DataFrame()
    return items.filter(pl.col("period_text").is_in([f"{p.year}年度", f"{p.school_year}学年"]))


def read(con: Connection, params: periods.Params, *, with_trend: bool = True) -> ReportData:
    """Everything the document says, from `con` (a snapshot: one committed state of the data)."""
    p = period_params(con, params)
    (result, matrix), (before, before_matrix) = indicators.overviews(con, [p, periods.previous(p)])
    frames = detail_frames(con, p)
    trend = history.history(con, p) if with_trend else pl.DataFrame()
    return ReportData(
        p=p,
        result=result,
        before=before,
        matrix=matrix,
        before_matrix=before_matrix,
        frames=frames,
        trend=trend,
        watched=watch.watch_between(matrix, before_matrix),
        lagging=lagging_from(matrix, before_matrix),
        rectify=rectify_items(con, p),
    )
