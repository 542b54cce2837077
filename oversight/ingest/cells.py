"""One recognised sheet's cells: trimmed, empty rows skipped, parsed to the schema's types, checked.

The cell rules are those `schema` declares per cell (required, type, format, range) and per row
(not_before, differs_from). All of them are polars expressions evaluated in one pass; report rows are
built from the failing rows only. What the batch-level checks need of the sheet is its work frame.

Beside those, what Excel does to cells: an error value (#N/A, #VALUE! ...) is a 格式错误 naming it,
wherever it is (never an empty optional cell, never a 必填为空); an ID Excel turned into scientific
notation is refused; a date whose year is not plausible (23.9.6 reads as the year 23) is refused; a
leading apostrophe (Excel's text marker) is taken off typed and ID cells, with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

import polars as pl

from oversight.contract.schema import (
    DATE_YEAR_MAX,
    DATE_YEAR_MIN,
    EXCEL_ERRORS,
    TABLES,
    TYPE_HINTS,
    Column,
    ProblemKind,
    Table,
)
from oversight.ingest import values
from oversight.ingest.problems import Problems
from oversight.ingest.recognise import Layout

#: polars dtype of each schema column type, matching schema.SQL_TYPES so the ledger can insert by Arrow.
POLARS_TYPES: dict[str, pl.DataType] = {
    "text": pl.String(),
    "code": pl.String(),
    "enum": pl.String(),
    "bool": pl.Boolean(),
    "int": pl.Int64(),
    "decimal": pl.Decimal(18, 2),
    "date": pl.Date(),
    "school_year": pl.String(),
}
RAW_PREFIX = "__raw__"


def raw_column(name: str) -> str:
    """The name of the column that carries a schema column's raw text in a work frame."""
    return f"{RAW_PREFIX}{name}"


def _identifier_columns() -> set[tuple[str, str]]:
    """Codes, key columns and both ends of every reference: compared as identifiers, width-folded."""
    ids: set[tuple[str, str]] = set()
    for t in TABLES:
        ids |= {(t.name, c.name) for c in t.columns if c.type == "code"}
        ids |= {(t.name, name) for name in t.key}
        for ref in t.references:
            ids |= {(t.name, name) for name in ref.columns}
            ids |= {(ref.table, name) for name in ref.target_columns}
    return ids


IDENTIFIER_COLUMNS = _identifier_columns()


def _clean(source: str) -> str:
    return f"__clean__{source}"


def _excel_error(source: str) -> str:
    """The column flagging a source column's Excel error values (only present when it has any)."""
    return f"__xlerr__{source}"


# ---------------------------------------------------------------- chunks


def _chunked_like(column: pl.Series, frame: pl.DataFrame) -> pl.Series:
    """The column cut into the chunks of the frame's `_row` column (zero-copy slices).

    The CSV reader hands over columns in many chunks, and elementwise expressions keep them; computed
    Series and constants come in one. polars realigns, that is copies, a whole frame whose columns are
    chunked differently the next time it runs an expression over it.
    """
    lengths = [len(chunk) for chunk in frame.get_column("_row").get_chunks()]
    if [len(chunk) for chunk in column.get_chunks()] == lengths:
        return column
    column = column.rechunk()
    starts = [0, *accumulate(lengths)][:-1]
    return pl.concat([column.slice(s, n) for s, n in zip(starts, lengths, strict=True)], rechunk=False)


def _constant(frame: pl.DataFrame, name: str, value: object, dtype: pl.DataType) -> pl.Series:
    """A column of one value (or null) for the frame, chunked like it."""
    return _chunked_like(pl.repeat(value, frame.height, dtype=dtype, eager=True).alias(name), frame)


# ---------------------------------------------------------------- cleaned cells, empty rows


@dataclass
class _Cleaned:
    """Each cell column trimmed (None: trimming leaves it as it is), and per column the positions of its
    Excel error values and of the cells whose leading apostrophe was removed."""

    columns: dict[str, pl.Series | None] = field(default_factory=dict)
    errors: dict[str, pl.Series] = field(default_factory=dict)
    apostrophes: dict[str, pl.Series] = field(default_factory=dict)


def _cleaned_columns(data: pl.DataFrame, strip: set[str]) -> _Cleaned:
    """Every cell column trimmed (null when blank); None for a column trimming leaves as it is.

    One parallel pass finds the cells that may need trimming (or start with '#' or an apostrophe); only
    those are looked at, and a column where nothing changes is served by the raw column itself rather
    than by a copy. `strip`: the columns whose leading apostrophe is Excel's text marker.
    """
    cells = [c for c in data.columns if c != "_row"]
    candidates = data.select([values.may_need_trim(pl.col(c), marks=True).alias(c) for c in cells])
    cleaned = _Cleaned()
    for c in cells:
        raw = data.get_column(c)
        trimmed, errors, quoted = values.clean_marked_at(
            raw, candidates.get_column(c), strip_apostrophe=c in strip
        )
        cleaned.columns[c] = None if trimmed is raw else _chunked_like(trimmed, data)
        if len(errors):
            cleaned.errors[c] = errors
        if len(quoted):
            cleaned.apostrophes[c] = quoted
    return cleaned


def _error_masks(data: pl.DataFrame, errors: dict[str, pl.Series]) -> dict[str, pl.Series]:
    """A boolean column per source column holding Excel error values, true at those cells."""
    return {
        c: _chunked_like(
            pl.repeat(False, data.height, dtype=pl.Boolean, eager=True)
            .scatter(positions, True)
            .alias(_excel_error(c)),
            data,
        )
        for c, positions in errors.items()
    }


def _with_clean_cells(
    data: pl.DataFrame, cleaned: dict[str, pl.Series | None], masks: dict[str, pl.Series] | None = None
) -> pl.DataFrame:
    """The raw cells with their cleaned forms beside them; emptiness, required checks and parsers all
    read these."""
    return data.hstack(
        [(data.get_column(c) if s is None else s).alias(_clean(c)) for c, s in cleaned.items()]
        + list((masks or {}).values())
    )


def _apostrophe_sources(layout: Layout) -> dict[str, Column]:
    """Source columns whose leading apostrophe is Excel's text marker: every typed and ID column (free
    text such as names and titles keeps what was written)."""
    t = layout.table
    return {
        source: t.column(name)
        for name, source in layout.sources.items()
        if t.column(name).type != "text" or (t.name, name) in IDENTIFIER_COLUMNS
    }


def _report_apostrophes(
    problems: Problems,
    data: pl.DataFrame,
    quoted: dict[str, pl.Series],
    columns: dict[str, Column],
    loc: int,
    t: Table,
) -> None:
    """One warning per column whose apostrophes were removed: how many, and the first one."""
    for source, positions in quoted.items():
        c = columns[source]
        first = int(positions[0])
        raw = data.get_column(source)[first]
        read = values.clean_text_series(pl.Series([raw])).str.strip_prefix("'")[0]
        problems.single(
            loc,
            ProblemKind.BAD_FORMAT,
            f"已去掉 {len(positions)} 个单元格开头的撇号（'）：它是 Excel 的“文本”标记，不是“{c.zh}”的一部分"
            f"（如本行的“{raw}”按“{read}”读取）。",
            row=int(data.get_column("_row")[first]),
            column=c.zh,
            value=raw,
            col_index=t.column_names.index(c.name),
            warning=True,
        )


def clean_cells(
    problems: Problems, data: pl.DataFrame, loc: int, layout: Layout | None = None
) -> pl.DataFrame:
    """The raw cells with their cleaned forms, fully empty rows skipped (and reported).

    The raw columns and the cleaned ones that differ are filtered separately, so that a cleaned column
    that is the raw one stays so after the filter instead of becoming a second copy. With the sheet's
    `layout`, apostrophes are taken off its typed and ID columns.
    """
    stripped = _apostrophe_sources(layout) if layout is not None else {}
    cleaned = _cleaned_columns(data, set(stripped))
    if layout is not None:
        _report_apostrophes(problems, data, cleaned.apostrophes, stripped, loc, layout.table)
    masks = _error_masks(data, cleaned.errors)
    cells = _with_clean_cells(data, cleaned.columns, masks)
    empty = _empty_rows(cells)
    if not empty.any():
        return cells
    _report_empty_rows(problems, data.filter(empty), loc)
    kept = data.filter(~empty)
    return _with_clean_cells(
        kept,
        {c: None if s is None else _chunked_like(s.filter(~empty), kept) for c, s in cleaned.columns.items()},
        {c: _chunked_like(m.filter(~empty), kept) for c, m in masks.items()},
    )


def _empty_rows(cells: pl.DataFrame) -> pl.Series:
    cleaned = [pl.col(c).is_null() for c in cells.columns if c.startswith("__clean__")]
    cleaned += [~pl.col(c) for c in cells.columns if c.startswith("__xlerr__")]  # an error value is not empty
    empty = pl.all_horizontal(cleaned) if cleaned else pl.lit(True)
    if not cells.select(empty.any()).item():
        return pl.repeat(False, cells.height, eager=True)
    return cells.with_columns(empty.alias("_empty")).get_column("_empty")


def _report_empty_rows(problems: Problems, blank: pl.DataFrame, loc: int) -> None:
    """Fully empty rows inside the data are a warning and are skipped (trailing ones the reader dropped)."""
    blank = blank.select(pl.lit(loc, pl.Int64).alias("_loc"), pl.col("_row"))
    problems.rows(
        blank,
        ProblemKind.EMPTY_ROW,
        None,
        pl.lit(None, pl.String),
        "整行为空，已跳过；如不需要可删去这一行。",
        -1,
    )


# ---------------------------------------------------------------- typed cells, work frame


def typed_cells(layout: Layout, cells: pl.DataFrame) -> pl.DataFrame:
    """The cells plus every schema column parsed (null where absent).

    All columns are first parsed the fast way (plain expressions, in parallel); the few cells where that
    may not be what the full parser gives (full-width digits, other date layouts ...) are parsed again
    by the full parser. Text columns come out as the cleaned (often: the raw) column itself, so the
    typed frame costs little more than the parsed numbers and dates.
    """
    t = layout.table
    present = [
        (c, _clean(layout.sources[c.name]), (t.name, c.name) in IDENTIFIER_COLUMNS)
        for c in t.columns
        if c.name in layout.sources
    ]
    fast = cells.with_columns(
        [values.parse_fast(c.type, pl.col(src), identifier=ident).alias(c.name) for c, src, ident in present]
    )
    checks = {
        c.name: (c, src, ident, check.alias(c.name))
        for c, src, ident in present
        for check in [values.parse_suspects(c.type, pl.col(src), pl.col(c.name), identifier=ident)]
        if check is not None
    }
    suspects = fast.select([check for *_, check in checks.values()]) if checks else pl.DataFrame()
    patched = [
        values.parse_patched(
            c.type, fast.get_column(src), fast.get_column(name), suspects.get_column(name), identifier=ident
        ).alias(name)
        for name, (c, src, ident, _) in checks.items()
        if suspects.get_column(name).any()
    ]
    absent = [
        _constant(fast, c.name, None, POLARS_TYPES[c.type]) for c in t.columns if c.name not in layout.sources
    ]
    return fast.with_columns([_chunked_like(s, fast) for s in patched] + absent)


def _quoted_columns(t: Table) -> list[str]:
    """The columns whose raw text the batch-level checks quote: keys, unique columns, references."""
    quoted = set(t.key) | {c.name for c in t.columns if c.unique}
    for ref in t.references:
        quoted |= set(ref.columns)
    return [name for name in t.column_names if name in quoted]


def work_frame(layout: Layout, typed: pl.DataFrame, loc: int) -> pl.DataFrame:
    """What the batch-level checks need of a sheet: _loc, _row, the parsed columns and the raw text of the
    quoted columns. Every other raw and cleaned cell is let go here, once the cell rules have run."""
    raws = [
        typed.get_column(source).alias(raw_column(name))
        if source
        else _constant(typed, raw_column(name), None, pl.String())
        for name in _quoted_columns(layout.table)
        for source in [layout.sources.get(name)]
    ]
    parsed = typed.select("_row", *layout.table.column_names).get_columns()
    return pl.DataFrame([_constant(typed, "_loc", loc, pl.Int64()), *parsed, *raws])


# ---------------------------------------------------------------- cell rules


@dataclass
class _Rule:
    column: Column
    kind: ProblemKind
    mask: pl.Expr
    #: text, or an expression over the failing rows (which carry each quoted column's raw text)
    message: str | pl.Expr


def _type_message(c: Column) -> str:
    examples = {
        "int": "应填整数（如 12），不能带小数或文字",
        "decimal": "应填数字（可带两位小数，如 1234.50），不能带文字或单位",
        "bool": f"应填 {TYPE_HINTS['bool']}",
        "date": f"不是可识别的日期，应填{TYPE_HINTS['date'].removeprefix('日期，')}",
        "school_year": "应填学年，如 2022-2023",
    }
    return f"“{c.zh}”{examples[c.type]}，请改正后重新上传。"


def _range_message(c: Column) -> str:
    if c.min_value is not None and c.max_value is not None:
        return f"“{c.zh}”应在 {c.min_value}～{c.max_value} 之间，请改正后重新上传。"
    if c.min_value is not None:
        return f"“{c.zh}”不能小于 {c.min_value}，请改正后重新上传。"
    return f"“{c.zh}”不能大于 {c.max_value}，请改正后重新上传。"


_DATE_MIN, _DATE_MAX = date(DATE_YEAR_MIN, 1, 1), date(DATE_YEAR_MAX, 12, 31)
#: a date whose first number has one or two digits: 23.9.6, 9/6/23
_SHORT_YEAR = r"^\D*\d{1,2}\D"
_HASHES = r"^#{2,}$"


def _cell_rules(t: Table, sources: dict[str, str], errors: set[str] | None = None) -> list[_Rule]:
    """Every per-cell and per-row rule the schema declares for the columns this sheet has, and the
    rules on what Excel did to cells (`errors`: the source columns holding Excel error values).

    The order (column by column, then Excel errors, filled, value and row rules) is the order the
    report lists a cell's several problems in.
    """
    rules: list[_Rule] = []
    present = set(sources)
    for c in t.columns:
        if c.name not in present:
            continue
        source = sources[c.name]
        value, filled = pl.col(c.name), pl.col(_clean(source)).is_not_null()
        error = pl.col(_excel_error(source)) if errors and source in errors else None
        if error is not None:
            rules.append(_Rule(c, ProblemKind.BAD_FORMAT, error, _excel_error_message(c)))
        rules += _filled_rules(c, value, filled, error)
        if values.is_code_kind(c.type, (t.name, c.name) in IDENTIFIER_COLUMNS):
            rules.append(_Rule(c, ProblemKind.BAD_FORMAT, filled & value.is_null(), _scientific_message(c)))
        rules += _value_rules(c, value)
        rules += _row_rules(t, c, value, present)
    return rules


def _excel_error_message(c: Column) -> pl.Expr:
    raw = pl.col(raw_column(c.name)).str.strip_chars(values.TRIM_CHARS)
    meaning = raw.replace_strict(EXCEL_ERRORS, default="公式出错", return_dtype=pl.String)
    return (
        pl.when(raw.str.contains(_HASHES))
        .then(
            pl.lit(
                f"“{c.zh}”是“####”：Excel 在列宽不够时把日期或数字显示成 ####，另存为 CSV 时写进了文件。"
                "请在 Excel 中加宽这一列（或设为常规格式）后重新另存为 CSV，再上传。"
            )
        )
        .otherwise(
            pl.format(
                f"“{c.zh}”是 Excel 的错误值 {{}}（{{}}），不是数据：请在 Excel 中改正这个单元格的公式或它引用的数据，"
                "或改为实际的值（可复制后“选择性粘贴—数值”），再重新上传。",
                raw,
                meaning,
            )
        )
    )


def _scientific_message(c: Column) -> str:
    return (
        f"Excel 已把该编号改成科学计数法/丢失了末几位（Excel 的数字只保留 15 位），“{c.zh}”无法还原："
        "请把该列设为文本后重新输入完整编号，再重新上传。"
    )


def _date_year_message(c: Column) -> pl.Expr:
    raw = pl.col(raw_column(c.name)).str.strip_chars(values.TRIM_CHARS)
    return (
        pl.when(raw.str.contains(_SHORT_YEAR))
        .then(
            pl.lit(
                f"“{c.zh}”的年份只写了两位（如 23.9.6），无法确定是哪一年：请写成四位数年份（如 2023-09-06），"
                "或在 Excel 中把该列设为日期格式后重新输入，再重新上传。"
            )
        )
        .otherwise(
            pl.lit(
                f"“{c.zh}”的年份不合理（应在 {DATE_YEAR_MIN}～{DATE_YEAR_MAX} 年之间）：请核对后改正，"
                "年份请写四位数（如 2023-09-06），再重新上传。"
            )
        )
    )


def _filled_rules(c: Column, value: pl.Expr, filled: pl.Expr, error: pl.Expr | None = None) -> list[_Rule]:
    """Required cells left empty, and filled cells that do not parse as the column's type. An Excel
    error value is not an empty cell (it is reported as what it is)."""
    rules: list[_Rule] = []
    if c.required:
        empty = ~filled if error is None else ~filled & ~error
        rules.append(
            _Rule(c, ProblemKind.REQUIRED_EMPTY, empty, f"“{c.zh}”为必填项，此处为空，请补填后重新上传。")
        )
    if c.type in ("int", "decimal", "bool"):
        rules.append(_Rule(c, ProblemKind.WRONG_TYPE, filled & value.is_null(), _type_message(c)))
    if c.type in ("date", "school_year"):
        rules.append(_Rule(c, ProblemKind.BAD_FORMAT, filled & value.is_null(), _type_message(c)))
    if c.type == "date":
        implausible = (value < _DATE_MIN) | (value > _DATE_MAX)
        rules.append(_Rule(c, ProblemKind.BAD_FORMAT, implausible, _date_year_message(c)))
    return rules


def _value_rules(c: Column, value: pl.Expr) -> list[_Rule]:
    """Parsed values outside the column's format or range: codes, lengths, choices, bounds, 学年."""
    rules: list[_Rule] = []
    if c.type == "code":
        rules.append(
            _Rule(
                c,
                ProblemKind.BAD_FORMAT,
                ~values.is_code(value),
                f"“{c.zh}”只能包含字母、数字或连字符（-），请删去空格、汉字和其他符号。",
            )
        )
    if c.max_len:
        rules.append(
            _Rule(
                c,
                ProblemKind.BAD_FORMAT,
                value.str.len_chars() > c.max_len,
                f"“{c.zh}”最多 {c.max_len} 个字符，请改正后重新上传。",
            )
        )
    if c.choices:
        rules.append(
            _Rule(
                c,
                ProblemKind.OUT_OF_RANGE,
                ~value.is_in(list(c.choices)),
                f"“{c.zh}”只能填以下之一：{'、'.join(c.choices)}，请改正后重新上传。",
            )
        )
    if c.min_value is not None or c.max_value is not None:
        low = value < c.min_value if c.min_value is not None else pl.lit(False)
        high = value > c.max_value if c.max_value is not None else pl.lit(False)
        rules.append(_Rule(c, ProblemKind.OUT_OF_RANGE, low | high, _range_message(c)))
    if c.type == "school_year":
        rules.append(
            _Rule(
                c,
                ProblemKind.OUT_OF_RANGE,
                ~values.school_year_consecutive(value),
                f"“{c.zh}”的后一年应比前一年大 1（如 2022-2023），请改正后重新上传。",
            )
        )
    return rules


def _row_rules(t: Table, c: Column, value: pl.Expr, present: set[str]) -> list[_Rule]:
    """Rules between two columns of the same row, when the sheet has both: not_before, differs_from."""
    rules: list[_Rule] = []
    if c.not_before and c.not_before in present:
        other = t.column(c.not_before)
        rules.append(
            _Rule(
                c,
                ProblemKind.OUT_OF_RANGE,
                value < pl.col(other.name),
                f"“{c.zh}”不能早于“{other.zh}”，请核对两个日期后重新上传。",
            )
        )
    if c.differs_from and c.differs_from in present:
        other = t.column(c.differs_from)
        rules.append(
            _Rule(
                c,
                ProblemKind.OUT_OF_RANGE,
                value == pl.col(other.name),
                f"“{c.zh}”不能与“{other.zh}”相同，请改正后重新上传。",
            )
        )
    return rules


def check_cells(problems: Problems, layout: Layout, typed: pl.DataFrame, loc: int) -> None:
    """Evaluate every cell rule in one pass, then build report rows from the failing rows only.

    Only the rule flags are computed over the whole sheet; the raw text the report quotes is taken for
    the failing rows alone.
    """
    t = layout.table
    errors = {s for s in layout.sources.values() if _excel_error(s) in typed.columns}
    rules = _cell_rules(t, layout.sources, errors)
    if not rules or typed.is_empty():
        return
    flags = typed.select([r.mask.fill_null(False).alias(f"_rule{i}") for i, r in enumerate(rules)])
    hit = flags.select(pl.any_horizontal(pl.all())).to_series()
    if not hit.any():
        return
    quoted = {r.column.name: layout.sources[r.column.name] for r in rules}
    where = typed.select(
        pl.col("_row"), *[pl.col(source).alias(raw_column(name)) for name, source in quoted.items()]
    )
    failing = (
        pl.concat([where, flags], how="horizontal")
        .filter(hit)
        .with_columns(pl.lit(loc, pl.Int64).alias("_loc"))
    )
    order = {c.name: i for i, c in enumerate(t.columns)}
    for i, r in enumerate(rules):
        problems.rows(
            failing.filter(pl.col(f"_rule{i}")),
            r.kind,
            r.column.zh,
            pl.col(raw_column(r.column.name)),
            r.message,
            order[r.column.name],
        )
