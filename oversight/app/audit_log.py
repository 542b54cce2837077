"""The audit log in the app: downloads that write their entry, and the administrator's 审计日志 page.

Entries are written by engine.audit.record (logins, uploads, rollbacks and account changes by the
engine itself; downloads and opened school profiles here and in app.scoped). The page only reads: it
filters the log and exports it as .xlsx; nothing in the app edits or deletes an entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import polars as pl
import streamlit as st

from oversight.app import cache, page
from oversight.contract import roles
from oversight.engine import audit, users
from oversight.present import xlsx

XLSX_MIME = xlsx.MIME
#: rows the page shows; the export holds every row the filters select
SHOWN_ROWS = 2000


def record_download(db: str, who: roles.User | None, what: str) -> None:
    """One 下载 entry for `what` (the file's name) by `who`, with the account's role and scope as the
    database holds them now."""
    with cache.connection(db) as con:
        user = users.account(con, who.username) if who else None  # type: ignore[arg-type]
        audit.record(con, user or (who.username if who else None), audit.DOWNLOAD, what)  # type: ignore[arg-type]


def audited(build: Callable[[], bytes], what: str, *, db: str, who: roles.User | None) -> Callable[[], bytes]:
    """`build`, writing one audit entry each time the file is really built, i.e. downloaded (deferred
    downloads run it only when the button is pressed)."""

    def run() -> bytes:
        data = build()
        record_download(db, who, what)
        return data

    return run


def session_audited(build: Callable[[], bytes], what: str) -> Callable[[], bytes]:
    """`audited` for the current session's user and database."""
    return audited(build, what, db=cache.db_path(), who=page.current_user())


def _filters(con_names: list[str]) -> dict[str, object]:
    c1, c2, c3, c4 = st.columns(4)
    today = date.today()
    with c1:
        days = st.date_input(
            "日期范围", (today - timedelta(days=30), today), key="audit_days", format="YYYY-MM-DD"
        )
    with c2:
        who = st.selectbox("账号", con_names, index=None, placeholder="全部账号", key="audit_user")
    with c3:
        action = st.selectbox("操作", audit.ACTIONS, index=None, placeholder="全部操作", key="audit_action")
    with c4:
        text = st.text_input("对象或说明包含", key="audit_text")
    since, until = (days[0], days[-1]) if isinstance(days, tuple | list) and days else (None, None)
    return {"since": since, "until": until, "username": who, "action": action, "text": text.strip() or None}


def readable(entries: pl.DataFrame) -> pl.DataFrame:
    """The entries with Chinese headers and the time as text (the page and the export)."""
    return entries.with_columns(pl.col("logged_at").dt.strftime("%Y-%m-%d %H:%M:%S")).rename(audit.COLUMNS_ZH)


def audit_page(ctx: page.PageContext) -> None:
    """审计日志: filter, read, export. Rights were checked by page_setup ("audit"), and again here."""
    roles.require(page.verified_user(ctx.db), "audit")
    st.caption(
        "审计日志记录登录（含失败）、上传、撤销批次、账号和角色变更、报告和表格下载、打开学校画像等操作，"
        "只能追加，任何人都不能在看板中修改或删除；撤销数据批次也不会删除日志。"
    )
    with cache.connection(ctx.db) as con:
        names = audit.usernames(con)  # type: ignore[arg-type]
    chosen = _filters(names)
    with cache.connection(ctx.db) as con:
        entries = audit.entries(con, **chosen)  # type: ignore[arg-type]
    shown = readable(entries)
    st.markdown(
        f"共 **{entries.height}** 条记录"
        + (f"，下面显示最新 {SHOWN_ROWS} 条" if entries.height > SHOWN_ROWS else "")
    )
    if entries.is_empty():
        st.info("没有符合条件的记录。")
        return
    st.dataframe(shown.head(SHOWN_ROWS), hide_index=True, width="stretch", key="audit_table")
    from oversight.present import xlsx

    name = f"审计日志_{date.today():%Y%m%d}"
    st.download_button(
        "导出 Excel（.xlsx）",
        data=audited(
            lambda: xlsx.frame_to_xlsx(shown, "审计日志", {}), f"{name}.xlsx", db=ctx.db, who=ctx.user
        ),
        file_name=f"{name}.xlsx",
        mime=XLSX_MIME,
        key="audit_export",
        on_click="ignore",
        icon=":material/download:",
    )
