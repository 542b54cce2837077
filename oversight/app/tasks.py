"""报送任务 and 整改台账 in the dashboard: cached readings, the automatic opening of 整改 items, the forms.

Readings are cached on (database, data version, ledger version, scope, day): a load, a rollback, a new
round or any 整改 change refreshes them, and a 学校 account's readings carry its scope down to the query
files (rounds_list, round_tasks, rectification_*), so it sees only its own tasks and items. Every action
checks the account's right as the database holds it now (page.verified_user) and writes through
metrics.rounds / metrics.rectification, each change one transaction with its audit entry.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from datetime import date, timedelta

import polars as pl
import streamlit as st
from streamlit.errors import StreamlitAPIException

from oversight.app import audit_log, cache, page, widgets
from oversight.contract import catalog, roles
from oversight.contract.errors import OversightError
from oversight.contract.schema import AREA_TYPES, STAGES, TABLES
from oversight.engine import queries
from oversight.metrics import rectification, rounds
from oversight.metrics.frames import MATRIX_KEYS
from oversight.present import ledger as ledger_view

XLSX_MIME = widgets.XLSX_MIME
ROUNDS_PAGE, LEDGER_PAGE = "pages/11_报送任务.py", "pages/12_整改台账.py"


def ledger_version(db: str) -> str:
    """Changes with every round and every 整改 change (queries/tasks_version.sql)."""
    with cache.snapshot(db) as con:
        return str(queries.run_query(con, "tasks_version", {})["tasks_version"].item())


def ensure_synced(db: str) -> None:
    """Open the 整改 items of 重点关注 for the data as loaded now, once per data version (the loads of
    the upload page and of scripts that write past the command line are caught here, on page open)."""
    with cache.snapshot(db) as con:
        stale = rectification.needs_sync(con)  # type: ignore[arg-type]
    if not stale:
        return
    try:
        with cache.connection(db) as con:
            rectification.sync(con)  # type: ignore[arg-type]
    except OversightError as exc:  # the ledger is still readable; the next page open tries again
        st.warning(f"整改事项自动立项未完成：{exc.message}")


@st.cache_data(show_spinner=False, max_entries=64)
def round_tasks(
    db: str, version: str, tv: str, scope: tuple[str, ...] | None, today: date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(every task within the scope, the per-round summary)."""
    with cache.snapshot(db) as con:
        tasks = rounds.tasks(con, scope=scope, today=today)  # type: ignore[arg-type]
        listed = queries.run_query(con, "rounds_list", {"scope": scope})  # type: ignore[arg-type]
    return tasks, rounds.summary(tasks, listed)


@st.cache_data(show_spinner=False, max_entries=64)
def ledger(db: str, version: str, tv: str, scope: tuple[str, ...] | None, today: date) -> pl.DataFrame:
    with cache.snapshot(db) as con:
        return rectification.ledger(con, scope=scope, today=today)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=64)
def history(db: str, version: str, tv: str, scope: tuple[str, ...] | None) -> pl.DataFrame:
    with cache.snapshot(db) as con:
        return rectification.history(con, scope=scope)  # type: ignore[arg-type]


def readings(ctx: page.PageContext) -> tuple[str, tuple[str, ...] | None, date]:
    return ledger_version(ctx.db), ctx.user.scope, date.today()


def _act(ctx: page.PageContext, right: str, done: str, action) -> None:  # type: ignore[no-untyped-def]
    """Run one change as the account the database holds now; a refusal is shown, a success reruns."""
    try:
        user = roles.require(page.verified_user(ctx.db), right)
        with cache.connection(ctx.db) as con:
            action(con, user)
    except OversightError as exc:
        page.show_error(exc)
        return
    st.session_state["_tasks_notice"] = done
    st.rerun()


def notice() -> None:
    done = st.session_state.pop("_tasks_notice", None)
    if done:
        st.success(done)


# ---------------------------------------------------------------- 报送任务


def round_lines(ctx: page.PageContext) -> list[str]:
    """总览's compact lines: one per open round, e.g. '2023年度党建数据报送：54 所学校中 1 所已报齐；…'."""
    tv, scope, today = readings(ctx)
    _, summary = round_tasks(ctx.db, ctx.version, tv, scope, today)
    return [rounds.summary_line(r) for r in summary.filter(pl.col("is_open")).iter_rows(named=True)]


def open_round_form(ctx: page.PageContext, towns: list[str], years: list[int]) -> None:
    """发布报送任务: name, period, tables, deadline and which schools."""
    table_names = {t.zh: t.name for t in TABLES}
    this_year = max(years) if years else date.today().year
    with st.form("open_round", enter_to_submit=False):
        name = st.text_input("任务名称", value=f"{this_year}年度党建数据报送", key="round_name")
        left, right = st.columns(2)
        choices = sorted({*years, this_year + 1}, reverse=True)
        year = left.selectbox(
            "年度",
            choices,
            index=choices.index(this_year),
            key="round_year",
            format_func=lambda y: f"{y}年度",
        )
        deadline = right.date_input(
            "截止日期",
            value=date.today() + timedelta(days=catalog.ROUND_DEADLINE_DAYS),
            key="round_deadline",
            format="YYYY-MM-DD",
        )
        chosen = st.multiselect(
            "各校须报送的表",
            list(table_names),
            default=[rounds.table_zh(t) for t in rounds.DEFAULT_TABLES],
            key="round_tables",
            placeholder="选择表",
        )
        st.caption("学年随年度：2023 年度对应 2022-2023 学年（交流轮岗、轮岗基数、统编三科配备按学年报送）。")
        who = st.radio("报送学校", ["全部学校", "按条件筛选"], horizontal=True, key="round_who")
        c1, c2, c3 = st.columns(3)
        town = c1.selectbox("乡镇街道", ["全部", *towns], key="round_town")
        stage = c2.selectbox("学段", ["全部", *STAGES], key="round_stage")
        area = c3.selectbox("城乡类型", ["全部", *AREA_TYPES], key="round_area")
        submitted = st.form_submit_button("发布报送任务", type="primary")
    if not submitted:
        return
    filtered = who == "按条件筛选"

    def pick(value: str) -> str | None:
        return value if filtered and value != "全部" else None

    _act(
        ctx,
        "tasks",
        f"已发布报送任务“{name.strip()}”。",
        lambda con, user: rounds.open_round(
            con,
            name=name,
            year=int(year),
            tables=[table_names[z] for z in chosen],
            deadline=deadline,  # type: ignore[arg-type]
            user=user,
            town=pick(town),
            stage=pick(stage),
            area_type=pick(area),
        ),
    )


def close_round_button(ctx: page.PageContext, round_id: int, name: str) -> None:
    if st.button(f"结束报送任务“{name}”", key=f"close_round_{round_id}"):
        _act(
            ctx,
            "tasks",
            f"报送任务“{name}”已结束。",
            lambda con, user: rounds.close_round(con, round_id, user=user),
        )


def _xlsx_button(label: str, build: Callable[[], bytes], stem: str, key: str) -> None:
    """One .xlsx download, built only when clicked and recorded in the audit log (app.audit_log)."""
    name = f"{stem}_{ledger_view.stamp()}.xlsx"
    st.download_button(
        label,
        data=audit_log.session_audited(build, name),
        file_name=name,
        mime=XLSX_MIME,
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


def chase_download(owed: pl.DataFrame, key: str) -> None:
    _xlsx_button(
        "下载催报名单（.xlsx）",
        functools.partial(ledger_view.chase_xlsx, owed),
        "催报名单",
        f"dl_chase_{key}",
    )


# ---------------------------------------------------------------- 整改台账


def ledger_download(items: pl.DataFrame, key: str = "ledger") -> None:
    _xlsx_button(
        "下载整改台账（.xlsx）", functools.partial(ledger_view.ledger_xlsx, items), "整改台账", f"dl_{key}"
    )


def manual_open_form(ctx: page.PageContext, items: pl.DataFrame) -> None:
    """分析员立项: any 未达标 cell of this period's school matrix that has no open item yet."""
    _, matrix = cache.overview(ctx.db, ctx.version, ctx.params)
    cells = rectification.red_cells(matrix, items)
    if cells.is_empty():
        st.caption("本期没有尚未立项的未达标指标。")
        return
    labels = {
        f"{r['school_name']} · {catalog.INDICATORS_BY_KEY[r['indicator']].zh} · {r['value_text']}": r
        for r in cells.iter_rows(named=True)
    }
    with st.form("manual_open", enter_to_submit=False):
        choice = st.selectbox("未达标的学校和指标", list(labels), key="manual_cell")
        responsible = st.text_input("责任人（可不填）", key="manual_responsible")
        submitted = st.form_submit_button("立项")
    if submitted and choice:
        row = labels[choice]
        _act(
            ctx,
            "tasks",
            f"已立项：{choice}。",
            lambda con, user: rectification.open_manual(
                con,
                row["school_code"],
                row["indicator"],
                user=user,
                params=ctx.params,
                responsible=responsible,
            ),
        )


def item_actions(ctx: page.PageContext, item: dict) -> None:
    """What the account may do with one item in its state: the school writes and submits its measures,
    the bureau closes (销号), returns or changes the 责任人 and 整改时限."""
    item_id, state = int(item["item_id"]), item["state"]
    user = ctx.user
    if state == catalog.RECTIFY_CLOSED:
        basis = item["close_basis"] or ""
        reason = f"：{item['close_reason']}" if item.get("close_reason") else ""
        st.success(f"已于 {item['closed_at']:%Y-%m-%d} 销号（{basis}{reason}），销号人 {item['closed_by']}。")
        return
    if state == catalog.RECTIFY_REVIEW:
        st.markdown(f"**整改措施**：{item['measures'] or '—'}")
        if not user.can("tasks"):
            st.info("已提交复核，等待区教体局核实后销号（或退回继续整改）。")
    if user.can("rectify") and state in (*catalog.RECTIFY_OWED,):
        with st.form(f"measures_{item_id}", enter_to_submit=False):
            measures = st.text_area("整改措施", value=item["measures"] or "", key=f"measures_text_{item_id}")
            responsible = st.text_input(
                "责任人", value=item["responsible"] or "", key=f"responsible_{item_id}"
            )
            saved = st.form_submit_button("保存整改措施")
        if saved:
            _act(
                ctx,
                "rectify",
                "整改措施已保存，状态为“整改中”。",
                lambda con, u: rectification.write_measures(
                    con, item_id, measures, user=u, responsible=responsible
                ),
            )
        if state == catalog.RECTIFY_DOING and st.button("提交复核", key=f"submit_{item_id}", type="primary"):
            _act(ctx, "rectify", "已提交复核。", lambda con, u: rectification.submit(con, item_id, user=u))
    if user.can("tasks") and state in (catalog.RECTIFY_DOING, catalog.RECTIFY_REVIEW):
        with st.form(f"close_{item_id}", enter_to_submit=False):
            reason = st.text_area(
                "书面说明（数据尚未显示达标时必填）",
                key=f"close_reason_{item_id}",
                help=f"立项后导入的数据显示该校该指标达标，即可直接销号；否则需填写不少于 "
                f"{catalog.CLOSE_REASON_MIN_CHARS} 个字的书面说明，说明会记录在台账中。",
            )
            closed = st.form_submit_button("销号", type="primary")
        if closed:
            _act(
                ctx,
                "tasks",
                "已销号。",
                lambda con, u: rectification.close(con, item_id, user=u, reason=reason),
            )
    if user.can("tasks") and state == catalog.RECTIFY_REVIEW:
        with st.form(f"back_{item_id}", enter_to_submit=False):
            note = st.text_input("退回原因", key=f"back_note_{item_id}")
            back = st.form_submit_button("退回整改")
        if back:
            _act(
                ctx,
                "tasks",
                "已退回学校继续整改。",
                lambda con, u: rectification.send_back(con, item_id, user=u, note=note),
            )
    if user.can("tasks"):
        with st.expander("修改责任人或整改时限"):
            with st.form(f"edit_{item_id}", enter_to_submit=False):
                responsible = st.text_input(
                    "责任人", value=item["responsible"] or "", key=f"edit_resp_{item_id}"
                )
                deadline = st.date_input(
                    "整改时限", value=item["deadline"], key=f"edit_deadline_{item_id}", format="YYYY-MM-DD"
                )
                edited = st.form_submit_button("保存")
            if edited:
                _act(
                    ctx,
                    "tasks",
                    "已保存。",
                    lambda con, u: rectification.edit(
                        con,
                        item_id,
                        user=u,
                        responsible=responsible,
                        deadline=deadline,  # type: ignore[arg-type]
                    ),
                )


def indicator_choices() -> dict[str, str]:
    return {catalog.INDICATORS_BY_KEY[k].zh: k for k in MATRIX_KEYS}


def profile_items(ctx: page.PageContext, school_code: str, school_name: str) -> None:
    """学校画像's 整改事项: the school's items, their state and measures, and the ledger's download."""
    ensure_synced(ctx.db)
    tv, scope, today = readings(ctx)
    items = ledger(ctx.db, ctx.version, tv, scope, today).filter(pl.col("school_code") == school_code)
    if items.is_empty():
        st.info("本校没有整改事项。")
        return
    st.dataframe(ledger_view.screen_ledger(items), hide_index=True, key="profile_items")
    ledger_download(items, key="profile_ledger")
    with contextlib.suppress(StreamlitAPIException):  # a page run alone (AppTest) has no page to link to
        st.page_link(
            LEDGER_PAGE, label=f"在整改台账中处理{school_name}的事项", icon=":material/arrow_forward:"
        )


def overdue_line(items: pl.DataFrame) -> None:
    """逾期 by level, each in its colour (catalog.RECTIFY_OVERDUE_LEVELS; constants only, never user data)."""
    parts = [
        f':color[{label} {n} 项]{{foreground="{color}"}}'
        for label, n, color in ledger_view.overdue_levels(items)
    ]
    st.markdown("**逾期**：" + " · ".join(parts))
