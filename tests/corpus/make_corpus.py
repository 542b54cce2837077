"""Writes the malformed-upload corpus of tests/test_corpus.py: files plus a manifest of what each must give.

Run from the project root: `.venv/bin/python tests/corpus/make_corpus.py` rewrites tests/corpus/files/
and tests/corpus/manifest.json byte for byte (no clock, no randomness without a seed), so a diff after a
rerun means the generator changed. The two large cases (a 100,000-row file and a 1 MB cell, ~7 MB) are
not committed: `write_large_cases(directory)` writes them when the test session starts.

Every bad value is derived from the schema (types, enums, ranges, keys, references), so a new column
gets its bad cases without anyone retyping a Chinese header. Each case names the problem kind, the Excel
row and the Chinese column SPEC's report must show; `exit` is 1 for errors and 0 for the warning-only
cases (extra or repeated column, blank row), which SPEC says are warnings.

`base/` holds one valid batch (three schools, their Party organisations and a few records). The test
loads it first, so references in the bad files resolve against a real database and "nothing changed"
is checked on a database that has content.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from oversight.contract.schema import CODE_MAX_LEN, TABLES, Column, ProblemKind, Table, table

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
BASE = HERE / "base"
MANIFEST = HERE / "manifest.json"
LARGE_ROWS = 100_000
BIG_CELL_BYTES = 1_000_000
_STAMP = datetime(2024, 1, 2, 9, 0, 0)

K = ProblemKind

# ---------------------------------------------------------------- the valid base batch

BASE_ROWS: dict[str, list[dict[str, str]]] = {
    "schools": [
        {
            "school_code": f"S00{i}",
            "school_name": name,
            "stage": stage,
            "town": "城关街道",
            "area_type": "城区",
            "is_public": "是",
            "education_group": "",
            "students": "800",
            "staff": "60",
            "charter_revised": "是",
            "charter_revised_on": "2023-05-01",
        }
        for i, (name, stage) in enumerate(
            (("城关第一小学", "小学"), ("城关中学", "初中"), ("山后村小", "小学")), 1
        )
    ],
    "party_orgs": [
        {
            "org_code": "O001",
            "org_name": "城关第一小学党总支",
            "org_type": "党总支",
            "school_code": "S001",
            "parent_org_code": "",
            "members": "30",
            "founded_on": "2005-07-01",
            "brand": "红烛先锋",
        },
        {
            "org_code": "O001-01",
            "org_name": "城关第一小学第一党支部",
            "org_type": "党支部",
            "school_code": "S001",
            "parent_org_code": "O001",
            "members": "15",
            "founded_on": "2010-07-01",
            "brand": "",
        },
        {
            "org_code": "O002",
            "org_name": "城关中学党支部",
            "org_type": "党支部",
            "school_code": "S002",
            "parent_org_code": "",
            "members": "20",
            "founded_on": "2008-07-01",
            "brand": "",
        },
    ],
    "leaders": [
        {
            "person_id": "P001",
            "name": "王建国",
            "school_code": "S001",
            "post": "书记",
            "is_party_member": "是",
            "appointed_on": "2020-09-01",
            "left_on": "",
        }
    ],
    "honors": [{"org_code": "O001-01", "level": "区级", "year": "2023"}],
    "rotation_quotas": [
        {"school_year": "2023-2024", "school_code": "S001", "eligible_teachers": "30"},
        {"school_year": "2023-2024", "school_code": "S002", "eligible_teachers": "20"},
    ],
    "rotations": [
        {
            "school_year": "2023-2024",
            "teacher_id": "T001",
            "teacher_name": "李老师",
            "from_school_code": "S001",
            "to_school_code": "S002",
            "kind": "交流",
            "role": "教师",
        }
    ],
    "matters": [
        {
            "matter_id": "M001",
            "school_code": "S001",
            "category": "其他",
            "title": "操场改造",
            "amount_yuan": "120000.00",
            "registered_on": "2023-03-01",
            "principal_meeting_on": "2023-03-02",
            "party_meeting_on": "2023-03-03",
            "implemented_on": "2023-04-01",
        }
    ],
    "meetings": [
        {
            "meeting_id": "MT001",
            "org_code": "O001-01",
            "kind": "党课",
            "held_on": "2023-03-01",
            "attendees": "12",
            "topic": "学习",
        }
    ],
    "duty_reports": [{"school_code": "S001", "year": "2023", "to_superior": "是", "to_staff": "是"}],
    "activities": [
        {
            "activity_id": "A001",
            "school_code": "S001",
            "organiser": "区教研中心",
            "kind": "教学观摩",
            "area": "统编三科",
            "title": "统编语文教学观摩",
            "held_on": "2023-03-01",
            "participants": "120",
        },
        {
            "activity_id": "A002",
            "school_code": "",
            "organiser": "区教体局",
            "kind": "培训",
            "area": "党建",
            "title": "领航型校长培训",
            "held_on": "2023-04-01",
            "participants": "",
        },
    ],
    "unified_subject_staffing": [
        {
            "school_year": "2023-2024",
            "school_code": "S001",
            "subject": "语文",
            "teachers_needed": "2",
            "teachers_assigned": "2",
        }
    ],
}


def good_row(t: Table, i: int) -> dict[str, str]:
    """A valid row of `t` whose key depends on `i`, pointing only at the base batch's rows."""
    year = str(2001 + i % 99)
    rows: dict[str, dict[str, str]] = {
        "schools": {
            "school_code": f"C{i:04d}",
            "school_name": f"测试学校{i}",
            "stage": "小学",
            "town": "城关街道",
            "area_type": "城区",
            "is_public": "是",
            "education_group": "",
            "students": "100",
            "staff": "10",
            "charter_revised": "是",
            "charter_revised_on": "2023-05-01",
        },
        "party_orgs": {
            "org_code": f"CO{i:04d}",
            "org_name": f"测试党支部{i}",
            "org_type": "党支部",
            "school_code": "S001",
            "parent_org_code": "O001",
            "members": "5",
            "founded_on": "2010-01-01",
            "brand": "同心圆",
        },
        "leaders": {
            "person_id": f"CP{i:04d}",
            "name": "张三",
            "school_code": "S001",
            "post": "副校长",
            "is_party_member": "是",
            "appointed_on": "2020-09-01",
            "left_on": "",
        },
        "honors": {"org_code": "O001-01", "level": "市级", "year": year},
        "rotation_quotas": {
            "school_year": f"{2001 + i % 90}-{2002 + i % 90}",
            "school_code": "S003",
            "eligible_teachers": "12",
        },
        "rotations": {
            "school_year": "2023-2024",
            "teacher_id": f"CT{i:04d}",
            "teacher_name": "赵老师",
            "from_school_code": "S001",
            "to_school_code": "S002",
            "kind": "交流",
            "role": "教师",
        },
        "matters": {
            "matter_id": f"CM{i:04d}",
            "school_code": "S001",
            "category": "其他",
            "title": "测试事项",
            "amount_yuan": "1000.00",
            "registered_on": "2023-03-01",
            "principal_meeting_on": "2023-03-02",
            "party_meeting_on": "2023-03-03",
            "implemented_on": "2023-03-10",
        },
        "meetings": {
            "meeting_id": f"CMT{i:04d}",
            "org_code": "O001-01",
            "kind": "党课",
            "held_on": "2023-03-01",
            "attendees": "10",
            "topic": "学习",
        },
        "duty_reports": {"school_code": "S002", "year": year, "to_superior": "是", "to_staff": "否"},
        "activities": {
            "activity_id": f"CA{i:04d}",
            "school_code": "S001",
            "organiser": "区教研中心",
            "kind": "蹲校教研",
            "area": "教研",
            "title": "蹲校教研",
            "held_on": "2023-05-01",
            "participants": "40",
        },
        "unified_subject_staffing": {
            "school_year": f"{2001 + i % 90}-{2002 + i % 90}",
            "school_code": "S002",
            "subject": "历史",
            "teachers_needed": "2",
            "teachers_assigned": "1",
        },
    }
    return dict(rows[t.name])


# ---------------------------------------------------------------- cases


@dataclass
class Case:
    """One upload (one or more files) and the problems its report must contain."""

    name: str
    note: str
    files: list[str]
    expect: list[dict[str, object]]
    exit: int = 1
    large: bool = False
    table: str | None = None


@dataclass
class Corpus:
    directory: Path
    cases: list[Case] = field(default_factory=list)
    counter: int = 0

    def next_index(self) -> int:
        self.counter += 10
        return self.counter

    def write(self, name: str, raw: bytes) -> str:
        (self.directory / name).write_bytes(raw)
        return name

    def add(
        self,
        name: str,
        note: str,
        raw: bytes,
        suffix: str,
        expect: list[dict[str, object]],
        *,
        exit_code: int = 1,
        large: bool = False,
    ) -> None:
        file = self.write(f"{name}{suffix}", raw)
        self.cases.append(Case(name, note, [file], expect, exit_code, large))


def problem(
    kind: ProblemKind, row: int | None = None, column: str | None = None, file: str | None = None
) -> dict:
    """One expected report line; None means "no row" / "no column" (a file- or column-level problem)."""
    return {"kind": kind.value, "row": row, "column": column, "file": file}


def csv_text(header: list[str], rows: list[list[str]], sep: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def table_csv(t: Table, rows: list[dict[str, str]], *, english: bool = False) -> str:
    header = [c.name if english else c.zh for c in t.columns]
    return csv_text(header, [[r[c.name] for c in t.columns] for r in rows])


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


# ---------------------------------------------------------------- bad values per column, from the schema


def bad_values(t: Table, c: Column) -> list[tuple[str, str, ProblemKind]]:
    """(label, bad cell, kind SPEC names) for every way this column's rules can be broken."""
    out: list[tuple[str, str, ProblemKind]] = []
    if c.required:
        out.append(("empty", "", K.REQUIRED_EMPTY))
    if c.type == "bool":
        out += [("word", "也许", K.WRONG_TYPE), ("two", "2", K.WRONG_TYPE), ("yesno", "是否", K.WRONG_TYPE)]
    if c.type == "int":
        out += [
            ("chinese", "十二", K.WRONG_TYPE),
            ("fraction", "12.5", K.WRONG_TYPE),
            ("unit", "12人", K.WRONG_TYPE),
        ]
        if c.min_value == 0:
            out.append(("negative", "-3", K.OUT_OF_RANGE))
        if c.max_value is not None:
            out += [
                ("low", str(c.min_value - 1), K.OUT_OF_RANGE),
                ("high", str(c.max_value + 1), K.OUT_OF_RANGE),
            ]
    if c.type == "decimal":
        out += [
            ("letters", "12a.5", K.WRONG_TYPE),
            ("two_points", "1.2.3", K.WRONG_TYPE),
            ("unit", "100元", K.WRONG_TYPE),
            ("negative", "-5", K.OUT_OF_RANGE),
        ]
    if c.type == "date":
        out += [
            ("feb30", "2023-02-30", K.BAD_FORMAT),
            ("month13", "2023/13/01", K.BAD_FORMAT),
            ("feb29", "2023年2月29日", K.BAD_FORMAT),
            ("word", "去年", K.BAD_FORMAT),
        ]
    if c.type == "school_year":
        out += [
            ("gap", "2022-2024", K.OUT_OF_RANGE),
            ("reversed", "2023-2022", K.OUT_OF_RANGE),
            ("one_year", "2022", K.BAD_FORMAT),
            ("short", "22-23", K.BAD_FORMAT),
        ]
    if c.type == "enum":
        out.append(("outside", "不在列表中", K.OUT_OF_RANGE))
    if c.type == "code":
        out += [
            ("space", "A 01", K.BAD_FORMAT),
            ("chinese", "学校01", K.BAD_FORMAT),
            ("too_long", "X" * (CODE_MAX_LEN + 1), K.BAD_FORMAT),
        ]
    if c.type == "text" and any(c.name in ref.columns for ref in t.references):
        out.append(("dangling", "NOPE-404", K.MISSING_REFERENCE))
    elif c.type == "text" and not c.required:
        # free text that may be empty (党建品牌, 组织单位, 主题 ...) takes any words: what breaks it is a
        # formula's error copied from Excel (a VLOOKUP of brand names that found none), never a blank
        out.append(("excel_error", "#N/A", K.BAD_FORMAT))
    return out


def reference_label(t: Table, c: Column) -> str:
    """The report's column for a reference problem: every column of the (possibly composite) reference."""
    for ref in t.references:
        if c.name in ref.columns:
            return "、".join(t.zh_of(n) for n in ref.columns)
    return c.zh


def value_cases(corpus: Corpus) -> None:
    """Header row 1, a good row 2, the bad row 3, a good row 4: the report must point at row 3."""
    for t in TABLES:
        for c in t.columns:
            for label, bad, kind in bad_values(t, c):
                i = corpus.next_index()
                rows = [good_row(t, i), good_row(t, i + 1), good_row(t, i + 2)]
                rows[1][c.name] = bad
                column = reference_label(t, c) if kind == K.MISSING_REFERENCE else c.zh
                corpus.add(
                    f"value_{t.name}_{c.name}_{label}",
                    f"“{t.zh}”表“{c.zh}”列填了“{bad[:20]}”",
                    table_csv(t, rows).encode("utf-8"),
                    ".csv",
                    [problem(kind, 3, column)],
                )


def rule_cases(corpus: Corpus) -> None:
    """Rules across cells, rows, files and tables: dates out of order, same school, keys, references."""
    leaders = table("leaders")
    i = corpus.next_index()
    rows = [good_row(leaders, i), good_row(leaders, i + 1)]
    rows[1]["left_on"] = "2019-06-30"
    corpus.add(
        "rule_left_before_appointed",
        "离任日期早于任职日期",
        table_csv(leaders, rows).encode("utf-8"),
        ".csv",
        [problem(K.OUT_OF_RANGE, 3, "离任日期")],
    )
    rotations = table("rotations")
    i = corpus.next_index()
    rows = [good_row(rotations, i), good_row(rotations, i + 1)]
    rows[1]["to_school_code"] = rows[1]["from_school_code"]
    corpus.add(
        "rule_rotation_to_same_school",
        "接收学校与派出学校相同",
        table_csv(rotations, rows).encode("utf-8"),
        ".csv",
        [problem(K.OUT_OF_RANGE, 3, "接收学校标识码")],
    )
    i = corpus.next_index()
    rows = [good_row(rotations, i)]
    rows[0]["school_year"] = "2019-2020"
    corpus.add(
        "rule_rotation_without_quota",
        "派出学校在该学年没有轮岗基数",
        table_csv(rotations, rows).encode("utf-8"),
        ".csv",
        [problem(K.MISSING_REFERENCE, 2, "学年、派出学校标识码")],
    )
    for t in TABLES:
        i = corpus.next_index()
        rows = [good_row(t, i), good_row(t, i + 1), good_row(t, i + 2)]
        rows[2] = {**rows[2], **{k: rows[0][k] for k in t.key}}
        corpus.add(
            f"rule_duplicate_key_{t.name}",
            f"“{t.zh}”表主键重复",
            table_csv(t, rows).encode("utf-8"),
            ".csv",
            [problem(K.DUPLICATE_KEY, 4, "、".join(t.zh_of(k) for k in t.key))],
        )
    schools = table("schools")
    i = corpus.next_index()
    rows = [good_row(schools, i), good_row(schools, i + 1)]
    rows[1]["school_name"] = rows[0]["school_name"]
    corpus.add(
        "rule_duplicate_school_name",
        "两所学校同名",
        table_csv(schools, rows).encode("utf-8"),
        ".csv",
        [problem(K.DUPLICATE_KEY, 3, "学校名称")],
    )
    # two files in one batch: the same key in both, and a good file beside a bad one
    meetings = table("meetings")
    i = corpus.next_index()
    a = [good_row(meetings, i)]
    b = [good_row(meetings, i + 1), good_row(meetings, i)]
    fa = corpus.write("batch_dup_across_files_a.csv", table_csv(meetings, a).encode("utf-8"))
    fb = corpus.write("batch_dup_across_files_b.csv", table_csv(meetings, b).encode("utf-8"))
    corpus.cases.append(
        Case(
            "batch_dup_across_files",
            "同一会议编号出现在同一批的两个文件中",
            [fa, fb],
            [problem(K.DUPLICATE_KEY, 3, "会议编号", fb)],
        )
    )
    i = corpus.next_index()
    good = corpus.write(
        "batch_good_beside_bad_good.csv", table_csv(schools, [good_row(schools, i)]).encode("utf-8")
    )
    bad_rows = [good_row(meetings, i)]
    bad_rows[0]["held_on"] = "2023-02-30"
    bad = corpus.write("batch_good_beside_bad_bad.csv", table_csv(meetings, bad_rows).encode("utf-8"))
    corpus.cases.append(
        Case(
            "batch_good_beside_bad",
            "一个正确文件和一个有错文件同批上传：整批都不写入",
            [good, bad],
            [problem(K.BAD_FORMAT, 2, "日期", bad)],
        )
    )
    i = corpus.next_index()
    orgs = table("party_orgs")
    new_school = good_row(schools, i)
    org = good_row(orgs, i)
    org["school_code"] = new_school["school_code"]
    late = corpus.write("batch_reference_in_bad_file_org.csv", table_csv(orgs, [org]).encode("utf-8"))
    new_school["stage"] = "大学"
    school_file = corpus.write(
        "batch_reference_in_bad_file_school.csv", table_csv(schools, [new_school]).encode()
    )
    corpus.cases.append(
        Case(
            "batch_reference_in_bad_file",
            "党组织指向同批中一所学段有错的新学校：学校行报错，整批不写入",
            [late, school_file],
            [problem(K.OUT_OF_RANGE, 2, "学段", school_file)],
        )
    )


def layout_cases(corpus: Corpus) -> None:
    """Headers: missing, repeated, too deep, unknown, English, shuffled; title rows; short and long rows."""
    schools = table("schools")
    header = [c.zh for c in schools.columns]

    def rows(n: int) -> list[list[str]]:
        start = corpus.next_index()
        return [[good_row(schools, start + k)[c.name] for c in schools.columns] for k in range(n)]

    data = rows(2)
    corpus.add(
        "layout_missing_required_column",
        "缺少“学段”列",
        csv_text([h for h in header if h != "学段"], [r[:2] + r[3:] for r in data]).encode("utf-8"),
        ".csv",
        [problem(K.MISSING_COLUMN, None, "学段")],
    )
    data = rows(2)
    corpus.add(
        "layout_no_header",
        "只有数据行，没有表头",
        csv_text(data[0], data[1:]).encode("utf-8"),
        ".csv",
        [problem(K.UNKNOWN_TABLE)],
    )
    data = rows(2)
    junk = [[f"说明文字第{n}行"] for n in range(1, 20)]
    text = csv_text(["填报说明"], junk) + csv_text(header, data)
    corpus.add(
        "layout_header_below_row_20",
        "表头在第 21 行，前面 20 行都是说明文字",
        text.encode("utf-8"),
        ".csv",
        [problem(K.UNKNOWN_TABLE)],
    )
    data = rows(3)
    data[2][header.index("是否公办")] = "公办"
    text = "2023年学校基本情况统计表\n填报单位：区教体局,,,,\n" + csv_text(header, data)
    corpus.add(
        "layout_title_rows",
        "表头前有两行标题，第 6 行“是否公办”有错",
        text.encode("utf-8"),
        ".csv",
        [problem(K.WRONG_TYPE, 6, "是否公办")],
    )
    data = rows(2)
    data[1][5] = "未知"
    corpus.add(
        "layout_english_headers",
        "英文表头，第 3 行“是否公办”有错",
        csv_text([c.name for c in schools.columns], data).encode("utf-8"),
        ".csv",
        [problem(K.WRONG_TYPE, 3, "是否公办")],
    )
    data = rows(2)
    order = list(reversed(range(len(header))))
    data[1][header.index("在校生数")] = "很多"
    corpus.add(
        "layout_shuffled_columns",
        "列顺序倒过来，第 3 行“在校生数”有错",
        csv_text([header[k] for k in order], [[r[k] for k in order] for r in data]).encode("utf-8"),
        ".csv",
        [problem(K.WRONG_TYPE, 3, "在校生数")],
    )
    data = rows(2)
    corpus.add(
        "layout_unknown_table",
        "表头都不是已知列名",
        csv_text(["序号", "姓名", "电话", "备注"], [["1", "张三", "123", ""]]).encode("utf-8"),
        ".csv",
        [problem(K.UNKNOWN_TABLE, 1)],
    )
    data = rows(2)
    data[1] = data[1][:4]
    corpus.add(
        "layout_short_row",
        "第 3 行只有 4 个单元格（后面的必填列缺失）",
        csv_text(header, data).encode("utf-8"),
        ".csv",
        [problem(K.REQUIRED_EMPTY, 3, "城乡类型")],
    )
    data = rows(2)
    data[0][header.index("学段")] = "中专"
    corpus.add(
        "layout_semicolon_separated",
        "分号分隔，第 2 行“学段”有错",
        csv_text(header, data, sep=";").encode("utf-8"),
        ".csv",
        [problem(K.OUT_OF_RANGE, 2, "学段")],
    )
    data = rows(2)
    data[1][header.index("章程已修订")] = "待定"
    corpus.add(
        "layout_tab_separated_txt",
        "制表符分隔的 .txt，第 3 行“章程已修订”有错",
        csv_text(header, data, sep="\t").encode("utf-8"),
        ".txt",
        [problem(K.WRONG_TYPE, 3, "章程已修订")],
    )
    data = rows(2)
    data[1][header.index("教职工数")] = "多行\n文本"
    corpus.add(
        "layout_quoted_newline",
        "第 3 行“教职工数”是带换行的引号文本",
        csv_text(header, data).encode("utf-8"),
        ".csv",
        [problem(K.WRONG_TYPE, 3, "教职工数")],
    )
    data = rows(3)
    data[2][0] = "bad code"
    text = csv_text(header, data[:1]) + "\n" + csv_text(header, data[1:]).split("\n", 1)[1]
    corpus.add(
        "layout_blank_line_then_error",
        "第 3 行是空行（警告），第 5 行学校标识码有错",
        text.encode("utf-8"),
        ".csv",
        [problem(K.EMPTY_ROW, 3), problem(K.BAD_FORMAT, 5, "学校标识码")],
    )
    # warning-only cases: SPEC makes these warnings, the batch stays valid
    data = rows(2)
    corpus.add(
        "warn_extra_column",
        "多出一列“备注”（警告，批次仍有效）",
        csv_text([*header, "备注"], [[*r, "无"] for r in data]).encode("utf-8"),
        ".csv",
        [problem(K.EXTRA_COLUMN, None, "备注")],
        exit_code=0,
    )
    data = rows(2)
    corpus.add(
        "warn_duplicate_header",
        "“学段”列出现两次（警告，只读第一列）",
        csv_text([*header, "学段"], [[*r, "初中"] for r in data]).encode("utf-8"),
        ".csv",
        [problem(K.EXTRA_COLUMN, None, "学段")],
        exit_code=0,
    )
    data = rows(2)
    text = csv_text(header, data[:1]) + ",,,,,,,,,,\n" + csv_text(header, data[1:]).split("\n", 1)[1]
    corpus.add(
        "warn_blank_row",
        "第 3 行全是空单元格（警告，跳过）",
        text.encode("utf-8"),
        ".csv",
        [problem(K.EMPTY_ROW, 3)],
        exit_code=0,
    )


def encoding_cases(corpus: Corpus) -> None:
    """Wrong and mixed encodings; each either points at the bad line or still finds the bad value."""
    schools = table("schools")
    header = [c.zh for c in schools.columns]

    def text_with_bad_row(bad_column: str, bad: str) -> str:
        start = corpus.next_index()
        data = [[good_row(schools, start + k)[c.name] for c in schools.columns] for k in range(3)]
        data[1][header.index(bad_column)] = bad
        return csv_text(header, data)

    gbk_line = "C9999,广州市白云区某某学校,小学,城关街道,城区,是,,1,1,是,\n".encode("gbk")
    utf8 = text_with_bad_row("学段", "小学").encode("utf-8")
    lines = utf8.split(b"\n")
    mixed = b"\n".join([*lines[:3], gbk_line.rstrip(b"\n"), *lines[3:]])
    corpus.add(
        "enc_gbk_line_in_utf8",
        "UTF-8 文件的第 4 行是 GBK 编码",
        mixed,
        ".csv",
        [problem(K.ENCODING, 4)],
    )
    corpus.add(
        "enc_gbk_line_in_utf8_bom",
        "带 BOM 的 UTF-8 文件中夹了一行 GBK",
        codecs.BOM_UTF8 + mixed,
        ".csv",
        [problem(K.ENCODING, 4)],
    )
    corpus.add(
        "enc_latin1_byte_in_utf8",
        "UTF-8 文件第 3 行有一个 Latin-1 字节",
        text_with_bad_row("所属乡镇街道", "Caf\udce9").encode("utf-8", "surrogateescape"),
        ".csv",
        [problem(K.ENCODING, 3)],
    )
    corpus.add(
        "enc_surrogate_bytes",
        "UTF-8 文件第 3 行含代理区字节（ED A0 80）",
        text_with_bad_row("所属乡镇街道", "X\udced\udca0\udc80").encode("utf-8", "surrogateescape"),
        ".csv",
        [problem(K.ENCODING, 3)],
    )
    corpus.add(
        "enc_overlong_utf8",
        "UTF-8 文件第 3 行含超长编码（C0 AF）",
        text_with_bad_row("所属乡镇街道", "X\udcc0\udcaf").encode("utf-8", "surrogateescape"),
        ".csv",
        [problem(K.ENCODING, 3)],
    )
    corpus.add(
        "enc_gbk_with_bad_value",
        "GBK 文件（Excel 默认），第 3 行“学段”有错",
        text_with_bad_row("学段", "职高").encode("gbk"),
        ".csv",
        [problem(K.OUT_OF_RANGE, 3, "学段")],
    )
    corpus.add(
        "enc_gb18030_with_bad_value",
        "GB18030 文件含生僻字，第 3 行“城乡类型”有错",
        text_with_bad_row("城乡类型", "䶮城").encode("gb18030"),
        ".csv",
        [problem(K.OUT_OF_RANGE, 3, "城乡类型")],
    )
    for codec, bom in (("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)):
        corpus.add(
            f"enc_{codec.replace('-', '')}_with_bad_value",
            f"{codec.upper()}（带 BOM）文件，第 3 行“是否公办”有错",
            bom + text_with_bad_row("是否公办", "X").encode(codec),
            ".csv",
            [problem(K.WRONG_TYPE, 3, "是否公办")],
        )
    corpus.add(
        "enc_utf16_without_bom",
        "UTF-16 但没有 BOM（全是 00 字节）",
        text_with_bad_row("学段", "小学").encode("utf-16-le"),
        ".csv",
        [problem(K.UNREADABLE)],
    )
    corpus.add(
        "enc_utf16_truncated",
        "UTF-16 文件被截断在半个字符处（奇数字节、孤立代理）",
        codecs.BOM_UTF16_LE + text_with_bad_row("学段", "小学").encode("utf-16-le") + b"\x3d\xd8",
        ".csv",
        [problem(K.ENCODING)],
    )
    rng = random.Random(20240102)
    big5ish = bytes(
        rng.choice(range(0x81, 0xFF)) if k % 2 == 0 else rng.choice(range(0x40, 0x7F)) for k in range(600)
    )
    corpus.add(
        "enc_big5_garbage",
        "Big5 式的双字节乱码（不是任何表头）",
        big5ish,
        ".csv",
        [problem(K.UNKNOWN_TABLE)],
    )
    corpus.add(
        "enc_big5_file",
        "繁体 Big5 编码的学校表（表头读出来是乱码）",
        text_with_bad_row("学段", "小学").replace("学校", "學校").encode("big5", "replace"),
        ".csv",
        [problem(K.UNKNOWN_TABLE)],
    )
    invalid_gb = b"\xff\xfe\xfd" * 50
    corpus.add(
        "enc_invalid_everywhere",
        "既不是 UTF-8 也不是 GB18030 的字节",
        "学校标识码,学校名称\n".encode("gbk") + invalid_gb,
        ".csv",
        [problem(K.ENCODING, 2)],
    )


def binary_cases(corpus: Corpus) -> None:
    """Empty files and binary content under a text name, damaged workbooks, unsupported types."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    corpus.add("bin_png_named_csv", "PNG 图片改名为 .csv", png, ".csv", [problem(K.UNREADABLE)])
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr(zipfile.ZipInfo("学校.csv", date_time=(2024, 1, 2, 9, 0, 0)), "学校标识码\nS1\n")
    corpus.add(
        "bin_zip_named_csv", "ZIP 压缩包改名为 .csv", zipped.getvalue(), ".csv", [problem(K.UNREADABLE)]
    )
    corpus.add(
        "bin_zip_named_xlsx",
        "不含工作簿的 ZIP 改名为 .xlsx",
        zipped.getvalue(),
        ".xlsx",
        [problem(K.UNREADABLE)],
    )
    corpus.add(
        "bin_elf_named_csv",
        "可执行文件改名为 .csv",
        b"\x7fELF\x02\x01\x01" + b"\x00" * 64,
        ".csv",
        [problem(K.UNREADABLE)],
    )
    corpus.add(
        "bin_gzip_named_csv",
        "gzip 压缩文件改名为 .csv",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(range(200)),
        ".csv",
        [problem(K.UNREADABLE)],
    )
    corpus.add("bin_empty_csv", "0 字节的 .csv", b"", ".csv", [problem(K.UNREADABLE)])
    corpus.add(
        "bin_blank_lines_csv", "只有空行和空格的 .csv", b"\n \n\t\n\r\n", ".csv", [problem(K.UNREADABLE)]
    )
    corpus.add("bin_bom_only_csv", "只有 BOM 的 .csv", codecs.BOM_UTF8, ".csv", [problem(K.UNREADABLE)])
    corpus.add("bin_empty_xlsx", "0 字节的 .xlsx", b"", ".xlsx", [problem(K.UNREADABLE)])
    corpus.add(
        "bin_text_named_xlsx",
        "CSV 文本改名为 .xlsx：按内容读作 CSV（警告），表头只对上 2 列，无法识别是哪张表",
        "学校标识码,学校名称\nS1,一小\n".encode(),
        ".xlsx",
        [problem(K.UNKNOWN_TABLE, 1)],
    )
    corpus.add(
        "bin_xls",
        "旧版 .xls 文件",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        ".xls",
        [problem(K.UNREADABLE)],
    )
    corpus.add(
        "bin_pdf",
        "PDF 文件",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        ".pdf",
        [problem(K.UNREADABLE)],
    )
    corpus.add(
        "bin_no_extension", "没有扩展名的文件", "学校标识码\nS1\n".encode(), "", [problem(K.UNREADABLE)]
    )
    corpus.add(
        "bin_nul_late_in_csv",
        "CSV 第 3 行的单元格里有 NUL 字节",
        "学校标识码,学校名称,学段,所属乡镇街道,城乡类型,是否公办,章程已修订\n"
        "C1,一小,小学,城关,城区,是,是\nC2,二小,小\x00学,城关,城区,是,是\n".encode(),
        ".csv",
        [problem(K.UNREADABLE)],
    )

    schools = table("schools")

    def workbook(rows: list[list[object]], title: str | None = None, merge: str | None = None) -> bytes:
        def build(wb: Workbook) -> None:
            ws = wb.active
            ws.title = "学校"
            if title:
                ws.append([title])
                ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(schools.columns))
            ws.append([c.zh for c in schools.columns])
            for r in rows:
                ws.append(r)
            if merge:
                ws.merge_cells(merge)

        return pinned_xlsx(build)

    def school_cells(n: int) -> list[list[object]]:
        start = corpus.next_index()
        out: list[list[object]] = []
        for k in range(n):
            r = good_row(schools, start + k)
            out.append([int(r[c.name]) if c.type == "int" else r[c.name] for c in schools.columns])
        return out

    good = workbook(school_cells(3))
    corpus.add(
        "xlsx_truncated_half", "工作簿只上传了一半", good[: len(good) // 2], ".xlsx", [problem(K.UNREADABLE)]
    )
    corpus.add(
        "xlsx_truncated_tail",
        "工作簿缺了最后 200 字节（目录区）",
        good[:-200],
        ".xlsx",
        [problem(K.UNREADABLE)],
    )
    damaged = bytearray(good)
    for k in range(200, len(damaged) - 200, 97):
        damaged[k] ^= 0x5A
    corpus.add(
        "xlsx_corrupted_bytes", "工作簿中间的字节被改乱", bytes(damaged), ".xlsx", [problem(K.UNREADABLE)]
    )
    corpus.add(
        "xlsx_random_bytes", "随机字节改名为 .xlsx", bytes(rng_bytes(4096)), ".xlsx", [problem(K.UNREADABLE)]
    )

    rows = school_cells(3)
    rows[1][schools.column_names.index("is_public")] = "公立"
    corpus.add(
        "xlsx_bad_bool_with_title",
        "工作簿：合并的标题行在第 1 行，表头第 2 行，第 4 行“是否公办”有错",
        workbook(rows, title="2023年学校基本情况"),
        ".xlsx",
        [problem(K.WRONG_TYPE, 4, "是否公办")],
    )
    rows = school_cells(4)
    for r in rows[1:3]:
        r[schools.column_names.index("town")] = None
    corpus.add(
        "xlsx_merged_cells_in_data",
        "工作簿：“所属乡镇街道”第 2～4 行合并成一格，第 3、4 行读出来为空",
        workbook(rows, merge="D2:D4"),
        ".xlsx",
        [problem(K.REQUIRED_EMPTY, 3, "所属乡镇街道"), problem(K.REQUIRED_EMPTY, 4, "所属乡镇街道")],
    )
    rows = school_cells(2)
    rows[1][schools.column_names.index("students")] = datetime(2023, 9, 1)
    corpus.add(
        "xlsx_date_in_int_column",
        "工作簿：“在校生数”单元格是日期",
        workbook(rows),
        ".xlsx",
        [problem(K.WRONG_TYPE, 3, "在校生数")],
    )
    rows = school_cells(2)
    rows[0][schools.column_names.index("staff")] = True
    corpus.add(
        "xlsx_bool_cell_in_int_column",
        "工作簿：“教职工数”单元格是逻辑值 TRUE",
        workbook(rows),
        ".xlsx",
        [problem(K.WRONG_TYPE, 2, "教职工数")],
    )
    rows = school_cells(2)
    rows[1][schools.column_names.index("charter_revised_on")] = "2023-02-30"
    corpus.add(
        "xlsx_impossible_date_text",
        "工作簿：“章程修订日期”是文本 2023-02-30",
        workbook(rows),
        ".xlsx",
        [problem(K.BAD_FORMAT, 3, "章程修订日期")],
    )
    rows = school_cells(2)
    rows[1][schools.column_names.index("town")] = "=B3"
    corpus.add(
        "xlsx_formula_without_value",
        "工作簿：必填的“所属乡镇街道”是没有计算结果的公式，读出来为空",
        workbook(rows),
        ".xlsx",
        [problem(K.REQUIRED_EMPTY, 3, "所属乡镇街道")],
    )
    corpus.add(
        "xlsx_header_only",
        "工作簿：没有任何单元格",
        pinned_xlsx(lambda wb: None),
        ".xlsx",
        [problem(K.UNREADABLE)],
    )


def rng_bytes(n: int) -> list[int]:
    rng = random.Random(7)
    return [rng.randrange(256) for _ in range(n)]


# ---------------------------------------------------------------- large cases (written at test time)


def large_cases() -> list[Case]:
    return [
        Case(
            "large_100k_rows_last_bad",
            f"{LARGE_ROWS} 行的组织生活表，只有最后一行日期有错",
            ["large_100k_rows_last_bad.csv"],
            [problem(K.BAD_FORMAT, LARGE_ROWS + 1, "日期")],
            large=True,
        ),
        Case(
            "large_1mb_code_cell",
            "学校标识码单元格有 1 MB",
            ["large_1mb_code_cell.csv"],
            [problem(K.BAD_FORMAT, 3, "学校标识码")],
            large=True,
        ),
        Case(
            "large_1mb_enum_cell",
            "“学段”单元格有 1 MB 的汉字",
            ["large_1mb_enum_cell.xlsx"],
            [problem(K.OUT_OF_RANGE, 2, "学段")],
            large=True,
        ),
    ]


def write_large_cases(directory: Path) -> list[Case]:
    """Write the large cases into `directory` (not committed: ~7 MB) and return them."""
    directory.mkdir(parents=True, exist_ok=True)
    meetings = table("meetings")
    lines = [",".join(c.zh for c in meetings.columns)]
    lines += [f"BIG{n:06d},O001-01,党课,2023-03-01,10,学习" for n in range(1, LARGE_ROWS)]
    lines.append(f"BIG{LARGE_ROWS:06d},O001-01,党课,2023-02-30,10,学习")
    (directory / "large_100k_rows_last_bad.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    schools = table("schools")
    rows = [good_row(schools, 900_001), good_row(schools, 900_002)]
    rows[1]["school_code"] = "A" * BIG_CELL_BYTES
    (directory / "large_1mb_code_cell.csv").write_text(table_csv(schools, rows), encoding="utf-8")

    def build(wb: Workbook) -> None:
        ws = wb.active
        ws.append([c.zh for c in schools.columns])
        r = good_row(schools, 900_003)
        r["stage"] = "学" * (BIG_CELL_BYTES // 3)
        ws.append([r[c.name] for c in schools.columns])

    (directory / "large_1mb_enum_cell.xlsx").write_bytes(pinned_xlsx(build))
    return large_cases()


# ---------------------------------------------------------------- entry


def write_base(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in TABLES:
        path = directory / f"{t.zh}.csv"
        path.write_bytes(table_csv(t, BASE_ROWS[t.name]).encode("utf-8"))
        paths.append(path)
    return paths


def main() -> int:
    FILES.mkdir(parents=True, exist_ok=True)
    for old in FILES.iterdir():
        old.unlink()
    write_base(BASE)
    corpus = Corpus(FILES)
    value_cases(corpus)
    rule_cases(corpus)
    layout_cases(corpus)
    encoding_cases(corpus)
    binary_cases(corpus)
    cases = corpus.cases + large_cases()
    manifest = [
        {
            "name": c.name,
            "note": c.note,
            "files": c.files,
            "exit": c.exit,
            "large": c.large,
            "expect": c.expect,
        }
        for c in cases
    ]
    MANIFEST.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in FILES.iterdir())
    print(
        f"{len(cases)} 个用例（其中 {len(large_cases())} 个大文件在测试时生成），已提交文件共 {size / 1024:.0f} KB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
