"""学校画像: one school on one page: every indicator against the district, its leadership timeline,
matters, meetings, honours, rotation history, 党建品牌, activities and 统编三科 staffing. The school
comes from the `school` query parameter (links from 总览) or the selectbox, among the schools the
account may see: a 学校 account's list holds only its own, so another school's code in the URL is
ignored (the list is read through the scope), and the opening is written to the audit log."""

from __future__ import annotations

import streamlit as st

from oversight.app import cache, page, scoped, sidebar, tasks, widgets
from oversight.contract.catalog import ROTATION_TARGET
from oversight.metrics import schools
from oversight.present import figures

ctx = page.page_setup("学校画像")
school_list = cache.query(ctx.db, ctx.version, "schools_list", ctx.params)
code = widgets.school_picker(school_list, "profile_school")
if code is None:
    st.info("当前筛选条件下没有学校，请调整左侧筛选条件。")
    st.stop()
st.caption(sidebar.params_caption(ctx.params))
school = (("school_code", code),)

info = cache.query(ctx.db, ctx.version, "school_profile_info", ctx.params, school)
row = info.row(0, named=True)
st.subheader(row["school_name"])
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("学段", row["stage"])
c2.metric("乡镇街道", row["town"])
c3.metric("城乡类型", row["area_type"])
c4.metric("党组织 / 党员", f"{row['orgs_count']} / {row['members_count']}")
c5.metric("章程修订", "已修订" if row["is_charter_revised"] else "未修订")
st.caption(f"党建品牌：{row['brands'] or '尚未创建'}")
with st.expander("学校基本信息"):
    widgets.table(info, f"{row['school_name']}：基本信息", "info")

_, matrix = cache.overview(ctx.db, ctx.version, ctx.params)
mine = matrix.filter(matrix["school_code"] == code)
st.subheader("各项指标与全区对比")
scoped.versus_section(ctx, mine.row(0, named=True) if mine.height else {}, row["school_name"], "versus")
scoped.profile_opened(ctx, f"{row['school_name']}（{code}）")

leaders = cache.query(ctx.db, ctx.version, "school_profile_leaders", ctx.params, school)
st.subheader("领导班子")
widgets.chart(
    figures.timeline(leaders, as_of=ctx.params.as_of, title="领导班子任职时间线"),
    leaders,
    f"{row['school_name']}：领导班子",
    "leaders",
)

st.subheader("三重一大事项")
matters = cache.query(ctx.db, ctx.version, "school_profile_matters", ctx.params, school)
widgets.table(matters, f"{row['school_name']}：三重一大事项", "matters")

st.subheader(f"{ctx.params.year} 年三会一课")
meetings = schools.quarter_status(
    cache.query(ctx.db, ctx.version, "school_profile_meetings", ctx.params, school)
)
widgets.chart(
    figures.status_heatmap(meetings, "quarter", "org_name", title="各支部各季度三会一课落实情况"),
    meetings,
    f"{row['school_name']}：三会一课",
    "meetings",
)

left, right = st.columns(2)
with left:
    st.subheader("最强党支部")
    honors = cache.query(ctx.db, ctx.version, "school_profile_honors", ctx.params, school)
    if honors.is_empty():
        st.info("本校党组织尚未获评最强党支部。")
    else:
        widgets.table(honors, f"{row['school_name']}：最强党支部", "honors")
with right:
    st.subheader("交流轮岗")
    rotation = schools.add_status(
        cache.query(ctx.db, ctx.version, "school_profile_rotation", ctx.params, school),
        "rotation",
        "rotated_share",
    )
    widgets.chart(
        figures.status_bars(
            rotation,
            "school_year",
            "rotated_share",
            title="历年交流轮岗比例",
            target=ROTATION_TARGET,
            horizontal=False,
            hover_extra=("eligible_teachers", "rotated_count", "received_count"),
        ),
        rotation,
        f"{row['school_name']}：交流轮岗",
        "rotation",
    )

left, right = st.columns(2)
with left:
    st.subheader("活动台账")
    activities = cache.query(ctx.db, ctx.version, "school_profile_activities", ctx.params, school)
    if activities.is_empty():
        st.info("本校尚无活动记录。")
    else:
        widgets.table(activities, f"{row['school_name']}：活动台账", "activities")
with right:
    st.subheader("统编三科教师配备")
    staffing = cache.query(ctx.db, ctx.version, "school_profile_staffing", ctx.params, school)
    if staffing.is_empty():
        st.info("本校没有统编三科配备记录（只有民族语言授课学校报送）。")
    else:
        widgets.table(staffing, f"{row['school_name']}：统编三科配备", "staffing")

st.subheader("整改事项")
tasks.profile_items(ctx, code, row["school_name"])
