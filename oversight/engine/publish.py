"""Published read-only copies of the database file: what every server process reads from.

DuckDB lets one process hold a file read-write, and while it does no other process may open it, not even
read-only. The dashboard runs as several processes behind nginx (deploy/serve.py), and the command line
loads into the same file. So the file itself (the *primary*, data/oversight.duckdb) is opened only for a
piece of work that may write (an upload, a rollback, an account change, a login), and the writer then
publishes a copy of it:

    <primary>.snapshots/<time>-<data version>-<fingerprint>.duckdb    a plain copy, taken after a CHECKPOINT
                                                                      while the writer still holds the file
    <primary>.snapshots/CURRENT                                       which copy is current (JSON, replaced
                                                                      atomically), and the primary's file
                                                                      stats when it was taken

Readers, every page run of every process, hold one read-only connection per published copy and take a
cursor of it per piece of work: nothing is opened per page run, nothing locks the primary, and a published
copy never changes, so every cursor sees one committed state of the data (tests/test_concurrency.py).

What makes a new copy is the *stamp*: the data version (a load or rollback), the ledger's batches and the
users' roles and password hashes (a role or password change must reach every process), the schema and rule versions, and the 报送任务
rounds and 整改 changes (engine.rounds, engine.rectification). A write that leaves the stamp as it was (a
login resetting its failure counter) only refreshes CURRENT's file stats. A change made past this module
(a test or a tool writing with plain duckdb) still shows: every reader compares the primary's file stats with CURRENT's and, when they differ, publishes (or refreshes the stats) itself.

Copies are kept while a reader may still have them open: the newest KEEP stay, older ones are removed
(a process that still has one open keeps reading it; Linux frees the space when it closes it).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

SUFFIX = ".snapshots"
POINTER = "CURRENT"
#: published copies kept beside the current one's predecessors (a reader that started a piece of work on
#: one may still be reading it when the next is published)
KEEP = 3
#: what goes into the stamp: data version, ledger, roles and password hashes (a login reads both from the
#: copy, engine.users.LOGIN_SQL; a changed password must reach every process at once), schema and rule
#: versions, 报送任务 rounds and 整改 changes (not failure counters or sessions: logins read and write those
#: on the primary, and they change on every login)
STAMP_SQL = """
select
    (select coalesce(max(batch_id), 0)::varchar || '-' || count(*) filter (where rolled_back)::varchar
       from batches)
    || '-' || coalesce((select md5(string_agg(batch_id::varchar || ' ' || loaded_at::varchar || ' '
                                              || rolled_back::varchar, ',' order by batch_id)) from batches), '')
    || '-' || coalesce((select md5(string_agg(username || ' ' || role || ' ' || password_hash, ','
                                              order by username)) from users), '')
    || '-' || coalesce((select md5(string_agg(key || '=' || value, ',' order by key)) from meta
                        where key in ('schema_version', 'rules_sha', 'rectification_synced')), '')
    || '-' || (select count(*) || ':' || count(closed_at) from rounds)
    || '-' || (select count(*) from rectification_events)
"""

Opener = Callable[[Path, bool], duckdb.DuckDBPyConnection]
"""(primary, quick) -> the primary opened read-write, sandboxed (engine.connection supplies it); `quick`:
fail at once when another process holds it instead of waiting."""
SnapshotOpener = Callable[[Path], duckdb.DuckDBPyConnection]
"""(published copy) -> it opened read-only, sandboxed."""


def snapshot_dir(primary: str | os.PathLike[str]) -> Path:
    """Where the copies of `primary` are published: $OVERSIGHT_SNAPSHOTS (a shared directory, when the
    app runs on other machines than the writer), else beside the file."""
    env = os.environ.get("OVERSIGHT_SNAPSHOTS")
    primary = Path(primary)
    if env:
        return Path(env) / (primary.name + SUFFIX)
    return primary.with_name(primary.name + SUFFIX)


def enabled(primary: str | os.PathLike[str]) -> bool:
    """Publishing is on for a file once a server has read from it (the directory exists)."""
    return snapshot_dir(primary).is_dir()


def stamp(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute(STAMP_SQL).fetchall()[0][0])


def file_stats(primary: str | os.PathLike[str]) -> list[int]:
    """The primary's and its WAL's (inode, size, mtime): any write through DuckDB changes one of them."""
    out: list[int] = []
    for path in (Path(primary), Path(f"{primary}.wal")):
        try:
            s = path.stat()
            out += [s.st_ino, s.st_size, s.st_mtime_ns]
        except FileNotFoundError:
            out += [0, 0, 0]
    return out


@dataclass(frozen=True)
class Pointer:
    file: str
    stamp: str
    stats: list[int]


def read_pointer(directory: Path) -> Pointer | None:
    try:
        data = json.loads((directory / POINTER).read_text("utf-8"))
        return Pointer(str(data["file"]), str(data["stamp"]), [int(x) for x in data["stats"]])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def _write_pointer(directory: Path, pointer: Pointer) -> None:
    tmp = directory / f".{POINTER}.{os.getpid()}.{threading.get_ident()}"
    tmp.write_text(
        json.dumps({"file": pointer.file, "stamp": pointer.stamp, "stats": pointer.stats}), "utf-8"
    )
    os.replace(tmp, directory / POINTER)


#: guards the registries below and the copies' reader counts (held for microseconds, never while waiting)
_REGISTRY = threading.Lock()
#: how many pieces of writing work this thread is inside (engine.connection.opened)
_WRITING = threading.local()
_WRITE_LOCKS: dict[str, threading.RLock] = {}
_DIRECTORY_LOCKS: dict[str, threading.RLock] = {}


def _lock_of(table: dict[str, threading.RLock], path: str | os.PathLike[str]) -> threading.RLock:
    key = str(Path(path).resolve())
    with _REGISTRY:
        return table.setdefault(key, threading.RLock())


def write_lock(primary: str | os.PathLike[str]) -> threading.RLock:
    """Pieces of work that write the primary run one at a time in this process: a copy is taken after a
    CHECKPOINT, and another thread's transaction must not be writing the file meanwhile. (Other
    processes are kept out by DuckDB's own file lock.) Taken before the directory lock, never after."""
    return _lock_of(_WRITE_LOCKS, primary)


@contextlib.contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    """One publisher at a time: across processes (flock on .lock) and across this process's threads."""
    with _lock_of(_DIRECTORY_LOCKS, directory), (directory / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_dir(primary: str | os.PathLike[str]) -> Path:
    directory = snapshot_dir(primary)
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():  # the copies sit beside data/oversight.duckdb, which git ignores too
        ignore.write_text("*\n", "utf-8")
    return directory


def publish(
    con: duckdb.DuckDBPyConnection, primary: str | os.PathLike[str], close: Callable[[], None]
) -> None:
    """After a piece of work on the primary (`con`, read-write, nothing else writing): publish a copy if
    the stamp changed, then close the connection (`close`) and record the primary's file stats.

    The copy is taken while `con` still holds the file, after a CHECKPOINT (everything in the main file,
    the WAL empty), so no writer anywhere can change it meanwhile."""
    directory = ensure_dir(primary)
    with _directory_lock(directory):
        _publish_locked(con, Path(primary), directory, close)


def _publish_locked(
    con: duckdb.DuckDBPyConnection, primary: Path, directory: Path, close: Callable[[], None]
) -> None:
    current = read_pointer(directory)
    con.execute("checkpoint")
    now = stamp(con)
    name = current.file if current and current.stamp == now and (directory / current.file).exists() else None
    if name is None:
        version = "-".join(now.split("-")[:2])
        name = f"{time.time_ns()}-{version}-{hashlib.md5(now.encode()).hexdigest()[:10]}.duckdb"
        tmp = directory / f".{name}.part"
        shutil.copyfile(primary, tmp)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, directory / name)
    close()
    _write_pointer(directory, Pointer(name, now, file_stats(primary)))
    _prune(directory, keep=name)


def _prune(directory: Path, keep: str) -> None:
    copies = sorted(p for p in directory.glob("*.duckdb") if not p.name.startswith("."))
    for old in copies[:-KEEP]:
        if old.name != keep:
            with contextlib.suppress(OSError):
                old.unlink()
                Path(f"{old}.wal").unlink(missing_ok=True)


def refresh(primary: Path, opener: Opener) -> bool:
    """A reader found the primary changed since CURRENT was written: publish from it, unless a writer
    holds it right now (that writer publishes when it is done). Never waits for the file while a copy
    exists to serve; the first publication of a file waits like any opening (engine.connection)."""
    directory = ensure_dir(primary)
    current = read_pointer(directory)
    servable = current is not None and (directory / current.file).exists()
    if getattr(_WRITING, "depth", 0):
        return False  # this thread is writing the primary itself: it publishes when its work ends
    lock = write_lock(primary)
    if not lock.acquire(blocking=not servable):
        return False  # a writer in this process is at work and publishes when done
    try:
        with _directory_lock(directory):
            current = read_pointer(directory)
            if (
                current is not None
                and current.stats == file_stats(primary)
                and (directory / current.file).exists()
            ):
                return True  # published meanwhile
            try:
                con = opener(primary, servable)
            except Exception:
                if servable:
                    return False  # held by a writer elsewhere: keep serving the current copy
                raise
            try:
                _publish_locked(con, primary, directory, con.close)
            finally:
                with contextlib.suppress(Exception):
                    con.close()
        return True
    finally:
        lock.release()


class _Copy:
    """One published copy open read-only in this process, shared by every reader until it is replaced."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, pointer: Pointer) -> None:
        self.path = path
        self.con = con
        self.pointer = pointer
        self.users = 0
        self.retired = False
        #: answers of SNAPSHOT_STATEMENTS on this copy, which never changes: (statement, parameters) -> rows
        self.answers: dict[tuple[str, tuple[object, ...]], list[tuple[object, ...]]] = {}

    def release(self) -> None:
        with _REGISTRY:
            self.users -= 1
            close = self.retired and self.users == 0
        if close:
            with contextlib.suppress(Exception):
                self.con.close()


class Reader:
    """The published copies of one primary file, as this process reads them."""

    def __init__(self, primary: Path, opener: Opener, snapshot_opener: SnapshotOpener) -> None:
        self.primary = primary
        self.directory = snapshot_dir(primary)
        self.opener = opener
        self.snapshot_opener = snapshot_opener
        #: primary stats a refresh could not publish (a writer held the file), and when: retried after a second
        self._deferred: tuple[list[int], float] | None = None
        self._copy: _Copy | None = None
        self._pointer_key: tuple[int, int] | None = None
        self._pointer: Pointer | None = None
        self._lock = threading.Lock()

    def _current_pointer(self) -> Pointer | None:
        try:
            s = (self.directory / POINTER).stat()
        except FileNotFoundError:
            return None
        key = (s.st_ino, s.st_mtime_ns)
        if key != self._pointer_key:
            self._pointer = read_pointer(self.directory)
            self._pointer_key = key
        return self._pointer

    def _maybe_refresh(self, pointer: Pointer | None) -> None:
        stats = file_stats(self.primary)
        if pointer is not None and pointer.stats == stats:
            return
        if pointer is not None and self._deferred is not None:
            seen, when = self._deferred
            if seen == stats and time.monotonic() - when < 1.0:
                return
        if refresh(self.primary, self.opener):
            self._deferred = None
        else:
            self._deferred = (stats, time.monotonic())

    def _acquire(self) -> _Copy:
        with self._lock:
            for _attempt in range(3):
                self._maybe_refresh(self._current_pointer())
                pointer = self._current_pointer()
                if pointer is None:
                    raise FileNotFoundError(self.directory / POINTER)
                copy = self._copy
                if copy is None or copy.pointer.file != pointer.file:
                    try:
                        con = self.snapshot_opener(self.directory / pointer.file)
                    except Exception:
                        self._pointer_key = None  # pruned meanwhile: read CURRENT again
                        continue
                    new = _Copy(self.directory / pointer.file, con, pointer)
                    if copy is not None:
                        with _REGISTRY:
                            copy.retired = True
                            close_old = copy.users == 0
                        if close_old:
                            with contextlib.suppress(Exception):
                                copy.con.close()
                    self._copy = copy = new
                elif copy.pointer != pointer:
                    copy.pointer = pointer  # same copy, newer stats
                with _REGISTRY:
                    copy.users += 1
                return copy
            raise FileNotFoundError(self.directory / POINTER)

    @contextlib.contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of the current copy for one piece of work."""
        copy = self._acquire()
        try:
            cur = copy.con.cursor()
            try:
                yield cur
            finally:
                cur.close()
        finally:
            copy.release()

    def answer(self, query: str, parameters: tuple[object, ...]) -> list[tuple[object, ...]]:
        """The rows of a read-only statement on the current copy, worked out once per copy."""
        copy = self._acquire()
        try:
            key = (query, parameters)
            rows = copy.answers.get(key)
            if rows is None:
                cur = copy.con.cursor()
                try:
                    rows = cur.execute(query, list(parameters)).fetchall()
                finally:
                    cur.close()
                if len(copy.answers) < 10_000:
                    copy.answers[key] = rows
            return list(rows)
        finally:
            copy.release()

    def stamp(self) -> str | None:
        """The stamp of the copy readers get now (after a look at CURRENT and the primary's stats)."""
        copy = self._acquire()
        try:
            return copy.pointer.stamp
        finally:
            copy.release()


_READERS: dict[str, Reader] = {}


def reader(primary: str | os.PathLike[str], opener: Opener, snapshot_opener: SnapshotOpener) -> Reader:
    """This process's reader of `primary`'s published copies (one per file, shared by all threads)."""
    key = str(Path(primary).resolve())
    with _REGISTRY:
        found = _READERS.get(key)
        if found is None:
            found = _READERS[key] = Reader(Path(primary), opener, snapshot_opener)
        return found


@contextlib.contextmanager
def writing(primary: str | os.PathLike[str]) -> Iterator[None]:
    """The span of one piece of work that may write `primary`: one at a time in this process, and in turn
    with the other processes' writers (_turn)."""
    with write_lock(primary):
        depth = getattr(_WRITING, "depth", 0)
        _WRITING.depth = depth + 1
        try:
            with contextlib.nullcontext() if depth else _turn(primary):
                yield
        finally:
            _WRITING.depth -= 1


#: how long a writer waits for its turn among the processes before trying the file anyway (DuckDB's own
#: lock then waits engine.connection.LOCK_WAIT_SECONDS more and the user reads 数据库正忙)
TURN_WAIT_SECONDS = 15.0
#: a process that has just written lets the other processes' waiting writers go first for this long
HANDOVER_SECONDS = 0.01
_LAST_TURN: dict[str, float] = {}


@contextlib.contextmanager
def _turn(primary: str | os.PathLike[str]) -> Iterator[None]:
    """The writers of every process that publishes this file, one after the other (flock on .write.lock).

    Without it they met only at DuckDB's file lock, which a waiting process retries every 0.2 s: a process
    with a queue of logins hands the file from one of its threads to the next at once, and the other
    process's login waited its 15 s and failed (measured: two processes behind nginx, 100 leaders, 17 of
    100 logins failed while the CPU was 70% idle). Here the waiting process polls every 5 ms, and a process
    that has just written waits HANDOVER_SECONDS before its next writer asks, so the turns alternate."""
    directory = snapshot_dir(primary)
    if not directory.is_dir():  # nothing publishes this file: DuckDB's lock alone, as for any plain file
        yield
        return
    key = str(Path(primary).resolve())
    with (directory / ".write.lock").open("a") as handle:
        if time.monotonic() - _LAST_TURN.get(key, -1e9) < HANDOVER_SECONDS:
            time.sleep(HANDOVER_SECONDS)
        deadline = time.monotonic() + TURN_WAIT_SECONDS
        held = False
        while not held:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.005)
        try:
            yield
        finally:
            if held:
                fcntl.flock(handle, fcntl.LOCK_UN)
                _LAST_TURN[key] = time.monotonic()


#: The statements a piece of work (engine.connection.work) answers from the published copy as long as it
#: has not opened the primary: the two that every page run makes before drawing anything (the data version
#: and the session user's role, app/page.py), so a page run opens no file. Any other statement, and
#: everything after it, runs on the primary, exactly as before (logins read their failure counters there).
#: These texts are those of queries/data_version.sql and engine.users.role_of: tests/test_serving.py fails
#: if either changes without this set.
SNAPSHOT_STATEMENTS: frozenset[str] = frozenset(
    {
        "select role from users where username = ?",
        # engine.users.LOGIN_SQL: a login's role and password hash (the stamp covers both)
        "select role, password_hash from users where username = ?",
        # engine.users.BINDING_SQL and GROUP_SCHOOLS_SQL: a 学校 account's scope (tests/test_scope.py)
        "select school_code, education_group from users where username = ?",
        "select school_code from schools where education_group = ? order by school_code",
    }
)


class Rows:
    """What `execute(...)` returns for a statement answered from a published copy."""

    def __init__(self, rows: list[tuple[object, ...]]) -> None:
        self._rows = rows

    def fetchall(self) -> list[tuple[object, ...]]:
        return list(self._rows)

    def fetchone(self) -> tuple[object, ...] | None:
        return self._rows[0] if self._rows else None


class Work:
    """A connection for one piece of work that may write: the primary, opened on first use (through
    `open_primary`, which publishes when it closes), except for SNAPSHOT_STATEMENTS before that, which
    the current published copy answers (once per copy: it never changes)."""

    def __init__(
        self,
        reader: Reader,
        open_primary: Callable[[], contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]],
        statements: frozenset[str],
    ) -> None:
        self._reader = reader
        self._open_primary = open_primary
        self._statements = statements
        self._stack = contextlib.ExitStack()
        self._con: duckdb.DuckDBPyConnection | None = None

    def primary(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = self._stack.enter_context(self._open_primary())
        return self._con

    def execute(self, query: str, parameters: object = None) -> duckdb.DuckDBPyConnection | Rows:
        if self._con is None and query in self._statements:
            values = tuple(parameters) if isinstance(parameters, list | tuple) else ()
            if parameters is None or isinstance(parameters, list | tuple):
                return Rows(self._reader.answer(query, values))
        con = self.primary()
        return con.execute(query) if parameters is None else con.execute(query, parameters)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self.primary(), name)

    def close(self) -> None:
        self._stack.close()
