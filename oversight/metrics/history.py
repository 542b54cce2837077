"""Every indicator's headline per period present in the data (the 趋势 page and the report's charts).

The history is not a second copy of the rules: each year is one compute() reading, as of that year's
end (or the as-of date, if earlier), so a year on 趋势 shows exactly what 总览 shows for that year.
Rotation and 统编三科 are judged per school year, each from its history file that every school year shares
the rule with.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl

from oversight.contract import catalog
from oversight.engine import Connection, queries
from oversight.metrics.indicators import compute_many, reported_headline
from oversight.metrics.periods import Params, query_params, resolve

#: the indicators judged per school year, each with its own history file and the column holding its
#: headline: one reading per calendar year would read one school year for every year
SCHOOL_YEAR_HISTORY: dict[str, tuple[str, str]] = {
    "rotation": ("rotation_history", "ratio"),
    "unified_subjects": ("unified_subjects_history", "teachers_gap"),
}
#: the indicators judged per calendar year
YEARLY_KEYS: tuple[str, ...] = tuple(i.key for i in catalog.INDICATORS if i.key not in SCHOOL_YEAR_HISTORY)


def history_readings(con: Connection, params: Params) -> list[Params]:
    """One reading per year with a yearly record that has begun by the as-of date, each as of its own
    year end (or the as-of date when that comes first)."""
    p = resolve(con, params)
    years = queries.run_query(con, "history_years", query_params(p))["year"].to_list()
    assert p.as_of is not None  # resolve() fills it
    return [replace(p, year=int(y), as_of=min(date(int(y), 12, 31), p.as_of)) for y in years]


def history(con: Connection, params: Params) -> pl.DataFrame:
    """Columns period ('2024', or '2023-2024' for rotation and 统编三科), indicator (catalog key), value (the
    indicator's headline), indicator_zh; sorted by indicator, then period."""
    p = resolve(con, params)
    readings = history_readings(con, p)
    results = compute_many(con, readings, YEARLY_KEYS)
    yearly = pl.DataFrame(
        {
            "period": [str(r.year) for r in readings for _ in YEARLY_KEYS],
            "indicator": [key for _ in readings for key in YEARLY_KEYS],
            "value": [_as_float(reported_headline(result, key)) for result in results for key in YEARLY_KEYS],
        },
        schema={"period": pl.String, "indicator": pl.String, "value": pl.Float64},
    )
    per_school_year = [
        queries.run_query(con, name, query_params(p)).select(
            pl.col("school_year").alias("period"),
            pl.lit(key).alias("indicator"),
            pl.col(column).cast(pl.Float64).alias("value"),
        )
        for key, (name, column) in SCHOOL_YEAR_HISTORY.items()
    ]
    labels = {ind.key: ind.zh for ind in catalog.INDICATORS}
    return (
        pl.concat([yearly, *per_school_year])
        .sort("indicator", "period")
        .with_columns(
            pl.col("indicator").replace_strict(labels, return_dtype=pl.String).alias("indicator_zh")
        )
    )


def _as_float(value: float | int | None) -> float | None:
    return None if value is None else float(value)


def of_indicators(frame: pl.DataFrame, keys: list[str] | None) -> pl.DataFrame:
    """history() limited to some indicators (None or empty: all)."""
    return frame.filter(pl.col("indicator").is_in(keys)) if keys else frame


def yearly_table(frame: pl.DataFrame) -> pl.DataFrame:
    """history()'s calendar-year indicators as one row per year and one column per indicator, in catalog
    order (rotation and 统编三科, judged per school year, have their own tables)."""
    yearly = frame.filter(~pl.col("indicator").is_in(list(SCHOOL_YEAR_HISTORY)))
    present = set(yearly["indicator"].unique().to_list())
    return (
        yearly.pivot(on="indicator", index="period", values="value")
        .sort("period")
        .select("period", *[key for key in YEARLY_KEYS if key in present])
    )
