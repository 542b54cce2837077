"""整改台账: every 整改 item from 重点关注 (opened by itself when a period's data is loaded) or from an
analyst's 未达标 cell, with filters, the bureau's .xlsx layout, and per item what the account may do: the
school writes and submits its measures, the bureau closes (销号) on the data or on a recorded reason. A 学校
account sees its own items only."""

from __future__ import annotations

import streamlit as st

from oversight.app import page, tasks
from oversight.contract import catalog
from oversight.metrics import rectification
from oversight.present import ledger as ledger_view

ctx = page.page_setup("整改台账")
tasks.ensure_synced(ctx.db)
tasks.notice()
tv, scope, today = tasks.readings(ctx)
items = tasks.ledger(ctx.db, ctx.version, tv, scope, today)

counts = rectification.counts(items)
cols = st.columns(len(counts) + 1)
cols[0].metric("整改事项", items.height)
for col, (state, n) in zip(cols[1:], counts.items(), strict=True):
    col.metric(state, n)
tasks.overdue_line(items)
levels = "；".join(f"{label}（{start} 天起）" for start, label, _ in catalog.RECTIFY_OVERDUE_LEVELS)
st.caption(
    f"重点关注名单中的每一项在导入数据后自动立项，整改时限默认 {catalog.RECTIFY_DEADLINE_DAYS} 天；"
    f"超过时限仍未提交复核的为逾期：{levels}。销号须有立项后导入的数据显示该指标达标，或记录书面说明；"
    "已销号的事项再次未达标时自动重新打开，状态为“反弹”。"
)

if ctx.user.can("tasks"):
    with st.expander("从未达标指标立项"):
        tasks.manual_open_form(ctx, items)

if items.is_empty():
    st.info("还没有整改事项。" if not ctx.user.is_school else "本校没有整改事项。")
    st.stop()

f1, f2, f3, f4 = st.columns([2, 2, 2, 1], vertical_alignment="bottom")
states = f1.multiselect(
    "状态", [*catalog.RECTIFY_STATES, catalog.RECTIFY_OVERDUE], key="ledger_states", placeholder="全部状态"
)
indicator = f2.selectbox("指标", ["全部", *tasks.indicator_choices()], key="ledger_indicator")
school = f3.text_input("学校名称包含", key="ledger_school")
overdue_only = f4.checkbox("只看逾期", key="ledger_overdue")
shown = rectification.filtered(
    items,
    states=states,
    indicator=tasks.indicator_choices().get(indicator),
    school_text=school,
    overdue_only=overdue_only,
)
st.caption(f"共 {items.height} 项，当前显示 {shown.height} 项。")
st.dataframe(ledger_view.screen_ledger(shown), hide_index=True, key="ledger_table")
tasks.ledger_download(shown)

if shown.is_empty():
    st.stop()
st.subheader("处理整改事项")
labels = {ledger_view.item_label(r): r for r in shown.iter_rows(named=True)}
picked = st.selectbox("选择整改事项", list(labels), key="ledger_item")
item = labels[picked]
st.markdown(f"**问题**：{item['problem']}")
st.caption(
    f"{item['period_text']} · 来源：{item['source']} · 立项 {item['opened_at']:%Y-%m-%d} · "
    f"整改时限 {item['deadline']:%Y-%m-%d} · 状态：{ledger_view.state_symbol(item['shown_state'])}"
)
tasks.item_actions(ctx, item)
with st.expander("整改过程记录"):
    events = rectification.of_item(tasks.history(ctx.db, ctx.version, tv, scope), int(item["item_id"]))
    st.dataframe(ledger_view.history_table(events), hide_index=True, key="item_history")
