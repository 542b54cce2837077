"""Every indicator's headline per period present in the data (the 趋势 page and the report's charts)."""

from __future__ import annotations

import polars as pl

from oversight.contract import catalog
from oversight.engine import Connection, queries
from oversight.metrics.periods import Params, query_params, resolve


def history(con: Connection, params: Params) -> pl.DataFrame:
    """Every indicator's headline per year present in the data (rotation per school year), judged at
    each year's end or D if earlier: columns period, indicator, value, plus indicator_zh for display."""
    p = resolve(con, params)
    frame = queries.run_query(con, "indicator_history", query_params(p))
    labels = {ind.key: ind.zh for ind in catalog.INDICATORS}
    return frame.with_columns(
        pl.col("indicator").replace_strict(labels, return_dtype=pl.Utf8).alias("indicator_zh")
    )
