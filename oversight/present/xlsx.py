"""Any polars frame as an .xlsx workbook a leader can open safely in Excel or WPS.

Kept apart from Streamlit so the upload page, the dashboard and tests share one exporter. Text cells
that a spreadsheet would read as a formula (starting with = + - @, TAB, CR or NUL) are prefixed with a
single quote, because names and titles in the data come from schools and could carry a formula
(CSV/formula injection); numbers and dates stay typed so sums still work in Excel.
`report_to_xlsx` is the validation report's workbook (ingest builds the report, the upload page sends it).
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time
from decimal import Decimal

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

#: what a browser is told an .xlsx download is (every download button of the app)
MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: first characters that make a spreadsheet treat a text cell as a formula or a control sequence
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\0")
#: Excel's limits: sheet names at most 31 characters, without []:*?/\
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31
#: characters openpyxl refuses in a cell (XML 1.0 control characters other than TAB, LF, CR)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value: object) -> object:
    """A cell value Excel will not execute: text starting like a formula gets a leading quote."""
    if value is None or isinstance(value, bool | int | float | Decimal | date | datetime | time):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return _ILLEGAL.sub("", text)


def safe_sheet_name(name: str) -> str:
    """A sheet name Excel accepts (the caller's Chinese title, trimmed to Excel's rules)."""
    cleaned = _SHEET_FORBIDDEN.sub("_", name or "").strip("'") or "数据"
    return cleaned[:_SHEET_MAX]


#: Excel number formats of the column kinds of present.tables (a share stays 0.125 and reads 12.5%)
NUMBER_FORMATS = {"share": "0.0%", "amount": "#,##0.00", "date": "yyyy-mm-dd"}


def frame_to_xlsx(df: pl.DataFrame, sheet_name: str = "数据", kinds: dict[str, str] | None = None) -> bytes:
    """One sheet: a bold header row with the frame's column names, then every row, injection-safe;
    columns named in `kinds` get their Excel number format (the values stay numbers Excel can sum)."""
    wb = Workbook()
    ws = wb.active
    ws.title = safe_sheet_name(sheet_name)
    ws.append([safe_cell(c) for c in df.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in df.iter_rows():
        ws.append([safe_cell(_plain(v)) for v in row])
    for i, name in enumerate(df.columns, start=1):
        number_format = NUMBER_FORMATS.get((kinds or {}).get(name, ""))
        if number_format:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = number_format
        # a rough width from the header (CJK characters count double) so the sheet opens readable
        width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(name)) + 4
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, 10), 60)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _plain(value: object) -> object:
    """Nested values (lists, structs) as text; openpyxl writes only scalars."""
    if isinstance(value, list | tuple | dict):
        return str(value)
    return value


# ---------------------------------------------------------------- the validation report


def _defuse_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column with a quote before each cell a spreadsheet would read as a formula, in one
    vectorised pass (the validation report quotes uploaded cells, so it may carry hostile text)."""
    text = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns([_defused(pl.col(c)).alias(c) for c in text])


def _defused(column: pl.Expr) -> pl.Expr:
    starts = pl.any_horizontal([column.str.starts_with(s) for s in FORMULA_STARTS]).fill_null(False)
    return pl.when(starts).then(pl.lit("'") + column).otherwise(column)


#: column widths of the validation report's workbook, in characters
_REPORT_WIDTHS = {
    "文件": 24,
    "工作表": 14,
    "行号": 8,
    "列": 18,
    "值": 20,
    "问题类型": 12,
    "级别": 8,
    "说明": 80,
}


def report_to_xlsx(report: pl.DataFrame) -> bytes:
    """The validation report as an .xlsx workbook: bold header, readable widths, frozen header,
    injection safe."""
    wb = Workbook()
    ws = wb.active
    ws.title = "校验报告"
    ws.append(list(report.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in _defuse_formulas(report).iter_rows():
        ws.append(list(row))
    for i, name in enumerate(report.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _REPORT_WIDTHS.get(name, 14)
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def report_to_csv(report: pl.DataFrame) -> bytes:
    """The validation report as CSV, UTF-8 with a BOM so Excel shows the Chinese, formula-injection safe."""
    buffer = io.BytesIO()
    _defuse_formulas(report).write_csv(buffer)
    return b"\xef\xbb\xbf" + buffer.getvalue()
