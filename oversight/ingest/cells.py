"""One recognised sheet's cells: trimmed, empty rows skipped, parsed to the schema's types, checked.

The cell rules are those `schema` declares per cell (required, type, format, range) and per row
(not_before, differs_from). All of them are polars expressions evaluated in one pass; report rows are
built from the failing rows only. What the batch-level checks need of the sheet is its work frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate

import polars as pl

from oversight.contract.schema import TABLES, TYPE_HINTS, Column, ProblemKind, Table
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


def _cleaned_columns(data: pl.DataFrame) -> dict[str, pl.Series | None]:
    """Every cell column trimmed (null when blank); None for a column trimming leaves as it is.

    One parallel pass finds the cells that may need trimming; only those are trimmed, and a column where
    nothing changes is served by the raw column itself rather than by a copy.
    """
    cells = [c for c in data.columns if c != "_row"]
    candidates = data.select([values.may_need_trim(pl.col(c)).alias(c) for c in cells])
    cleaned: dict[str, pl.Series | None] = {}
    for c in cells:
        raw = data.get_column(c)
        trimmed = values.clean_text_at(raw, candidates.get_column(c))
        cleaned[c] = None if trimmed is raw else _chunked_like(trimmed, data)
    return cleaned


def _with_clean_cells(data: pl.DataFrame, cleaned: dict[str, pl.Series | None]) -> pl.DataFrame:
    """The raw cells with their cleaned forms beside them; emptiness, required checks and parsers all
    read these."""
    return data.hstack(
        [(data.get_column(c) if s is None else s).alias(_clean(c)) for c, s in cleaned.items()]
    )


def clean_cells(problems: Problems, data: pl.DataFrame, loc: int) -> pl.DataFrame:
    """The raw cells with their cleaned forms, fully empty rows skipped (and reported).

    The raw columns and the cleaned ones that differ are filtered separately, so that a cleaned column
    that is the raw one stays so after the filter instead of becoming a second copy.
    """
    cleaned = _cleaned_columns(data)
    cells = _with_clean_cells(data, cleaned)
    empty = _empty_rows(cells)
    if not empty.any():
        return cells
    _report_empty_rows(problems, data.filter(empty), loc)
    kept = data.filter(~empty)
    return _with_clean_cells(
        kept, {c: None if s is None else _chunked_like(s.filter(~empty), kept) for c, s in cleaned.items()}
    )


def _empty_rows(cells: pl.DataFrame) -> pl.Series:
    cleaned = [c for c in cells.columns if c.startswith("__clean__")]
    empty = pl.all_horizontal([pl.col(c).is_null() for c in cleaned]) if cleaned else pl.lit(True)
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
    message: str


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


def _cell_rules(t: Table, sources: dict[str, str]) -> list[_Rule]:
    """Every per-cell and per-row rule the schema declares for the columns this sheet has.

    The order (column by column, then filled, value and row rules) is the order the report lists a
    cell's several problems in.
    """
    rules: list[_Rule] = []
    present = set(sources)
    for c in t.columns:
        if c.name not in present:
            continue
        value, filled = pl.col(c.name), pl.col(_clean(sources[c.name])).is_not_null()
        rules += _filled_rules(c, value, filled)
        rules += _value_rules(c, value)
        rules += _row_rules(t, c, value, present)
    return rules


def _filled_rules(c: Column, value: pl.Expr, filled: pl.Expr) -> list[_Rule]:
    """Required cells left empty, and filled cells that do not parse as the column's type."""
    rules: list[_Rule] = []
    if c.required:
        rules.append(
            _Rule(c, ProblemKind.REQUIRED_EMPTY, ~filled, f"“{c.zh}”为必填项，此处为空，请补填后重新上传。")
        )
    if c.type in ("int", "decimal", "bool"):
        rules.append(_Rule(c, ProblemKind.WRONG_TYPE, filled & value.is_null(), _type_message(c)))
    if c.type in ("date", "school_year"):
        rules.append(_Rule(c, ProblemKind.BAD_FORMAT, filled & value.is_null(), _type_message(c)))
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
    rules = _cell_rules(t, layout.sources)
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
