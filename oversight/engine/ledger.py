"""The batch ledger: commit a validated batch in one transaction, roll any batch back, list them.

A load adds row versions and moves the `_current` flags in one transaction; a rollback marks the batch
and recomputes the flags of the tables it touched from the batches still in force, so the data reads as
if the batch had never been loaded and no earlier version is lost (migrations.py has the layout).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import polars as pl

from oversight.contract.errors import StoreError
from oversight.contract.schema import TABLES, Table, table
from oversight.engine import audit
from oversight.engine.migrations import in_force_versions, refresh_derived
from oversight.engine.queries import frame


def current(con: duckdb.DuckDBPyConnection, table_name: str) -> pl.DataFrame:
    t = table(table_name)
    return frame(con, f"select {', '.join(t.column_names)} from {t.name}")


def existing_keys(con: duckdb.DuckDBPyConnection, table_name: str, columns: tuple[str, ...]) -> pl.DataFrame:
    """Distinct values of `columns` in the current rows: what references in a new batch may point at."""
    cols = ", ".join(columns)
    return frame(
        con,
        f"select distinct {cols} from {table_name} where {' and '.join(f'{c} is not null' for c in columns)}",
    )


def current_values(
    con: duckdb.DuckDBPyConnection, table_name: str, columns: tuple[str, ...], not_null: str
) -> pl.DataFrame:
    """`columns` of the current rows whose `not_null` column is filled: e.g. each stored school name with
    its key, which a unique column in a new batch may not repeat under another key."""
    return frame(con, f"select {', '.join(columns)} from {table_name} where {not_null} is not null")


def loaded_sha(con: duckdb.DuckDBPyConnection, sha256: str) -> int | None:
    """The batch in force that already loaded a file with this SHA-256, if any."""
    rows = con.execute(
        """select f.batch_id from batch_files f join batches b using (batch_id)
           where f.sha256 = ? and not b.rolled_back order by f.batch_id limit 1""",
        [sha256],
    ).fetchall()
    return int(rows[0][0]) if rows else None


def list_batches(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """The ledger, newest first, in the shape of `oversight batches --json`."""
    batches = con.execute(
        "select batch_id, user_name, loaded_at, mode, rolled_back from batches order by batch_id desc"
    ).fetchall()
    files = con.execute(
        "select batch_id, file_name, sha256, sheet, table_name, row_count from batch_files order by batch_id, file_name, sheet"
    ).fetchall()
    changes = con.execute(
        "select batch_id, table_name, added, changed, unchanged, deleted from batch_changes order by batch_id, table_name"
    ).fetchall()
    out = []
    for batch_id, user, loaded_at, mode, rolled_back in batches:
        out.append(
            {
                "id": int(batch_id),
                "user": user,
                "loaded_at": loaded_at.isoformat(timespec="seconds"),
                "files": [
                    {"name": f[1], "sha256": f[2], "sheet": f[3], "table": f[4], "rows": int(f[5])}
                    for f in files
                    if f[0] == batch_id
                ],
                "rows": {c[1]: int(c[2]) + int(c[3]) + int(c[4]) for c in changes if c[0] == batch_id},
                "changes": {
                    c[1]: {
                        "added": int(c[2]),
                        "changed": int(c[3]),
                        "unchanged": int(c[4]),
                        "deleted": int(c[5]),
                    }
                    for c in changes
                    if c[0] == batch_id
                },
                "mode": mode,
                "rolled_back": bool(rolled_back),
            }
        )
    return out


# ---------------------------------------------------------------- writing


@dataclass
class FileRecord:
    """One file (or one sheet of a workbook) of a batch, for the ledger."""

    name: str
    sha256: str
    sheet: str
    table: str
    rows: int


@dataclass
class LoadOutcome:
    batch_id: int
    changes: dict[str, dict[str, int]] = field(default_factory=dict)


def _key_join(t: Table, left: str, right: str) -> str:
    return " and ".join(f"{left}.{k} is not distinct from {right}.{k}" for k in t.key)


def _differs(t: Table, left: str, right: str) -> str:
    return " or ".join(f"{left}.{c} is distinct from {right}.{c}" for c in t.column_names)


#: Whose rows a table's rows are, and for which period, as SQL over the incoming rows `i` (and `o`, the
#: row's Party org, for the tables keyed by org): (school, calendar year, school year); None where the
#: table is not kept by that period (学校, 党组织 and 领导班子 are standing records).
ARRIVALS: dict[str, tuple[str, str | None, str | None]] = {
    "schools": ("i.school_code", None, None),
    "party_orgs": ("i.school_code", None, None),
    "leaders": ("i.school_code", None, None),
    "honors": ("o.school_code", "i.year", None),
    "rotation_quotas": ("i.school_code", None, "i.school_year"),
    "rotations": ("i.from_school_code", None, "i.school_year"),
    "matters": ("i.school_code", "year(i.registered_on)", None),
    "meetings": ("o.school_code", "year(i.held_on)", None),
    "duty_reports": ("i.school_code", "i.year", None),
    "activities": ("i.school_code", "year(i.held_on)", None),
    "unified_subject_staffing": ("i.school_code", None, "i.school_year"),
}


def _record_arrivals(con: duckdb.DuckDBPyConnection, t: Table, view: str, batch_id: int) -> None:
    """What this batch brought per school and period, changed or not: a school that sends the same rows
    again has still reported (报送任务 reads batch_arrivals through the rule school_arrivals), and a
    rollback takes the batch's arrivals out with it."""
    school, year, school_year = ARRIVALS[t.name]
    orgs = "left join party_orgs as o on o.org_code = i.org_code" if "o." in school else ""
    con.execute(
        f"""insert into batch_arrivals
            select ?, ?, {school}, {year or "null"}::integer, {school_year or "null"}::varchar, count(*)
            from {view} as i {orgs}
            where {school} is not null
            group by all""",
        [batch_id, t.name],
    )


def _write_table(
    con: duckdb.DuckDBPyConnection, t: Table, incoming: pl.DataFrame, batch_id: int, mode: str
) -> dict[str, int]:
    cols = ", ".join(t.column_names)
    history = f"{t.name}__history"
    into = f"insert into {history} ({cols}, _batch_id, _deleted, _current)"
    view = f"_incoming_{t.name}"
    # string_view Arrow (polars' own layout) is handed over without copying; DuckDB reads it as VARCHAR
    con.register(view, incoming.select(t.column_names).to_arrow(compat_level=pl.CompatLevel.newest()))
    try:
        _record_arrivals(con, t, view, batch_id)
        if not con.execute(f"select count(*) from {t.name}").fetchall()[0][0]:
            # nothing current yet: every row is new, written once, straight from the frame
            con.execute(f"{into} select {cols}, ?, false, true from {view}", [batch_id])
            return {"added": incoming.height, "changed": 0, "unchanged": 0, "deleted": 0}
        con.execute(
            f"""create or replace temp table _staged as
                select i.*,
                       case when c.{t.key[0]} is null
                            then 'added'
                            when {_differs(t, "i", "c")} then 'changed'
                            else 'unchanged' end as _status
                from {view} i left join {t.name} c on {_key_join(t, "c", "i")}"""
        )
        counts = dict(con.execute("select _status, count(*) from _staged group by _status").fetchall())
        deleted = 0
        if mode == "replace":
            gone = f"not exists (select 1 from {view} i where {_key_join(t, 'h', 'i')})"
            deleted = con.execute(f"select count(*) from {history} h where _current and {gone}").fetchall()[
                0
            ][0]
            con.execute(
                f"{into} select {cols}, ?, true, false from {history} h where _current and {gone}", [batch_id]
            )
            con.execute(f"update {history} h set _current = false where _current and {gone}")
        con.execute(
            f"""update {history} h set _current = false
                where _current and exists (
                    select 1 from _staged s where s._status = 'changed' and {_key_join(t, "h", "s")})"""
        )
        con.execute(
            f"{into} select {cols}, ?, false, true from _staged where _status <> 'unchanged'", [batch_id]
        )
        con.execute("drop table _staged")
    finally:
        con.unregister(view)
    return {
        "added": int(counts.get("added", 0)),
        "changed": int(counts.get("changed", 0)),
        "unchanged": int(counts.get("unchanged", 0)),
        "deleted": int(deleted),
    }


def load_batch(
    con: duckdb.DuckDBPyConnection,
    frames: dict[str, pl.DataFrame],
    files: list[FileRecord],
    *,
    user: str,
    mode: str = "upsert",
) -> LoadOutcome:
    """Commit one validated batch in one transaction: all of it or none of it.

    `frames` are typed frames with exactly the schema's columns. The ledger row is written last inside
    the transaction and read back after COMMIT, because DuckDB's COMMIT after a failed statement returns
    quietly without committing (FACTS.md).
    """
    if mode not in ("upsert", "replace"):
        raise StoreError(f"未知的导入方式 {mode}，只能是 upsert 或 replace。")
    batch_id = int(con.execute("select coalesce(max(batch_id), 0) + 1 from batches").fetchall()[0][0])
    outcome = LoadOutcome(batch_id)
    con.execute("begin transaction")
    try:
        for t in TABLES:
            if t.name in frames:
                outcome.changes[t.name] = _write_table(con, t, frames[t.name], batch_id, mode)
        refresh_derived(con, set(outcome.changes))
        for name, change in outcome.changes.items():
            con.execute(
                "insert into batch_changes values (?, ?, ?, ?, ?, ?)",
                [batch_id, name, change["added"], change["changed"], change["unchanged"], change["deleted"]],
            )
        for f in files:
            con.execute(
                "insert into batch_files values (?, ?, ?, ?, ?, ?)",
                [batch_id, f.name, f.sha256, f.sheet, f.table, f.rows],
            )
        con.execute(
            "insert into batches (batch_id, user_name, loaded_at, mode) values (?, ?, ?, ?)",
            [batch_id, user, datetime.now().replace(microsecond=0), mode],
        )
        con.execute("commit")
    except Exception as exc:
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        raise StoreError(f"写入数据库失败，本批数据未写入：{exc}") from exc
    if not con.execute("select count(*) from batches where batch_id = ?", [batch_id]).fetchall()[0][0]:
        raise StoreError("写入数据库失败，本批数据未写入。")
    return outcome


def _rebuild_current(con: duckdb.DuckDBPyConnection, t: Table) -> None:
    history = f"{t.name}__history"
    con.execute(f"update {history} set _current = false where _current")
    con.execute(f"update {history} set _current = true where rowid in ({in_force_versions(t)})")


def rollback(con: duckdb.DuckDBPyConnection, batch_id: int, *, user: str = "") -> list[str]:
    """Take a batch out of force. Returns the tables whose current rows were rebuilt."""
    rows = con.execute("select rolled_back from batches where batch_id = ?", [batch_id]).fetchall()
    if not rows:
        raise StoreError(f"批次 {batch_id} 不存在，请用 oversight batches 查看批次编号。")
    if rows[0][0]:
        raise StoreError(f"批次 {batch_id} 已经撤销过，无需再次撤销。")
    touched = [
        r[0]
        for r in con.execute(
            "select table_name from batch_changes where batch_id = ? order by table_name", [batch_id]
        ).fetchall()
    ]
    con.execute("begin transaction")
    try:
        con.execute(
            "update batches set rolled_back = true, rolled_back_at = ?, rolled_back_by = ? where batch_id = ?",
            [datetime.now().replace(microsecond=0), user, batch_id],
        )
        for name in touched:
            _rebuild_current(con, table(name))
        refresh_derived(con, set(touched))
        # the audit entry commits with the rollback; a rollback never deletes audit entries
        tables_zh = "、".join(table(name).zh for name in touched)
        audit.record(con, user or None, audit.ROLLBACK, f"第 {batch_id} 批", tables_zh)
        con.execute("commit")
    except Exception as exc:
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        raise StoreError(f"撤销批次 {batch_id} 失败，数据未改动：{exc}") from exc
    if not con.execute("select rolled_back from batches where batch_id = ?", [batch_id]).fetchall()[0][0]:
        raise StoreError(f"撤销批次 {batch_id} 失败，数据未改动。")
    return touched


def batch_summary_json(outcome: LoadOutcome) -> str:
    return json.dumps({"id": outcome.batch_id, "changes": outcome.changes}, ensure_ascii=False)
