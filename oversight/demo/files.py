"""The upload set: the district written as the files its analysts would upload, in the mixed encodings,
header languages and cell formats of the systems that export them (`sample_file_bytes`), and into a
directory (`write_sample_files`; `data/sample/` is the committed copy).

The output is byte-identical on every run: the workbooks' zip timestamps and document dates are pinned.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
from openpyxl.utils import get_column_letter

from oversight.contract.schema import Column, Table, table
from oversight.demo.roster import DATA_END

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"

#: pinned document and zip dates, so a regenerated workbook is byte-identical to the committed one
_FIXED_STAMP = datetime(2024, 1, 2, 9, 0, 0)
_ZIP_STAMP = (2024, 1, 2, 9, 0, 0)


def _iso(d: date) -> str:
    return d.isoformat()


def _slash(d: date) -> str:
    return f"{d.year}/{d.month}/{d.day}"


def _chinese(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True)
class CsvStyle:
    """How one exporting system writes a CSV: encoding, header language, column order, cell formats."""

    encoding: str
    header: str = "zh"  # "zh" = Column.zh, "en" = Column.name
    order: Callable[[Table], list[str]] = lambda t: t.column_names
    date_format: Callable[[date], str] = _iso
    #: per-column date formats overriding date_format
    date_formats: dict[str, Callable[[date], str]] = field(default_factory=dict)
    true_false: tuple[str, str] = ("是", "否")


def _cell(column: Column, value: object, style: CsvStyle) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return style.true_false[0] if value else style.true_false[1]
    if isinstance(value, date):
        return style.date_formats.get(column.name, style.date_format)(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _csv_bytes(t: Table, frame: pl.DataFrame, style: CsvStyle) -> bytes:
    names = style.order(t)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([t.column(n).zh if style.header == "zh" else n for n in names])
    columns = [t.column(n) for n in names]
    for record in frame.select(names).iter_rows():
        writer.writerow([_cell(c, v, style) for c, v in zip(columns, record, strict=True)])
    return buffer.getvalue().encode(style.encoding)


@dataclass(frozen=True)
class SheetStyle:
    table: str
    title: str | None = None


def _xlsx_bytes(frames: dict[str, pl.DataFrame], sheets: Sequence[SheetStyle]) -> bytes:
    """A workbook with real date and number cells, Chinese headers, optionally a title row on top."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "教育体育局"
    wb.properties.created = _FIXED_STAMP
    wb.properties.modified = _FIXED_STAMP
    for sheet in sheets:
        t = table(sheet.table)
        ws = wb.create_sheet(t.zh)
        if sheet.title:
            ws.append([sheet.title])
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(t.columns))
        ws.append([c.zh for c in t.columns])
        for record in frames[t.name].iter_rows():
            cells: list[object] = []
            for v in record:
                if isinstance(v, bool):
                    cells.append("是" if v else "否")
                elif isinstance(v, Decimal):
                    cells.append(float(v))
                else:
                    cells.append(v)
            ws.append(cells)
        for letter_index, c in enumerate(t.columns, start=1):
            ws.column_dimensions[get_column_letter(letter_index)].width = max(10, 2 * len(c.zh) + 2)
    raw = io.BytesIO()
    wb.save(raw)
    return _pin_zip(raw.getvalue())


def _pin_zip(raw: bytes) -> bytes:
    """Rewrite a workbook with fixed member timestamps and a fixed document 'modified' date.

    zipfile stamps each member with the current time and openpyxl's save overwrites the modified
    date with now, so without this two runs never write the same bytes.
    """
    stamp = _FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            pinned = zipfile.ZipInfo(info.filename, date_time=_ZIP_STAMP)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = info.external_attr
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    content,
                )
            dst.writestr(pinned, content)
    return out.getvalue()


def sample_file_bytes(frames: dict[str, pl.DataFrame]) -> dict[str, bytes]:
    """File name -> bytes of the upload set, mixed the way schools' real exports come.

    Each style exercises one thing the ingestion has to cope with: GBK and GB18030 from Excel on a
    Chinese Windows, UTF-8 with and without BOM from web systems, English headers in another column
    order, slash and 年月日 dates, 是/否 booleans, a workbook with a title row above the header and real
    date cells, and one workbook carrying two tables. Headers come from the schema (Column.zh or name).
    """
    files: dict[str, bytes] = {}
    csv_files: tuple[tuple[str, str, CsvStyle], ...] = (
        # Excel's "CSV" on a Chinese Windows: GBK, slash dates
        ("学校.csv", "schools", CsvStyle("gbk", date_format=_slash)),
        # a web system's export: UTF-8 with BOM
        ("党组织.csv", "party_orgs", CsvStyle("utf-8-sig")),
        ("最强党支部.csv", "honors", CsvStyle("utf-8")),
        # the Party-member management system: English field names, its own column order
        ("组织生活.csv", "meetings", CsvStyle("utf-8", header="en", order=lambda t: sorted(t.column_names))),
        # the finance office: GB18030, Chinese dates for registration and implementation
        (
            "三重一大事项.csv",
            "matters",
            CsvStyle(
                "gb18030",
                date_format=_slash,
                date_formats={"registered_on": _chinese, "implemented_on": _chinese},
            ),
        ),
        ("双向述职.csv", "duty_reports", CsvStyle("utf-8-sig")),
        # the personnel office's staffing sheet, saved from Excel on a Chinese Windows
        ("统编三科配备.csv", "unified_subject_staffing", CsvStyle("gbk")),
    )
    for name, table_name, style in csv_files:
        files[name] = _csv_bytes(table(table_name), frames[table_name], style)
    files["领导班子.xlsx"] = _xlsx_bytes(
        frames,
        [SheetStyle("leaders", f"中小学校（幼儿园）领导班子成员名册（截至{_chinese(DATA_END)}）")],
    )
    files["交流轮岗.xlsx"] = _xlsx_bytes(frames, [SheetStyle("rotations"), SheetStyle("rotation_quotas")])
    files["活动台账.xlsx"] = _xlsx_bytes(frames, [SheetStyle("activities", "2021—2023年各类活动台账")])
    return dict(sorted(files.items()))


def write_sample_files(frames: dict[str, pl.DataFrame], directory: str | Path) -> list[Path]:
    """Write the upload set into `directory` (created if needed); returns the paths in name order."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, raw in sample_file_bytes(frames).items():
        path = directory / name
        path.write_bytes(raw)
        paths.append(path)
    return paths
