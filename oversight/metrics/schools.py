"""Per school: each school's own value and status on every indicator, and the detail tables.

The status of a school's row is judged by the catalog's thresholds, like the district's; the few
indicators whose per-school value is a label or a flag read it as a share of 1 or 0 (row_status).
"""

from __future__ import annotations

import polars as pl

from oversight.contract import catalog
from oversight.contract.errors import UsageError
from oversight.contract.schema import TABLES
from oversight.engine import Connection, queries
from oversight.metrics.frames import (
    BREAKDOWN_QUERIES,
    BREAKDOWN_VALUE,
    MATRIX_KEYS,
    MATRIX_READS,
    MATRIX_SOURCES,
    SCHOOL_COLUMNS,
    Frames,
    prefetch,
)
from oversight.metrics.periods import Params, query_params, resolve


def status_expr(key: str, column: str) -> pl.Expr:
    """catalog.status_of as a polars expression over a ratio column (vectorised, same thresholds)."""
    ind = catalog.INDICATORS_BY_KEY[key]
    if ind.ok_at is None:
        return pl.lit(catalog.STATUS_NONE)
    col = pl.col(column)
    chain = pl.when(col.is_null()).then(pl.lit(catalog.STATUS_NONE))
    if ind.lower_is_better:  # a shortfall: 达标 at or below ok_at
        chain = chain.when(col <= ind.ok_at).then(pl.lit(catalog.STATUS_OK))
        if ind.warn_at is not None:
            chain = chain.when(col <= ind.warn_at).then(pl.lit(catalog.STATUS_WARN))
        return chain.otherwise(pl.lit(catalog.STATUS_BAD))
    chain = chain.when(col >= ind.ok_at).then(pl.lit(catalog.STATUS_OK))
    if ind.warn_at is not None:
        chain = chain.when(col >= ind.warn_at).then(pl.lit(catalog.STATUS_WARN))
    return chain.otherwise(pl.lit(catalog.STATUS_BAD))


def _row_status(key: str, column: str) -> pl.Expr:
    """A row's status from its own value. 分设 and a done flag read as a ratio of 1, 一肩挑 and a missing
    flag as 0, so the catalog's thresholds still decide; a vacant post (空缺) is 预警: not a breach of the
    split rule, but a gap the bureau has to fill."""
    if key == "split_roles":
        ind = catalog.INDICATORS_BY_KEY[key]
        return (
            pl.when(pl.col(column) == "分设")
            .then(pl.lit(catalog.status_of(ind, 1.0)))
            .when(pl.col(column) == "一肩挑")
            .then(pl.lit(catalog.status_of(ind, 0.0)))
            .otherwise(pl.lit(catalog.STATUS_WARN))
        )
    if key in ("charter", "duty_reports", "brands"):
        ind = catalog.INDICATORS_BY_KEY[key]
        return (
            pl.when(pl.col(column))
            .then(pl.lit(catalog.status_of(ind, 1.0)))
            .otherwise(pl.lit(catalog.status_of(ind, 0.0)))
        )
    return status_expr(key, column)


def _meetings_per_school(per_org: pl.DataFrame) -> pl.DataFrame:
    """三会一课 per school: meetings_by_org's due and compliant quarters summed over the school's own
    branches (the quarter rules stay in SQL once); null share when nothing is due."""
    sums = (
        per_org.filter(pl.col("school_code").is_not_null())
        .group_by("school_code")
        .agg(pl.col("quarters_due_count").sum(), pl.col("compliant_count").sum(), pl.col("has_records").any())
    )
    due = pl.col("quarters_due_count")
    return sums.with_columns(pl.when(due > 0).then(pl.col("compliant_count") / due).alias("compliant_share"))


def split_roles_by(con: Connection, column: str, params: Params) -> pl.DataFrame:
    """分设 / 一肩挑 / 空缺 counts per 学段 or 乡镇街道 (`column` = stage or town), grouped from
    split_roles_by_school.sql so the rule for a school's status is written once."""
    return split_roles_grouped(queries.run_query(con, "split_roles_by_school", query_params(params)), column)


def split_roles_grouped(per_school: pl.DataFrame, column: str) -> pl.DataFrame:
    """split_roles_by() from a split_roles_by_school result the page already holds."""
    status = pl.col("split_status")
    counts = per_school.group_by(column).agg(
        pl.len().cast(pl.Int64).alias("schools_count"),
        (status == "分设").sum().cast(pl.Int64).alias("split_count"),
        (status == "一肩挑").sum().cast(pl.Int64).alias("combined_count"),
        (status == "空缺").sum().cast(pl.Int64).alias("vacant_count"),
    )
    decided = pl.col("split_count") + pl.col("combined_count")
    share = pl.when(decided > 0).then(pl.col("split_count") / decided).otherwise(None)
    return sort_in_schema_order(counts.with_columns(share.alias("split_share")), column)


def sort_in_schema_order(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Rows in the order the schema lists an enum column's values (学段: 幼儿园, 小学, 初中 …), not
    alphabetically; a column without an enum sorts as text."""
    choices = next((c.choices for t in TABLES for c in t.columns if c.name == column and c.choices), ())
    if not choices:
        return frame.sort(column)
    rank = pl.col(column).replace_strict(
        {v: i for i, v in enumerate(choices)}, default=len(choices), return_dtype=pl.Int64
    )
    return frame.sort(rank, pl.col(column))


def school_matrix(con: Connection, params: Params) -> pl.DataFrame:
    """One row per filtered school with each per-school indicator's value and "<key>_status".

    Values: split_roles 分设/一肩挑/空缺; ratios for cross_appointment, rotation, two_level_review and
    three_meetings_one_lesson (over the school's own branches; null when nothing is due); booleans for
    charter and duty_reports; the 统编三科 gap in teachers (null for a school that never reports it). Built
    from the *_by_school files, so the matrix and the breakdowns agree.
    """
    frames = Frames(con, query_params(resolve(con, params)))
    prefetch([(frames, MATRIX_READS)])
    return matrix_of(frames)


def matrix_of(frames: Frames) -> pl.DataFrame:
    per_school = {key: frames[key] for key in MATRIX_SOURCES}
    per_school["three_meetings_one_lesson"] = _meetings_per_school(per_school["three_meetings_one_lesson"])
    matrix = frames.frame("schools_list").select(SCHOOL_COLUMNS)
    codes = matrix["school_code"]
    values = []
    for key, (_, column) in MATRIX_SOURCES.items():
        part = per_school[key].select(
            "school_code", pl.col(column).alias(key), pl.col("has_records").alias(f"_{key}_reported")
        )
        if not (part.height == matrix.height and part["school_code"].equals(codes)):
            part = matrix.select("school_code").join(
                part, on="school_code", how="left", maintain_order="left"
            )
        # same schools, same order; a school absent from the frame (no branch for 三会一课) stays null:
        # nothing was expected of it, so it is 无数据 rather than 未报送
        values += [part[key], part[f"_{key}_reported"]]
    return (
        matrix.with_columns(values)
        .with_columns(
            [reported_status(key, key, f"_{key}_reported").alias(f"{key}_status") for key in MATRIX_KEYS]
        )
        .select(SCHOOL_COLUMNS + [c for key in MATRIX_KEYS for c in (key, f"{key}_status")])
    )


def reported_status(key: str, column: str, reported: str = "has_records") -> pl.Expr:
    """A row's status, 未报送 when the row has no record for the period (row_status otherwise, also when
    the flag is null: nothing was expected of the row)."""
    return (
        pl.when(pl.col(reported).not_())
        .then(pl.lit(catalog.STATUS_MISSING))
        .otherwise(_row_status(key, column))
    )


_STATUS_ORDER = {
    catalog.STATUS_BAD: 0,
    catalog.STATUS_MISSING: 1,
    catalog.STATUS_WARN: 2,
    catalog.STATUS_OK: 3,
    catalog.STATUS_NONE: 4,
}


def breakdown(con: Connection, key: str, params: Params) -> pl.DataFrame:
    """The detail table behind one indicator: per school (per org for 三会一课 and 最强党支部), with a
    "status" column where the row has its own value, worst first so the laggards lead. Column names are
    the query's; present.labels turns them into Chinese headers."""
    if key not in BREAKDOWN_QUERIES:
        raise UsageError(f"没有指标“{key}”，可选：{'、'.join(BREAKDOWN_QUERIES)}。")
    frame = shown(queries.run_query(con, BREAKDOWN_QUERIES[key], query_params(resolve(con, params))))
    value_column = BREAKDOWN_VALUE.get(key)
    if value_column is None:
        return frame
    frame = frame.with_columns(reported_status(key, value_column).alias("status"))
    order = pl.col("status").replace_strict(_STATUS_ORDER, return_dtype=pl.Int64)
    worst_last = catalog.INDICATORS_BY_KEY[key].lower_is_better  # a larger gap is worse
    return frame.sort(
        [order, value_column], descending=[False, worst_last], nulls_last=True, maintain_order=True
    )


def shown(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame without the columns that only feed district figures (names starting with "_")."""
    hidden = [c for c in frame.columns if c.startswith("_")]
    return frame.drop(hidden) if hidden else frame


def add_status(df: pl.DataFrame, key: str, value: str, out: str = "status") -> pl.DataFrame:
    """A status column for per-school values, judged by the indicator's thresholds in catalog."""
    return df.with_columns(status_expr(key, value).alias(out)).with_columns(
        pl.col(out).fill_null(catalog.STATUS_NONE)
    )


def quarter_status(
    df: pl.DataFrame, compliant: str = "is_compliant", due: str = "is_due", quarter: str = "quarter_no"
) -> pl.DataFrame:
    """三会一课 cells: 达标 / 未达标 for quarters already due, 无数据 for quarters not yet due,
    and the quarter as '第N季度' for the axis."""
    return df.with_columns(
        pl.when(~pl.col(due))
        .then(pl.lit(catalog.STATUS_NONE))
        .when(pl.col(compliant))
        .then(pl.lit(catalog.STATUS_OK))
        .otherwise(pl.lit(catalog.STATUS_BAD))
        .alias("status"),
        pl.format("第{}季度", pl.col(quarter)).alias("quarter"),
    )


def rotation_gap(df: pl.DataFrame, target: float = catalog.ROTATION_TARGET) -> pl.DataFrame:
    """Teachers still to rotate for each school to reach the target: ceil(eligible × target) − rotated."""
    return df.with_columns(
        ((pl.col("eligible_teachers") * target - 1e-9).ceil().cast(pl.Int64) - pl.col("rotated_count"))
        .clip(lower_bound=0)
        .alias("gap")
    )


def school_share(key: str, raw: object) -> float | None:
    """A school's own value on an indicator as the share it contributes to the district's ratio: a
    ratio stays itself, 分设 and a done flag read as 100%, 一肩挑 and a missing flag as 0% (空缺 has
    no share). So a school's bar and the district's value sit on one axis."""
    if isinstance(raw, bool):
        return float(raw)
    if isinstance(raw, int | float):
        return float(raw)
    if raw == "分设":
        return 1.0
    if raw == "一肩挑":
        return 0.0
    return None


def laggards_first(matrix: pl.DataFrame) -> pl.DataFrame:
    """The school matrix with the schools 未达标 on most indicators first (ties keep the query's order):
    the order in which the status table and the heat map cut a province down to what is drawn."""
    return (
        matrix.with_columns(failed_count(matrix).alias("_failed"))
        .sort("_failed", descending=True, maintain_order=True)
        .drop("_failed")
    )


def failed_count(matrix: pl.DataFrame) -> pl.Expr:
    """How many indicators a school of the matrix is 未达标 on: the one count the status table, the
    heat map and the report's 需关注 list order by."""
    status_columns = [c for c in matrix.columns if c.endswith("_status")]
    if not status_columns:
        return pl.lit(0, dtype=pl.Int32)
    return pl.sum_horizontal([(pl.col(c) == catalog.STATUS_BAD).cast(pl.Int32) for c in status_columns])
