"""交流轮岗: which schools are below the 10% line this school year, and is that better than last year.

Both answers sit at the top of the page (the leader's second click after opening it from the sidebar):
the count of schools below the line against the previous school year, then the list of those schools.
"""

from __future__ import annotations

import streamlit as st

from oversight.app import cache, page, sidebar, widgets
from oversight.contract.catalog import INDICATORS_BY_KEY, ROTATION_TARGET, STATUS_BAD
from oversight.metrics import details as details_of
from oversight.present import figures, labels

ctx = page.page_setup("交流轮岗")
sy = ctx.params.school_year
st.caption(sidebar.params_caption(ctx.params))
KEYS = ("rotation",)  # the indicators this page shows: only their queries run
DETAILS = ("rotation_history", "rotation_by_school", "rotation_flows")  # fetched with the cards, at once
result, changes, details = cache.compute_with(ctx.db, ctx.version, ctx.params, KEYS, DETAILS)
rotation, change = result["rotation"], changes["rotation"]
history = details["rotation_history"]
prior = details_of.previous_school_year(history, sy)
prior_below = prior["schools_below_target"] if prior else None
prior_sy = prior["school_year"] if prior else None

c1, c2, c3, c4 = st.columns(4)
with c1:
    widgets.indicator_card("rotation", result, change)
c2.metric("交流轮岗教师 / 符合条件教师", f"{rotation['rotated']} / {rotation['eligible']}")
c3.metric(
    f"低于 {ROTATION_TARGET:.0%} 的学校",
    f"{rotation['schools_below_target']} 所",
    delta=widgets.count_change(rotation["schools_below_target"], prior_below, fewer_is_better=True),
    delta_color="off",
    delta_arrow="off",
    help="符合交流条件教师数大于 0 的学校中，交流轮岗比例低于目标的学校数，与上学年比较",
)
c4.metric("纳入考核学校", f"{rotation['schools_measured']} 所")

by_school = details_of.rotation_measured(details["rotation_by_school"])
below = details_of.rotation_below(by_school)
st.subheader(f"{sy} 学年低于 {ROTATION_TARGET:.0%} 的学校（{below.height} 所）")
if prior_below is None:
    st.caption("没有上一学年的交流轮岗数据，无法比较。")
else:
    st.markdown(
        f"上学年（{prior_sy}）低于 {ROTATION_TARGET:.0%} 的学校 {prior_below} 所，本学年 {below.height} 所："
        f"**{widgets.count_change(below.height, prior_below, fewer_is_better=True)}**。"
    )
if below.is_empty():
    st.success("所有纳入考核的学校均达到交流轮岗目标。")
else:
    widgets.table(
        below.select(
            "school_code",
            "school_name",
            "town",
            "area_type",
            "eligible_teachers",
            "rotated_count",
            "rotated_share",
            "gap",
            "status",
        ),
        f"{sy}学年交流轮岗未达标学校",
        "below",
    )

st.subheader("各校交流轮岗比例")
widgets.chart(
    figures.status_bars(
        by_school.sort("rotated_share"),
        "school_name",
        "rotated_share",
        title=f"{sy} 学年各校交流轮岗比例（虚线为 {ROTATION_TARGET:.0%} 目标）",
        target=ROTATION_TARGET,
        hover_extra=("eligible_teachers", "rotated_count", "gap"),
    ),
    by_school,
    f"{sy}学年各校交流轮岗",
    "by_school",
)

left, right = st.columns(2)
with left:
    flows = details["rotation_flows"]
    widgets.chart(
        figures.flows_sankey(flows, value="rotations_count", title=f"{sy} 学年城乡之间的交流流向"),
        flows,
        f"{sy}学年城乡交流流向",
        "flows",
    )
with right:
    widgets.chart(
        figures.lines(
            history,
            "school_year",
            "ratio",
            title="历年全区交流轮岗比例",
            y_title=INDICATORS_BY_KEY["rotation"].zh,
            share=True,
            target=ROTATION_TARGET,
        ),
        history,
        "历年交流轮岗",
        "history",
    )
widgets.chart(
    figures.stacked_bars(
        history,
        "school_year",
        ["schools_below_target"],
        title=f"历年低于 {ROTATION_TARGET:.0%} 的学校数",
        value_title="学校数",
        colors={"schools_below_target": labels.status_color(STATUS_BAD)},
        height=340,
    ),
    history,
    "历年未达标学校数",
    "history_below",
)
