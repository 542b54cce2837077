"""Vectorised cell parsers: polars expressions that turn raw text cells into typed values.

Every parser takes an expression over a string column and returns the parsed value, or null when the
cell is empty or cannot be read. The validator flags "non-empty raw, null parsed" as a type or format
error, so a parser never raises and never guesses: a value it is unsure about comes back null.

Schools type their spreadsheets with Chinese input methods, so cells carry full-width digits and
punctuation (２０２３－０１－０５, １２, （）), ideographic spaces (U+3000) and no-break spaces copied
from web pages. Those are folded to their ASCII forms (Unicode NFKC) before numbers, dates, codes and
booleans are read. Free text (names, titles) is only trimmed: its full-width brackets are the user's
own writing.

Each parser is a whole-column function (`map_batches`, never per row) made of plain Series steps.
Written as one nested expression instead, every `when/then` repeats its input's whole computation and
a 3,000,000-row column took 30 s to parse as dates; as staged Series steps it takes well under 1 s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from oversight.contract.schema import DATE_FORMATS, EXCEL_ERRORS, FALSE_WORDS, TRUE_WORDS

#: Characters trimmed from both ends of every cell: ASCII whitespace, no-break space, ideographic space,
#: the thin/figure spaces word processors insert, zero-width space and a stray byte-order mark.
TRIM_CHARS = (
    " \t\r\n\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u200b\u202f\u205f\u3000\ufeff"
)

#: The bytes some TRIM_CHARS character's UTF-8 form starts (ends) with.
_TRIM_FIRST_BYTES = sorted({c.encode()[0] for c in TRIM_CHARS})
_TRIM_LAST_BYTES = sorted({c.encode()[-1] for c in TRIM_CHARS})
#: ... and with the first bytes of what the cell checks look for besides: Excel's error values (#N/A)
#: and its text marker (a leading apostrophe, '0031207)
_MARKED_FIRST_BYTES = sorted({*_TRIM_FIRST_BYTES, ord("#"), ord("'")})

#: Excel's error values as cell text; a cell of nothing but # is a value Excel showed as #### (column
#: too narrow) and wrote so into a CSV
EXCEL_ERROR_VALUES = tuple(EXCEL_ERRORS)
_HASHES = r"^#{2,}$"

#: Excel's day zero (serial 1 = 1900-01-01, counting the 1900-02-29 that never was).
EXCEL_EPOCH = date(1899, 12, 30)
#: Serial numbers read as dates: 10000 = 1927-05-18, 80000 = 2119-01-10. A bare year such as 2023 or a
#: count typed into a date column is not silently turned into a date in 1905.
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 10_000, 80_000
_DAYS_1899_TO_1970 = (date(1970, 1, 1) - EXCEL_EPOCH).days

#: Dashes and tildes people put between the two years of a school year.
SCHOOL_YEAR_DASHES = ("－", "—", "–", "―", "−", "～", "~", "至", "/")

CODE_PATTERN = r"^[A-Za-z0-9-]+$"
#: an ID Excel turned into scientific notation (4.20106E+17): the digits after the 15th are gone. Excel
#: (and Python, and WPS) write the exponent with two digits, E+06 too, so the '+' is the third byte
#: from the end (parse_suspects reads just that byte).
_SCIENTIFIC_ID = r"^[0-9]+(\.[0-9]+)?[eE]\+[0-9]{2}$"
_PLUS = ord("+")
_INT_PATTERN = r"^[+-]?\d+(\.0*)?$"
_DECIMAL_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
#: what the fast path reads by itself: at most 16 digits before the point and 2 after (Decimal(18, 2))
_PLAIN_DECIMAL_PATTERN = r"^-?[0-9]{1,16}(\.[0-9]{0,2})?$"  # [0-9]: \d would take full-width digits
_THOUSANDS_PATTERN = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"
_TIME_SUFFIX = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$"
_SCHOOL_YEAR_PATTERN = r"^(\d{4})-(\d{4})$"

SeriesFn = Callable[[pl.Series], pl.Series]


def _where(mask: pl.Series, value: pl.Series, otherwise: pl.Series | None = None) -> pl.Series:
    """value where mask holds, else `otherwise` (null when not given); each input computed once."""
    chosen = pl.when(mask.fill_null(False)).then(value)
    if otherwise is not None:
        chosen = chosen.otherwise(otherwise)
    return pl.select(chosen.alias(value.name)).to_series()


def _expr(fn: SeriesFn, dtype: pl.DataType) -> Callable[[pl.Expr], pl.Expr]:
    """Lift a whole-column Series function to an expression over one string column."""

    def parser(raw: pl.Expr) -> pl.Expr:
        return raw.cast(pl.String).map_batches(fn, return_dtype=dtype, is_elementwise=True)

    parser.__doc__ = fn.__doc__
    parser.__name__ = fn.__name__.removesuffix("_series")
    return parser


# ---------------------------------------------------------------- Series steps


def _trim_series(raw: pl.Series) -> pl.Series:
    trimmed = raw.str.strip_chars(TRIM_CHARS)
    return _where(trimmed.str.len_bytes() > 0, trimmed)


def may_need_trim(raw: pl.Expr, *, marks: bool = False) -> pl.Expr:
    """Cells that are empty or start or end with a byte some TRIM_CHARS character starts or ends with.

    A superset of the cells trimming changes, found from two bytes per cell: three times cheaper than
    trimming every cell, and a column where no cell qualifies is passed on as it is, without a copy.
    With `marks`, also the cells starting with '#' or an apostrophe (`clean_marked_at`), at no extra cost.
    """
    binary = raw.cast(pl.Binary)
    # is_in over the byte values, not a gather from a 256-entry table: a third cheaper (province: -0.1 s)
    first = binary.bin.get(0, null_on_oob=True).is_in(_MARKED_FIRST_BYTES if marks else _TRIM_FIRST_BYTES)
    last = binary.bin.get(-1, null_on_oob=True).is_in(_TRIM_LAST_BYTES)
    return (first | last).fill_null(True) & raw.is_not_null()


def excel_error(text: pl.Series) -> pl.Series:
    """Trimmed cells that are one of Excel's error values (#N/A, #VALUE! ...) or a #### display."""
    return (text.is_in(EXCEL_ERROR_VALUES) | text.str.contains(_HASHES)).fill_null(False)


def clean_marked_at(
    raw: pl.Series, candidates: pl.Series, *, strip_apostrophe: bool
) -> tuple[pl.Series, pl.Series, pl.Series]:
    """`clean_text_at` that also takes out what Excel put in a cell: returns the cleaned column, the
    positions of Excel error values (left null in it: the checks report them by name) and the positions
    whose leading apostrophe was removed (`strip_apostrophe`: Excel's text marker, not part of an ID).

    `candidates` is `may_need_trim(..., marks=True)`: only those cells are looked at.
    """
    none = pl.Series("positions", [], pl.UInt32)
    if not candidates.any():
        return raw, none, none
    positions = candidates.arg_true()
    cells = raw.gather(positions)
    trimmed = _trim_series(cells)
    errors = trimmed.str.starts_with("#").fill_null(False)  # a prefix test first: most candidates are not
    if errors.any():
        errors = errors & excel_error(trimmed)
    marked = none
    if strip_apostrophe:
        quoted = trimmed.str.starts_with("'").fill_null(False)
        if quoted.any():
            trimmed = _where(quoted, _trim_series(trimmed.str.slice(1)), trimmed)
            marked = positions.filter(quoted)
    if errors.any():
        trimmed = _where(~errors, trimmed)
    else:
        errors = None
    changed = (trimmed != cells).fill_null(True)
    error_positions = none if errors is None else positions.filter(errors)
    if not changed.any():
        return raw, error_positions, marked
    return raw.clone().scatter(positions.filter(changed), trimmed.filter(changed)), error_positions, marked


def clean_text_at(raw: pl.Series, candidates: pl.Series) -> pl.Series:
    """`clean_text_series` given a superset of the cells it may change (`may_need_trim`).

    Only those cells are trimmed, and only the ones trimming changes are written back: most cells of a
    machine export are clean already, and an untouched column is returned as it is, sharing its memory
    with the raw one instead of being a second copy.
    """
    if not candidates.any():
        return raw
    positions = candidates.arg_true()
    cells = raw.gather(positions)
    trimmed = _trim_series(cells)
    changed = (trimmed != cells).fill_null(True)
    if not changed.any():
        return raw
    return raw.clone().scatter(positions.filter(changed), trimmed.filter(changed))


def clean_text_series(raw: pl.Series) -> pl.Series:
    """Trimmed text, null when nothing but spaces is left (an empty cell, whatever it looked like)."""
    return clean_text_at(raw, pl.select(may_need_trim(pl.lit(raw))).to_series())


def _patch(result: pl.Series, text: pl.Series, parse: SeriesFn) -> pl.Series:
    """Run `parse` only on the filled cells `result` could not read yet, and write its answers back."""
    positions = (result.is_null() & text.is_not_null()).arg_true()
    if positions.is_empty():
        return result
    return result.clone().scatter(positions, parse(text.gather(positions)).cast(result.dtype))


def fold_width_series(text: pl.Series) -> pl.Series:
    """Full-width digits, letters and punctuation to ASCII (NFKC), only on the cells that are not ASCII.

    NFKC costs ~0.15 µs a cell; a machine export is nearly all ASCII, so most columns skip it entirely.
    The folded cells are trimmed again, since NFKC turns some inner spaces into plain ones.
    """
    wide = (text.str.len_bytes() != text.str.len_chars()).arg_true()
    if wide.is_empty():
        return text
    folded = clean_text_series(text.gather(wide).str.normalize("NFKC"))
    return text.clone().scatter(wide, folded)


def clean_folded_series(raw: pl.Series) -> pl.Series:
    """Trim, then fold full-width forms to ASCII."""
    return fold_width_series(clean_text_series(raw))


def _bool_from_clean(text: pl.Series) -> pl.Series:
    word = fold_width_series(text).str.to_lowercase()
    yes, no = word.is_in(list(TRUE_WORDS)), word.is_in(list(FALSE_WORDS))
    return pl.select(
        pl.when(yes).then(True).when(no).then(False).otherwise(None).cast(pl.Boolean)
    ).to_series()


def _number_text(text: pl.Series) -> pl.Series:
    """Text with thousands commas removed (only where they really group thousands: 1,2 stays)."""
    grouped = text.str.contains(_THOUSANDS_PATTERN).fill_null(False)
    if grouped.any():
        text = _where(grouped, text.str.replace_all(",", "", literal=True), text)
    return text.str.strip_prefix("+")


def _int_spelled(text: pl.Series) -> pl.Series:
    text = _number_text(text)
    whole = text.str.replace(r"\.0*$", "").cast(pl.Int64, strict=False)
    return _where(text.str.contains(_INT_PATTERN), whole)


def _int_from_clean(text: pl.Series) -> pl.Series:
    """Plain digits go through a direct cast; only the rest (12.0, 1,234, １２) takes the regex path."""
    text = fold_width_series(text)
    return _patch(text.cast(pl.Int64, strict=False), text, _int_spelled)


def _decimal_from_clean(text: pl.Series) -> pl.Series:
    text = _number_text(fold_width_series(text))
    text = _where(text.str.contains(_DECIMAL_PATTERN), text)
    value = text.cast(pl.Decimal(38, 10), strict=False)
    scientific = text.str.contains(r"[eE]").fill_null(False)
    if scientific.any():
        # a float beyond Decimal(38, 10) makes polars raise instead of giving null; such an amount is
        # out of any range anyway, so it is left unread (a 类型错误) rather than cast
        as_float = text.cast(pl.Float64, strict=False)
        as_float = _where(as_float.abs() < 1e27, as_float)
        value = _where(scientific, as_float.cast(pl.Decimal(38, 10), strict=False), value)
    return value.round(2).cast(pl.Decimal(18, 2), strict=False)


def _excel_serial_date(text: pl.Series) -> pl.Series:
    """45000 -> 2023-03-15: a date column whose Excel cell was formatted as a plain number."""
    serial = text.str.extract(r"^(\d{5})(?:\.\d+)?$", 1).cast(pl.Int64, strict=False)
    days = _where(serial.is_between(EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX), serial - _DAYS_1899_TO_1970)
    return days.cast(pl.Int32).cast(pl.Date)


def _without_time(text: pl.Series) -> pl.Series:
    """The text without a trailing time of day; a column with no ':' anywhere has none to remove."""
    if not text.str.contains(":", literal=True).any():
        return text
    return text.str.replace(_TIME_SUFFIX, "")


def _date_layout(fmt: str, text: pl.Series, bare: pl.Series) -> pl.Series:
    """One layout over all cells: layouts with a time read the whole text, the others the date part."""
    if "%H" in fmt:
        return text.str.strptime(pl.Datetime("us"), fmt, strict=False).dt.date()
    return bare.str.strptime(pl.Date, fmt, strict=False)


def _date_from_clean(text: pl.Series) -> pl.Series:
    """Each layout is tried only on the filled cells no earlier layout could read.

    The first layout reads every cell directly (most cells are in it), and the time suffix is cut once
    for the whole column rather than again for every layout.
    """
    text = fold_width_series(text)
    bare = _without_time(text)
    first, *others = DATE_FORMATS
    result = _date_layout(first, text, bare)
    for fmt in others:
        positions = (result.is_null() & text.is_not_null()).arg_true()
        if positions.is_empty():
            break
        parsed = _date_layout(fmt, text.gather(positions), bare.gather(positions))
        result = result.clone().scatter(positions, parsed)
    return _patch(result, text, _excel_serial_date)


def _school_year_from_clean(text: pl.Series) -> pl.Series:
    text = fold_width_series(text).str.replace(r"学年$", "")
    dashed = text.str.replace_many(list(SCHOOL_YEAR_DASHES), ["-"] * len(SCHOOL_YEAR_DASHES))
    compact = dashed.str.replace_all(r"\s+", "")
    return _where(compact.str.contains(_SCHOOL_YEAR_PATTERN), compact)


def _from_raw(fn: SeriesFn, doc: str) -> SeriesFn:
    def parse(raw: pl.Series) -> pl.Series:
        return fn(clean_text_series(raw))

    parse.__doc__ = doc
    return parse


def _code_from_clean(text: pl.Series) -> pl.Series:
    folded = fold_width_series(text)
    return _where(~folded.str.contains(_SCIENTIFIC_ID).fill_null(False), folded)


code_series = _from_raw(
    _code_from_clean,
    "An identifier, folded to ASCII so １２Ａ and 12A are the same school; null for an ID Excel turned "
    "into scientific notation (4.20106E+17), whose digits are lost.",
)
bool_series = _from_raw(
    _bool_from_clean, "是/否, Y/N, 1/0, true/false (schema.TRUE_WORDS / FALSE_WORDS), any case."
)
int_series = _from_raw(
    _int_from_clean, "Whole numbers: 12, 12.0 (Excel number cells), １２, 1,234; not 12.5 or abc."
)
decimal_series = _from_raw(
    _decimal_from_clean,
    "Amounts as Decimal(18, 2), rounded half-to-even to the cent: Excel hands over float noise such as "
    "3703.6800000000003 for 1234.56 * 3. Numbers that do not fit 18 digits are null.",
)
date_series = _from_raw(
    _date_from_clean,
    "Dates in any layout of schema.DATE_FORMATS, with or without a time part (the xlsx reader gives "
    "'2023-01-05 00:00:00' for date cells), full-width digits, or an Excel serial number in 1927-2119. "
    "Impossible dates (2023-02-30) are null.",
)
school_year_series = _from_raw(
    _school_year_from_clean,
    "'YYYY-YYYY' in canonical form (2022-2023), from 2022－2023, 2022—2023, 2022～2023, 2022 - 2023. Only "
    "the layout is checked; consecutive years are `school_year_consecutive` (a range, not a format).",
)


# ---------------------------------------------------------------- expressions


clean_text = _expr(clean_text_series, pl.String())
fold_width = _expr(fold_width_series, pl.String())
clean_folded = _expr(clean_folded_series, pl.String())
parse_code = _expr(code_series, pl.String())
parse_bool = _expr(bool_series, pl.Boolean())
parse_int = _expr(int_series, pl.Int64())
parse_decimal = _expr(decimal_series, pl.Decimal(18, 2))
parse_date = _expr(date_series, pl.Date())
parse_school_year = _expr(school_year_series, pl.String())

#: The same parsers for cells already trimmed by `clean_text` (the validator cleans every cell once).
_FROM_CLEAN: dict[str, tuple[SeriesFn, pl.DataType]] = {
    "code": (_code_from_clean, pl.String()),
    "bool": (_bool_from_clean, pl.Boolean()),
    "int": (_int_from_clean, pl.Int64()),
    "decimal": (_decimal_from_clean, pl.Decimal(18, 2)),
    "date": (_date_from_clean, pl.Date()),
    "school_year": (_school_year_from_clean, pl.String()),
}


def is_code(value: pl.Expr) -> pl.Expr:
    """Letters, digits and hyphens only (the rule for 学校标识码)."""
    return value.str.contains(CODE_PATTERN)


def school_year_consecutive(school_year: pl.Expr) -> pl.Expr:
    """True when the second year is the first plus one (2022-2023); null for a null school year."""
    first = school_year.str.slice(0, 4).cast(pl.Int32, strict=False)
    second = school_year.str.slice(5, 4).cast(pl.Int32, strict=False)
    return second == first + 1


def _kind(column_type: str, identifier: bool) -> str:
    return "code" if column_type == "text" and identifier else column_type


def is_code_kind(column_type: str, identifier: bool) -> bool:
    """Whether a column is parsed as an identifier (codes, keys, references)."""
    return _kind(column_type, identifier) == "code"


def _wide(cleaned: pl.Expr) -> pl.Expr:
    """Cells with a character beyond ASCII (which width folding may change)."""
    return cleaned.str.len_bytes() != cleaned.str.len_chars()


def _unread(cleaned: pl.Expr, parsed: pl.Expr) -> pl.Expr:
    """Filled cells that came out null."""
    return parsed.is_null() & cleaned.is_not_null()


def _first_date_layout(cleaned: pl.Expr) -> pl.Expr:
    fmt = DATE_FORMATS[0]
    if "%H" in fmt:
        return cleaned.str.strptime(pl.Datetime("us"), fmt, strict=False).dt.date()
    return cleaned.str.strptime(pl.Date, fmt, strict=False, cache=False)


def parse_fast(column_type: str, cleaned: pl.Expr, *, identifier: bool = False) -> pl.Expr:
    """The parser's common case as plain polars expressions: no Python per column, so polars runs the
    columns in parallel. It equals `parse_as` on every cell outside `parse_suspects`: plain ASCII
    numbers and dates in the first layout, which is what machine exports hold.
    """
    kind = _kind(column_type, identifier)
    if kind == "int":
        return cleaned.cast(pl.Int64, strict=False)
    if kind == "decimal":
        # a plain amount fits Decimal(18, 2) exactly, so one cast reads it (no rounding step)
        return (
            pl.when(cleaned.str.contains(_PLAIN_DECIMAL_PATTERN))
            .then(cleaned)
            .cast(pl.Decimal(18, 2), strict=False)
        )
    if kind == "date":
        return _first_date_layout(cleaned)
    if kind == "bool":
        word = cleaned.str.to_lowercase()
        yes, no = word.is_in(list(TRUE_WORDS)), word.is_in(list(FALSE_WORDS))
        return pl.when(yes).then(True).when(no).then(False).otherwise(None).cast(pl.Boolean)
    return cleaned


def parse_suspects(
    column_type: str, cleaned: pl.Expr, fast: pl.Expr, *, identifier: bool = False
) -> pl.Expr | None:
    """The cells where `fast` (the column `parse_fast` made) may not be what `parse_as` gives; None for a
    type whose fast parse is always exact. Every parser works cell by cell, so elsewhere they agree.

    Each condition points at a step of the full parser that could change a cell: width folding,
    thousands commas, a leading '+', exponents, a time suffix, a later date layout, a spelled-out
    integer, a school year not yet in canonical form, an ID in scientific notation.
    """
    kind = _kind(column_type, identifier)
    if kind not in _FROM_CLEAN:
        return None
    suspect = _wide(cleaned)
    if kind == "code":
        # scientific notation: a '+' third from the end, one byte read a cell (a regex or a substring
        # search over every ID would cost five to ten times as much)
        suspect = suspect | (cleaned.cast(pl.Binary).bin.get(-3, null_on_oob=True) == _PLUS)
    elif kind == "int":
        suspect = suspect | _unread(cleaned, fast)
    elif kind == "decimal":
        # one pattern covers width, commas, '+', exponents and a third decimal place
        return (~cleaned.str.contains(_PLAIN_DECIMAL_PATTERN)).fill_null(False)
    elif kind == "date":
        suspect = suspect | cleaned.cast(pl.Binary).bin.contains(b":") | _unread(cleaned, fast)
    elif kind == "school_year":
        suspect = suspect | ~cleaned.str.contains(_SCHOOL_YEAR_PATTERN)
    return suspect.fill_null(False)


def parse_patched(
    column_type: str, cleaned: pl.Series, fast: pl.Series, suspects: pl.Series, *, identifier: bool = False
) -> pl.Series:
    """`fast` with its suspect cells parsed again by the full parser: together, what `parse_as` gives."""
    positions = suspects.arg_true()
    if positions.is_empty():
        return fast
    fn, dtype = _FROM_CLEAN[_kind(column_type, identifier)]
    return fast.clone().scatter(positions, fn(cleaned.gather(positions)).cast(dtype))


def parse_as(column_type: str, cleaned: pl.Expr, *, identifier: bool = False) -> pl.Expr:
    """The parser of a schema column type, over cells already passed through `clean_text`.

    `identifier` text (codes, keys, references) is width-folded so that the same code typed with a
    full-width keyboard still matches; other text stays as the user wrote it.
    """
    kind = _kind(column_type, identifier)
    if kind not in _FROM_CLEAN:
        return cleaned
    fn, dtype = _FROM_CLEAN[kind]
    return _expr(fn, dtype)(cleaned)
