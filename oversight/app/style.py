"""The stylesheet every page loads: the few words Streamlit's own controls print in English, in Chinese.

Streamlit has no setting for the language of its file uploader, its table toolbar or its ⋮ menu, so they
are restyled here: the uploader's button and instructions say 选择文件 / 拖到这里, the table toolbar (Show/hide
columns, Download as CSV, Search, Fullscreen) and the ⋮ menu (Print, Record screen, Made with Streamlit)
are hidden (every table has its own 下载 Excel button, charts their 下载图片), and the status widget's Stop
button, shown while a long run (the Word report) works, says 停止运行 (its word is a bare text node, so it is
drawn at zero size and the Chinese drawn after it). The stylesheet is a constant
built from our own settings only: no user data ever reaches st.html (tests/test_security.py holds that).
"""

from __future__ import annotations

import streamlit as st

from oversight.contract.schema import UPLOAD_TYPES

MAX_MB = int(st.get_option("server.maxUploadSize"))

#: what the uploader's instructions say instead of "50MB per file • CSV, XLSX, XLS"
UPLOAD_HINT = f"或把文件拖到这里（每个不超过 {MAX_MB} MB；{'、'.join(t.upper() for t in UPLOAD_TYPES)}）"

STYLESHEET = f"""<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ display: none; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {{
  content: "选择文件"; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{
  content: "{UPLOAD_HINT}"; font-size: 0.875rem; }}
[data-testid="stElementToolbar"] {{ display: none; }}
[data-testid="stMainMenu"] {{ display: none; }}
[data-testid="stStatusWidget"] button[data-testid="stBaseButton-header"] {{ font-size: 0; }}
[data-testid="stStatusWidget"] button[data-testid="stBaseButton-header"]::after {{
  content: "停止运行"; font-size: 0.875rem; }}
</style>"""


def apply() -> None:
    """Load the stylesheet on this page run (cheap: one small element, no space on the page)."""
    st.html(STYLESHEET)
