"""整改台账: storing 整改 items and every change of them. Each change is one transaction.

The rules (which entry opens an item, when 销号 is allowed, when a closed item reopens as 反弹) are
metrics.rectification's; this module only writes what it decided, checking that the item is still in the
state the decision was made in, and logs each change in rectification_events. Nothing here deletes an
item, and a rollback of a data batch never touches these tables.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import duckdb

from oversight.contract.catalog import INDICATORS_BY_KEY
from oversight.contract.errors import OversightError, StoreError
from oversight.contract.roles import User
from oversight.engine import audit, connection
from oversight.engine.rounds import user_name

#: the audit log's action for every change of a 整改 item (the change itself is in the detail)
RECTIFY_CHANGED = "整改台账"
if RECTIFY_CHANGED not in audit.ACTIONS:
    audit.ACTIONS.append(RECTIFY_CHANGED)

#: the columns a change may set (besides state and updated_at)
FIELDS = (
    "year",
    "school_year",
    "problem",
    "source",
    "measures",
    "responsible",
    "deadline",
    "opened_after_batch",
    "submitted_at",
    "closed_at",
    "closed_by",
    "close_basis",
    "close_reason",
    "closed_year",
    "reopened_count",
)
#: the meta key holding the data version the automatic opening last ran for
SYNCED_KEY = "rectification_synced"


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def transaction(con: duckdb.DuckDBPyConnection) -> contextlib.AbstractContextManager[None]:
    """Each ledger change as one transaction (engine.connection.transaction)."""
    return connection.transaction(con, "保存整改台账失败，未改动")


def _event(
    con: duckdb.DuckDBPyConnection,
    item_id: int,
    user: User | str,
    action: str,
    state_from: str | None,
    state_to: str,
    note: str | None,
) -> None:
    con.execute(
        "insert into rectification_events values (?, ?, ?, ?, ?, ?, ?)",
        # to the microsecond: the item's history is read in this order
        [item_id, datetime.now(), user_name(user), action, state_from, state_to, note],
    )
    code, name, key = con.execute(
        """select i.school_code, s.school_name, i.indicator from rectifications as i
           left join schools as s on s.school_code = i.school_code where i.item_id = ?""",
        [item_id],
    ).fetchall()[0]
    indicator = INDICATORS_BY_KEY[key].zh if key in INDICATORS_BY_KEY else key
    moved = f"{state_from} → {state_to}" if state_from and state_from != state_to else state_to
    detail = f"{action}：{moved}" + (f"；{note}" if note else "")
    audit.record(
        con, user, RECTIFY_CHANGED, f"整改事项第 {item_id} 号（{name or ''}{code}，{indicator}）", detail
    )


def item_state(con: duckdb.DuckDBPyConnection, item_id: int) -> dict[str, Any]:
    rows = con.sql("select * from rectifications where item_id = $id", params={"id": item_id}).pl()
    if rows.is_empty():
        raise OversightError(f"整改事项 {item_id} 不存在。", title="没有这条整改事项")
    return rows.row(0, named=True)


def items_of(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every item as stored (the automatic opening reads them inside its transaction)."""
    return con.sql("select * from rectifications order by item_id").pl().to_dicts()


def _insert(con: duckdb.DuckDBPyConnection, item: dict[str, Any], user: User | str, action: str) -> int:
    item_id = int(con.execute("select coalesce(max(item_id), 0) + 1 from rectifications").fetchall()[0][0])
    stamp = now()
    con.execute(
        """insert into rectifications (item_id, school_code, indicator, year, school_year, problem, source,
               state, measures, responsible, deadline, opened_at, opened_by, opened_after_batch,
               reopened_count, updated_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?, ?, ?, ?, 0, ?)""",
        [
            item_id,
            item["school_code"],
            item["indicator"],
            item.get("year"),
            item.get("school_year"),
            item["problem"],
            item["source"],
            item["state"],
            item.get("responsible"),
            item["deadline"],
            stamp,
            user_name(user),
            item["opened_after_batch"],
            stamp,
        ],
    )
    _event(con, item_id, user, action, None, item["state"], item["problem"])
    return item_id


def _update(
    con: duckdb.DuckDBPyConnection,
    item_id: int,
    from_states: Sequence[str],
    state: str,
    fields: dict[str, Any],
    user: User | str,
    action: str,
    note: str | None,
) -> None:
    current = item_state(con, item_id)
    if current["state"] not in from_states:
        raise OversightError(
            f"这条整改事项现在是“{current['state']}”，不能{action}（只有“{'、'.join(from_states)}”的事项可以）。",
            title="状态已变",
        )
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise StoreError(f"整改事项没有这些字段：{'、'.join(sorted(unknown))}。")
    sets = ", ".join([*(f"{k} = ?" for k in fields), "state = ?", "updated_at = ?"])
    con.execute(
        f"update rectifications set {sets} where item_id = ?", [*fields.values(), state, now(), item_id]
    )
    _event(con, item_id, user, action, current["state"], state, note)


def open_item(con: duckdb.DuckDBPyConnection, item: dict[str, Any], *, user: User | str, action: str) -> int:
    """One new item, in its own transaction."""
    with transaction(con):
        return _insert(con, item, user, action)


def change(
    con: duckdb.DuckDBPyConnection,
    item_id: int,
    *,
    from_states: Sequence[str],
    state: str,
    fields: dict[str, Any],
    user: User | str,
    action: str,
    note: str | None = None,
) -> None:
    """Move one item from one of `from_states` to `state`, setting `fields`, with its event, in one
    transaction; refused when another session moved it meanwhile."""
    with transaction(con):
        _update(con, item_id, from_states, state, fields, user, action, note)


def apply_sync(
    con: duckdb.DuckDBPyConnection,
    version: str,
    opens: Sequence[dict[str, Any]],
    reopens: Sequence[tuple[int, str, dict[str, Any]]],
    *,
    user: User | str,
    open_action: str,
    reopen_action: str,
    reopen_state: str,
    reopen_from: Sequence[str],
) -> tuple[list[int], list[int]]:
    """The automatic opening after a load, in one transaction: new items, reopened ones (item id, the
    note, fields), and the data version it ran for (so it runs once per version)."""
    with transaction(con):
        opened = [_insert(con, item, user, open_action) for item in opens]
        reopened = []
        for item_id, note, fields in reopens:
            _update(con, item_id, reopen_from, reopen_state, fields, user, reopen_action, note)
            reopened.append(item_id)
        con.execute("insert or replace into meta values (?, ?)", [SYNCED_KEY, version])
    return opened, reopened


def synced_version(con: duckdb.DuckDBPyConnection) -> str | None:
    rows = con.execute("select value from meta where key = ?", [SYNCED_KEY]).fetchall()
    return str(rows[0][0]) if rows else None
