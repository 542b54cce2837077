"""趋势: every indicator over the years in the data (rotation and 统编三科 over school years), with its
thresholds."""

from __future__ import annotations

import streamlit as st

from oversight.app import cache, page, sidebar, widgets
from oversight.contract.catalog import INDICATORS
from oversight.metrics import history as trend
from oversight.present import figures

ctx = page.page_setup("趋势")
st.caption(
    sidebar.params_caption(ctx.params)
    + "；交流轮岗和统编三科按学年，其余按年度，每年按年末（或截止日期）计算。"
)
history = cache.history(ctx.db, ctx.version, ctx.params)

labels = {i.key: i.zh for i in INDICATORS}
chosen = st.multiselect(
    "显示的指标",
    list(labels),
    default=[i.key for i in INDICATORS if i.unit == "share"],
    format_func=labels.get,
    key="trend_keys",
)
shown = trend.of_indicators(history, chosen)
widgets.chart(figures.trends(shown, keys=chosen or None), shown, "各项指标历年变化", "trends")

st.subheader("历年数值一览")
widgets.table(trend.yearly_table(history), "各项指标历年数值", "trend_table")
st.markdown("**交流轮岗（按学年）**")
rotation = cache.query(ctx.db, ctx.version, "rotation_history", ctx.params)
widgets.table(rotation, "交流轮岗历年数值", "trend_rotation")
st.markdown("**统编三科教师配备（按学年）**")
staffing = cache.query(ctx.db, ctx.version, "unified_subjects_history", ctx.params)
widgets.table(staffing, "统编三科历年配备", "trend_staffing")
