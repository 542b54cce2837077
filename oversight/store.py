"""The DuckDB store: current rows for the pages, full row history underneath, and the batch ledger.

Every table of the schema is stored once, as `<name>__history`: every version of every row with the batch
that wrote it, deletion markers from whole-table replaces, and a `_current` flag on the version in force.
`<name>` is a view of the flagged rows, which is what queries read. Storing the rows once (instead of a
history table plus a copy of the current rows) halves the write of a large load: at province scale the
second copy cost as much as DuckDB's whole read_csv of the same files. A load adds versions and moves the
flags in one transaction; a rollback marks the batch and recomputes the flags of the tables it touched
from the batches still in force, so the data reads as if the batch had never been loaded and no earlier
version is lost.

All DuckDB access of the package goes through this module (and `indicators`, which runs queries/ files).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from oversight.errors import StoreBusy, StoreError
from oversight.indicators import sql_text
from oversight.schema import TABLES, Table, table

DEFAULT_DB = Path("data") / "oversight.duckdb"
SCHEMA_VERSION = 6
LOCK_WAIT_SECONDS = 15.0

#: Every connection, the dashboard's and the command line's, is sandboxed the same way: it can read and
#: write its own database file and nothing else (frames arrive registered as Arrow, never as file paths).
#: One configuration for all also avoids DuckDB's refusal of a second connection to the same file with a
#: different configuration inside one process (the Streamlit server, or a test).
CONNECTION_CONFIG: dict[str, object] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "memory_limit": os.environ.get("OVERSIGHT_MEMORY_LIMIT", "4GB"),
    "max_temp_directory_size": "20GB",
    "enable_external_access": False,
    "lock_configuration": True,
}


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--db, else $OVERSIGHT_DB, else data/oversight.duckdb (SPEC's command line rule)."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("OVERSIGHT_DB")
    return Path(env) if env else DEFAULT_DB


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text or "being used" in text


def connect(
    path: str | os.PathLike[str], *, read_only: bool = False, wait: float = LOCK_WAIT_SECONDS
) -> duckdb.DuckDBPyConnection:
    """Open the database file, waiting a little while another process holds it.

    The dashboard opens the file only while it works, so a command-line load waits at most a few
    seconds for it; past that the user gets a Chinese sentence instead of DuckDB's lock error.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise StoreError(f"数据库文件 {path} 不存在，请先运行 oversight demo 或上传数据。")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        try:
            con = duckdb.connect(
                str(path),
                read_only=read_only,
                config=dict(CONNECTION_CONFIG),
            )
            break
        except duckdb.Error as exc:
            if _is_lock_error(exc) and time.monotonic() < deadline:
                time.sleep(0.2)
                continue
            if _is_lock_error(exc):
                raise StoreBusy(
                    f"数据库文件 {path} 正被其他程序（如正在运行的看板或另一次导入）占用，"
                    "请稍后重试，或在看板的“数据上传”页面上传。"
                ) from exc
            raise StoreError(f"无法打开数据库文件 {path}：{exc}") from exc
    if not read_only:
        ensure_schema(con)
    else:
        check_schema_version(con)
    return con


@contextlib.contextmanager
def opened(path: str | os.PathLike[str], *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(path, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


# ---------------------------------------------------------------- schema and migrations


def _columns_ddl(t: Table) -> str:
    return ", ".join(f'"{c.name}" {c.sql_type}' for c in t.columns)


def _migration_1() -> list[str]:
    ddl = [
        "create table if not exists meta (key varchar primary key, value varchar)",
        """create table if not exists batches (
            batch_id bigint primary key, user_name varchar, loaded_at timestamp, mode varchar,
            rolled_back boolean default false, rolled_back_at timestamp, rolled_back_by varchar)""",
        """create table if not exists batch_files (
            batch_id bigint, file_name varchar, sha256 varchar, sheet varchar, table_name varchar,
            row_count bigint)""",
        """create table if not exists batch_changes (
            batch_id bigint, table_name varchar, added bigint, changed bigint, unchanged bigint,
            deleted bigint)""",
        """create table if not exists users (
            username varchar primary key, role varchar not null, password_hash varchar not null,
            failed_attempts integer not null default 0, locked_until timestamp, created_at timestamp)""",
    ]
    for t in TABLES:
        ddl.append(f"create table if not exists {t.name} ({_columns_ddl(t)})")
        ddl.append(
            f"create table if not exists {t.name}__history ({_columns_ddl(t)}, "
            "_batch_id bigint not null, _deleted boolean not null default false)"
        )
    return ddl


def _in_force_versions(t: Table) -> str:
    """History rows that are current: per key, the latest version of the batches in force, unless that
    version is a deletion marker. Migrations and rollbacks compute the `_current` flags from this."""
    return f"""select rowid as _rid from (
            select rowid, _deleted,
                   row_number() over (partition by {", ".join(t.key)} order by _batch_id desc) as _rn
            from {t.name}__history
            where _batch_id in (select batch_id from batches where not rolled_back)
        ) where _rn = 1 and not _deleted"""


def current_view_ddl(t: Table) -> str:
    return f"create view {t.name} as select {', '.join(t.column_names)} from {t.name}__history where _current"


def _migration_2() -> list[str]:
    """Current rows become a view of flagged history rows (one stored copy of each row, see above)."""
    ddl: list[str] = []
    for t in TABLES:
        ddl += [
            f"alter table {t.name}__history add column _current boolean default false",
            f"update {t.name}__history set _current = true where rowid in ({_in_force_versions(t)})",
            f"drop table {t.name}",
            current_view_ddl(t),
        ]
    return ddl


#: Derived tables (queries/derived_<name>.sql) and the tables whose changes rebuild them. They hold the
#: per-org-quarter, per-school-year summaries of the big record tables, so a page reads a few hundred
#: thousand summary rows instead of scanning millions of meetings and matters on every view.
DERIVED_TABLES: dict[str, tuple[str, ...]] = {
    "meeting_quarters": ("meetings",),
    "matter_reviews": ("matters",),
    "matter_reviews_by_school": ("matters",),  # reads matter_reviews, so it comes after it
    "rotation_counts": ("rotations",),
    "rotation_area_flows": ("rotations", "schools"),
    "record_years": ("leaders", "party_orgs", "schools", "matters", "meetings", "honors", "duty_reports"),
}


def _derived_ddl(name: str) -> str:
    return f"create or replace table {name} as {sql_text(f'derived_{name}')}"


def refresh_derived(con: duckdb.DuckDBPyConnection, touched: set[str]) -> None:
    """Rebuild the derived tables that read any of the `touched` tables (inside the caller's transaction)."""
    for name, sources in DERIVED_TABLES.items():
        if touched & set(sources):
            con.execute(_derived_ddl(name))


#: version -> statements that bring a database from version-1 to version. Append, never edit.
MIGRATIONS: dict[int, list[str]] = {
    1: _migration_1(),
    2: _migration_2(),
    3: [_derived_ddl(name) for name in DERIVED_TABLES],
    4: [_derived_ddl("matter_reviews_by_school")],
    5: [_derived_ddl("meeting_quarters")],  # now stored in year and org order
    6: [_derived_ddl("meeting_quarters")],  # now with the quarter's 三会一课 flags (is_compliant ...)
}


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    has_meta = con.execute(
        "select count(*) from information_schema.tables where table_name = 'meta'"
    ).fetchall()[0][0]
    if not has_meta:
        return 0
    rows = con.execute("select value from meta where key = 'schema_version'").fetchall()
    return int(rows[0][0]) if rows else 0


def check_schema_version(con: duckdb.DuckDBPyConnection) -> int:
    version = schema_version(con)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"数据库版本为 {version}，高于本程序支持的版本 {SCHEMA_VERSION}，请升级程序后再打开。"
        )
    return version


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the database to SCHEMA_VERSION, one migration per transaction."""
    version = check_schema_version(con)
    for target in range(version + 1, SCHEMA_VERSION + 1):
        con.execute("begin transaction")
        try:
            for statement in MIGRATIONS[target]:
                con.execute(statement)
            con.execute("insert or replace into meta values ('schema_version', ?)", [str(target)])
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        if schema_version(con) != target:
            raise StoreError(f"数据库升级到版本 {target} 失败，数据未改动。")


# ---------------------------------------------------------------- reading


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None) -> pl.DataFrame:
    return con.sql(sql, params=params or {}).pl()


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


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever a batch is loaded or rolled back: the cache key of every page query."""
    row = con.execute(
        "select coalesce(max(batch_id), 0), count(*) filter (where rolled_back) from batches"
    ).fetchall()[0]
    return f"{row[0]}-{row[1]}"


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
    con.execute(f"update {history} set _current = true where rowid in ({_in_force_versions(t)})")


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
