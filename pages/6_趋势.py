"""趋势: every indicator over the years in the data (rotation over school years), with its thresholds."""

from __future__ import annotations

import polars as pl
import streamlit as st

from oversight.app import ui
from oversight.contract.catalog import INDICATORS
from oversight.present import figures

ctx = ui.page_setup("趋势")
st.caption(ui.params_caption(ctx.params) + "；交流轮岗按学年，其余按年度，每年按年末（或截止日期）计算。")
history = ui.history(ctx.db, ctx.version, ctx.params)

labels = {i.key: i.zh for i in INDICATORS}
chosen = st.multiselect(
    "显示的指标",
    list(labels),
    default=[i.key for i in INDICATORS if i.unit == "share"],
    format_func=labels.get,
    key="trend_keys",
)
shown = history.filter(pl.col("indicator").is_in(chosen or list(labels)))
ui.chart(figures.trends(shown, keys=chosen or None), shown, "各项指标历年变化", "trends")

st.subheader("历年数值一览")
yearly = history.filter(pl.col("indicator") != "rotation")
wide = (
    yearly.pivot(on="indicator", index="period", values="value")
    .sort("period")
    .select("period", *[k for k in labels if k in yearly["indicator"].unique().to_list()])
)
ui.table(wide, "各项指标历年数值", "trend_table")
st.markdown("**交流轮岗（按学年）**")
rotation = ui.query(ctx.db, ctx.version, "rotation_history", ctx.params)
ui.table(rotation, "交流轮岗历年数值", "trend_rotation")
