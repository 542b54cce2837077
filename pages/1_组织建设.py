"""组织建设: the organisation tree, 分设 / 一肩挑 by stage and town, 交叉任职, new appointments, vacancies."""

from __future__ import annotations

import streamlit as st

from oversight.app import cache, page, sidebar, widgets
from oversight.metrics import details, schools
from oversight.present import figures, formats

ctx = page.page_setup("组织建设")
st.caption(sidebar.params_caption(ctx.params))
result = cache.compute(
    ctx.db, ctx.version, ctx.params, ("party_orgs", "split_roles", "cross_appointment", "appointments")
)
orgs, split, cross, appointed = (
    result["party_orgs"],
    result["split_roles"],
    result["cross_appointment"],
    result["appointments"],
)

c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("一级党组织", orgs["primary"])
c2.metric("党员人数", orgs["members"])
c3.metric("书记校长分设比例", formats.format_value(split["split_share"], True))
c4.metric("交叉任职比例", formats.format_value(cross["share"], True))
c5.metric("书记或校长空缺学校", split["vacant"])
st.caption(" · ".join(f"{t} {n}" for t, n in orgs["by_type"].items() if n))

st.subheader("党组织体系")
tree = cache.query(ctx.db, ctx.version, "org_tree", ctx.params)
kind = st.radio(
    "图形", ["旭日图", "矩形树图"], horizontal=True, key="tree_kind", label_visibility="collapsed"
)
widgets.chart(
    figures.org_tree(tree, kind="sunburst" if kind == "旭日图" else "treemap"),
    details.orgs_only(tree),
    "党组织体系",
    "org_tree",
)

st.subheader("书记、校长分设与一肩挑")
by_school = cache.query(ctx.db, ctx.version, "split_roles_by_school", ctx.params)
parts = ["split_count", "combined_count", "vacant_count"]
left, right = st.columns(2)
with left:
    by_stage = schools.split_roles_grouped(by_school, "stage")
    widgets.chart(
        figures.stacked_bars(by_stage, "stage", parts, title="按学段", value_title="学校数"),
        by_stage,
        "书记校长设置（按学段）",
        "split_stage",
    )
with right:
    by_town = schools.split_roles_grouped(by_school, "town")
    widgets.chart(
        figures.stacked_bars(
            by_town, "town", parts, title="按乡镇街道", value_title="学校数", horizontal=True
        ),
        by_town,
        "书记校长设置（按乡镇街道）",
        "split_town",
    )

st.subheader("书记或校长空缺的学校")
vacant = details.vacant_schools(by_school)
if vacant.is_empty():
    st.success("截止日期时所有学校的书记、校长均有人在任。")
else:
    widgets.table(vacant, "书记或校长空缺学校", "vacant")
with st.expander("各校书记、校长设置明细"):
    widgets.table(by_school, "各校书记校长设置", "split_school")

st.subheader("交叉任职")
st.caption(
    f"党员副校长 {cross['deputies']} 人，其中进入党组织班子（副书记或支部委员）{cross['cross_appointed']} 人。"
)
cross_school = details.schools_with_deputies(
    cache.query(ctx.db, ctx.version, "cross_appointment_by_school", ctx.params)
)
widgets.chart(
    figures.status_bars(
        cross_school,
        "school_name",
        "cross_appointed_share",
        title="各校党员副校长交叉任职比例",
        hover_extra=("deputies_count", "cross_appointed_count"),
    ),
    cross_school,
    "各校交叉任职",
    "cross_school",
)

st.subheader("新任命书记、副书记")
by_year = cache.query(ctx.db, ctx.version, "appointments_by_year", ctx.params)
widgets.chart(
    figures.stacked_bars(
        by_year,
        "year",
        ["secretaries_count", "deputy_secretaries_count"],
        title="历年新任命书记、副书记人数",
        value_title="人数",
        barmode="group",
    ),
    by_year,
    "历年新任命书记副书记",
    "appoint_year",
)
st.markdown(
    f"**{ctx.params.year} 年**新任命书记 {appointed['secretaries']} 人、副书记 {appointed['deputy_secretaries']} 人："
)
widgets.table(
    cache.query(ctx.db, ctx.version, "appointments_list", ctx.params),
    f"{ctx.params.year}年新任命名单",
    "appoint_list",
)
