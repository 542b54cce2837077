"""Opening the database file, and one snapshot per piece of work.

Every connection, the dashboard's and the command line's, is sandboxed the same way: it can read and
write its own database file and nothing else (frames arrive registered as Arrow, never as file paths).
One configuration for all also avoids DuckDB's refusal of a second connection to the same file with a
different configuration inside one process (the Streamlit server, or a test).

The command line opens the file itself (`opened`, `snapshot`). The dashboard, which may run as several
processes, reads published read-only copies of it instead (`published`, `work`; engine.publish), and every
read-write piece of work through `opened` publishes a new copy when it changed what readers see.
"""

from __future__ import annotations

import contextlib
import os
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import duckdb

from oversight.contract.errors import OversightError, StoreBusy, StoreError
from oversight.engine import migrations, publish, queries

DEFAULT_DB = Path("data") / "oversight.duckdb"
LOCK_WAIT_SECONDS = 15.0

CONNECTION_CONFIG: dict[str, object] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "memory_limit": os.environ.get("OVERSIGHT_MEMORY_LIMIT", "4GB"),
    "max_temp_directory_size": "20GB",
    "enable_external_access": False,
    "lock_configuration": True,
}


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--db, else $OVERSIGHT_DB, else data/oversight.duckdb (the contract's command line rule)."""
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
    A read-write connection brings the file to the current schema first (migrations.ensure_schema).
    """
    path = Path(path)
    if read_only and not path.exists():
        raise StoreError(f"数据库文件 {path} 不存在，请先运行 oversight demo 或上传数据。")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=dict(CONNECTION_CONFIG))
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
    if read_only:
        migrations.check_schema_version(con)
    else:
        migrations.ensure_schema(con)
    return con


@contextlib.contextmanager
def opened(path: str | os.PathLike[str], *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection held only while one piece of work runs, so command-line loads are never locked out.

    Read-write, the work runs alone among this process's writers, and once it is done, if a server reads
    this file (engine.publish.enabled), it publishes a copy for the server processes when the data, the
    ledger or the roles changed (otherwise it only notes the file's new stats)."""
    if read_only:
        con = connect(path, read_only=True)
        try:
            yield con
        finally:
            con.close()
        return
    with publish.writing(path):
        con = connect(path)
        try:
            yield con
        except BaseException:
            con.close()
            raise
        if not publish.enabled(path):
            con.close()
            return
        try:
            publish.publish(con, path, con.close)
        except Exception as exc:  # the work is committed; readers notice the file changed and publish
            warnings.warn(f"发布数据库副本失败（看板将在下次读取时重试）：{exc}", stacklevel=2)
        finally:
            with contextlib.suppress(Exception):
                con.close()


@contextlib.contextmanager
def snapshot(path: str | os.PathLike[str]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only piece of work that sees one committed state of the data.

    The indicators run a dozen queries; in autocommit each sees the data as of its own start, so an
    upload committing meanwhile in another session showed up between two of them and a page mixed old
    and new figures (tests/test_concurrency.py). One transaction gives all of them the same snapshot.
    Pages, the command line and the Word report all read through this.
    """
    with opened(path) as con:
        con.execute("begin transaction")
        try:
            yield con
        finally:
            con.execute("rollback")


def file_data_version(path: str | os.PathLike[str]) -> str:
    """data_version of a database file, '0-0' when there is no file yet."""
    if not Path(path).exists():
        return "0-0"
    with opened(path) as con:
        return queries.data_version(con)


def _open_primary_to_publish(path: Path, quick: bool) -> duckdb.DuckDBPyConnection:
    return connect(path, wait=0.0 if quick else LOCK_WAIT_SECONDS)


def _open_copy(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True, config=dict(CONNECTION_CONFIG))


def _reader(path: str | os.PathLike[str]) -> publish.Reader:
    if not Path(path).exists():
        raise StoreError(f"数据库文件 {path} 不存在，请先运行 oversight demo 或上传数据。")
    return publish.reader(path, _open_primary_to_publish, _open_copy)


@contextlib.contextmanager
def published(path: str | os.PathLike[str]) -> Iterator[duckdb.DuckDBPyConnection]:
    """The dashboard's reads: a cursor of the current published copy of `path` (engine.publish), for one
    piece of work. The copy never changes, so all the work's queries see one committed state, as in
    `snapshot`; no file is opened and the file itself is never locked. The first read of a file
    publishes its first copy."""
    with _reader(path).cursor() as cur:
        yield cur


@contextlib.contextmanager
def work(path: str | os.PathLike[str]) -> Iterator[duckdb.DuckDBPyConnection]:
    """The dashboard's pieces of work that may write (uploads, rollbacks, accounts, logins): the file
    opened read-write on first use, as `opened` (publishing when done). The statements every page run
    starts with (the data version, the user's role) are answered from the published copy until then, so
    a page run that writes nothing opens nothing (engine.publish.Work)."""
    reader = _reader(path)
    con = publish.Work(reader, lambda: opened(path), _snapshot_statements())
    try:
        yield con  # type: ignore[misc]
    finally:
        con.close()


def _snapshot_statements() -> frozenset[str]:
    return publish.SNAPSHOT_STATEMENTS | {queries.sql_text("data_version")}


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection, failure: str) -> Iterator[None]:
    """One change as one transaction: all of it or nothing. A Chinese refusal raised inside passes as it
    is; any other error rolls back and becomes StoreError("<failure>：<cause>"), e.g. "发布报送任务失败，未保存：…"."""
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except OversightError:
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        raise
    except Exception as exc:
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        raise StoreError(f"{failure}：{exc}") from exc
