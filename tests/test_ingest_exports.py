"""Real exports from Excel and WPS (issue 12): tests/files/exports/, written by tests/files/make_export_files.py.

Each file is one way a school office's file differs from the contract's own examples. A value is either
loaded exactly as the person meant it, or refused with a message naming file, sheet, row and column; a
refused batch writes nothing; whatever reading decided (an apostrophe removed, a footer skipped, a header
read through its unit, a file read by its content) is a warning in the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from reliability import fingerprint

from oversight import cli
from oversight.contract.schema import LEVEL_ERROR, LEVEL_WARNING, ProblemKind, table
from oversight.engine import connection, ledger
from oversight.ingest import pipeline
from oversight.ingest.batch import BatchResult, validate_files
from oversight.ingest.problems import format_report
from oversight.ingest.readers import read_upload, sniff_content

EXPORTS = Path(__file__).parent / "files" / "exports"
BASE = ("学校.csv", "党组织.csv")
K = ProblemKind
SCHOOLS = table("schools")

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


def files(*names: str) -> list[tuple[str, bytes]]:
    return [(n, (EXPORTS / n).read_bytes()) for n in names]


def validate(*names: str) -> BatchResult:
    return validate_files(files(*names))


def report(
    result: BatchResult, level: str | None = None
) -> list[tuple[str, int | None, str | None, str | None]]:
    """(kind, row, column, value) of each report line, of one level when given."""
    rows = result.report if level is None else result.report.filter(pl.col("级别") == level)
    return [(r["问题类型"], r["行号"], r["列"], r["值"]) for r in rows.iter_rows(named=True)]


def messages(result: BatchResult) -> list[str]:
    return result.report.get_column("说明").to_list()


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A database holding the fixtures' schools and party organisations."""
    con = connection.connect(tmp_path / "exports.duckdb")
    base = pipeline.load_files(con, files(*BASE), user="基础数据")
    assert base.ok and base.batch_id == 1, format_report(base.validation.report)  # type: ignore[union-attr]
    yield con
    con.close()


def refused(con: duckdb.DuckDBPyConnection, *names: str) -> BatchResult:
    """Load through the upload pipeline: refused, and nothing written anywhere."""
    before = fingerprint(con)
    result = pipeline.load_files(con, files(*names), user="分析员")
    assert not result.ok and result.batch_id is None
    assert fingerprint(con) == before
    assert result.validation is not None
    return result.validation


def loaded(con: duckdb.DuckDBPyConnection, *names: str) -> BatchResult:
    result = pipeline.load_files(con, files(*names), user="分析员")
    assert result.validation is not None
    assert result.ok and result.batch_id is not None, format_report(result.validation.report)
    return result.validation


def current(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    t = table(name)
    return ledger.current(con, name).select(t.column_names).sort(t.column_names[0])


# ---------------------------------------------------------------- loaded silently wrong before: now refused


def test_excel_error_in_an_optional_cell_is_refused_not_read_as_empty(con: duckdb.DuckDBPyConnection) -> None:
    """A 离任日期 of #VALUE! used to load as empty: the person was 'still in post'."""
    result = refused(con, "error_optional.xlsx")
    assert report(result) == [("格式错误", 3, "离任日期", "#VALUE!")]
    assert result.report.get_column("工作表").to_list() == ["领导班子"]
    assert "Excel 的错误值 #VALUE!" in messages(result)[0]


def test_excel_na_in_a_required_reference_is_named_as_the_error(con: duckdb.DuckDBPyConnection) -> None:
    """#N/A from a VLOOKUP: one 格式错误 naming it, not 必填为空 (nor a missing reference)."""
    result = refused(con, "error_required.xlsx")
    assert report(result) == [("格式错误", 2, "学校标识码", "#N/A")]
    assert "#N/A" in messages(result)[0] and "VLOOKUP" in messages(result)[0]


def test_excel_errors_saved_into_a_csv_are_refused(con: duckdb.DuckDBPyConnection) -> None:
    """A CSV saved from Excel holds an error cell's text, and #### for a column too narrow for its dates."""
    result = refused(con, "error_text.csv")
    assert report(result) == [("格式错误", 3, "参会人数", "#DIV/0!"), ("格式错误", 4, "日期", "########")]
    assert "加宽" in messages(result)[1]


def test_excel_error_in_a_legacy_xls_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    result = refused(con, "legacy_error.xls")
    assert report(result) == [("格式错误", 3, "离任日期", "#N/A")]


def test_two_digit_and_implausible_years_are_refused_with_the_fix(con: duckdb.DuckDBPyConnection) -> None:
    """23.9.6 used to load as the year 23, and those meetings dropped out of 2023."""
    result = refused(con, "two_digit_year.csv")
    assert report(result) == [("格式错误", 2, "日期", "23.9.6"), ("格式错误", 4, "日期", "1900-01-01")]
    two_digit, out_of_range = messages(result)
    assert "四位数年份" in two_digit and "2023-09-06" in two_digit
    assert "1949" in out_of_range and "2100" in out_of_range


def test_an_id_excel_turned_into_scientific_notation_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    result = refused(con, "id_scientific.csv")
    assert report(result) == [("格式错误", 2, "人员编号", "4.20106E+17")]
    assert "科学计数法" in messages(result)[0] and "设为文本" in messages(result)[0]


def test_an_18_digit_id_in_a_number_cell_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    """Excel keeps 15 digits of a number: the ID's last digits are gone, so different people collide."""
    result = refused(con, "id_number_long.xlsx")
    assert report(result) == [("格式错误", 3, "人员编号", "4.20106198001011E+17")]
    assert "丢失了末几位" in messages(result)[0]


def test_ids_typed_as_text_or_short_numbers_load_exactly(con: duckdb.DuckDBPyConnection) -> None:
    """An 18-digit ID in a text cell keeps every digit; a short ID in a Number cell has no '.0'."""
    result = loaded(con, "id_number_ok.xlsx")
    assert result.report.is_empty(), format_report(result.report)
    assert current(con, "leaders").get_column("person_id").to_list() == [
        "31207",
        "420106198001011234",
        "P003",
    ]


def test_a_leading_apostrophe_is_excels_text_marker_not_part_of_the_id(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """'0031207 used to be stored with its apostrophe, so next year's file without it made a second teacher."""
    result = loaded(con, "id_apostrophe.csv")
    assert report(result, LEVEL_WARNING) == [("格式错误", 2, "人员编号", "'0031207")]
    assert "撇号" in messages(result)[0] and "“0031207”" in messages(result)[0]
    assert "0031207" in current(con, "leaders").get_column("person_id").to_list()
    again = loaded(con, "id_plain.csv")
    assert again.report.is_empty()
    assert current(con, "leaders").height == 3


def test_a_header_with_its_own_unit_is_matched_with_a_warning(con: duckdb.DuckDBPyConnection) -> None:
    """在校生数（人） used to be dropped as an extra column, and the counts loaded empty."""
    result = validate("header_units.csv")
    assert result.ok
    assert report(result) == [
        ("格式错误", None, "在校生数（人）", None),
        ("格式错误", None, "教职工数(名)", None),
    ]
    assert set(result.report.get_column("级别")) == {LEVEL_WARNING}
    assert result.frames["schools"].equals(EXPECTED_SCHOOLS)


def test_a_header_in_another_unit_is_refused_naming_both_units(con: duckdb.DuckDBPyConnection) -> None:
    result = refused(con, "header_unit_mismatch.csv")
    assert report(result) == [("格式错误", None, "金额（万元）", None)]
    assert "“万元”" in messages(result)[0] and "“元”" in messages(result)[0]


# ---------------------------------------------------------------- crashed before


def test_cr_only_line_ends_are_read(con: duckdb.DuckDBPyConnection) -> None:
    result = validate("cr_only.csv")
    assert result.ok and result.report.is_empty(), format_report(result.report)
    assert result.frames["schools"].equals(EXPECTED_SCHOOLS)


# ---------------------------------------------------------------- refused before although they should load


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("workbook_named.csv", "Excel 工作簿（.xlsx）"),
        ("csv_named.xlsx", "文本（CSV 表格）"),
        ("tsv_named.xls", "文本（CSV 表格）"),
        ("unicode_text_named.xls", "文本（CSV 表格）"),
    ],
)
def test_a_file_is_read_by_what_it_holds_not_by_its_name(name: str, said: str) -> None:
    result = validate(name)
    assert result.ok and result.frames["schools"].equals(EXPECTED_SCHOOLS)
    assert report(result) == [("格式错误", None, None, None)]
    assert result.report.get_column("级别").to_list() == [LEVEL_WARNING]
    assert said in messages(result)[0] and "扩展名" in messages(result)[0]


def test_content_sniffing() -> None:
    assert [
        sniff_content((EXPORTS / n).read_bytes())
        for n in ("workbook_named.csv", "legacy.xls", "html_saved.xls")
    ] == [
        "xlsx",
        "xls",
        "html",
    ]
    assert sniff_content(b"\xef\xbb\xbf\xe5\xad\xa6\xe6\xa0\xa1") == "text"


def test_tab_separated_cells_holding_commas(con: duckdb.DuckDBPyConnection) -> None:
    """Comma gives more fields but no header: the separator is the one that gives a recognised header."""
    result = loaded(con, "tab_commas.csv")
    assert result.report.is_empty()
    topics = current(con, "meetings").get_column("topic").to_list()
    assert topics == ["学习贯彻党的二十大精神,交流心得,形成决议", "书记讲党课：守初心,担使命", None]


@pytest.mark.parametrize(
    ("name", "skipped"),
    [
        ("footer_rows.xlsx", [("空行", 5, None, "合计"), ("空行", 7, None, "填表人：张三")]),
        ("footer_rows.csv", [("空行", 5, None, "小 计："), ("空行", 6, None, "填表人:张三  审核人:李四")]),
    ],
)
def test_total_and_signature_rows_under_the_data_are_skipped_with_a_warning(
    name: str, skipped: list[tuple[str, int, None, str]]
) -> None:
    result = validate(name)
    assert result.ok, format_report(result.report)
    assert report(result) == skipped
    assert result.report.get_column("级别").to_list() == [LEVEL_WARNING] * len(skipped)
    assert result.frames["schools"].equals(EXPECTED_SCHOOLS)


def test_a_subtotal_inside_the_data_is_not_skipped() -> None:
    """Only the bottom edge is unmistakable: a 小计 row between schools is reported, not dropped."""
    result = validate("subtotal_inside.csv")
    assert ("格式错误", 3, "学校标识码", "小计") in report(result, LEVEL_ERROR)


def test_a_two_row_header_with_merged_group_cells_is_one_header() -> None:
    result = validate("two_row_header.xlsx")
    assert result.ok, format_report(result.report)
    assert report(result) == [("格式错误", 2, None, None)]
    assert "两行" in messages(result)[0]
    assert result.frames["schools"].equals(EXPECTED_SCHOOLS)
    assert [(p.sheet, p.rows) for p in result.parts] == [("学校基本情况", 3)]


def test_headers_marked_as_required_are_matched_with_a_warning() -> None:
    result = validate("header_marks.csv")
    assert result.ok and result.frames["schools"].equals(EXPECTED_SCHOOLS)
    assert [column for _, _, column, _ in report(result, LEVEL_WARNING)] == [
        "学校标识码（必填）",
        "学校名称*",
        "*学段",
        "所属乡镇街道(必填)",
    ]


def test_headers_with_a_note_in_brackets_are_matched_and_an_exact_header_wins() -> None:
    result = validate("header_notes.csv")
    assert result.ok and result.frames["schools"].equals(EXPECTED_SCHOOLS)
    assert report(result) == [
        ("格式错误", None, "是否公办（是/否）", None),
        ("格式错误", None, "章程修订日期（格式：2023-01-05）", None),
        ("多余列", None, "学校名称（旧）", None),
    ]
    assert "“是/否”是说明文字" in messages(result)[0]
    assert "已有“学校名称”列" in messages(result)[2]
    assert set(result.report.get_column("级别")) == {LEVEL_WARNING}


def test_an_old_templates_notes_row_is_skipped_with_a_warning() -> None:
    result = validate("old_template_notes.xlsx")
    assert result.ok and result.frames["schools"].equals(EXPECTED_SCHOOLS)
    assert report(result) == [("空行", 2, None, "必填")]


def test_an_instruction_sheet_is_skipped_with_a_warning() -> None:
    result = validate("instructions_sheet.xlsx")
    assert result.ok and result.frames["schools"].equals(EXPECTED_SCHOOLS)
    assert report(result) == [("无法识别的表", None, None, None)]
    assert result.report.get_column("工作表").to_list() == ["填表说明"]
    assert result.report.get_column("级别").to_list() == [LEVEL_WARNING]


def test_a_legacy_xls_workbook_loads(con: duckdb.DuckDBPyConnection) -> None:
    result = loaded(con, "legacy.xls")
    assert result.report.is_empty(), format_report(result.report)
    assert result.frames["schools"].equals(EXPECTED_SCHOOLS)


def test_an_html_page_saved_as_xls_says_how_to_resave_it() -> None:
    outcome = read_upload("html_saved.xls", (EXPORTS / "html_saved.xls").read_bytes())
    [problem] = outcome.problems
    assert problem.kind == K.UNREADABLE and "网页" in problem.message and "另存为" in problem.message


# ---------------------------------------------------------------- every file through the command line


@pytest.mark.parametrize("path", sorted(EXPORTS.iterdir()), ids=lambda p: p.name)
def test_every_export_through_the_command_line(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`oversight validate` with the base files: exit 0 or 1, a Chinese report, never an internal error."""
    names = [str(EXPORTS / n) for n in BASE if n != path.name]
    code = cli.main(["validate", str(path), *names, "--db", str(tmp_path / "empty.duckdb")])
    out, err = capsys.readouterr()
    assert code in (0, 1)
    assert "Traceback" not in out + err and "程序内部错误" not in out + err
    assert "校验" in out
