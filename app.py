"""总览: where the district stands on every indicator, which schools lag, and how complete and fresh the
data is.

The home page of the directory-mode app (pages/ holds the rest). Thin by design: read the filters
(page.page_setup), call the cached indicator functions, draw with widgets and figures. The headline at
the top is the same text the Word report opens with.
"""

from __future__ import annotations

import streamlit as st

from oversight.app import cache, downloads, page, scoped, sidebar, tasks, widgets
from oversight.contract.catalog import INDICATORS, INDICATORS_BY_KEY
from oversight.metrics import details, schools
from oversight.present import figures, headline

ctx = page.page_setup("总览")
st.caption(sidebar.params_caption(ctx.params))

fresh = cache.freshness(ctx.db, ctx.version)
if fresh is None:
    st.warning("数据库中还没有导入任何数据，请由分析员在“数据上传”页面上传学校报送的数据。")
    st.stop()
for line in tasks.round_lines(ctx):  # 报送任务 in progress (a 学校 account: its own tasks)
    st.info(f"报送任务：{line}", icon=":material/assignment:")
if ctx.user.is_school:  # a 学校 account: its own statuses against the district totals (app.scoped)
    scoped.school_home(ctx)
    st.stop()

(result, matrix), (before, _) = cache.overview_pair(ctx.db, ctx.version, ctx.params)
changes = cache.overview_compared(ctx.db, ctx.version, ctx.params)
watch = cache.watch_list(ctx.db, ctx.version, ctx.params)

with st.container(border=True):
    lines = headline.sentences(result, before, watch, ctx.params)
    st.markdown(f"**{lines[0]}**")
    for line in lines[1:]:
        st.markdown(line)
left, right = st.columns([3, 2], vertical_alignment="center")
with left:
    st.caption(
        f"数据更新：最近一次导入为第 {fresh['id']} 批，{fresh['loaded_at']}，导入人 {fresh['user']}"
        f"（在用批次共 {fresh['batches']} 批）"
    )
with right:
    downloads.report_download_button(ctx)

st.subheader("考核指标")
judged = [i for i in INDICATORS if i.ok_at is not None and i.key in result]
per_row = 4
for start in range(0, len(judged), per_row):
    cols = st.columns(per_row)
    for col, ind in zip(cols, judged[start : start + per_row], strict=False):
        with col:
            widgets.indicator_card(ind.key, result, changes.get(ind.key))
st.subheader("基本情况")
widgets.facts_row(result, changes, tuple(i.key for i in INDICATORS if i.ok_at is None and i.key in result))

incomplete = {k: c for k, c in result["coverage"].items() if c["reported"] < c["expected"]}
with st.expander(
    f"数据报送情况（{len(incomplete)} 项指标未报齐）" if incomplete else "数据报送情况（均已报齐）"
):
    st.caption("未报送的学校按“未报送”（◇）显示，不计为“未达标”；全区比例的分母仍按全部学校计算。")
    for key, covered in result["coverage"].items():
        names = details.missing_schools(matrix, key)
        text = f"**{INDICATORS_BY_KEY[key].zh}**：{headline.coverage_text(key, covered)}"
        st.markdown(text + (f"：{'、'.join(names)}" if names else "。"))

st.subheader("各校指标达标情况")
st.caption(
    "每格为一所学校在一项指标上的状态（颜色与符号一一对应，◇ 为未报送）。点击表格中的一行，或在下方选择学校，"
    "可查看学校画像；把鼠标移到列名上可看到该指标的达标线。"
)
tab_table, tab_list, tab_map = st.tabs(["状态表（可点击）", "未达标学校清单", "状态热力图"])
with tab_table:
    picked = widgets.status_matrix_table(matrix, key="matrix")
    if picked:
        widgets.go_to_school(picked)
with tab_list:
    widgets.lagging_list(matrix)
with tab_map:
    # a heat map of every school of a province would be 30,000 unreadable rows (and seconds to draw)
    shown = schools.laggards_first(matrix).head(widgets.MATRIX_ROWS)
    if matrix.height > shown.height:
        st.caption(f"共 {matrix.height} 所学校，热力图显示未达标项数最多的 {shown.height} 所。")
    widgets.chart(figures.status_matrix(shown), shown, "各校指标达标情况", "matrix_fig")

left, right = st.columns([3, 1], vertical_alignment="bottom")
with left:
    code = widgets.school_picker(matrix, "home_school", label="查看学校画像", sync_url=False)
with right:
    if st.button("打开学校画像", key="open_profile", type="primary") and code:
        widgets.go_to_school(code)

st.subheader("重点关注")
previous_year = ctx.params.year - 1 if ctx.params.year else None
st.caption(
    f"同一指标在本期（{ctx.params.year}年度）和上期（{previous_year}年度）都未达标的学校；"
    "未报送不计入。点击一行打开该校的学校画像。"
)
if watch.is_empty():
    st.success("没有连续两期未达标的学校。")
else:
    st.markdown(f"共 **{watch['school_code'].n_unique()}** 所学校、**{watch.height}** 项连续两期未达标。")
    picked = widgets.pick_school(watch.drop("indicator"), "重点关注学校", "watch")
    if picked:
        widgets.go_to_school(picked)
