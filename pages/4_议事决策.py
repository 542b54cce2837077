"""议事决策: 三重一大 two-level review by category and school with the failing matters listed, 三会一课 as a
branch × quarter grid, and 组织生活会 / 民主评议党员 held per year."""

from __future__ import annotations

import streamlit as st

from oversight.app import cache, page, sidebar, widgets
from oversight.metrics import details as details_of
from oversight.metrics import schools
from oversight.present import figures

ctx = page.page_setup("议事决策")
year = ctx.params.year
st.caption(sidebar.params_caption(ctx.params))
KEYS = (
    "two_level_review",
    "three_meetings_one_lesson",
)  # the indicators this page shows: only their queries run
#: the detail files, fetched together so the page waits for the slowest rather than the sum
DETAILS = (
    "review_by_category",
    "review_by_school",
    "review_noncompliant_matters",
    "meetings_heatmap",
    "meetings_yearly_kinds",
)
result, changes, details = cache.compute_with(ctx.db, ctx.version, ctx.params, KEYS, DETAILS)
review, meetings = result["two_level_review"], result["three_meetings_one_lesson"]

c1, c2, c3, c4 = st.columns(4)
with c1:
    widgets.indicator_card("two_level_review", result, changes["two_level_review"])
c2.metric(f"{year} 年登记事项", review["matters"])
c3.metric("未按程序的事项", review["matters"] - review["compliant"])
with c4:
    widgets.indicator_card("three_meetings_one_lesson", result, changes["three_meetings_one_lesson"])

st.subheader("三重一大事项两级审议")
# the problems only: beside the hundreds of compliant matters they were slivers of a few pixels; the
# compliant counts and each category's rate are in the table under the chart
problems = ["missing_party_count", "missing_principal_count", "implemented_before_review_count"]
left, right = st.columns(2)
with left:
    by_category = schools.sort_in_schema_order(details["review_by_category"], "category")
    widgets.chart(
        figures.stacked_bars(
            by_category,
            "category",
            problems,
            title=f"{year} 年各类事项中未按程序审议的（件）",
            value_title="事项数",
        ),
        by_category,
        f"{year}年三重一大（按类别）",
        "review_category",
    )
with right:
    by_school = details_of.schools_with_matters(details["review_by_school"])
    widgets.chart(
        figures.status_bars(
            by_school,
            "school_name",
            "compliant_share",
            title=f"{year} 年各校两级审议合规比例",
            hover_extra=("matters_count", "compliant_count"),
        ),
        by_school,
        f"{year}年三重一大（各校）",
        "review_school",
    )

noncompliant = details["review_noncompliant_matters"]
st.markdown(f"**未按程序审议的事项（{noncompliant.height} 项）**")
widgets.table(noncompliant, f"{year}年未按程序审议事项", "noncompliant")

st.subheader("三会一课")
st.caption(
    "每格为一个支部在一个季度是否按期召开支部党员大会、每月支部委员会和党课；未到考核期的季度记为“无数据”。"
)
grid = schools.quarter_status(details["meetings_heatmap"])
widgets.chart(
    figures.status_heatmap(grid, "quarter", "org_name", title=f"{year} 年各支部三会一课落实情况"),
    grid,
    f"{year}年三会一课",
    "meetings_grid",
)

st.subheader("组织生活会与民主评议党员")
yearly = details["meetings_yearly_kinds"]
left, right = st.columns(2)
with left:
    widgets.chart(
        figures.grouped_by(
            yearly,
            "year",
            "kind",
            "meetings_count",
            title="历年召开次数",
            value_title="次数",
            barmode="group",
        ),
        yearly,
        "组织生活会与民主评议（次数）",
        "yearly_meetings",
    )
with right:
    widgets.chart(
        figures.grouped_by(
            yearly,
            "year",
            "kind",
            "orgs_count",
            title="历年召开的党组织数",
            value_title="党组织数",
            barmode="group",
        ),
        yearly,
        "组织生活会与民主评议（党组织数）",
        "yearly_orgs",
    )
