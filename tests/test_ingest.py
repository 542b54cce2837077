"""Validation of real upload files (tests/files/ingest/, written by tests/files/make_ingest_files.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from oversight.contract.schema import LEVEL_ERROR, LEVEL_WARNING, REPORT_COLUMNS, TABLES, ProblemKind, table
from oversight.engine import connection, ledger
from oversight.ingest import batch
from oversight.ingest.batch import BatchResult, validate_files
from oversight.ingest.problems import format_report
from oversight.ingest.templates import (
    WORKBOOK_NAME,
    template_csv_bytes,
    templates_xlsx_bytes,
    write_templates,
)
from oversight.present.xlsx import report_to_csv, report_to_xlsx

FILES = Path(__file__).parent / "files" / "ingest"
K = ProblemKind
SCHOOLS = table("schools")


def run(*names: str, **kw: object) -> BatchResult:
    return validate_files([(n, (FILES / n).read_bytes()) for n in names], **kw)  # type: ignore[arg-type]


def problems(result: BatchResult) -> list[tuple[str, int | None, str | None]]:
    return [(r["问题类型"], r["行号"], r["列"]) for r in result.report.iter_rows(named=True)]


EXPECTED_SCHOOLS = pl.DataFrame(
    {
        "school_code": ["S001", "S002", "S003"],
        "school_name": ["城关第一小学", "河西初级中学", "山后村小"],
        "stage": ["小学", "初中", "小学"],
        "town": ["城关镇", "河西街道", "山后乡"],
        "area_type": ["城区", "镇区", "乡村"],
        "is_public": [True, False, True],
        "education_group": [None, "河西教育集团", None],
        "students": [1200, None, 45],
        "staff": [80, None, 6],
        "charter_revised": [True, False, True],
        "charter_revised_on": [dt.date(2023, 1, 5), None, dt.date(2022, 9, 1)],
    },
    schema={
        c.name: {"bool": pl.Boolean, "int": pl.Int64, "date": pl.Date}.get(c.type, pl.String)
        for c in SCHOOLS.columns
    },
)


# ---------------------------------------------------------------- same data, any encoding or layout


@pytest.mark.parametrize(
    "name",
    [
        "schools_utf8.csv",
        "schools_utf8_bom.csv",
        "schools_gbk.csv",
        "schools_gb18030.csv",
        "schools_tab.txt",
        "schools_english_shuffled.csv",
        "schools_title_row.csv",
        "schools.xlsx",
    ],
)
def test_every_encoding_and_layout_gives_the_same_frame(name: str) -> None:
    result = run(name)
    assert result.ok and result.report.is_empty(), format_report(result.report)
    got = result.frames["schools"]
    assert got.columns == SCHOOLS.column_names
    assert got.equals(EXPECTED_SCHOOLS)


def test_workbook_sheets_are_separate_tables_with_real_date_cells() -> None:
    result = run("schools.xlsx")
    assert [(p.sheet, p.table, p.rows) for p in result.parts] == [
        ("学校", "schools", 3),
        ("党组织", "party_orgs", 2),
    ]
    orgs = result.frames["party_orgs"]
    assert orgs["parent_org_code"].to_list() == [None, "D01"]
    assert orgs["members"].to_list() == [18, 9]
    assert orgs["founded_on"].to_list() == [dt.date(2001, 7, 1), None]
    assert len({p.sha256 for p in result.parts}) == 1


def test_gb18030_only_characters_survive() -> None:
    result = run("gb18030_only.csv")
    assert result.ok
    assert result.frames["schools"]["school_name"][0] == "䶮山小学"


def test_output_dtypes_match_the_store_types() -> None:
    sql_to_polars = {
        "VARCHAR": pl.String,
        "BOOLEAN": pl.Boolean,
        "BIGINT": pl.Int64,
        "DECIMAL(18,2)": pl.Decimal(18, 2),
        "DATE": pl.Date,
    }
    result = run("schools_utf8.csv", "party_orgs.csv", "leaders.csv", "quotas.csv", "rotations.csv")
    assert result.ok, format_report(result.report)
    for name, frame in result.frames.items():
        t = table(name)
        assert frame.columns == t.column_names
        assert [frame.schema[c.name] for c in t.columns] == [sql_to_polars[c.sql_type] for c in t.columns]


def test_full_width_brackets_and_spaces_in_headers(tmp_path: Path) -> None:
    matters = table("matters")
    header = [c.zh for c in matters.columns]
    header[header.index("金额（元）")] = "金额(元)"
    header[0] = "\u3000" + header[0][:2] + " " + header[0][2:]
    row = [
        "M01",
        "S001",
        "大额资金使用",
        "操场改造",
        "１,２３４.５",
        "2023年3月1日",
        "2023/3/2",
        "2023.3.3",
        "",
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, row])
    result = validate_files([("事项.csv", buffer.getvalue().encode("gbk")), *_files("schools_utf8.csv")])
    assert result.ok, format_report(result.report)
    got = result.frames["matters"].row(0, named=True)
    assert got["amount_yuan"] == Decimal("1234.50")
    assert (got["registered_on"], got["principal_meeting_on"], got["party_meeting_on"]) == (
        dt.date(2023, 3, 1),
        dt.date(2023, 3, 2),
        dt.date(2023, 3, 3),
    )
    assert got["implemented_on"] is None


def _files(*names: str) -> list[tuple[str, bytes]]:
    return [(n, (FILES / n).read_bytes()) for n in names]


# ---------------------------------------------------------------- one problem per file


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["err_unknown_table.csv"], [(K.UNKNOWN_TABLE, 1, None)]),
        (["err_encoding.csv"], [(K.ENCODING, 3, None)]),
        (["err_missing_column.csv"], [(K.MISSING_COLUMN, None, "学校名称")]),
        (["err_extra_column.csv"], [(K.EXTRA_COLUMN, None, "备注")]),
        (["err_empty_row.csv"], [(K.EMPTY_ROW, 3, None)]),
        (["err_required_empty.csv"], [(K.REQUIRED_EMPTY, 3, "所属乡镇街道")]),
        (["err_wrong_type.csv"], [(K.WRONG_TYPE, 4, "在校生数")]),
        (["err_wrong_bool.csv"], [(K.WRONG_TYPE, 2, "是否公办")]),
        (["err_enum.csv"], [(K.OUT_OF_RANGE, 2, "学段")]),
        (["err_negative.csv"], [(K.OUT_OF_RANGE, 3, "教职工数")]),
        (["err_date.csv"], [(K.BAD_FORMAT, 2, "章程修订日期")]),
        (["err_code.csv"], [(K.BAD_FORMAT, 3, "学校标识码")]),
        (["err_code_long.csv"], [(K.BAD_FORMAT, 4, "学校标识码")]),
        (["err_duplicate.csv"], [(K.DUPLICATE_KEY, 5, "学校标识码")]),
        (["err_duplicate_name.csv"], [(K.DUPLICATE_KEY, 4, "学校名称")]),
        (["schools_utf8.csv", "schools_more.csv"], [(K.DUPLICATE_KEY, 2, "学校标识码")]),
        (["schools_utf8.csv", "err_left_before.csv"], [(K.OUT_OF_RANGE, 3, "离任日期")]),
        (["schools_utf8.csv", "err_reference.csv"], [(K.MISSING_REFERENCE, 3, "学校标识码")]),
        (["schools_utf8.csv", "quotas.csv", "err_same_school.csv"], [(K.OUT_OF_RANGE, 3, "接收学校标识码")]),
        (
            ["schools_utf8.csv", "quotas.csv", "err_quota_reference.csv"],
            [(K.MISSING_REFERENCE, 2, "学年、派出学校标识码")],
        ),
        (["schools_utf8.csv", "err_school_year_gap.csv"], [(K.OUT_OF_RANGE, 2, "学年")]),
        (["schools_utf8.csv", "err_school_year_format.csv"], [(K.BAD_FORMAT, 3, "学年")]),
        (["schools_utf8.csv", "err_parent_org.csv"], [(K.MISSING_REFERENCE, 3, "上级党组织编码")]),
        (["offset.xlsx"], [(K.OUT_OF_RANGE, 4, "学段")]),
        (["empty.csv"], [(K.UNREADABLE, None, None)]),
        (["binary.csv"], [(K.UNREADABLE, None, None)]),
        (["truncated.xlsx"], [(K.UNREADABLE, None, None)]),
        (["not_a_zip.xlsx"], [(K.UNREADABLE, None, None)]),
        (["old.xls"], [(K.UNREADABLE, None, None)]),
        (["notes.docx"], [(K.UNREADABLE, None, None)]),
    ],
)
def test_each_problem_kind_is_reported_at_its_row_and_column(
    names: list[str], expected: list[tuple[ProblemKind, int | None, str | None]]
) -> None:
    result = run(*names)
    assert problems(result) == [(k.value, row, col) for k, row, col in expected], format_report(result.report)
    assert result.ok is all(k.is_warning for k, _, _ in expected)
    assert result.report.columns == list(REPORT_COLUMNS)
    assert result.report["说明"].str.len_chars().min() > 10  # a sentence, not a code


def test_problem_rows_carry_the_raw_value_and_a_chinese_fix() -> None:
    row = run("err_wrong_bool.csv").report.row(0, named=True)
    assert row == {
        "文件": "err_wrong_bool.csv",
        "工作表": "",
        "行号": 2,
        "列": "是否公办",
        "值": "公办",
        "问题类型": "类型错误",
        "级别": LEVEL_ERROR,
        "说明": "“是否公办”应填 是/否（也可填 Y/N、1/0、true/false），请改正后重新上传。",
    }


def test_cross_file_duplicate_names_the_first_file() -> None:
    row = run("schools_utf8.csv", "schools_more.csv").report.row(0, named=True)
    assert row["文件"] == "schools_more.csv"
    assert row["说明"].startswith("与“schools_utf8.csv”第 3 行重复")


def test_the_whole_report_never_stops_at_the_first_error() -> None:
    names = [
        "err_unknown_table.csv",
        "err_encoding.csv",
        "err_enum.csv",
        "err_school_year_gap.csv",
        "err_left_before.csv",
    ]
    result = run(*names)
    assert problems(result) == [
        ("无法识别的表", 1, None),
        ("编码错误", 3, None),
        ("取值不在范围", 2, "学段"),
        ("取值不在范围", 2, "学年"),
        ("取值不在范围", 3, "离任日期"),
    ]
    assert result.report["文件"].to_list() == names


def test_missing_column_is_reported_once_not_per_row() -> None:
    result = run("err_missing_column.csv")
    assert result.report.height == 1
    assert result.frames["schools"]["school_name"].null_count() == 3


def test_title_row_shifts_row_numbers(tmp_path: Path) -> None:
    text = (FILES / "schools_title_row.csv").read_bytes().decode("gbk").replace("\r\nS002,", "\r\nS 002,")
    result = validate_files([("标题.csv", text.encode("gbk"))])
    assert problems(result) == [("格式错误", 4, "学校标识码")]


def test_blank_lines_and_quoted_newlines_keep_excel_row_numbers() -> None:
    header = ",".join(c.zh for c in SCHOOLS.columns)
    lines = [
        header,
        'S001,"城关第一\n小学",小学,城关镇,城区,是,,1,1,是,',
        "",
        "S002,河西初级中学,初中,河西街道,镇区,否,,,,否,",
        "S003,山后村小,小学,山后乡,村里,是,,,,是,",
    ]
    result = validate_files([("学校.csv", "\n".join(lines).encode())])
    assert problems(result) == [("空行", 3, None), ("取值不在范围", 5, "城乡类型")]
    assert result.frames["schools"]["school_name"][0] == "城关第一\n小学"


def test_ten_thousand_rows_with_one_bad_cell_in_the_last_row(tmp_path: Path) -> None:
    path = tmp_path / "学校.csv"
    rows = [
        [f"S{i:05d}", f"学校{i}", "小学", "城关镇", "城区", "是", "", str(i), "1", "否", ""]
        for i in range(10_000)
    ]
    rows[-1][7] = "很多"
    with path.open("w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows([[c.zh for c in SCHOOLS.columns], *rows])
    result = validate_files([(path.name, path.read_bytes())])
    assert problems(result) == [("类型错误", 10_001, "在校生数")]
    assert result.report["值"].to_list() == ["很多"]
    assert result.parts[0].rows == 10_000


def test_table_override_by_chinese_or_english_name(tmp_path: Path) -> None:
    raw = (FILES / "quotas.csv").read_bytes()
    assert validate_files([("q.csv", raw)], table_override="轮岗基数").parts[0].table == "rotation_quotas"
    forced = validate_files([("q.csv", raw)], table_override="schools")
    assert forced.parts[0].table == "schools"
    assert {k for k, _, _ in problems(forced)} >= {"缺少列", "多余列"}


def test_unknown_override_is_a_usage_error() -> None:
    from oversight.contract.errors import UsageError

    with pytest.raises(UsageError, match="未知的表"):
        validate_files([], table_override="学生")


# ---------------------------------------------------------------- references against a real database


@pytest.fixture
def db_with_schools(tmp_path: Path):  # type: ignore[no-untyped-def]
    con = connection.connect(tmp_path / "ref.duckdb")
    loaded = run("schools_utf8.csv")
    ledger.load_batch(con, loaded.frames, loaded.file_records(), user="测试")
    yield con
    con.close()


def test_references_resolve_against_the_database(db_with_schools) -> None:  # type: ignore[no-untyped-def]
    assert run("leaders.csv", con=db_with_schools).ok
    assert problems(run("err_reference.csv", con=db_with_schools)) == [("引用不存在", 3, "学校标识码")]


def test_without_the_database_a_reference_must_be_in_the_batch() -> None:
    assert problems(run("leaders.csv")) == [("引用不存在", 2, "学校标识码"), ("引用不存在", 3, "学校标识码")]


def test_replace_mode_drops_the_database_rows_of_a_replaced_table(db_with_schools) -> None:  # type: ignore[no-untyped-def]
    only_s002 = [("学校.csv", (FILES / "schools_more.csv").read_bytes()), *_files("leaders.csv")]
    assert validate_files(only_s002, con=db_with_schools, mode="upsert").ok
    replaced = validate_files(only_s002, con=db_with_schools, mode="replace")
    assert problems(replaced) == [("引用不存在", 2, "学校标识码")]  # P001 points at S001, replaced away


def test_composite_reference_against_the_database(tmp_path: Path) -> None:
    con = connection.connect(tmp_path / "quota.duckdb")
    try:
        base = run("schools_utf8.csv", "quotas.csv")
        ledger.load_batch(con, base.frames, base.file_records(), user="测试")
        assert run("rotations.csv", con=con).ok
        assert problems(run("err_quota_reference.csv", con=con)) == [
            ("引用不存在", 2, "学年、派出学校标识码")
        ]
    finally:
        con.close()


def test_parent_org_in_the_same_file_is_fine() -> None:
    result = run("schools_utf8.csv", "party_orgs.csv")
    assert result.ok, format_report(result.report)


# ---------------------------------------------------------------- templates


def test_filled_workbook_template_keeps_its_hint_row_and_loads(tmp_path: Path) -> None:
    paths = write_templates(tmp_path)
    assert [p.name for p in paths] == [f"{t.zh}.csv" for t in TABLES] + [WORKBOOK_NAME]
    wb = openpyxl.load_workbook(tmp_path / WORKBOOK_NAME)
    assert wb.sheetnames == [t.zh for t in TABLES]
    ws = wb["学校"]
    assert ws["A1"].font.bold and ws["A2"].font.italic
    assert ws["A2"].value == SCHOOLS.columns[0].hint
    ws.append(
        ["S001", "城关第一小学", "小学", "城关镇", "城区", "是", None, 1200, 80, "是", dt.date(2023, 1, 5)]
    )
    ws.append(
        ["S002", "河西初级中学", "初中", "河西街道", "镇区", "否", "河西教育集团", None, None, "否", None]
    )
    ws.append(["S003", "山后村小", "小学", "山后乡", "乡村", "是", None, 45, 6, "是", dt.date(2022, 9, 1)])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = validate_files([(WORKBOOK_NAME, buffer.getvalue())])
    assert result.report.is_empty(), format_report(result.report)
    assert list(result.frames) == ["schools"]
    assert result.frames["schools"].equals(EXPECTED_SCHOOLS)
    assert [(p.table, p.rows) for p in result.parts][:2] == [("schools", 3), ("party_orgs", 0)]


def test_hint_row_rows_are_numbered_from_three(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(templates_xlsx_bytes()))
    wb["学校"].append(["S 1", "一小", "小学", "城关镇", "城区", "是", None, None, None, "否", None])
    buffer = io.BytesIO()
    wb.save(buffer)
    assert problems(validate_files([("t.xlsx", buffer.getvalue())])) == [("格式错误", 3, "学校标识码")]


@pytest.mark.parametrize("t", TABLES, ids=lambda t: t.name)
def test_csv_templates_are_recognised_as_their_table(t) -> None:  # type: ignore[no-untyped-def]
    raw = template_csv_bytes(t.name)
    assert raw.startswith(b"\xef\xbb\xbf")
    result = validate_files([(f"{t.zh}.csv", raw)])
    assert [(p.table, p.rows) for p in result.parts] == [(t.name, 0)]
    assert result.ok and result.frames == {}


# ---------------------------------------------------------------- report output


def _injection_report() -> pl.DataFrame:
    text = (
        ",".join(c.zh for c in SCHOOLS.columns) + "\r\n=HYPERLINK(1),一小,小学,城关镇,城区,@是,,-1,+2,否,\r\n"
    )
    return validate_files([("注入.csv", text.encode())]).report


def test_report_csv_is_bom_utf8_and_formula_safe() -> None:
    raw = report_to_csv(_injection_report())
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pl.read_csv(io.BytesIO(raw[3:]), infer_schema=False)
    assert back.columns == list(REPORT_COLUMNS)
    assert set(back["值"].to_list()) == {"'=HYPERLINK(1)", "'@是", "'-1"}


def test_report_xlsx_is_formula_safe_with_a_bold_header() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(report_to_xlsx(_injection_report()))).active
    assert [c.value for c in ws[1]] == list(REPORT_COLUMNS) and ws["A1"].font.bold
    values = {ws.cell(row=r, column=REPORT_COLUMNS.index("值") + 1).value for r in range(2, ws.max_row + 1)}
    assert values == {"'=HYPERLINK(1)", "'@是", "'-1"}
    assert all(
        ws.cell(row=r, column=c).data_type != "f" for r in range(1, ws.max_row + 1) for c in range(1, 9)
    )


def test_format_report_has_one_line_per_problem_and_a_summary() -> None:
    result = run("err_extra_column.csv", "err_school_year_gap.csv")
    lines = format_report(result.report).splitlines()
    assert len(lines) == result.report.height + 1
    assert lines[-1] == "校验未通过，本批数据不会写入：共 1 个错误、1 个警告。"
    assert lines[1].startswith(
        f"[{LEVEL_ERROR}] “err_school_year_gap.csv”第 2 行“学年”列 取值不在范围（值：2022-2024）"
    )
    assert lines[0].startswith(f"[{LEVEL_WARNING}]")


def test_replace_that_would_strand_database_rows_is_refused(tmp_path: Path) -> None:
    """Replacing 学校 without a school that 领导班子 rows in the database name would leave them dangling."""
    from oversight import demo
    from oversight.contract import schema
    from oversight.engine import connection, ledger
    from oversight.ingest import pipeline

    con = connection.connect(tmp_path / "d.duckdb")
    demo.load_demo(con, user="测试")
    schools = ledger.current(con, "schools").sort("school_code")
    kept = schools.head(schools.height - 1)
    dropped = schools["school_code"][-1]
    header = ",".join(c.zh for c in schema.table("schools").columns)
    lines = [header] + [
        ",".join("" if v is None else ("是" if v is True else "否" if v is False else str(v)) for v in row)
        for row in kept.iter_rows()
    ]
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    result = pipeline.load_files(con, [("学校.csv", raw)], user="测试", mode="replace")
    assert not result.ok and result.batch_id is None
    problems = result.validation.report.filter(pl.col("问题类型") == "引用不存在")
    assert problems.height >= 1
    assert any(dropped in (v or "") for v in problems["值"].to_list())
    assert "整表替换“学校”后" in problems["说明"][0]
    assert ledger.current(con, "schools").height == schools.height
    # the same file as an upsert is fine: nothing is removed
    assert pipeline.load_files(con, [("学校.csv", raw)], user="测试").ok
    con.close()


def test_unique_school_name_is_checked_against_the_database(tmp_path: Path) -> None:
    """A new school may not take the name another school already has in the database; a rename frees it."""
    from oversight import demo
    from oversight.contract import schema
    from oversight.engine import connection, ledger
    from oversight.ingest import pipeline

    con = connection.connect(tmp_path / "d.duckdb")
    demo.load_demo(con, user="测试")
    first = ledger.current(con, "schools").sort("school_code").row(0, named=True)
    header = ",".join(c.zh for c in schema.table("schools").columns if c.required)
    clash = f"{header}\nC777,{first['school_name']},小学,城关街道,城区,是,是\n".encode()
    result = pipeline.load_files(con, [("学校.csv", clash)], user="测试")
    assert not result.ok
    (problem,) = result.validation.report.filter(pl.col("问题类型") == "重复键").iter_rows(named=True)
    assert (problem["行号"], problem["列"], problem["值"]) == (2, "学校名称", first["school_name"])
    # renaming the old school in the same batch frees the name
    renamed = clash + f"{first['school_code']},改名后的学校,小学,城关街道,城区,是,是\n".encode()
    assert pipeline.load_files(con, [("学校.csv", renamed)], user="测试").ok
    con.close()


def test_small_files_checked_beside_a_large_one_give_the_same_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files under SIDE_FILE_SHARE of the batch are checked on a second thread; the report must not
    show it: files in the order they came, and a key repeated in a later, large file is named against
    the small file that had it first, although the small file may be checked after the large one."""
    header = (FILES / "schools_more.csv").read_text(encoding="utf-8").splitlines()[0]
    rows = [f"L{i:05d},大校{i},小学,城关镇,城区,是,,100,10,否," for i in range(4000)]
    rows[1234] = "S002,河西二中重名,初中,河西街道,镇区,否,,,,否,"  # repeats the small file's S002
    rows[3000] = "L03000,大校3000,大学,城关镇,城区,是,,100,10,否,"  # not a 学段
    large = ("\n".join([header, *rows]) + "\n").encode("utf-8")
    files = [
        *_files("err_enum.csv", "err_school_year_gap.csv"),
        ("large.csv", large),
        *_files("err_left_before.csv"),
    ]
    assert all(len(raw) < 0.05 * sum(len(r) for _, r in files) for name, raw in files if name != "large.csv")
    beside = validate_files(files)
    monkeypatch.setattr(batch, "SIDE_FILE_SHARE", 0.0)
    alone = validate_files(files)
    assert beside.report.equals(alone.report)
    assert problems(beside) == [
        ("取值不在范围", 2, "学段"),
        ("取值不在范围", 2, "学年"),
        ("重复键", 1236, "学校标识码"),  # data row 1234 is line 1236 (header on line 1)
        ("取值不在范围", 3002, "学段"),
        ("取值不在范围", 3, "离任日期"),
    ], format_report(beside.report)
    assert beside.report["文件"].to_list() == [
        "err_enum.csv",
        "err_school_year_gap.csv",
        "large.csv",
        "large.csv",
        "err_left_before.csv",
    ]
    assert beside.report.row(2, named=True)["说明"].startswith("与“err_enum.csv”第 3 行重复")
    for name, frame in beside.frames.items():
        assert frame.equals(alone.frames[name]), name
