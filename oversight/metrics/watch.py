"""重点关注: the schools 未达标 on the same indicator in this period and the previous one."""

from __future__ import annotations

import polars as pl

from oversight.contract import catalog
from oversight.engine import Connection
from oversight.metrics.frames import MATRIX_KEYS
from oversight.metrics.indicators import overviews
from oversight.metrics.periods import Params, previous, resolve


def _value_text(key: str, column: str) -> pl.Expr:
    """A matrix value as display text: percentages with one decimal, flags as words, counts with their unit."""
    col = pl.col(column)
    if key == "split_roles":
        return col.cast(pl.Utf8)
    if key == "charter":
        return pl.when(col).then(pl.lit("已修订")).otherwise(pl.lit("未修订"))
    if key == "duty_reports":
        return pl.when(col).then(pl.lit("已完成")).otherwise(pl.lit("未完成"))
    ind = catalog.INDICATORS_BY_KEY[key]
    if ind.unit == "count":  # 统编三科: the gap in teachers
        return pl.when(col.is_null()).then(pl.lit("—")).otherwise(col.cast(pl.Utf8) + pl.lit(ind.count_unit))
    return (
        pl.when(col.is_null()).then(pl.lit("—")).otherwise((col * 100).round(1).cast(pl.Utf8) + pl.lit("%"))
    )


def watch_list(con: Connection, params: Params) -> pl.DataFrame:
    """重点关注: schools 未达标 on the same indicator in this period and the previous one.

    Columns: school_code, school_name, town, indicator (key), indicator_zh, value, previous_value (both as
    display text, since the indicators mix labels, ratios and flags)."""
    current_params = resolve(con, params)
    now, before = overviews(con, [current_params, previous(current_params)])
    return watch_between(now[1], before[1])


def watch_between(now: pl.DataFrame, before: pl.DataFrame) -> pl.DataFrame:
    """watch_list() from the two periods' school_matrix() results, so a page reuses matrices it already
    holds in cache instead of computing this period's matrix a second time."""
    parts = []
    for key in MATRIX_KEYS:
        status = f"{key}_status"
        this = now.filter(pl.col(status) == catalog.STATUS_BAD).select(
            "school_code", "school_name", "town", _value_text(key, key).alias("value")
        )
        last = before.filter(pl.col(status) == catalog.STATUS_BAD).select(
            "school_code", _value_text(key, key).alias("previous_value")
        )
        parts.append(
            this.join(last, on="school_code", how="inner").with_columns(
                pl.lit(key).alias("indicator"),
                pl.lit(catalog.INDICATORS_BY_KEY[key].zh).alias("indicator_zh"),
            )
        )
    columns = ["school_code", "school_name", "town", "indicator", "indicator_zh", "value", "previous_value"]
    return pl.concat([p.select(columns) for p in parts], how="vertical")
