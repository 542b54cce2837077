"""活动台账: the year's activities by kind, area and month with their participants, the schools that held
none, and beside them the 统编三科 staffing and the 党建品牌 the district summary reports in the same
paragraph ("教学观摩和蹲校教研110多次，参加人数达到两万人次…配备18名统编“三科”教师…一支部一品牌")."""

from __future__ import annotations

import streamlit as st

from oversight.app import cache, page, sidebar, widgets
from oversight.metrics import details
from oversight.present import figures, formats

ctx = page.page_setup("活动台账")
st.caption(
    sidebar.params_caption(ctx.params)
    + "；活动按年度统计，区级活动（未填学校）只在不筛选时计入；统编三科按学年统计。"
)
KEYS = ("activities", "unified_subjects", "brands")  # the indicators this page shows: only their queries run
DETAILS = (
    "activities_by_school",
    "activities_by_month",
    "activities_by_year",
    "activities_list",
    "unified_subjects_by_school",
    "unified_subjects_by_subject",
    "unified_subjects_history",
    "brands_by_org",
)
result, changes, frames = cache.compute_with(ctx.db, ctx.version, ctx.params, KEYS, DETAILS)
activities = result["activities"]
observed, observed_people = details.observed(activities)

c1, c2, c3, c4 = st.columns(4)
with c1:
    widgets.indicator_card("activities", result, changes.get("activities"))
c2.metric("参加人次", formats.count_text(activities["participants"]))
c3.metric(
    "教学观摩和蹲校教研",
    f"{observed} 次",
    help=f"参加 {formats.count_text(observed_people)} 人次",
)
c4.metric("结对共建", f"{activities['by_kind']['结对共建']} 次")

st.subheader(f"{ctx.params.year} 年各类活动")
kinds = details.activity_kinds(activities)
left, right = st.columns(2)
with left:
    widgets.chart(
        figures.stacked_bars(
            kinds, "activity_kind", ["activities_count"], title="各类活动次数", value_title="次数"
        ),
        kinds,
        "各类活动次数",
        "activity_kinds",
    )
with right:
    widgets.chart(
        figures.stacked_bars(
            kinds, "activity_kind", ["participants_count"], title="各类活动参加人次", value_title="人次"
        ),
        kinds,
        "各类活动参加人次",
        "activity_people",
    )

by_month = frames["activities_by_month"]
monthly, areas = details.activities_by_month_wide(by_month)
by_area = details.activities_by_area(by_month)
left, right = st.columns([3, 2])
with left:
    widgets.chart(
        figures.stacked_bars(
            monthly, "month", areas, title="各月活动次数（按领域）", category_title="月份", value_title="次数"
        ),
        monthly,
        "各月活动次数",
        "activity_months",
    )
with right:
    widgets.chart(
        figures.pie(by_area, "area", "activities_count", title="各领域活动次数"),
        by_area,
        "各领域活动次数",
        "activity_areas",
    )

by_school = frames["activities_by_school"]
none = details.schools_without_activities(by_school)
st.subheader(f"{ctx.params.year} 年尚无活动记录的学校（{none.height} 所）")
if none.is_empty():
    st.success("每所学校都有活动记录。")
else:
    widgets.table(none, "尚无活动记录的学校", "activity_none")
with st.expander(f"各校活动开展情况（{by_school.height - none.height} 所学校有活动记录）"):
    widgets.table(details.schools_by_activities(by_school), "各校活动开展情况", "activity_schools")

by_year = frames["activities_by_year"]
widgets.chart(
    figures.stacked_bars(
        by_year,
        "year",
        ["activities_count", "observation_count", "pairing_count"],
        title="历年活动次数",
        category_title="年度",
        value_title="次数",
        barmode="group",
    ),
    by_year,
    "历年活动次数",
    "activity_years",
)
with st.expander(f"{ctx.params.year} 年活动明细（{frames['activities_list'].height} 项）"):
    widgets.table(frames["activities_list"], "活动明细", "activity_list")

st.subheader(f"{ctx.params.school_year} 学年统编“三科”教师配备")
staffing = result["unified_subjects"]
c1, c2, c3, c4 = st.columns(4)
with c1:
    widgets.indicator_card("unified_subjects", result, changes.get("unified_subjects"))
c2.metric("需配备教师", f"{staffing['needed']} 名")
c3.metric("已配备教师", f"{staffing['assigned']} 名")
c4.metric("尚未配齐的学校", f"{staffing['schools_short']} 所")
left, right = st.columns(2)
with left:
    by_subject = frames["unified_subjects_by_subject"]
    widgets.chart(
        figures.stacked_bars(
            by_subject,
            "subject",
            ["teachers_needed", "teachers_assigned", "teachers_gap"],
            title="各学科需配备、已配备与缺口",
            value_title="人数",
            barmode="group",
        ),
        by_subject,
        "统编三科各学科配备",
        "staffing_subjects",
    )
with right:
    staffing_years = frames["unified_subjects_history"]
    widgets.chart(
        figures.stacked_bars(
            staffing_years,
            "school_year",
            ["teachers_needed", "teachers_assigned"],
            title="历年统编“三科”教师需配备与已配备",
            value_title="人数",
            barmode="group",
        ),
        staffing_years,
        "统编三科历年配备",
        "staffing_years",
    )
widgets.table(
    details.staffing_with_status(frames["unified_subjects_by_school"]), "各校统编三科配备", "staffing_schools"
)

st.subheader("党建品牌（一支部一品牌）")
brands = result["brands"]
left, right = st.columns([1, 2])
with left:
    widgets.indicator_card("brands", result, changes.get("brands"))
    split = details.brand_split(brands)
    widgets.chart(
        figures.pie(split, "part", "count", title="一级党组织创建党建品牌情况"),
        split,
        "党建品牌",
        "brand_share",
    )
with right:
    widgets.table(details.brands_with_status(frames["brands_by_org"]), "一级党组织党建品牌", "brand_orgs")
