"""报送任务: the rounds an analyst opens and, per school and table, whether the school has reported.

A task is 已报送 when rows of the school for the round's period arrived after the round opened (rows in
force written by a later batch: queries/round_tasks.sql over the rule school_arrivals), 逾期 when not and
the deadline has passed, 未报送 otherwise. Nothing of that is stored, so an upsert keeps a task reported
and a rollback of the batch that reported it puts it back to 未报送.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

from oversight.contract import catalog
from oversight.contract.errors import UsageError
from oversight.contract.roles import User
from oversight.contract.schema import TABLES_BY_NAME
from oversight.engine import Connection, queries
from oversight.engine import rounds as engine_rounds
from oversight.metrics.periods import _check_school_year, school_year_ending

#: the tables a round asks for by default: the ones a school keeps for a year
DEFAULT_TABLES: tuple[str, ...] = ("rotation_quotas", "rotations", "matters", "meetings", "duty_reports")


def table_zh(name: str) -> str:
    return TABLES_BY_NAME[name].zh if name in TABLES_BY_NAME else name


def open_round(
    con: Connection,
    *,
    name: str,
    year: int,
    tables: Sequence[str],
    deadline: date,
    user: User | str,
    school_year: str | None = None,
    town: str | None = None,
    stage: str | None = None,
    area_type: str | None = None,
    school_codes: Sequence[str] | None = None,
    today: date | None = None,
) -> int:
    """Check an analyst's round and store it; returns its id. The school year defaults to the one ending
    in the year (2023 → 2022-2023), as the indicators read it."""
    name = name.strip()
    if not name:
        raise UsageError("请填写报送任务的名称，如“2023年度党建数据报送”。")
    if not tables:
        raise UsageError("请至少选择一张要报送的表。")
    unknown = [t for t in tables if t not in TABLES_BY_NAME]
    if unknown:
        raise UsageError(f"没有这些表：{'、'.join(unknown)}。")
    if not 2000 <= int(year) <= 2100:
        raise UsageError(f"年度 {year} 不在 2000～2100 之间。")
    school_year = _check_school_year(school_year) if school_year else school_year_ending(int(year))
    if deadline < (today or date.today()):
        raise UsageError(f"截止日期 {deadline:%Y-%m-%d} 早于今天，请选择今天或以后的日期。")
    codes = [c.strip() for c in school_codes or () if c.strip()]
    if codes:
        known = set(queries.run_query(con, "schools_list", {"scope": None})["school_code"].to_list())
        missing = [c for c in codes if c not in known]
        if missing:
            raise UsageError(f"没有这些学校标识码：{'、'.join(missing)}。")
    return engine_rounds.open_round(
        con,
        name=name,
        year=int(year),
        school_year=school_year,
        tables=list(dict.fromkeys(tables)),
        deadline=deadline,
        user=user,
        town=town,
        stage=stage,
        area_type=area_type,
        school_codes=codes or None,
    )


def close_round(con: Connection, round_id: int, *, user: User | str) -> None:
    engine_rounds.close_round(con, round_id, user=user)


def rounds_list(con: Connection) -> pl.DataFrame:
    return queries.run_query(con, "rounds_list", {})


def tasks(con: Connection, *, scope: Sequence[str] | None = None, today: date | None = None) -> pl.DataFrame:
    """Every round's tasks (round × school × table) within `scope` (the school codes a 学校 account may
    see; None = the district), with task_status (已报送 / 未报送 / 逾期) and the table's Chinese name."""
    frame = queries.run_query(
        con,
        "round_tasks",
        {"today": today or date.today(), "scope": list(scope) if scope is not None else None},
    )
    return with_status(frame)


def with_status(frame: pl.DataFrame) -> pl.DataFrame:
    status = (
        pl.when(pl.col("is_reported"))
        .then(pl.lit(catalog.TASK_REPORTED))
        .when(pl.col("is_overdue"))
        .then(pl.lit(catalog.TASK_OVERDUE))
        .otherwise(pl.lit(catalog.TASK_MISSING))
    )
    names = {t: table_zh(t) for t in frame["table_name"].unique().to_list()} if frame.height else {}
    return frame.with_columns(
        status.alias("task_status"),
        pl.col("table_name").replace_strict(names, default=pl.col("table_name")).alias("table_zh"),
    )


def summary(task_frame: pl.DataFrame, round_frame: pl.DataFrame) -> pl.DataFrame:
    """Per round: 应报 (tasks), 已报, 未报 (of which 逾期), and schools that reported every table.

    Columns: round_id, round_name, year, school_year, deadline, is_open, expected_count, reported_count,
    missing_count (未报, overdue included), overdue_count, schools_count, schools_done_count."""
    per_school = task_frame.group_by("round_id", "school_code").agg(pl.col("is_reported").all().alias("done"))
    counts = task_frame.group_by("round_id").agg(
        pl.len().cast(pl.Int64).alias("expected_count"),
        pl.col("is_reported").sum().cast(pl.Int64).alias("reported_count"),
        (~pl.col("is_reported")).sum().cast(pl.Int64).alias("missing_count"),
        pl.col("is_overdue").sum().cast(pl.Int64).alias("overdue_count"),
    )
    schools = per_school.group_by("round_id").agg(
        pl.len().cast(pl.Int64).alias("schools_count"),
        pl.col("done").sum().cast(pl.Int64).alias("schools_done_count"),
    )
    zero = ["expected_count", "reported_count", "missing_count", "overdue_count"]
    return (
        round_frame.select("round_id", "round_name", "year", "school_year", "deadline", "is_open")
        .join(counts, on="round_id", how="left")
        .join(schools, on="round_id", how="left")
        .with_columns(pl.col([*zero, "schools_count", "schools_done_count"]).fill_null(0))
        .sort("round_id", descending=True)
    )


def summary_line(row: dict[str, Any]) -> str:
    """'2023年度党建数据报送：54 所学校中 1 所已报齐；应报 108 项，已报 2 项，未报 106 项（逾期 0 项），截止 2024-01-15'."""
    deadline = row["deadline"]
    due = f"，截止 {deadline:%Y-%m-%d}" if isinstance(deadline, date) else ""
    return (
        f"{row['round_name']}：{row['schools_count']} 所学校中 {row['schools_done_count']} 所已报齐；"
        f"应报 {row['expected_count']} 项，已报 {row['reported_count']} 项，未报 {row['missing_count']} 项"
        f"（逾期 {row['overdue_count']} 项）{due}"
    )


def chase_list(task_frame: pl.DataFrame, round_id: int | None = None) -> pl.DataFrame:
    """催报: the tasks not yet reported (overdue first), per school with the tables it still owes."""
    owed = task_frame.filter(~pl.col("is_reported"))
    if round_id is not None:
        owed = owed.filter(pl.col("round_id") == round_id)
    return owed.sort(
        ["round_id", "is_overdue", "school_code", "table_name"], descending=[True, True, False, False]
    )


def split_round(task_frame: pl.DataFrame, round_id: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """One round's tasks: (all of them, the reported ones, the 催报 list)."""
    mine = task_frame.filter(pl.col("round_id") == round_id)
    return mine, mine.filter(pl.col("is_reported")), chase_list(mine)
