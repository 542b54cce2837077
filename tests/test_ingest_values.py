"""Property and example tests of the vectorised cell parsers (oversight.values)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oversight.contract.schema import DATE_FORMATS, FALSE_WORDS, TRUE_WORDS
from oversight.ingest import values

FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
SPACES = st.sampled_from(["", " ", "\u3000", "\u00a0", "\t", " \u3000 "])


def parse(parser, cells: list[str | None]) -> list[object]:  # type: ignore[no-untyped-def]
    """Run a parser over a real string column, as the validator does."""
    return (
        pl.DataFrame({"raw": cells}, schema={"raw": pl.String})
        .select(parser(pl.col("raw")))
        .to_series()
        .to_list()
    )


def layouts(d: dt.date) -> list[str]:
    """One date written every way SPEC accepts, plus the text Excel date cells arrive as."""
    return [
        d.strftime("%Y-%m-%d"),
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}.{d.month}.{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        d.strftime("%Y%m%d"),
        d.strftime("%Y-%m-%d 00:00:00"),
        f"{d.year}/{d.month}/{d.day} 0:00",
        d.strftime("%Y-%m-%d").translate(FULL_WIDTH),
    ]


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)), SPACES)
def test_dates_round_trip_in_every_layout(d: dt.date, pad: str) -> None:
    cells = [pad + text + pad for text in layouts(d)]
    assert parse(values.parse_date, cells) == [d] * len(cells)


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=dt.date(1927, 5, 18), max_value=dt.date(2119, 1, 10)))
def test_excel_serial_numbers_in_a_date_column_are_dates(d: dt.date) -> None:
    serial = (d - dt.date(1899, 12, 30)).days
    assert parse(values.parse_date, [str(serial), f"{serial}.0"]) == [d, d]


@pytest.mark.parametrize(
    "text",
    ["2023-02-30", "2023-13-01", "2023", "1905", "05/01/2023", "2023-01", "明年", "2023-01-05abc", "9999"],
)
def test_impossible_or_ambiguous_dates_are_null(text: str) -> None:
    assert parse(values.parse_date, [text]) == [None]


def test_every_schema_date_format_is_read() -> None:
    d = dt.datetime(2023, 1, 5)
    assert parse(values.parse_date, [d.strftime(f) for f in DATE_FORMATS]) == [d.date()] * len(DATE_FORMATS)


def _random_case(word: str, flips: list[bool]) -> str:
    return "".join(
        ch.upper() if flip else ch for ch, flip in zip(word, flips + [False] * len(word), strict=False)
    )


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(TRUE_WORDS + FALSE_WORDS), st.lists(st.booleans(), max_size=5), SPACES, st.booleans())
def test_booleans_in_any_case_and_width(word: str, flips: list[bool], pad: str, wide: bool) -> None:
    text = _random_case(word, flips)
    text = text.translate(FULL_WIDTH) if wide else text
    assert parse(values.parse_bool, [pad + text + pad]) == [word in TRUE_WORDS]


@pytest.mark.parametrize("text", ["是的", "yes!", "2", "真", "-1", "ok"])
def test_other_words_are_not_booleans(text: str) -> None:
    assert parse(values.parse_bool, [text]) == [None]


def _grouped(n: int) -> str:
    return f"{n:,}"


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=-(10**15), max_value=10**15), SPACES)
def test_ints_in_every_spelling(n: int, pad: str) -> None:
    cells = [str(n), f"{n}.0", str(n).translate(FULL_WIDTH), _grouped(n), _grouped(n).translate(FULL_WIDTH)]
    assert parse(values.parse_int, [pad + c + pad for c in cells]) == [n] * len(cells)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(min_value=1, max_value=99))
def test_fractions_are_not_ints(n: int, cents: int) -> None:
    assert parse(values.parse_int, [f"{n}.{cents:02d}"]) == [None]


@pytest.mark.parametrize("text", ["abc", "12.5", "1,2", "1e3", "12个", "", "   ", "\u3000"])
def test_not_ints(text: str) -> None:
    assert parse(values.parse_int, [text]) == [None]


@settings(max_examples=100, deadline=None)
@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_decimals_round_trip(amount: Decimal) -> None:
    cells = [str(amount), f"{amount:,}", str(amount).translate(FULL_WIDTH)]
    assert parse(values.parse_decimal, cells) == [amount] * len(cells)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3703.6800000000003", Decimal("3703.68")),
        ("1e3", Decimal("1000.00")),
        ("１,２３４.５", Decimal("1234.50")),
    ],
)
def test_decimals_from_excel_floats(text: str, expected: Decimal) -> None:
    assert parse(values.parse_decimal, [text]) == [expected]


DASHES = st.sampled_from(["-", "－", "—", "～", "~", " - "])


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1900, max_value=2998), DASHES, st.booleans(), SPACES)
def test_school_years(first: int, dash: str, wide: bool, pad: str) -> None:
    text = f"{first}{dash}{first + 1}"
    text = text.translate(FULL_WIDTH) if wide else text
    frame = pl.DataFrame({"raw": [pad + text + pad]}).select(year=values.parse_school_year(pl.col("raw")))
    checked = frame.with_columns(ok=values.school_year_consecutive(pl.col("year")))
    assert checked.row(0) == (f"{first}-{first + 1}", True)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1900, max_value=2990), st.integers(min_value=2, max_value=8))
def test_school_years_must_be_consecutive(first: int, gap: int) -> None:
    frame = pl.DataFrame({"raw": [f"{first}-{first + gap}", f"{first}-{first}"]})
    checked = frame.select(values.school_year_consecutive(values.parse_school_year(pl.col("raw"))))
    assert checked.to_series().to_list() == [False, False]


@pytest.mark.parametrize("text", ["2022", "22-23", "2022-23", "2022学年度", "二〇二二-二〇二三"])
def test_school_year_format_errors(text: str) -> None:
    assert parse(values.parse_school_year, [text]) == [None]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_no_parser_raises_on_any_text(text: str) -> None:
    for parser in (
        values.parse_int,
        values.parse_decimal,
        values.parse_bool,
        values.parse_date,
        values.parse_school_year,
        values.parse_code,
        values.clean_text,
    ):
        assert len(parse(parser, [text, None])) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [("\u3000S001\u00a0", "S001"), ("Ｓ００１", "S001"), ("  ", None), ("\ufeffS1", "S1")],
)
def test_codes_are_trimmed_and_folded(text: str, expected: str | None) -> None:
    assert parse(values.parse_code, [text]) == [expected]


def test_free_text_keeps_its_full_width_brackets() -> None:
    assert parse(values.clean_text, ["\u3000河西（二）小学 "]) == ["河西（二）小学"]


def fast_then_patched(column_type: str, cells: list[str | None], *, identifier: bool = False) -> list[object]:
    """What the validator computes: the fast parse, with its suspect cells parsed again in full."""
    frame = pl.DataFrame({"clean": cells}, schema={"clean": pl.String})
    fast = frame.select(values.parse_fast(column_type, pl.col("clean"), identifier=identifier)).to_series()
    check = values.parse_suspects(column_type, pl.col("clean"), pl.lit(fast), identifier=identifier)
    if check is None:
        return fast.to_list()
    suspects = frame.select(check).to_series()
    clean = frame.get_column("clean")
    return values.parse_patched(column_type, clean, fast, suspects, identifier=identifier).to_list()


#: the characters numbers, dates and codes are written with, in both widths, and a few that break them
NUMBERISH = st.text(
    alphabet="0123456789０１２３４５６７８９.,+-eE:/年月日 TＴabc－．，",
    max_size=14,
)


@settings(max_examples=400, deadline=None)
@given(st.lists(NUMBERISH, min_size=1, max_size=8))
def test_fast_parse_with_suspects_equals_the_full_parser(cells: list[str]) -> None:
    """The validator's shortcut (fast parse, suspects parsed again) must give what the full parser gives."""
    cleaned = parse(values.clean_text, cells)
    for column_type in ("int", "decimal", "date", "bool", "school_year", "code", "text"):
        identifier = column_type == "code"
        full = parse(lambda c, t=column_type, i=identifier: values.parse_as(t, c, identifier=i), cleaned)
        assert fast_then_patched(column_type, cleaned, identifier=identifier) == full, column_type


@pytest.mark.parametrize(
    "amount",
    [
        "12",
        "12.",
        "12.3",
        "12.34",
        "12.345",
        "-0.5",
        "-0",
        "007.10",
        ".5",
        "1234567890123456.99",
        "12345678901234567.99",
        "1e3",
        "1E30",
        "1,234.50",
        "+5",
        "１２.５",
        "12.3.4",
        "-",
        ".",
    ],
)
def test_fast_decimal_matches_the_full_parser(amount: str) -> None:
    assert fast_then_patched("decimal", [amount]) == parse(values.parse_decimal, [amount])
