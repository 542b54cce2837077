"""报送任务: opening and closing collection rounds. Each change is one transaction.

A round stores what it asks (the period, the tables, the schools, the deadline) and the newest batch when
it opened; whether a school has reported is never stored but read from the data (queries/round_tasks.sql),
so a later upload, an upsert or a rollback moves a task by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import duckdb

from oversight.contract.errors import StoreError
from oversight.contract.roles import User
from oversight.engine import audit, connection

ROUND_OPENED, ROUND_CLOSED = "发布报送任务", "结束报送任务"
audit.ACTIONS.extend(a for a in (ROUND_OPENED, ROUND_CLOSED) if a not in audit.ACTIONS)


def user_name(user: User | str) -> str:
    return user.username if isinstance(user, User) else str(user)


def newest_batch(con: duckdb.DuckDBPyConnection) -> int:
    """The newest batch id so far (rolled back or not): rows of later batches arrived after now."""
    return int(con.execute("select coalesce(max(batch_id), 0) from batches").fetchall()[0][0])


def open_round(
    con: duckdb.DuckDBPyConnection,
    *,
    name: str,
    year: int | None,
    school_year: str | None,
    tables: Sequence[str],
    deadline: date,
    user: User | str,
    town: str | None = None,
    stage: str | None = None,
    area_type: str | None = None,
    school_codes: Sequence[str] | None = None,
) -> int:
    """Store a round (checked by metrics.rounds.open_round) and return its id."""
    with connection.transaction(con, "发布报送任务失败，未保存"):
        round_id = int(con.execute("select coalesce(max(round_id), 0) + 1 from rounds").fetchall()[0][0])
        con.execute(
            """insert into rounds (round_id, round_name, year, school_year, table_names, deadline, town,
                   stage, area_type, school_codes, opened_at, opened_by, after_batch_id)
               values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                round_id,
                name,
                year,
                school_year,
                list(tables),
                deadline,
                town,
                stage,
                area_type,
                list(school_codes) if school_codes else None,
                datetime.now().replace(microsecond=0),
                user_name(user),
                newest_batch(con),
            ],
        )
        period = f"{year}年度、{school_year}学年"
        audit.record(con, user, ROUND_OPENED, f"第 {round_id} 号 {name}", f"{period}，截止 {deadline}")
    if not con.execute("select count(*) from rounds where round_id = ?", [round_id]).fetchall()[0][0]:
        raise StoreError("发布报送任务失败，未保存。")
    return round_id


def close_round(con: duckdb.DuckDBPyConnection, round_id: int, *, user: User | str) -> None:
    """End a round: it leaves 总览 and the open list; its tasks stay readable."""
    rows = con.execute("select closed_at, round_name from rounds where round_id = ?", [round_id]).fetchall()
    if not rows:
        raise StoreError(f"报送任务 {round_id} 不存在。")
    if rows[0][0] is not None:
        raise StoreError(f"报送任务 {round_id} 已经结束。")
    with connection.transaction(con, "结束报送任务失败，未改动"):
        con.execute(
            "update rounds set closed_at = ?, closed_by = ? where round_id = ?",
            [datetime.now().replace(microsecond=0), user_name(user), round_id],
        )
        audit.record(con, user, ROUND_CLOSED, f"第 {round_id} 号 {rows[0][1]}")
