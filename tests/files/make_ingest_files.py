"""Writes the upload fixtures of tests/test_ingest*.py into tests/files/ingest/ (committed output).

Run from the project root: `.venv/bin/python tests/files/make_ingest_files.py`. Headers come from the
schema, never retyped; the rows are small and concrete so the tests can name the expected values.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

from oversight.contract.schema import table

OUT = Path(__file__).resolve().parent / "ingest"

SCHOOLS = [
    {
        "school_code": "S001",
        "school_name": "城关第一小学",
        "stage": "小学",
        "town": "城关镇",
        "area_type": "城区",
        "is_public": "是",
        "education_group": "",
        "students": "1200",
        "staff": "80",
        "charter_revised": "是",
        "charter_revised_on": "2023-01-05",
    },
    {
        "school_code": "S002",
        "school_name": "河西初级中学",
        "stage": "初中",
        "town": "河西街道",
        "area_type": "镇区",
        "is_public": "否",
        "education_group": "河西教育集团",
        "students": "",
        "staff": "",
        "charter_revised": "否",
        "charter_revised_on": "",
    },
    {
        "school_code": "S003",
        "school_name": "山后村小",
        "stage": "小学",
        "town": "山后乡",
        "area_type": "乡村",
        "is_public": "是",
        "education_group": "",
        "students": "45",
        "staff": "6",
        "charter_revised": "是",
        "charter_revised_on": "2022-09-01",
    },
]

LEADERS = [
    {
        "person_id": "P001",
        "name": "王芳",
        "school_code": "S001",
        "post": "书记",
        "is_party_member": "是",
        "appointed_on": "2020-09-01",
        "left_on": "",
    },
    {
        "person_id": "P002",
        "name": "李强",
        "school_code": "S002",
        "post": "校长",
        "is_party_member": "否",
        "appointed_on": "2021-03-15",
        "left_on": "2024-07-31",
    },
]

QUOTAS = [
    {"school_year": "2022-2023", "school_code": "S001", "eligible_teachers": "40"},
    {"school_year": "2022-2023", "school_code": "S002", "eligible_teachers": "30"},
]

ROTATIONS = [
    {
        "school_year": "2022-2023",
        "teacher_id": "T01",
        "teacher_name": "赵敏",
        "from_school_code": "S001",
        "to_school_code": "S003",
        "kind": "支教",
        "role": "教师",
    },
    {
        "school_year": "2022-2023",
        "teacher_id": "T02",
        "teacher_name": "",
        "from_school_code": "S002",
        "to_school_code": "S001",
        "kind": "交流",
        "role": "中层干部",
    },
]

PARTY_ORGS = [
    {
        "org_code": "D01",
        "org_name": "城关第一小学党支部",
        "org_type": "党支部",
        "school_code": "S001",
        "parent_org_code": "",
        "members": "18",
        "founded_on": "2001-07-01",
    },
    {
        "org_code": "D02",
        "org_name": "城关第一小学第一党小组",
        "org_type": "党支部",
        "school_code": "S001",
        "parent_org_code": "D01",
        "members": "9",
        "founded_on": "",
    },
]


def headers(table_name: str, english: bool = False) -> list[str]:
    t = table(table_name)
    return [c.name if english else c.zh for c in t.columns]


def csv_text(
    table_name: str,
    rows: list[dict[str, str]],
    *,
    columns: list[str] | None = None,
    english: bool = False,
    sep: str = ",",
    extra: dict[str, list[str]] | None = None,
    title: str | None = None,
) -> str:
    """CSV text with schema headers (Chinese by default) for `columns` (default: all, schema order)."""
    t = table(table_name)
    names = columns or t.column_names
    head = [n if english else t.zh_of(n) for n in names] + list(extra or {})
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    if title:
        writer.writerow([title])
    writer.writerow(head)
    for i, row in enumerate(rows):
        writer.writerow([row.get(n, "") for n in names] + [v[i] for v in (extra or {}).values()])
    return buffer.getvalue()


def with_changes(rows: list[dict[str, str]], index: int, **changes: str) -> list[dict[str, str]]:
    out = [dict(r) for r in rows]
    out[index].update(changes)
    return out


def schools_workbook() -> bytes:
    """Two sheets: 学校 under a merged title row with real date and number cells (and a number stored as
    text), 党组织 starting at row 1."""
    wb = Workbook()
    ws = wb.active
    ws.title = "学校"
    ws["A1"] = "某区中小学基本信息表（2023年）"
    ws.merge_cells("A1:K1")
    ws.append(headers("schools"))
    for row in SCHOOLS:
        cells: list[object] = []
        for name in table("schools").column_names:
            value = row[name]
            if name == "charter_revised_on" and value:
                cells.append(dt.date.fromisoformat(value))
            elif name == "staff" and value:
                cells.append(int(value))
            else:
                cells.append(value or None)  # students stays text: "numbers stored as text"
        ws.append(cells)
    orgs = wb.create_sheet("党组织")
    orgs.append(headers("party_orgs"))
    for row in PARTY_ORGS:
        orgs.append([row[n] or None for n in table("party_orgs").column_names])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def offset_workbook() -> bytes:
    """Data starting at C3 (rows 1-2 and columns A-B empty); the first data row (row 4) has a bad 学段."""
    wb = Workbook()
    ws = wb.active
    ws.title = "学校"
    names = table("schools").column_names
    for j, label in enumerate(headers("schools")):
        ws.cell(row=3, column=3 + j, value=label)
    rows = with_changes(SCHOOLS, 0, stage="大学")
    for i, row in enumerate(rows):
        for j, name in enumerate(names):
            ws.cell(row=4 + i, column=3 + j, value=row[name] or None)
    hidden = wb.create_sheet("下拉选项")
    hidden["A1"] = "小学"
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def files() -> dict[str, bytes]:
    schools = csv_text("schools", SCHOOLS)
    gbk_bad = bytearray(schools.encode("gbk"))
    third_line = gbk_bad.index(b"\r\n", gbk_bad.index(b"\r\n") + 2) + 2
    gbk_bad[third_line + 5 : third_line + 5] = b"\xff"
    shuffled = ["charter_revised_on", "school_name", "staff", "school_code", "is_public", "town"]
    shuffled += [n for n in table("schools").column_names if n not in shuffled]
    return {
        # the same three schools in every encoding and layout
        "schools_utf8.csv": schools.encode("utf-8"),
        "schools_utf8_bom.csv": b"\xef\xbb\xbf" + schools.encode("utf-8"),
        "schools_gbk.csv": schools.encode("gbk"),
        "schools_gb18030.csv": schools.encode("gb18030"),
        "schools_tab.txt": csv_text("schools", SCHOOLS, sep="\t").encode("gbk"),
        "schools_english_shuffled.csv": csv_text("schools", SCHOOLS, columns=shuffled, english=True).encode(),
        "schools_title_row.csv": csv_text("schools", SCHOOLS, title="某区中小学基本信息表").encode("gbk"),
        "schools.xlsx": schools_workbook(),
        "offset.xlsx": offset_workbook(),
        "gb18030_only.csv": csv_text("schools", with_changes(SCHOOLS, 0, school_name="䶮山小学")).encode(
            "gb18030"
        ),
        "leaders.csv": csv_text("leaders", LEADERS).encode("utf-8"),
        "quotas.csv": csv_text("rotation_quotas", QUOTAS).encode("utf-8"),
        "rotations.csv": csv_text("rotations", ROTATIONS).encode("utf-8"),
        "party_orgs.csv": csv_text("party_orgs", PARTY_ORGS).encode("utf-8"),
        # one problem each
        "err_unknown_table.csv": "姓名,电话,住址\r\n张三,123,城关\r\n".encode(),
        "err_encoding.csv": bytes(gbk_bad),
        "err_missing_column.csv": csv_text(
            "schools", SCHOOLS, columns=[n for n in table("schools").column_names if n != "school_name"]
        ).encode(),
        "err_extra_column.csv": csv_text("schools", SCHOOLS, extra={"备注": ["", "新建", ""]}).encode(),
        "err_empty_row.csv": schools.replace("\r\nS002", "\r\n,,,,,,,,,,\r\nS002").encode(),
        "err_required_empty.csv": csv_text("schools", with_changes(SCHOOLS, 1, town="\u3000")).encode(),
        "err_wrong_type.csv": csv_text("schools", with_changes(SCHOOLS, 2, students="一千")).encode(),
        "err_wrong_bool.csv": csv_text("schools", with_changes(SCHOOLS, 0, is_public="公办")).encode(),
        "err_enum.csv": csv_text("schools", with_changes(SCHOOLS, 0, stage="大学")).encode(),
        "err_negative.csv": csv_text("schools", with_changes(SCHOOLS, 1, staff="-3")).encode(),
        "err_date.csv": csv_text(
            "schools", with_changes(SCHOOLS, 0, charter_revised_on="2023-13-01")
        ).encode(),
        "err_code.csv": csv_text("schools", with_changes(SCHOOLS, 1, school_code="S#02")).encode(),
        "err_code_long.csv": csv_text("schools", with_changes(SCHOOLS, 2, school_code="S" * 21)).encode(),
        "err_duplicate.csv": csv_text(
            "schools", [*SCHOOLS, {**SCHOOLS[0], "school_name": "另一所"}]
        ).encode(),
        "err_duplicate_name.csv": csv_text(
            "schools", with_changes(SCHOOLS, 2, school_name="城关第一小学")
        ).encode(),
        "schools_more.csv": csv_text("schools", [{**SCHOOLS[1], "school_name": "河西二中"}]).encode(),
        "err_left_before.csv": csv_text("leaders", with_changes(LEADERS, 1, left_on="2020-01-01")).encode(),
        "err_reference.csv": csv_text("leaders", with_changes(LEADERS, 1, school_code="S999")).encode(),
        "err_same_school.csv": csv_text(
            "rotations", with_changes(ROTATIONS, 1, to_school_code="S002")
        ).encode(),
        "err_quota_reference.csv": csv_text(
            "rotations", with_changes(ROTATIONS, 0, school_year="2023-2024")
        ).encode(),
        "err_school_year_gap.csv": csv_text(
            "rotation_quotas", with_changes(QUOTAS, 0, school_year="2022-2024")
        ).encode(),
        "err_school_year_format.csv": csv_text(
            "rotation_quotas", with_changes(QUOTAS, 1, school_year="2022学年度")
        ).encode(),
        "err_parent_org.csv": csv_text(
            "party_orgs", with_changes(PARTY_ORGS, 1, parent_org_code="D09")
        ).encode(),
        # unreadable
        "empty.csv": b"",
        "binary.csv": bytes(range(256)) * 4,
        "workbook_named.csv": schools_workbook(),
        "truncated.xlsx": schools_workbook()[:1500],
        "not_a_zip.xlsx": b"this is not a workbook\r\n",
        "old.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "notes.docx": _docx(),
    }


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, raw in files().items():
        (OUT / name).write_bytes(raw)


if __name__ == "__main__":
    main()
