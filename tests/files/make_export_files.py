"""Writes the real-export fixtures of tests/test_ingest_exports.py into tests/files/exports/ (committed).

Each file is one way school offices' Excel and WPS exports differ from the contract's own examples
(issue 12): error cells, two-digit years, IDs Excel already mangled, headers with units or required
marks, two-row headers, total and signature rows, instruction sheets, legacy .xls, files whose name
does not say what they hold. Run from the project root: `.venv/bin/python tests/files/make_export_files.py`.
The .xls files need xlwt (the `test` extra); workbooks are pinned (fixed dates and zip times) so the
bytes do not change from one run to the next.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from oversight.contract.schema import table

OUT = Path(__file__).resolve().parent / "exports"
_STAMP = dt.datetime(2024, 1, 2, 9, 0, 0)

SCHOOLS = table("schools")
ORGS = table("party_orgs")
LEADERS = table("leaders")
MEETINGS = table("meetings")
MATTERS = table("matters")

#: the schools every fixture refers to, as cells (ints as numbers, dates as dates, like Excel holds them)
SCHOOL_ROWS: list[list[object]] = [
    ["S001", "城关第一小学", "小学", "城关镇", "城区", "是", None, 1200, 80, "是", dt.date(2023, 1, 5)],
    ["S002", "河西初级中学", "初中", "河西街道", "镇区", "否", "河西教育集团", None, None, "否", None],
    ["S003", "山后村小", "小学", "山后乡", "乡村", "是", None, 45, 6, "是", dt.date(2022, 9, 1)],
]
ORG_ROWS: list[list[object]] = [
    ["D001", "城关第一小学党支部", "党支部", "S001", None, 25, dt.date(2010, 7, 1)],
    ["D002", "河西初级中学党总支", "党总支", "S002", None, 40, None],
]
LEADER_ROWS: list[list[object]] = [
    ["P001", "王芳", "S001", "书记", "是", dt.date(2020, 9, 1), None],
    ["P002", "李强", "S002", "校长", "否", dt.date(2021, 3, 15), dt.date(2024, 7, 31)],
    ["P003", "张伟", "S003", "校长", "是", dt.date(2019, 8, 20), None],
]
MEETING_ROWS: list[list[object]] = [
    ["M001", "D001", "支部党员大会", dt.date(2023, 9, 6), 20, "学习贯彻党的二十大精神"],
    ["M002", "D001", "党课", dt.date(2023, 10, 12), 18, "书记讲党课"],
    ["M003", "D002", "支部委员会", dt.date(2023, 11, 3), 7, None],
]


def header(t, *, english: bool = False) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.name if english else c.zh for c in t.columns]


def text(value: object) -> str:
    """A cell as a CSV saved from Excel holds it (dates ISO, empty as nothing)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_bytes(
    rows: list[list[object]], *, sep: str = ",", encoding: str = "utf-8-sig", newline: str = "\r\n"
) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator=newline).writerows([[text(v) for v in r] for r in rows])
    return out.getvalue().encode(encoding)


def pinned_xlsx(build: Callable[[Workbook], None]) -> bytes:
    """An .xlsx whose bytes do not depend on the clock (fixed document dates and zip member times)."""
    wb = Workbook()
    wb.properties.created = _STAMP
    wb.properties.modified = _STAMP
    build(wb)
    raw = io.BytesIO()
    wb.save(raw)
    stamp = _STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 2, 9, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    content,
                )
            dst.writestr(member, content)
    return out.getvalue()


def put_rows(ws: Worksheet, rows: list[list[object]]) -> None:
    """Rows into a sheet; dates get Excel's date format, as a typed date does."""
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"


def one_sheet(
    title: str, rows: list[list[object]], after: Callable[[Worksheet], None] | None = None
) -> bytes:
    def build(wb: Workbook) -> None:
        ws = wb.active
        ws.title = title
        put_rows(ws, rows)
        if after is not None:
            after(ws)

    return pinned_xlsx(build)


def error_cell(ws: Worksheet, ref: str, error: str) -> None:
    """An Excel error value in a cell, stored as Excel stores it (t="e")."""
    ws[ref] = error
    ws[ref].data_type = "e"


# ---------------------------------------------------------------- the files


def base_files() -> dict[str, bytes]:
    return {
        "学校.csv": csv_bytes([header(SCHOOLS), *SCHOOL_ROWS]),
        "党组织.csv": csv_bytes([header(ORGS), *ORG_ROWS]),
    }


def silently_wrong_before() -> dict[str, bytes]:
    """What loaded with exit 0 and wrong data: each is now refused with the fix, or read right."""
    files: dict[str, bytes] = {}
    # a 离任日期 of #VALUE! (a formula gone wrong): the person is not "still in post"
    files["error_optional.xlsx"] = one_sheet(
        "领导班子", [header(LEADERS), *LEADER_ROWS], lambda ws: error_cell(ws, "G3", "#VALUE!")
    )
    # #N/A from a VLOOKUP in a required reference column: the Excel error, not 此处为空
    files["error_required.xlsx"] = one_sheet(
        "领导班子", [header(LEADERS), *LEADER_ROWS], lambda ws: error_cell(ws, "C2", "#N/A")
    )
    # the same errors in a CSV saved from Excel: their text, and #### for a too-narrow date column
    rows = [header(MEETINGS), *[list(r) for r in MEETING_ROWS]]
    rows[2][4] = "#DIV/0!"
    rows[3][3] = "########"
    files["error_text.csv"] = csv_bytes(rows, encoding="gbk")
    # two-digit year (23.9.6 read as the year 23) and a year that cannot be right
    rows = [header(MEETINGS), *[list(r) for r in MEETING_ROWS]]
    rows[1][3] = "23.9.6"
    rows[3][3] = "1900-01-01"
    files["two_digit_year.csv"] = csv_bytes(rows)
    # 人员编号 Excel already turned into scientific notation before the file was saved as CSV
    rows = [header(LEADERS), *[list(r) for r in LEADER_ROWS]]
    rows[1][0] = "4.20106E+17"
    files["id_scientific.csv"] = csv_bytes(rows)
    # an 18-digit ID typed into a Number cell: Excel kept 15 digits
    rows = [header(LEADERS), *[list(r) for r in LEADER_ROWS]]
    rows[2][0] = 420106198001011234
    files["id_number_long.xlsx"] = one_sheet("领导班子", rows)
    # the same IDs done right: an 18-digit ID as text, a short ID in a Number cell (no ".0")
    rows = [header(LEADERS), *[list(r) for r in LEADER_ROWS]]
    rows[1][0] = "420106198001011234"
    rows[2][0] = 31207
    files["id_number_ok.xlsx"] = one_sheet("领导班子", rows)
    # Excel's text marker typed (or exported) in front of an ID, and next year's file without it
    rows = [header(LEADERS), *[list(r) for r in LEADER_ROWS]]
    rows[1][0] = "'0031207"
    files["id_apostrophe.csv"] = csv_bytes(rows)
    rows[1][0] = "0031207"
    files["id_plain.csv"] = csv_bytes(rows)
    # headers with their unit: agreeing (人, 名) and disagreeing (万元 against 元)
    head = header(SCHOOLS)
    head[7], head[8] = "在校生数（人）", "教职工数(名)"
    files["header_units.csv"] = csv_bytes([head, *SCHOOL_ROWS])
    head = header(MATTERS)
    head[4] = "金额（万元）"
    matter = ["SX001", "S001", "大额资金使用", "购置教学设备", 12.5, dt.date(2023, 3, 1), None, None, None]
    files["header_unit_mismatch.csv"] = csv_bytes([head, matter])
    return files


def crashed_before() -> dict[str, bytes]:
    return {"cr_only.csv": csv_bytes([header(SCHOOLS), *SCHOOL_ROWS], newline="\r")}


def refused_before() -> dict[str, bytes]:
    """Layouts a person expects to load: each now loads, and says what it did."""
    files: dict[str, bytes] = {}
    schools = one_sheet("学校", [header(SCHOOLS), *SCHOOL_ROWS])
    files["workbook_named.csv"] = schools
    files["csv_named.xlsx"] = csv_bytes([header(SCHOOLS), *SCHOOL_ROWS], encoding="gbk")
    files["tsv_named.xls"] = csv_bytes([header(SCHOOLS), *SCHOOL_ROWS], sep="\t", encoding="gbk")
    # Excel's “Unicode 文本” (UTF-16 with BOM, tab-separated), which web systems also name .xls
    files["unicode_text_named.xls"] = csv_bytes([header(SCHOOLS), *SCHOOL_ROWS], sep="\t", encoding="utf-16")
    # tab-separated, commas inside the cells
    rows = [header(MEETINGS), *[list(r) for r in MEETING_ROWS]]
    rows[1][5] = "学习贯彻党的二十大精神,交流心得,形成决议"
    rows[2][5] = "书记讲党课：守初心,担使命"
    files["tab_commas.csv"] = csv_bytes(rows, sep="\t")
    # total and signature rows under the data
    footer = [
        ["合计", None, None, None, None, None, None, 1245, 86, None, None],
        [],
        ["填表人：张三", None, None, "审核人：李四", None, None, None, "填报日期：2024年1月5日"],
    ]
    files["footer_rows.xlsx"] = one_sheet("学校", [header(SCHOOLS), *SCHOOL_ROWS, *footer])
    files["footer_rows.csv"] = csv_bytes(
        [
            header(SCHOOLS),
            *SCHOOL_ROWS,
            ["小 计：", "", "", "", "", "", "", 1245],
            ["填表人:张三  审核人:李四"],
        ],
        encoding="gbk",
    )
    # a 小计 row in the middle of the data is data: it is reported, not skipped
    files["subtotal_inside.csv"] = csv_bytes(
        [header(SCHOOLS), SCHOOL_ROWS[0], ["小计", "", "", "", "", "", "", 1200], *SCHOOL_ROWS[1:]]
    )
    # a title, then a two-row header: group cells merged above the column names
    files["two_row_header.xlsx"] = _two_row_header()
    # headers marked as required
    head = header(SCHOOLS)
    head[0], head[1], head[2], head[3] = "学校标识码（必填）", "学校名称*", "*学段", "所属乡镇街道(必填)"
    files["header_marks.csv"] = csv_bytes([head, *SCHOOL_ROWS])
    # notes in brackets (是/否, a format) are read past; a 学校名称（旧） beside 学校名称 does not take it
    head = header(SCHOOLS)
    head[5], head[10] = "是否公办（是/否）", "章程修订日期（格式：2023-01-05）"
    files["header_notes.csv"] = csv_bytes(
        [[*head, "学校名称（旧）"], *[[*r, f"旧名{i}"] for i, r in enumerate(SCHOOL_ROWS)]]
    )
    # an old template: a row of 必填/选填 notes under the header
    notes = ["必填", "必填", "必填，从下拉列表选择", "必填", "必填，城区/镇区/乡村", "必填，是/否"]
    notes += ["选填", "选填，整数", "选填，整数", "必填，是/否", "选填，日期格式"]
    files["old_template_notes.xlsx"] = one_sheet("学校", [header(SCHOOLS), notes, *SCHOOL_ROWS])
    # a prose 填表说明 sheet before the data sheet
    files["instructions_sheet.xlsx"] = _with_instructions()
    # legacy .xls (Excel 97-2003), WPS's default in many offices; one with an error cell; an HTML page
    # a web system saved as .xls
    files["legacy.xls"] = _xls("学校", [header(SCHOOLS), *SCHOOL_ROWS])
    files["legacy_error.xls"] = _xls("领导班子", [header(LEADERS), *LEADER_ROWS], errors={(2, 6): "#N/A!"})
    files["html_saved.xls"] = _html_xls([header(SCHOOLS), *SCHOOL_ROWS])
    return files


def _two_row_header() -> bytes:
    groups = [
        (1, 1, None, "学校标识码"),
        (2, 2, None, "学校名称"),
        (3, 6, "基本情况", None),
        (7, 7, None, "所属教育集团"),
        (8, 9, "办学规模", None),
        (10, 11, "章程修订", None),
    ]

    def build(wb: Workbook) -> None:
        ws = wb.active
        ws.title = "学校基本情况"
        ws.append(["2023年学校基本情况统计表"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=11)
        for first, last, group, alone in groups:
            if alone is not None:
                ws.cell(row=2, column=first, value=alone)
                ws.merge_cells(start_row=2, start_column=first, end_row=3, end_column=first)
            else:
                ws.cell(row=2, column=first, value=group)
                ws.merge_cells(start_row=2, start_column=first, end_row=2, end_column=last)
                for col in range(first, last + 1):
                    ws.cell(row=3, column=col, value=SCHOOLS.columns[col - 1].zh)
        for r in SCHOOL_ROWS:
            ws.append(r)
        for row in ws.iter_rows(min_row=4):
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"

    return pinned_xlsx(build)


def _with_instructions() -> bytes:
    def build(wb: Workbook) -> None:
        ws = wb.active
        ws.title = "填表说明"
        for line in (
            "填表说明",
            "1. 学校标识码填写教育部分配的 10 位代码，不得改动。",
            "2. 学段、城乡类型请从下拉列表中选择。",
            "3. 本表于每年 1 月 10 日前报送区教体局。",
        ):
            ws.append([line])
        put_rows(wb.create_sheet("学校"), [header(SCHOOLS), *SCHOOL_ROWS])

    return pinned_xlsx(build)


def _xls(title: str, rows: list[list[object]], errors: dict[tuple[int, int], str] | None = None) -> bytes:
    import xlwt  # the `test` extra: only this generator writes .xls

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(title)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in (errors or {}):
                ws.row(r).set_cell_error(c, (errors or {})[(r, c)])
            elif isinstance(value, dt.date):
                ws.write(r, c, value, date_style)
            elif value is not None:
                ws.write(r, c, value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _html_xls(rows: list[list[object]]) -> bytes:
    cells = "\n".join("<tr>" + "".join(f"<td>{text(v)}</td>" for v in r) + "</tr>" for r in rows)
    page = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">\n'
        '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>\n'
        f"<body><table border=1>\n{cells}\n</table></body></html>\n"
    )
    return page.encode("utf-8")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    files = base_files() | silently_wrong_before() | crashed_before() | refused_before()
    for old in OUT.iterdir():
        if old.name not in files:
            old.unlink()
    for name, raw in files.items():
        (OUT / name).write_bytes(raw)
    print(f"{len(files)} 个文件写入 {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
