"""Downloads built only when pressed (deferred): a chart as PNG, the year's report as Word."""

from __future__ import annotations

import streamlit as st

from oversight.app import cache, page
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
        data=lambda: png.figure_to_png(fig),  # type: ignore[arg-type]
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


def report_download_button(ctx: page.PageContext, *, key: str = "report_docx") -> None:
    """One click: the year's 情况总结 as a Word document, written from the data under the page's filters.

    Built only when pressed (a deferred download), with its own database connection, so the 总览 page
    stays as fast as before for everyone who does not need the document.
    """
    from oversight.present import report

    db, params = ctx.db, ctx.params

    def build() -> bytes:
        with cache.snapshot(db) as con:
            return report.build_docx(con, params)  # type: ignore[arg-type]

    st.download_button(
        "生成情况总结（Word）",
        data=build,
        file_name=report_file_name(params),
        mime=DOCX_MIME,
        key=key,
        on_click="ignore",
        icon=":material/description:",
        help="按当前年度和筛选条件，根据数据生成本年度情况总结（含各部分图表和需关注学校名单），约需十几秒",
    )
