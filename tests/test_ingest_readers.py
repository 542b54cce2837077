"""The file readers: encodings, delimiters, workbook layout and Excel row numbers (oversight.readers)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from oversight.contract.schema import TABLES, ProblemKind, table
from oversight.ingest.batch import validate_files
from oversight.ingest.readers import header_vocabulary, normalise_header, read_upload
from oversight.ingest.recognise import recognise_table

FILES = Path(__file__).parent / "files" / "ingest"
SCHOOL_HEADER = ",".join(c.zh for c in table("schools").columns)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("金额（元）", "金额(元)"),
        (" 学校\u3000标识码 ", "学校标识码"),
        ("SCHOOL_CODE", "school_code"),
        ("*学校名称", "学校名称"),
        ("金额\n（元）", "金额(元)"),
    ],
)
def test_header_matching_ignores_spaces_width_case_and_marks(a: str, b: str) -> None:
    assert normalise_header(a) == normalise_header(b)


@pytest.mark.parametrize("t", TABLES, ids=lambda t: t.name)
@pytest.mark.parametrize("english", [False, True])
def test_each_tables_own_header_is_recognised_as_it(t, english: bool) -> None:  # type: ignore[no-untyped-def]
    header = [c.name if english else c.zh for c in t.columns]
    assert recognise_table(list(reversed(header))) is t


def test_fewer_than_half_the_required_columns_is_not_a_table() -> None:
    schools = table("schools")
    required = [c.zh for c in schools.required_columns]
    half = (len(required) + 1) // 2  # 4 of 7
    assert recognise_table(required[:half]) is schools
    assert recognise_table(required[: half - 1]) is None


def test_fastexcel_leading_empty_rows_are_kept_for_row_numbers() -> None:
    outcome = read_upload("offset.xlsx", (FILES / "offset.xlsx").read_bytes())
    assert not outcome.problems
    [sheet] = outcome.sheets  # the hidden 下拉选项 sheet is not data
    assert (sheet.sheet, sheet.header_row) == ("学校", 3)
    assert sheet.row_numbers.to_list() == [4, 5, 6]
    assert sheet.data.row(0)[:3] == ("S001", "城关第一小学", "大学")


def test_merged_title_row_above_the_header() -> None:
    [schools, orgs] = read_upload("schools.xlsx", (FILES / "schools.xlsx").read_bytes()).sheets
    assert (schools.header_row, schools.row_numbers.to_list()) == (2, [3, 4, 5])
    assert schools.data.row(0)[-1] == "2023-01-05 00:00:00"  # a real Excel date cell, as text
    assert (orgs.header_row, orgs.row_numbers.to_list()) == (1, [2, 3])


def test_damaged_utf8_is_an_encoding_error_at_its_line_not_mojibake() -> None:
    text = SCHOOL_HEADER + "\r\nS001,城关第一小学,小学,城关镇,城区,是,,,,是,\r\n"
    raw = text.encode() + b"S002,\xe6\xb2,\r\n"
    outcome = read_upload("坏.csv", raw)
    assert [(p.kind, p.row) for p in outcome.problems] == [(ProblemKind.ENCODING, 3)]


def test_damaged_utf8_with_bom_is_an_encoding_error() -> None:
    raw = codecs.BOM_UTF8 + (SCHOOL_HEADER + "\r\n").encode() + b"S\xff01\r\n"
    assert [(p.kind, p.row) for p in read_upload("坏.csv", raw).problems] == [(ProblemKind.ENCODING, 2)]


@pytest.mark.parametrize("sep", [",", "\t", ";"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16"])
def test_delimiters_and_encodings(sep: str, encoding: str) -> None:
    text = (
        SCHOOL_HEADER.replace(",", sep)
        + "\r\n"
        + sep.join(["S001", "一小", "小学", "城关镇", "城区", "是"])
        + "\r\n"
    )
    [sheet] = read_upload("学校.csv", text.encode(encoding)).sheets
    assert sheet.header_row == 1
    assert sheet.data.row(0)[:6] == ("S001", "一小", "小学", "城关镇", "城区", "是")


def test_a_narrow_title_line_does_not_truncate_the_wide_header() -> None:
    raw = ("学校名单\n" + SCHOOL_HEADER + "\nS001,一小,小学,城关镇,城区,是,,,,否,\n").encode()
    [sheet] = read_upload("学校.csv", raw).sheets
    assert sheet.header_row == 2
    assert len(sheet.header) == len(table("schools").columns)
    assert sheet.row_numbers.to_list() == [3]


def test_trailing_empty_rows_and_columns_are_ignored() -> None:
    raw = (SCHOOL_HEADER + ",,\nS001,一小,小学,城关镇,城区,是,,,,否,,,\n,,,,,,,,,,,,\n\n,,,\n").encode()
    result = validate_files([("学校.csv", raw)])
    assert result.ok and result.report.is_empty()
    assert result.parts[0].rows == 1


def test_vocabulary_holds_both_languages() -> None:
    vocabulary = header_vocabulary()
    assert {"school_code", "学校标识码", "金额(元)"} <= vocabulary
