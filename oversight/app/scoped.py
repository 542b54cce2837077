"""What a 学校 account sees, and the audit entries pages write.

A 学校 account's PageContext carries its scope in `ctx.params.scope` (page.page_setup sets it from the
account), so every cached query a page runs with `ctx.params` reads only its own schools, and the query
layer refuses any file that does not read the scope (engine.queries.check_scope). The one reading that
is wider on purpose is `district_totals`: the district's indicator figures as numbers (no school's name,
code or row), which a school compares its own statuses against. It ignores the filters too, so no URL
can narrow "the district" down to one other school.
"""

from __future__ import annotations

import dataclasses

import polars as pl
import streamlit as st

from oversight.app import cache, page, widgets
from oversight.engine import audit
from oversight.metrics import periods
from oversight.present import figures, tables

#: session key: the (action, object) pairs this session has recorded already (an opened profile is
#: recorded once per session, not on every rerun)
_RECORDED = "_audit_recorded"


def district_params(params: periods.Params) -> periods.Params:
    """The whole district for the same period: no scope, no filters."""
    return dataclasses.replace(params, scope=None, town=None, stage=None, area_type=None)


def district_totals(ctx: page.PageContext) -> dict:
    """The district's indicator JSON (numbers only) for the page's period; see the module docstring."""
    return cache.compute(ctx.db, ctx.version, district_params(ctx.params))


def record(
    ctx: page.PageContext, action: str, obj: str, detail: str | None = None, *, once: bool = False
) -> None:
    """An audit entry by the page's user (engine.audit.record). `once`: at most once per session."""
    done: set = st.session_state.setdefault(_RECORDED, set())
    if once and (action, obj) in done:
        return
    with cache.connection(ctx.db) as con:
        audit.record(con, ctx.user, action, obj, detail)  # type: ignore[arg-type]
    done.add((action, obj))


def profile_opened(ctx: page.PageContext, school: str) -> None:
    """学校画像 of `school` opened by this session's user (one audit entry per session and school)."""
    record(ctx, audit.PROFILE_OPENED, school, once=True)


def versus_section(ctx: page.PageContext, school_row: dict, school_name: str, key: str) -> None:
    """本校 against the district: each indicator's value and status beside the district's figure."""
    district = (
        district_totals(ctx) if ctx.user.is_school else cache.overview(ctx.db, ctx.version, ctx.params)[0]
    )
    versus = tables.school_vs_district_frame(school_row, district)
    widgets.chart(
        figures.school_vs_district(versus, title=f"{school_name}与全区对比"),
        versus,
        f"{school_name}：指标对比",
        key,
    )


def school_home(ctx: page.PageContext) -> None:
    """总览 of a 学校 account: its schools' statuses against the district totals and its own 重点关注;
    nothing that names another school (no district status table, no Word report of the district)."""
    (_, matrix), _ = cache.overview_pair(ctx.db, ctx.version, ctx.params)
    if matrix.is_empty():
        st.info("本账号绑定的学校还没有数据，请联系区教体局。")
        return
    code = widgets.school_picker(matrix, "home_school", label="本校", sync_url=False)
    mine = matrix.filter(pl.col("school_code") == code)
    row = mine.row(0, named=True) if mine.height else {}
    name = str(row.get("school_name") or code)
    st.subheader(f"{name}：各项指标与全区对比")
    st.caption("全区数字为全区所有学校的合计，不含其他学校的名单或数值。")
    versus_section(ctx, row, name, "home_versus")
    watch = cache.watch_list(ctx.db, ctx.version, ctx.params)
    st.subheader("重点关注")
    if watch.is_empty():
        st.success("本校没有连续两期未达标的指标。")
    else:
        st.markdown(f"本校有 **{watch.height}** 项指标连续两期未达标。")
        widgets.table(watch.drop("indicator"), f"{name}：重点关注", "home_watch")
    if code and st.button("打开本校学校画像", key="open_profile", type="primary"):
        widgets.go_to_school(code)
