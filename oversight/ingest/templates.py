"""Empty upload templates: one CSV per table and one workbook with a sheet per table.

Headers are the schema's Chinese labels, so a filled template is recognised without any choice. The
workbook's row 2 is a grey, italic hint row (Column.hint: required or optional, what the cell accepts);
the reader skips a row that equals the hints exactly, so an analyst may leave it in place. Enum and
boolean columns get a drop-down list so the choices are picked, not typed.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from oversight.contract.schema import TABLES, Table, table

WORKBOOK_NAME = "模板.xlsx"
#: rows below the hint row that carry the drop-down lists
DROPDOWN_ROWS = 2000
#: Excel caps an inline list formula at 255 characters
_LIST_LIMIT = 255
_BOOL_CHOICES = ("是", "否")


def template_csv_bytes(table_name: str) -> bytes:
    """A table's CSV template: the Chinese header row only, UTF-8 with a BOM so Excel shows Chinese."""
    t = table(table_name)
    return ("\ufeff" + ",".join(c.zh for c in t.columns) + "\r\n").encode("utf-8")


def _width(text: str) -> float:
    """Column width in Excel units: a Chinese character is about two Latin ones."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text) + 2


def _dropdown(choices: tuple[str, ...]) -> DataValidation | None:
    formula = '"' + ",".join(choices) + '"'
    if len(formula) > _LIST_LIMIT:
        return None
    return DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="取值不在范围",
        error="请从下拉列表中选择。",
    )


def _fill_sheet(ws, t: Table) -> None:  # type: ignore[no-untyped-def]
    header_font, hint_font = Font(bold=True), Font(italic=True, color="808080")
    for i, c in enumerate(t.columns, start=1):
        letter = get_column_letter(i)
        head = ws.cell(row=1, column=i, value=c.zh)
        head.font = header_font
        hint = ws.cell(row=2, column=i, value=c.hint)
        hint.font = hint_font
        ws.column_dimensions[letter].width = min(max(_width(c.zh), 12), 40)
        choices = c.choices or (_BOOL_CHOICES if c.type == "bool" else ())
        validation = _dropdown(choices) if choices else None
        if validation is not None:
            ws.add_data_validation(validation)
            validation.add(f"{letter}3:{letter}{DROPDOWN_ROWS + 2}")
    ws.freeze_panes = "A3"


def templates_xlsx_bytes() -> bytes:
    """The workbook template: a sheet per table, named with the table's Chinese name."""
    wb = Workbook()
    wb.remove(wb.active)
    for t in TABLES:
        _fill_sheet(wb.create_sheet(t.zh), t)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_templates(directory: str | Path) -> list[Path]:
    """Write 学校.csv, 党组织.csv ... and 模板.xlsx into `directory` (created if missing)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in TABLES:
        path = out / f"{t.zh}.csv"
        path.write_bytes(template_csv_bytes(t.name))
        paths.append(path)
    workbook = out / WORKBOOK_NAME
    workbook.write_bytes(templates_xlsx_bytes())
    paths.append(workbook)
    return paths
