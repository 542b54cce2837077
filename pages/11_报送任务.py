"""报送任务: the collection rounds an analyst opens (period, tables, schools, deadline) and, per round,
应报 / 已报 / 未报 / 逾期 with the named lists and the 催报 list as .xlsx. A 学校 account sees its own
tasks only (the scope reaches the query files)."""

from __future__ import annotations

import streamlit as st

from oversight.app import cache, page, tasks, widgets
from oversight.metrics import rounds
from oversight.present import ledger as ledger_view

ctx = page.page_setup("报送任务", filters=False)
tasks.notice()
tv, scope, today = tasks.readings(ctx)
all_tasks, summary = tasks.round_tasks(ctx.db, ctx.version, tv, scope, today)

if ctx.user.can("tasks"):
    with st.expander("发布报送任务", expanded=summary.is_empty()):
        st.caption(
            "各校在任务发布后上传的、属于该期间的数据即为“已报送”（重新上传同样的数据也算）；"
            "撤销该批次后恢复为“未报送”。截止日期过后仍未报送的为“逾期”。"
        )
        options = cache.filter_options(ctx.db, ctx.version)
        tasks.open_round_form(ctx, options["towns"], options["years"])

if summary.is_empty():
    st.info("还没有报送任务。" if not ctx.user.is_school else "区教体局还没有向本校发布报送任务。")
    st.stop()

st.subheader("全部报送任务")
widgets.table(ledger_view.summary_table(summary), "报送任务", "rounds")

names = {f"{r['round_name']}（第 {r['round_id']} 号）": r for r in summary.iter_rows(named=True)}
choice = st.selectbox("查看报送任务", list(names), key="round_pick")
row = names[choice]
mine, done, owed = rounds.split_round(all_tasks, row["round_id"])

st.subheader(row["round_name"])
st.caption(rounds.summary_line(row))
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("应报", row["expected_count"])
c2.metric("已报", row["reported_count"])
c3.metric("未报", row["missing_count"])
c4.metric("逾期", row["overdue_count"])
c5.metric("已报齐学校", f"{row['schools_done_count']}/{row['schools_count']}")

tab_owed, tab_done, tab_all = st.tabs(["未报送（催报名单）", "已报送", "全部任务"])
with tab_owed:
    if owed.is_empty():
        st.success("全部已报送。")
    else:
        st.dataframe(ledger_view.chase_table(owed), hide_index=True, key="chase")
        tasks.chase_download(owed, str(row["round_id"]))
with tab_done:
    if done.is_empty():
        st.info("还没有学校报送。")
    else:
        st.dataframe(ledger_view.tasks_table(done), hide_index=True, key="done")
with tab_all:
    st.dataframe(ledger_view.tasks_table(mine), hide_index=True, key="all_tasks")

if ctx.user.can("tasks") and row["is_open"]:
    tasks.close_round_button(ctx, int(row["round_id"]), row["round_name"])
