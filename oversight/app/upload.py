"""数据上传: analysts download templates, upload a batch, read the validation report, commit, and see the
history; administrators roll a batch back.

Validation, loading, the ledger and rollback are `oversight.ingest.pipeline` and `oversight.engine.ledger`,
the same code the command line runs; this module only draws them. Every action checks the right again on the server when it runs,
against the role the database holds now (page_setup checked the session's role for showing the page; a
stale, demoted or forged session must not be able to act).
"""

from __future__ import annotations

import hashlib

import polars as pl
import streamlit as st

from oversight.app import audit_log, cache, page
from oversight.contract import roles
from oversight.contract.errors import AccessDenied, OversightError
from oversight.contract.schema import (
    LEVEL_ERROR,
    LEVEL_WARNING,
    LOAD_MODE_LABELS,
    LOAD_MODES,
    TABLES,
    TABLES_BY_NAME,
    UPLOAD_TYPES,
)
from oversight.engine import ledger
from oversight.ingest import pipeline
from oversight.metrics import rectification
from oversight.present import ledger as ledger_text
from oversight.present import xlsx

#: session keys: the last validation (tied to the exact files and options) and the last commit's summary
VALIDATED = "_upload_validated"
COMMITTED = "_upload_committed"
ROLLBACK_PENDING = "_rollback_pending"
ROLLBACK_NOTICE = "_rollback_notice"
MAX_MB = int(st.get_option("server.maxUploadSize"))
XLSX_MIME = xlsx.MIME
AUTO = "__auto__"


def table_zh(name: str | None) -> str:
    return TABLES_BY_NAME[name].zh if name in TABLES_BY_NAME else "无法识别"


def signature(files: list[tuple[str, bytes]], mode: str, table: str | None) -> str:
    """What a validation was for: the files' names and bytes plus the options; any change invalidates it."""
    h = hashlib.sha256(f"{mode}|{table}".encode())
    for name, raw in files:
        h.update(name.encode("utf-8"))
        h.update(pipeline.sha256(raw).encode("ascii"))
    return h.hexdigest()


def parts_frame(parts: list) -> pl.DataFrame:  # type: ignore[type-arg]
    return pl.DataFrame(
        {
            "文件": [p.file for p in parts],
            "工作表": [p.sheet or "" for p in parts],
            "识别为": [table_zh(p.table) for p in parts],
            "行数": [int(p.rows) for p in parts],
        },
        schema={"文件": pl.String, "工作表": pl.String, "识别为": pl.String, "行数": pl.Int64},
    )


def changes_frame(changes: dict[str, dict[str, int]]) -> pl.DataFrame:
    rows = [
        {
            "表": table_zh(name),
            "新增": c["added"],
            "修改": c["changed"],
            "未变": c["unchanged"],
            "删除": c["deleted"],
        }
        for name, c in changes.items()
    ]
    return pl.DataFrame(
        rows, schema={"表": pl.String, "新增": pl.Int64, "修改": pl.Int64, "未变": pl.Int64, "删除": pl.Int64}
    )


# ---------------------------------------------------------------- templates


def templates_section() -> None:
    from oversight.ingest import templates

    with st.expander("下载导入模板（中文表头，第二行为填写说明）", expanded=False):
        st.caption(
            "每张表一个 CSV 文件（UTF-8 带 BOM，Excel 可直接打开），或一个 Excel 工作簿（每张表一个工作表）。"
            "填写说明行可保留，上传时会自动跳过。"
        )
        st.download_button(
            "下载全部模板（Excel 工作簿）",
            data=templates.templates_xlsx_bytes(),
            file_name="导入模板.xlsx",
            mime=XLSX_MIME,
            key="tpl_xlsx",
            on_click="ignore",
            type="primary",
        )
        cols = st.columns(3)
        for i, t in enumerate(TABLES):
            with cols[i % 3]:
                st.download_button(
                    f"{t.zh}（CSV）",
                    data=templates.template_csv_bytes(t.name),
                    file_name=f"{t.zh}.csv",
                    mime="text/csv",
                    key=f"tpl_csv_{t.name}",
                    on_click="ignore",
                )


# ---------------------------------------------------------------- upload, validate, commit


def show_report(report: pl.DataFrame, key: str) -> None:
    """The validation report as a Chinese table, with an .xlsx copy to send back to the school."""
    from oversight.present import xlsx

    if report.is_empty():
        return
    levels = report["级别"].to_list() if "级别" in report.columns else []
    errors = sum(1 for v in levels if v == LEVEL_ERROR)
    warnings = sum(1 for v in levels if v == LEVEL_WARNING)
    st.markdown(
        f"**校验报告**：{errors} 个错误，{warnings} 个警告（行号与 Excel 中看到的一致，表头为第 1 行）。"
    )
    st.dataframe(report, hide_index=True, width="stretch", key=f"report_table_{key}")
    st.download_button(
        "下载校验报告（Excel），发回学校修改",
        data=audit_log.session_audited(lambda: xlsx.report_to_xlsx(report), "校验报告.xlsx"),
        file_name="校验报告.xlsx",
        mime=XLSX_MIME,
        key=f"report_xlsx_{key}",
        on_click="ignore",
    )


def validate(
    ctx: page.PageContext, files: list[tuple[str, bytes]], mode: str, table: str | None, sig: str
) -> None:
    user = roles.require(page.verified_user(ctx.db), "upload")
    with st.spinner("正在校验……"), cache.connection(ctx.db) as con:
        fresh, skipped = pipeline.split_already_loaded(con, files)  # type: ignore[arg-type]
        result = (
            pipeline.validate_only(con, fresh, mode=mode, table_override=table, scope=user.scope)  # type: ignore[arg-type]
            if fresh
            else None
        )
    st.session_state[VALIDATED] = {
        "sig": sig,
        "ok": bool(result is None or (result.ok and not pipeline.has_no_rows(result))),
        "no_rows": pipeline.has_no_rows(result),
        "fresh": len(fresh),
        "skipped": [s.message for s in skipped],
        "parts": parts_frame(result.parts) if result else parts_frame([]),
        "report": result.report if result else pl.DataFrame(),
    }
    st.session_state.pop(COMMITTED, None)


def _open_rectifications(con: object) -> None:
    """After a load: the 整改 items of 重点关注 for the data as loaded now, as `oversight load` opens them
    (metrics.rectification.sync); the load stands even when this fails (the next page open retries)."""
    try:
        done = rectification.sync(con)  # type: ignore[arg-type]
    except OversightError as exc:
        st.warning(f"整改事项自动立项未完成：{exc.message}")
        return
    text = ledger_text.sync_text(len(done.opened), len(done.reopened))
    if text:
        st.write(text)


def commit(ctx: page.PageContext, files: list[tuple[str, bytes]], mode: str, table: str | None) -> None:
    user = roles.require(page.verified_user(ctx.db), "upload")
    progress = st.progress(0, text="准备导入……")
    with st.status("正在导入……", expanded=True) as status:
        st.write("检查是否有已导入过的文件，并重新校验全部数据……")
        progress.progress(20, text="校验中……")
        with cache.connection(ctx.db) as con:
            st.write("校验通过后在一个事务中写入数据库（全部写入或全部不写）……")
            progress.progress(50, text="写入数据库……")
            result = pipeline.load_files(
                con,  # type: ignore[arg-type]
                files,
                user=user.username,
                mode=mode,
                table_override=table,
                scope=user.scope,  # a 学校 account: only its own rows pass (ingest.scope)
                by=user,
            )
            if result.ok and result.outcome is not None:
                _open_rectifications(con)  # type: ignore[arg-type]
        progress.progress(100, text="完成")
        if not result.ok:
            status.update(label="校验未通过，未写入任何数据", state="error")
        elif pipeline.has_no_rows(result.validation):
            status.update(label=pipeline.NO_ROWS_MESSAGE, state="error")
        elif result.outcome is None:
            status.update(label="没有需要导入的新文件", state="complete")
        else:
            status.update(label=f"导入完成，批次编号 {result.batch_id}", state="complete")
    progress.empty()
    st.session_state[COMMITTED] = {
        "ok": result.ok,
        "batch_id": result.batch_id,
        "skipped": [s.message for s in result.skipped],
        "changes": changes_frame(result.outcome.changes) if result.outcome else None,
        "report": result.validation.report if result.validation is not None else pl.DataFrame(),
    }
    st.session_state.pop(VALIDATED, None)


def _choose_files(school: bool = False) -> tuple[list[tuple[str, bytes]], str, str | None]:
    """The uploader and the two options: (files as name and bytes, load mode, explicit table or None)."""
    st.subheader("上传文件")
    uploaded = st.file_uploader(
        "选择要导入的文件（可一次选择多个）",
        type=list(UPLOAD_TYPES),
        accept_multiple_files=True,
        key="upload_files",
        help=(
            f"支持 CSV（UTF-8、带 BOM 的 UTF-8、GBK 均可）和 Excel 工作簿（.xlsx，以及旧版 .xls），"
            f"每个文件不超过 {MAX_MB} MB。每个 CSV 或每个工作表对应一张表，系统根据表头自动识别；"
            "网页另存的“.xls”请先在 Excel 中另存为 .xlsx。"
        ),
    )
    st.caption(f"单个文件大小上限 {MAX_MB} MB；超过上限的文件浏览器会直接拒绝，请拆分后分批上传。")
    c1, c2 = st.columns(2)
    with c1:
        mode = st.radio(
            "导入方式",
            ("upsert",) if school else LOAD_MODES,
            format_func=lambda m: LOAD_MODE_LABELS[m],
            key="upload_mode",
            horizontal=True,
            help="增量更新：主键相同的行覆盖旧值，其余保留；整表替换：文件中没有的行视为删除（可通过撤销批次恢复）。",
        )
    with c2:
        chosen = st.selectbox(
            "指定表（可选）",
            [AUTO, *(t.name for t in TABLES)],
            format_func=lambda n: "按表头自动识别" if n == AUTO else table_zh(n),
            key="upload_table",
            help="一般不需要指定；表头不规范、无法自动识别时再选择。指定后本批所有文件都按该表校验。",
        )
    return [(f.name, f.getvalue()) for f in uploaded or []], str(mode), None if chosen == AUTO else chosen


def upload_section(ctx: page.PageContext) -> None:
    """Choose files, 校验, then 导入 once the same files validated; the outcome of either below."""
    files, mode, table = _choose_files(ctx.user.is_school)
    sig = signature(files, mode, table)
    validated = st.session_state.get(VALIDATED)
    if validated and validated["sig"] != sig:
        validated = None
    b1, b2, _ = st.columns([1, 1, 4])
    with b1:
        do_validate = st.button("校验", key="validate", disabled=not files, type="secondary")
    ready = bool(validated and validated["ok"] and validated["fresh"])
    with b2:
        do_commit = st.button(
            "导入",
            key="commit",
            type="primary",
            disabled=not ready,
            help="校验通过后才能导入" if not ready else "把本批数据写入数据库",
        )
    try:
        if do_validate and files:
            validate(ctx, files, mode, table, sig)
            st.rerun()  # draw the 导入 button again, now enabled when the batch is valid
        if do_commit and ready:
            commit(ctx, files, mode, table)
            validated = None
    except OversightError as exc:
        page.show_error(exc)
    if validated:
        _show_validated(validated)
    committed = st.session_state.get(COMMITTED)
    if committed:
        _show_committed(committed)


def _show_validated(validated: dict) -> None:  # type: ignore[type-arg]
    for message in validated["skipped"]:
        st.info(message)
    if validated["parts"].height:
        st.markdown("**识别结果**")
        st.dataframe(validated["parts"], hide_index=True, width="stretch", key="parts_table")
    if not validated["fresh"]:
        st.info("所选文件都已导入过，无需重复导入。")
    elif validated.get("no_rows"):
        st.error(pipeline.NO_ROWS_MESSAGE)
    elif validated["ok"]:
        st.success("校验通过，可以导入。" + ("（有警告，不影响导入）" if validated["report"].height else ""))
    else:
        st.error("校验未通过：本批数据不会写入。请按下表修改后重新上传校验。")
    show_report(validated["report"], "validate")


def _show_committed(committed: dict) -> None:  # type: ignore[type-arg]
    for message in committed["skipped"]:
        st.info(message)
    if not committed["ok"]:
        st.error("校验未通过，本批数据没有写入任何内容。")
        show_report(committed["report"], "commit")
    elif committed["batch_id"] is None:
        st.info("没有需要导入的新文件。")
    else:
        st.success(f"已导入，批次编号 {committed['batch_id']}。各表变化如下：")
        st.dataframe(committed["changes"], hide_index=True, width="stretch", key="changes_table")


# ---------------------------------------------------------------- history and rollback


def history_frame(batches: list[dict]) -> pl.DataFrame:  # type: ignore[type-arg]
    rows = []
    for b in batches:
        files = b["files"]
        names = "、".join(
            dict.fromkeys(f["name"] + (f"［{f['sheet']}］" if f.get("sheet") else "") for f in files)
        )
        per_table = "；".join(
            f"{table_zh(t)} 新增{c['added']} 修改{c['changed']} 未变{c['unchanged']}"
            + (f" 删除{c['deleted']}" if c["deleted"] else "")
            for t, c in b.get("changes", {}).items()
        )
        rows.append(
            {
                "批次": b["id"],
                "导入人": b["user"],
                "导入时间": str(b["loaded_at"]).replace("T", " "),
                "方式": LOAD_MODE_LABELS.get(str(b["mode"]), str(b["mode"])),
                "文件": names,
                "行数": sum(int(v) for v in b["rows"].values()),
                "各表变化": per_table,
                "状态": "已撤销" if b["rolled_back"] else "有效",
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "批次": pl.Int64,
            "导入人": pl.String,
            "导入时间": pl.String,
            "方式": pl.String,
            "文件": pl.String,
            "行数": pl.Int64,
            "各表变化": pl.String,
            "状态": pl.String,
        },
    )


def do_rollback(ctx: page.PageContext, batch_id: int) -> None:
    """The one place a rollback runs: the right is checked here, on the server, whatever the page showed."""
    user = roles.require(page.verified_user(ctx.db), "rollback")
    with cache.connection(ctx.db) as con:
        touched = ledger.rollback(con, batch_id, user=user.username)  # type: ignore[arg-type]
    tables = "、".join(table_zh(t) for t in touched) or "无"
    st.session_state[ROLLBACK_NOTICE] = (
        f"已撤销批次 {batch_id}，已重新计算：{tables}。数据恢复为该批次导入前的状态。"
    )


def rollback_section(ctx: page.PageContext, batches: list[dict]) -> None:  # type: ignore[type-arg]
    """Administrators only: choose a batch, then confirm in a second step."""
    pending = st.session_state.get(ROLLBACK_PENDING)
    if not ctx.user.can("rollback"):
        if pending is not None:  # a forged or stale request: refuse on the server and forget it
            st.session_state.pop(ROLLBACK_PENDING, None)
            try:
                do_rollback(ctx, int(pending))
            except AccessDenied as exc:
                page.show_error(exc)
        return
    st.subheader("撤销批次（仅管理员）")
    in_force = [b for b in batches if not b["rolled_back"]]
    if not in_force:
        st.caption("没有可撤销的批次。")
        return
    labels = {
        int(b["id"]): f"批次 {b['id']}（{b['user']}，{str(b['loaded_at']).replace('T', ' ')}）"
        for b in in_force
    }
    chosen = st.selectbox("选择要撤销的批次", list(labels), format_func=labels.get, key="rollback_batch")
    if pending is None:
        if st.button("撤销该批次……", key="rollback"):
            st.session_state[ROLLBACK_PENDING] = int(chosen)
            st.rerun()
        return
    st.warning(
        f"确认撤销批次 {pending}？撤销后数据恢复为该批次导入前的状态；批次记录和历史数据都会保留，"
        "之后可重新上传同样的文件。"
    )
    c1, c2, _ = st.columns([1, 1, 4])
    with c1:
        confirmed = st.button("确认撤销", key="rollback_confirm", type="primary")
    with c2:
        cancelled = st.button("取消", key="rollback_cancel")
    if cancelled:
        st.session_state.pop(ROLLBACK_PENDING, None)
        st.rerun()
    if confirmed:
        st.session_state.pop(ROLLBACK_PENDING, None)
        try:
            do_rollback(ctx, int(pending))
        except OversightError as exc:
            page.show_error(exc)
            return
        st.rerun()


def history_section(ctx: page.PageContext) -> None:
    st.subheader("上传记录")
    notice = st.session_state.pop(ROLLBACK_NOTICE, None)
    if notice:
        st.success(notice)
    with cache.connection(ctx.db) as con:
        batches = ledger.list_batches(con)  # type: ignore[arg-type]
    if (
        ctx.user.is_school
    ):  # a school sees its own account's batches, never the district's or another school's
        batches = [b for b in batches if b["user"] == ctx.user.username]
    if batches:
        st.dataframe(history_frame(batches), hide_index=True, width="stretch", key="history_table")
    else:
        st.caption("还没有导入过任何批次。")
    rollback_section(ctx, batches)


def intro(ctx: page.PageContext) -> None:
    """Who is acting and the workflow, in one line above the sections."""
    st.caption(
        f"当前账号：{ctx.user.username}（{ctx.user.role}）。流程：下载模板 → 学校填写 → 上传 → 校验 → 导入。"
        "校验有错误时不会写入任何数据；导入后可在下方查看记录，管理员可撤销整批。"
    )
