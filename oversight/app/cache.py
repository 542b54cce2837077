"""The app's reads: a connection or a snapshot per piece of work, and every query result cached on
(database file, data version, parameters), so an upload or a rollback refreshes every page and changing one
filter re-runs only what depends on it. Never reads a widget inside a cached function.
"""

from __future__ import annotations

import contextlib

import pandas  # noqa: F401  imported here, once, before page threads convert frames concurrently
import polars as pl
import pyarrow  # noqa: F401  (a lazy first import from several threads at once half-initialised pandas)
import streamlit as st

from oversight.app import (
    memo,  # noqa: F401  wraps the figure builders once per process (app.memo)
    warmup,
)
from oversight.engine import Connection, ledger, queries
from oversight.engine import connection as engine_connection
from oversight.metrics import history as metrics_history
from oversight.metrics import indicators, periods, watch

#: how many of the latest years the 年度 picker offers
YEAR_CHOICES = 10


def db_path() -> str:
    return str(engine_connection.resolve_db_path())


def connection(db: str | None = None) -> contextlib.AbstractContextManager[Connection]:
    """A piece of work that may write (logins, uploads, rollbacks, accounts): the file is opened only when
    the work first needs it and only while it runs, so command-line loads and the other server processes
    are never locked out; a page run that only reads the data version and the user's role opens nothing
    (engine.connection.work)."""
    return engine_connection.work(db or db_path())


def snapshot(db: str | None = None) -> contextlib.AbstractContextManager[Connection]:
    """One committed state of the data for one piece of work: a cursor of the published read-only copy
    every server process shares (engine.connection.published)."""
    return engine_connection.published(db or db_path())


def data_version(db: str) -> str:
    with snapshot(db) as con:
        return queries.data_version(con)


@st.cache_data(show_spinner=False, max_entries=64)
def filter_options(db: str, version: str) -> dict[str, list]:
    with snapshot(db) as con:
        towns = queries.run_query(con, "towns", {})["town"].to_list()
        years = periods.available_years(con)  # type: ignore[arg-type]
        school_years = periods.available_school_years(con)  # type: ignore[arg-type]
    # founding and appointment dates reach back decades; a leader picks among recent years only
    return {"towns": towns, "years": years[-YEAR_CHOICES:], "school_years": school_years}


@st.cache_data(show_spinner="正在计算指标……", max_entries=256)
def compute(db: str, version: str, params: periods.Params, keys: tuple[str, ...] | None = None) -> dict:
    """compute() cached; `keys` limits it to the indicators a page shows (only their queries run)."""
    with snapshot(db) as con:
        return indicators.compute(con, params, keys)  # type: ignore[arg-type]


@st.cache_data(show_spinner="正在计算指标……", max_entries=64)
def overview(db: str, version: str, params: periods.Params) -> tuple[dict, pl.DataFrame]:
    """compute() and school_matrix() of one period from one run of their files (学校画像; 总览 uses
    overview_pair for both periods)."""
    with snapshot(db) as con:
        return indicators.overview(con, params)  # type: ignore[arg-type]


@st.cache_data(show_spinner="正在计算指标……", max_entries=32)
def overview_pair(
    db: str, version: str, params: periods.Params
) -> tuple[tuple[dict, pl.DataFrame], tuple[dict, pl.DataFrame]]:
    """overview() of this period and the previous one from one run of all their files (总览: the cards'
    change and 重点关注 need both); files that do not depend on the period run once."""
    with snapshot(db) as con:
        now, before = indicators.overviews(con, [params, periods.previous(params)])  # type: ignore[arg-type]
    return now, before


@st.cache_data(show_spinner=False, max_entries=64)
def overview_compared(db: str, version: str, params: periods.Params) -> dict:
    """总览's cards: now against the previous period, from the cached overview_pair()."""
    (now, _), (before, _) = overview_pair(db, version, params)
    return indicators.compare_results(now, before)


@st.cache_data(show_spinner=False, max_entries=64)
def watch_list(db: str, version: str, params: periods.Params) -> pl.DataFrame:
    """重点关注 from the two periods' matrices of the cached overview_pair()."""
    (_, now), (_, before) = overview_pair(db, version, params)
    return watch.watch_between(now, before)


@st.cache_data(show_spinner="正在查询……", max_entries=512)
def query(db: str, version: str, name: str, params: periods.Params, extra: tuple = ()) -> pl.DataFrame:
    """Run queries/<name>.sql with the page's parameters (plus `extra` pairs such as the school code)."""
    with snapshot(db) as con:
        return queries.run_query(con, name, periods.query_params(params, **dict(extra)))  # type: ignore[arg-type]


@st.cache_data(show_spinner="正在计算指标……", max_entries=64)
def compute_with(
    db: str, version: str, params: periods.Params, keys: tuple[str, ...], files: tuple[str, ...] = ()
) -> tuple[dict, dict, dict[str, pl.DataFrame]]:
    """A page's cards and detail files in one go: compute() of `keys` now, their change against the
    previous period (compare_results) and the files `files`, all run at once (indicators.compute_with)."""
    with snapshot(db) as con:
        now, before, frames = indicators.compute_with(con, params, keys, files)  # type: ignore[arg-type]
    return now, indicators.compare_results(now, before), frames


@st.cache_data(show_spinner="正在查询……", max_entries=64)
def history(db: str, version: str, params: periods.Params) -> pl.DataFrame:
    """Every indicator's headline per period (metrics.history), cached."""
    with snapshot(db) as con:
        return metrics_history.history(con, params)


@st.cache_data(show_spinner=False, max_entries=256)
def resolve(db: str, version: str, params: periods.Params) -> periods.Params:
    with snapshot(db) as con:
        return periods.resolve(con, params)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=32)
def freshness(db: str, version: str) -> dict[str, object] | None:
    """The latest batch in force: when it was loaded, by whom, which files (for the data-freshness line)."""
    with snapshot(db) as con:
        batches = [b for b in ledger.list_batches(con) if not b["rolled_back"]]  # type: ignore[arg-type]
    if not batches:
        return None
    latest = batches[0]
    return {
        "id": latest["id"],
        "user": latest["user"],
        "loaded_at": str(latest["loaded_at"]).replace("T", " "),
        "files": [f["name"] for f in latest["files"]],  # type: ignore[union-attr]
        "batches": len(batches),
    }


def _towns(db: str, version: str) -> list[str]:
    """The towns, read outside the cache (the warm-up thread is no page run)."""
    with snapshot(db) as con:
        return [str(t) for t in queries.run_query(con, "towns", {})["town"].to_list()]  # type: ignore[arg-type]


# this process's warm-up (app.warmup): its own session runs every view once now and after every change
warmup.start(
    warmup.Source(
        db_path(),
        data_version,
        _towns,
        snapshot,
    )
)
