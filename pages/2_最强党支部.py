"""最强党支部: honours by level and year, the running total, which orgs, and the share of orgs honoured."""

from __future__ import annotations

import streamlit as st

from oversight.app import cache, page, sidebar, widgets
from oversight.contract.schema import HONOR_LEVELS
from oversight.metrics import details
from oversight.present import figures, formats

ctx = page.page_setup("最强党支部")
st.caption(sidebar.params_caption(ctx.params))
result = cache.compute(ctx.db, ctx.version, ctx.params, ("strongest_branches",))
honors = result["strongest_branches"]

by_org = cache.query(ctx.db, ctx.version, "strongest_branches_by_org", ctx.params)
tree = cache.query(ctx.db, ctx.version, "org_tree", ctx.params)
honored_orgs, orgs_total, honored_share = details.honored_org_share(by_org, tree)

cols = st.columns(3 + len(HONOR_LEVELS))
cols[0].metric(f"截至 {ctx.params.year} 年累计", honors["total"], help="组织与级别去重后的获评数")
cols[1].metric(f"{ctx.params.year} 年新增", honors["new_in_year"])
for col, level in zip(cols[2:], HONOR_LEVELS, strict=False):
    col.metric(level, honors["by_level"][level])
cols[-1].metric(
    "获评党组织占比",
    formats.format_value(honored_share, True),
    help=f"获评过最强党支部的党组织 {honored_orgs} 个 / 党组织 {orgs_total} 个",
)

left, right = st.columns([2, 1])
with left:
    by_year = cache.query(ctx.db, ctx.version, "honors_by_level_year", ctx.params)
    widgets.chart(
        figures.grouped_by(
            by_year,
            "year",
            "level",
            "new_count",
            title="历年新获评最强党支部（按级别）及累计",
            value_title="新获评数",
            color_order=list(HONOR_LEVELS),
            cumulative_line=True,
        ),
        by_year,
        "历年最强党支部（按级别）",
        "honor_year",
    )
with right:
    share = details.honored_split(honored_orgs, orgs_total)
    widgets.chart(
        figures.pie(share, "part", "count", title="获评党组织占比"), share, "获评党组织占比", "honor_share"
    )

st.subheader(f"截至 {ctx.params.year} 年获评的党组织")
level = st.segmented_control("级别", ["全部", *HONOR_LEVELS], default="全部", key="honor_level")
shown = details.of_level(by_org, None if level in (None, "全部") else level)
widgets.table(shown, "最强党支部名单", "honor_orgs")
