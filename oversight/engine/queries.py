"""Running the SQL files of queries/: one statement per file, named parameters, several at once.

Every number a leader reads comes from one of these files, so the command line, the pages and the Word
report can never disagree on a definition, and a definition can be read without Python around it.
A file may use `$year`, `$school_year`, `$as_of`, `$town` / `$stage` / `$area_type` (null = all),
`$target`, `$school_code` and `$scope` (a 学校 account's school codes, null = the district; see
check_scope); only the ones it uses are bound. The rules several files share are DuckDB
macros (queries/rules.sql), created by the migrations.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from oversight.contract import catalog
from oversight.contract.errors import AccessDenied, UsageError

QUERIES_DIR = Path(__file__).resolve().parent.parent.parent / "queries"

_NAME_RE = re.compile(r"^[a-z0-9_]+$")
_PARAM_RE = re.compile(r"\$([a-z_][a-z0-9_]*)")

#: parameters a caller may leave out of run_query's dict: filters mean "all schools", target is the rule
_OPTIONAL_DEFAULTS: dict[str, Any] = {
    "town": None,
    "stage": None,
    "area_type": None,
    "target": catalog.ROTATION_TARGET,
    "scope": None,
}


def check_scope(name: str, used: frozenset[str], params: dict[str, Any]) -> None:
    """Deny by default: a reading for a 学校 account (params["scope"] = its school codes) may run only a
    file that reads the scope ($scope, e.g. through filtered_schools) or one about a single school
    ($school_code) inside the scope. Any other file (a district list, a new file nobody has scoped yet)
    is refused here, at the query layer, whatever the page asked for."""
    scope = params.get("scope")
    if scope is None:
        return
    if "school_code" in used and "scope" not in used:
        if params.get("school_code") not in scope:
            raise AccessDenied("学校账号只能查看本校的数据。")
        return
    if "scope" not in used:
        raise AccessDenied(f"学校账号不能查看全区数据（{name}）。")


@cache
def sql_text(name: str) -> str:
    if not _NAME_RE.match(name):
        raise UsageError(f"查询名称“{name}”不合法，只能包含小写字母、数字和下划线。")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise UsageError(f"没有名为“{name}”的查询，请检查 queries 目录。")
    return path.read_text(encoding="utf-8")


@cache
@cache
def rule_text(name: str) -> str:
    """The `create or replace macro` statement of queries/rules/<name>.sql (engine.migrations creates them)."""
    if not _NAME_RE.match(name):
        raise UsageError(f"规则名称“{name}”不合法，只能包含小写字母、数字和下划线。")
    path = QUERIES_DIR / "rules" / f"{name}.sql"
    if not path.is_file():
        raise UsageError(f"没有名为“{name}”的规则，请检查 queries/rules 目录。")
    return path.read_text(encoding="utf-8")


def rule_names() -> list[str]:
    """Every rule file of queries/rules/."""
    return sorted(p.stem for p in (QUERIES_DIR / "rules").glob("*.sql"))


def query_parameters(name: str) -> frozenset[str]:
    """The `$names` a query file uses; comments are skipped so prose may mention parameters freely."""
    code = re.sub(r"--[^\n]*", "", sql_text(name))
    return frozenset(_PARAM_RE.findall(code))


def query_names() -> list[str]:
    """Every query file, for the docs test and for pages that list what they can show."""
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


def run_query(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: dict[str, Any],
    columns: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Run queries/<name>.sql with the named parameters it uses, taken from `params`.

    Extra keys are ignored, so a page can hand every query the same dict. Filters and $target may be left
    out (all schools; catalog.ROTATION_TARGET); any other missing parameter is a usage error.

    `columns`: only these, in the order the file gives (no second sort). DuckDB then skips the work
    behind the others (the per-school name lists, the school attributes): a third of the 总览 queries'
    time.
    """
    used = query_parameters(name)
    check_scope(name, used, params)
    bound: dict[str, Any] = {}
    missing: list[str] = []
    for key in sorted(used):
        if key in params:
            bound[key] = list(params[key]) if key == "scope" and params[key] is not None else params[key]
        elif key in _OPTIONAL_DEFAULTS:
            bound[key] = _OPTIONAL_DEFAULTS[key]
        else:
            missing.append(key)
    if missing:
        raise UsageError(f"查询“{name}”缺少参数：{'、'.join(missing)}。")
    sql = sql_text(name)
    if columns:
        listed = ", ".join(f'q."{c}"' for c in columns)
        sql = f"select {listed} from (\n{sql}\n) as q"
    return con.sql(sql, params=bound).pl()


#: Query files run at once by run_many, each on its own cursor. DuckDB spreads one query over the cores,
#: but a per-school file over 30,000 schools spends much of its time in single-threaded steps (set-up,
#: the final sort, building the result), so three at once on two cores took the 总览 queries of two
#: periods from 627 ms to 410 ms at province scale (docs/benchmark-history.md).
PARALLEL_QUERIES = max(2, min(4, (os.cpu_count() or 1) + 1))


def run_many(con: duckdb.DuckDBPyConnection, jobs: Sequence[tuple[Any, ...]]) -> list[pl.DataFrame]:
    """run_query of every job, (name, params) or (name, params, columns), several at once, results in
    the jobs' order.

    The extra cursors are separate connections, so each opens a transaction and checks that it sees the
    same data version as `con` (data_version: a load or rollback changes it). If a load committed
    in between, every job runs on `con` alone instead, so one reading never mixes two states of the data.
    """
    if len(jobs) < 2 or PARALLEL_QUERIES < 2:
        return [run_query(con, *job) for job in jobs]
    version = data_version(con)
    cursors: list[duckdb.DuckDBPyConnection] = []
    try:
        for _ in range(min(PARALLEL_QUERIES, len(jobs)) - 1):
            cursor = con.cursor()
            cursors.append(cursor)
            cursor.execute("begin transaction")
            if data_version(cursor) != version:
                return [run_query(con, *job) for job in jobs]
        results: list[pl.DataFrame | None] = [None] * len(jobs)
        # longest first (text length is a fair proxy for cost here), so no worker is left with a big one
        pending = sorted(range(len(jobs)), key=lambda i: -len(sql_text(jobs[i][0])))
        lock = threading.Lock()

        def work(c: duckdb.DuckDBPyConnection) -> None:
            while True:
                with lock:
                    if not pending:
                        return
                    i = pending.pop(0)
                results[i] = run_query(c, *jobs[i])

        with ThreadPoolExecutor(len(cursors)) as pool:
            futures = [pool.submit(work, c) for c in cursors]
            try:
                work(con)
            finally:
                with lock:
                    pending.clear()  # on an error, the other workers stop after their current query
            for future in futures:
                future.result()
        return results  # type: ignore[return-value]
    finally:
        for cursor in cursors:
            cursor.close()


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever a batch is loaded or rolled back (queries/data_version.sql). Read as one tuple,
    not a frame: every page rerun and every parallel cursor asks for it."""
    return str(con.execute(sql_text("data_version")).fetchall()[0][0])


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None) -> pl.DataFrame:
    """A statement the engine builds from the schema (never from user input) as a frame."""
    return con.sql(sql, params=params or {}).pl()
