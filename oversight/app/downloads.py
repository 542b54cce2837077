"""Downloads: a chart as PNG (drawn only when pressed, deferred), the year's report as Word (built when
its button is pressed, with a progress bar, then downloaded)."""

from __future__ import annotations

import time

import streamlit as st

from oversight.app import audit_log, cache, page
from oversight.metrics import periods

PNG_MIME = "image/png"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def png_download_button(fig: object, file_name: str, *, key: str, label: str = "下载图片 PNG") -> None:
    """A button under a chart that downloads it as a PNG with Chinese text rendered.

    The picture is drawn only when the button is pressed (a deferred download, on its own thread), since
    starting chromium costs seconds and most charts are never downloaded.
    """
    from oversight.present import png

    if png.chromium_path() is None:
        st.button(label, key=key, disabled=True, help="服务器未安装 chromium，暂时无法导出图片。")
        return
    name = file_name if file_name.lower().endswith(".png") else f"{file_name}.png"
    st.download_button(
        label,
        data=audit_log.session_audited(lambda: png.figure_to_png(fig), name),  # type: ignore[arg-type]
        file_name=name,
        mime=PNG_MIME,
        key=key,
        on_click="ignore",
        help="下载该图表的 PNG 图片，可直接插入材料或打印",
    )


def report_file_name(params: periods.Params) -> str:
    scope = f"{params.town}" if params.town else "全区"
    year = f"{params.year}年" if params.year else ""
    return f"{scope}{year}党组织领导的校长负责制落实情况总结.docx"


def _report_state_key(key: str) -> str:
    return f"{key}_built"


def _request_report(requested: str) -> None:
    """The button's callback, before the run it starts: mark the request and start chromium now."""
    from oversight.present import png

    st.session_state[requested] = True
    png.prestart()


def report_download_button(ctx: page.PageContext, *, key: str = "report_docx") -> None:
    """The year's 情况总结 as a Word document, written from the data under the page's filters.

    "生成情况总结（Word）" builds it in this run with a progress bar (读取数据 / 绘制图表 / 写入文档) inside
    a status box that ends with the time it took; "下载情况总结（Word）" then hands over the bytes, kept in
    the session for this data version and these filters, so a rerun (another filter and back, a chart
    opened) does not build it again (a deferred download had shown only a small spinner for the whole
    build, 15 s and more).

    Starting chromium was most of a first build's time, so showing the button starts it, in the
    background (png.prestart: a no-op while it runs; it closes after ten minutes without a picture), and
    pressing it does again in case it closed meanwhile: by the time a leader clicks, the charts are
    drawn at once.
    """
    from oversight.present import png, report

    png.prestart()
    db, params = ctx.db, ctx.params
    state = _report_state_key(key)
    wanted = (db, ctx.version, params)
    built = st.session_state.get(state)
    if built is None or built["for"] != wanted:
        requested = f"{key}_requested"
        pressed = st.session_state.pop(requested, False)
        slot = st.empty()
        # while it builds the button stays where it was, greyed out (taken away or replaced, the old one
        # lingered on screen under the status box, pressable), and leaves once the document is there
        slot.button(
            "生成情况总结（Word）",
            key=key,
            icon=":material/description:",
            on_click=_request_report,
            args=(requested,),
            disabled=pressed,
            help="按当前年度和筛选条件，根据数据生成本年度情况总结（含图表、存在问题、下一步工作和需关注学校名单），"
            "内置示例区县约需几秒",
        )
        if not pressed:
            return
        with st.status("正在生成情况总结…", expanded=True) as status:
            bar = st.progress(0.0, text="读取数据…")
            started = time.perf_counter()
            try:
                with cache.snapshot(db) as con:
                    raw = report.build_docx(
                        con,  # type: ignore[arg-type]
                        params,
                        progress=lambda done, text: bar.progress(min(max(done, 0.0), 1.0), text=text),
                    )
            except Exception as exc:
                status.update(label="情况总结未能生成", state="error", expanded=True)
                page.show_error(exc)
                return
            seconds = time.perf_counter() - started
            status.update(label=f"情况总结已生成（用时 {seconds:.1f} 秒）", state="complete", expanded=False)
        slot.empty()
        built = {"for": wanted, "raw": raw, "seconds": seconds}
        st.session_state[state] = built
        audit_log.record_download(db, ctx.user, report_file_name(params))  # built only to be downloaded
    st.download_button(
        "下载情况总结（Word）",
        data=built["raw"],
        file_name=report_file_name(params),
        mime=DOCX_MIME,
        key=f"{key}_download",
        on_click="ignore",
        type="primary",
        icon=":material/download:",
        help="按当前年度和筛选条件生成的情况总结；数据更新或更换筛选条件后需重新生成",
    )
