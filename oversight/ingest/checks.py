"""Validate a batch of uploaded files into typed frames and one report listing every problem.

The public entry is `validate_files`. It reads every file (readers), recognises each sheet's table from
its header row, parses every cell with the vectorised parsers of `values`, and checks the rules that
`schema` declares: per cell (required, type, format, range), per row (not_before, differs_from), per
table across the whole batch (duplicate keys and unique columns, even across files) and across tables
(references, against the same batch and the database). It never stops at the first problem.

Everything is columnar: checks are polars expressions, duplicate and reference checks are joins, and
report rows are built only from the rows that fail. Loops run over files, columns and rules, never rows.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import accumulate

import duckdb
import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from oversight.contract.errors import UsageError
from oversight.contract.schema import (
    LEVEL_ERROR,
    LEVEL_WARNING,
    LOAD_MODES,
    REPORT_COLUMNS,
    TABLES,
    TABLES_BY_NAME,
    TYPE_HINTS,
    Column,
    ProblemKind,
    Reference,
    Table,
    table_by_label,
)
from oversight.engine import ledger, queries
from oversight.ingest import values
from oversight.ingest.readers import RawSheet, ReadProblem, header_vocabulary, normalise_header, read_upload

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

REPORT_SCHEMA: dict[str, pl.DataType] = {
    "文件": pl.String(),
    "工作表": pl.String(),
    "行号": pl.Int64(),
    "列": pl.String(),
    "值": pl.String(),
    "问题类型": pl.String(),
    "级别": pl.String(),
    "说明": pl.String(),
}
#: the report while it is assembled: a location index instead of file and sheet, a column index to sort by
_PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "_loc": pl.Int64(),
    "行号": pl.Int64(),
    "_col": pl.Int64(),
    "列": pl.String(),
    "值": pl.String(),
    "问题类型": pl.String(),
    "级别": pl.String(),
    "说明": pl.String(),
}
#: cells starting with these open a formula in Excel (CSV/formula injection); exports prefix a quote
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")
EMPTY_HEADER_LABEL = "（空表头）"
VALUE_SEPARATOR = " / "
RAW_PREFIX = "__raw__"


def _raw(name: str) -> str:
    return f"{RAW_PREFIX}{name}"


def _quoted(labels: list[str] | tuple[str, ...]) -> str:
    return "、".join(f"“{label}”" for label in labels)


# ---------------------------------------------------------------- public result


@dataclass
class RecognisedPart:
    """One file or sheet of the batch: which table it was read as, how many data rows, its file's SHA-256."""

    file: str
    sheet: str
    table: str | None
    rows: int
    sha256: str


@dataclass
class BatchResult:
    """Typed frames per table (exactly the schema's columns, in order) and the full problem report.

    The frames are only fit for the ledger when `ok`; for an invalid batch they still show what was read.
    """

    frames: dict[str, pl.DataFrame]
    report: pl.DataFrame
    parts: list[RecognisedPart] = field(default_factory=list)
    #: SHA-256 (hex) of each input file, in input order
    digests: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.report.filter(pl.col("级别") == LEVEL_ERROR).height

    @property
    def warnings(self) -> int:
        return self.report.filter(pl.col("级别") == LEVEL_WARNING).height

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def file_records(self) -> list[ledger.FileRecord]:
        """The ledger rows for ledger.load_batch: one per recognised file or sheet."""
        return [
            ledger.FileRecord(p.file, p.sha256, p.sheet, p.table, p.rows)
            for p in self.parts
            if p.table is not None
        ]


# ---------------------------------------------------------------- problems


@dataclass
class _Problems:
    """The report under construction: frames of failing rows plus single file- and column-level rows."""

    frames: list[pl.DataFrame] = field(default_factory=list)
    singles: list[dict[str, object]] = field(default_factory=list)
    #: (file, sheet, the file's position in the batch) of each location index
    locations: list[tuple[str, str, int]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def location(self, file: str, sheet: str, file_index: int) -> int:
        """A new location index. Files may be checked on two threads at once, so indices follow the
        order of checking; the report is put back in the batch's order by `file_index`."""
        with self._lock:
            self.locations.append((file, sheet, file_index))
            return len(self.locations) - 1

    def single(
        self,
        loc: int,
        kind: ProblemKind,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        col_index: int = -1,
    ) -> None:
        self.singles.append(
            {
                "_loc": loc,
                "行号": row,
                "_col": col_index,
                "列": column,
                "值": value,
                "问题类型": kind.value,
                "级别": _level(kind),
                "说明": message,
            }
        )

    def rows(
        self,
        failing: pl.DataFrame,
        kind: ProblemKind,
        column: str | None,
        value: pl.Expr,
        message: str | pl.Expr,
        col_index: int,
    ) -> None:
        """Report rows for a frame of failing rows carrying `_loc` and `_row`."""
        if failing.is_empty():
            return
        self.frames.append(
            failing.select(
                pl.col("_loc").cast(pl.Int64),
                pl.col("_row").cast(pl.Int64).alias("行号"),
                pl.lit(col_index, pl.Int64).alias("_col"),
                pl.lit(column, pl.String).alias("列"),
                value.cast(pl.String).alias("值"),
                pl.lit(kind.value, pl.String).alias("问题类型"),
                pl.lit(_level(kind), pl.String).alias("级别"),
                (pl.lit(message, pl.String) if isinstance(message, str) else message).alias("说明"),
            )
        )

    def report(self) -> pl.DataFrame:
        parts = [pl.DataFrame(self.singles, schema=_PROBLEM_SCHEMA), *self.frames]
        problems = pl.concat(parts, how="vertical")
        where = pl.DataFrame(
            {
                "_loc": list(range(len(self.locations))),
                "文件": [f for f, _, _ in self.locations],
                "工作表": [s for _, s, _ in self.locations],
                "_file": [i for _, _, i in self.locations],
            },
            schema={"_loc": pl.Int64, "文件": pl.String, "工作表": pl.String, "_file": pl.Int64},
        )
        return (
            problems.join(where, on="_loc", how="left")
            .sort(["_file", "_loc", "行号", "_col"], nulls_last=False, maintain_order=True)
            .select([pl.col(c).cast(REPORT_SCHEMA[c]) for c in REPORT_COLUMNS])
        )


def _level(kind: ProblemKind) -> str:
    return LEVEL_WARNING if kind.is_warning else LEVEL_ERROR


def _read_problem(problems: _Problems, file_loc: int, file_index: int, p: ReadProblem) -> None:
    loc = file_loc if not p.sheet else problems.location(p.file, p.sheet, file_index)
    problems.single(loc, p.kind, p.message, row=p.row, value=p.value)


# ---------------------------------------------------------------- table recognition


@dataclass
class _Layout:
    """How one sheet's columns map onto a table: source column (c0, c1 ...) per schema column."""

    table: Table
    sources: dict[str, str]
    extras: list[tuple[str, str]]  # (source column, header label) of columns that are not the table's
    duplicates: list[tuple[str, str]]  # (header label, schema column) of repeated headers


def _lookup(t: Table) -> dict[str, str]:
    return {normalise_header(label): c.name for c in t.columns for label in (c.name, c.zh)}


def _matched(t: Table, header: list[str | None]) -> set[str]:
    lookup = _lookup(t)
    return {lookup[h] for h in map(normalise_header, header) if h in lookup}


def _qualifies(t: Table, matched: set[str]) -> bool:
    """SPEC: at least half of the table's required columns are present."""
    required = {c.name for c in t.required_columns}
    return 2 * len(matched & required) >= len(required)


def recognise_table(header: list[str | None]) -> Table | None:
    """The table whose columns the header shares most, among those it has half the required columns of.

    Ties go to the table matching the larger share of its own columns, then to schema order.
    """
    best: tuple[int, float, int] | None = None
    chosen = None
    for order, t in enumerate(TABLES):
        matched = _matched(t, header)
        if not matched or not _qualifies(t, matched):
            continue
        score = (len(matched), len(matched) / len(t.columns), -order)
        if best is None or score > best:
            best, chosen = score, t
    return chosen


def _closest_table(header: list[str | None]) -> tuple[Table, int] | None:
    scored = [(len(_matched(t, header)), -i, t) for i, t in enumerate(TABLES)]
    count, _, t = max(scored, key=lambda s: (s[0], s[1]))
    return (t, count) if count else None


def _layout(t: Table, sheet: RawSheet) -> _Layout:
    lookup = _lookup(t)
    sources: dict[str, str] = {}
    extras: list[tuple[str, str]] = []
    duplicates: list[tuple[str, str]] = []
    for source, label in zip(sheet.data.columns, sheet.header, strict=True):
        name = lookup.get(normalise_header(label))
        if name is None:
            extras.append((source, label.strip() if label and label.strip() else EMPTY_HEADER_LABEL))
        elif name in sources:
            duplicates.append((label or "", name))
        else:
            sources[name] = source
    return _Layout(t, sources, extras, duplicates)


# ---------------------------------------------------------------- one sheet


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


def _drop_hint_row(layout: _Layout, data: pl.DataFrame) -> pl.DataFrame:
    """The template's grey hint row (row 2) carries each column's hint: it is not data, skip it."""
    if data.is_empty() or not layout.sources:
        return data
    first = data.row(0, named=True)
    hints = {name: layout.table.column(name).hint for name in layout.sources}
    if all((first[src] or "").strip() == hints[name] for name, src in layout.sources.items()):
        return data.slice(1)
    return data


def _clean(source: str) -> str:
    return f"__clean__{source}"


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


def _typed_cells(layout: _Layout, cells: pl.DataFrame) -> pl.DataFrame:
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


def _work(layout: _Layout, typed: pl.DataFrame, loc: int) -> pl.DataFrame:
    """What the batch-level checks need of a sheet: _loc, _row, the parsed columns and the raw text of the
    quoted columns. Every other raw and cleaned cell is let go here, once the cell rules have run."""
    raws = [
        typed.get_column(source).alias(_raw(name))
        if source
        else _constant(typed, _raw(name), None, pl.String())
        for name in _quoted_columns(layout.table)
        for source in [layout.sources.get(name)]
    ]
    parsed = typed.select("_row", *layout.table.column_names).get_columns()
    return pl.DataFrame([_constant(typed, "_loc", loc, pl.Int64()), *parsed, *raws])


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
    """Every per-cell and per-row rule the schema declares for the columns this sheet has."""
    rules: list[_Rule] = []
    present = set(sources)
    for c in t.columns:
        if c.name not in present:
            continue
        value, filled = pl.col(c.name), pl.col(_clean(sources[c.name])).is_not_null()
        if c.required:
            rules.append(
                _Rule(
                    c, ProblemKind.REQUIRED_EMPTY, ~filled, f"“{c.zh}”为必填项，此处为空，请补填后重新上传。"
                )
            )
        if c.type in ("int", "decimal", "bool"):
            rules.append(_Rule(c, ProblemKind.WRONG_TYPE, filled & value.is_null(), _type_message(c)))
        if c.type in ("date", "school_year"):
            rules.append(_Rule(c, ProblemKind.BAD_FORMAT, filled & value.is_null(), _type_message(c)))
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


def _check_cells(problems: _Problems, layout: _Layout, typed: pl.DataFrame, loc: int) -> None:
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
        pl.col("_row"), *[pl.col(source).alias(_raw(name)) for name, source in quoted.items()]
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
            pl.col(_raw(r.column.name)),
            r.message,
            order[r.column.name],
        )


def _check_layout(problems: _Problems, loc: int, layout: _Layout) -> None:
    """Column-level problems: missing columns, extra columns, repeated headers, headerless data."""
    t = layout.table
    for i, c in enumerate(t.columns):
        if c.required and c.name not in layout.sources:
            problems.single(
                loc,
                ProblemKind.MISSING_COLUMN,
                f"缺少必填列“{c.zh}”（{c.name}）：请按模板在表头中补上这一列并填写数据后重新上传。",
                column=c.zh,
                col_index=i,
            )
    for _source, label in layout.extras:
        message = (
            "这一列没有表头但有数据，已忽略；如需导入，请填写模板中的表头。"
            if label == EMPTY_HEADER_LABEL
            else f"“{label}”不是“{t.zh}”表的列，已忽略；如是表头写错，请改为模板中的表头。"
        )
        problems.single(loc, ProblemKind.EXTRA_COLUMN, message, column=label, col_index=len(t.columns))
    for label, name in layout.duplicates:
        problems.single(
            loc,
            ProblemKind.EXTRA_COLUMN,
            f"“{t.zh_of(name)}”列出现了不止一次，只读取第一列，“{label}”这一列已忽略；请删去重复的列。",
            column=label,
            col_index=len(t.columns),
        )


def _clean_cells(problems: _Problems, data: pl.DataFrame, loc: int) -> pl.DataFrame:
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


def _report_empty_rows(problems: _Problems, blank: pl.DataFrame, loc: int) -> None:
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


# ---------------------------------------------------------------- batch-level checks


def _key_values(columns: tuple[str, ...]) -> pl.Expr:
    return pl.concat_str([pl.col(_raw(c)).str.strip_chars() for c in columns], separator=VALUE_SEPARATOR)


def _duplicate_suspects(work: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame | None:
    """The rows with a complete key whose hash another complete key shares, in order; None when no two
    complete keys share a hash (so none repeats), the usual case.

    Sorting 64-bit hashes is several times cheaper than finding first occurrences of the keys
    themselves; equal keys have equal hashes, so every repeat and its first occurrence are among these.
    """
    keys = [pl.col(c) for c in columns]
    complete = pl.all_horizontal([k.is_not_null() for k in keys])
    hashed = keys[0].hash() if len(keys) == 1 else pl.struct(keys).hash()
    ordered = work.select(hashed.filter(complete).sort()).to_series()
    shared = ordered.filter(ordered == ordered.shift(1)).unique()
    if shared.is_empty():
        return None
    return work.filter(complete & hashed.is_in(shared.implode()))


def _check_duplicates(problems: _Problems, t: Table, work: pl.DataFrame, columns: tuple[str, ...]) -> None:
    """Every repeat of a key (or unique column) after its first occurrence, naming where that first one is.

    A key with a null part never equals a complete key, so first occurrences can be taken over all rows,
    and as well over the rows `_duplicate_suspects` leaves, which hold every complete key that repeats.
    """
    suspects = _duplicate_suspects(work, columns)
    if suspects is None:
        return
    work = suspects
    keys = [pl.col(c) for c in columns]
    complete = pl.all_horizontal([k.is_not_null() for k in keys])
    first = keys[0].is_first_distinct() if len(keys) == 1 else pl.struct(keys).is_first_distinct()
    flags = work.select(complete.alias("_complete"), first.alias("_first"))
    repeated = flags.get_column("_complete") & ~flags.get_column("_first")
    if not repeated.any():
        return
    repeats = work.filter(repeated)
    originals = (
        work.filter(flags.get_column("_complete") & flags.get_column("_first"))
        .join(repeats.select(columns).unique(), on=list(columns), how="semi")
        .select(*columns, pl.col("_loc").alias("_first_loc"), pl.col("_row").alias("_first_row"))
    )
    where = pl.DataFrame(
        {
            "_first_loc": list(range(len(problems.locations))),
            "_first_where": [_where(f, s) for f, s, _ in problems.locations],
        },
        schema={"_first_loc": pl.Int64, "_first_where": pl.String},
    )
    repeats = repeats.join(originals, on=list(columns), how="left").join(where, on="_first_loc", how="left")
    labels = [t.zh_of(c) for c in columns]
    what = "主键" if columns == t.key else "取值"
    message = pl.format(
        f"与{{}}第 {{}} 行重复：{_quoted(labels)}的{what}在同一张表中只能出现一次，请删除或合并重复的行后重新上传。",
        pl.col("_first_where"),
        pl.col("_first_row"),
    )
    order = min(t.column_names.index(c) for c in columns)
    problems.rows(repeats, ProblemKind.DUPLICATE_KEY, "、".join(labels), _key_values(columns), message, order)


def _check_unique_against_database(
    problems: _Problems, t: Table, work: pl.DataFrame, con: duckdb.DuckDBPyConnection | None, mode: str
) -> None:
    """A unique column (学校名称) may not repeat a value that another key already holds in the database.

    Rows of keys this batch overwrites don't count (a school renamed in the same batch frees its name),
    nor does anything in 'replace' mode, where the table's database rows go away.
    """
    if con is None or mode == "replace":
        return
    for c in t.columns:
        if not c.unique or (c.name,) == t.key:
            continue
        with contextlib.suppress(duckdb.Error):
            cols = [*t.key, c.name]
            stored = queries.frame(con, f"select {', '.join(cols)} from {t.name} where {c.name} is not null")
            stored = stored.select([pl.col(x).cast(work.schema[x]) for x in cols])
            others = stored.join(work.select(t.key).unique(), on=list(t.key), how="anti")
            clash = work.join(others.select(c.name).unique(), on=c.name, how="semi")
            message = (
                f"“{c.zh}”的取值已被数据库中另一条记录使用，在“{t.zh}”表中只能出现一次："
                f"请核对是否填错，或在同一批中一并修改那条记录后重新上传。"
            )
            problems.rows(
                clash,
                ProblemKind.DUPLICATE_KEY,
                c.zh,
                _key_values((c.name,)),
                message,
                t.column_names.index(c.name),
            )


def _where(file: str, sheet: str) -> str:
    return f"“{file}”" + (f"工作表“{sheet}”" if sheet else "")


def _known_keys(
    ref: Reference,
    batch: dict[str, pl.DataFrame],
    con: duckdb.DuckDBPyConnection | None,
    mode: str,
    dtypes: dict[str, pl.DataType],
) -> pl.DataFrame:
    """Values a reference may point at: the target table's rows in this batch plus its rows in the database.

    In 'replace' mode a table being replaced by this batch no longer offers its database rows.
    """
    rename = dict(zip(ref.target_columns, ref.columns, strict=True))
    known: list[pl.DataFrame] = []
    if ref.table in batch:
        known.append(batch[ref.table].select(ref.target_columns).rename(rename))
    if con is not None and not (mode == "replace" and ref.table in batch):
        # a database without this table yet has no rows to offer (and a failure can only add errors)
        with contextlib.suppress(duckdb.Error):
            known.append(ledger.existing_keys(con, ref.table, ref.target_columns).rename(rename))
    frames = [k.select([pl.col(c).cast(dtypes[c]) for c in ref.columns]) for k in known]
    if not frames:
        return pl.DataFrame(schema={c: dtypes[c] for c in ref.columns})
    return pl.concat(frames).drop_nulls().unique()


def _check_references(
    problems: _Problems,
    t: Table,
    work: pl.DataFrame,
    batch: dict[str, pl.DataFrame],
    con: duckdb.DuckDBPyConnection | None,
    mode: str,
) -> None:
    """Anti-join every reference against what it may point at; empty optional references are fine.

    Only the columns the report needs are joined, and rows with an empty part (which a join never
    matches) are dropped from the few missing rows rather than from all rows beforehand.
    """
    for ref in t.references:
        columns = list(ref.columns)
        filled = pl.all_horizontal([pl.col(c).is_not_null() for c in columns])
        if not work.select(filled.any()).item():
            continue
        known = _known_keys(ref, batch, con, mode, {c: work.schema[c] for c in columns})
        pointing = work.select("_loc", "_row", *columns, *[_raw(c) for c in columns])
        missing = pointing.join(known, on=columns, how="anti").filter(filled)
        target = TABLES_BY_NAME[ref.table]
        labels = [t.zh_of(c) for c in columns]
        source = "本批上传中" if con is None else "本批上传和数据库中"
        message = (
            f"{_quoted(labels)}为该值的记录在“{target.zh}”表中不存在（{source}都没有）："
            f"请核对是否填错，或先上传“{target.zh}”表（也可与本批一起上传）后重新上传。"
        )
        order = min(t.column_names.index(c) for c in columns)
        problems.rows(
            missing,
            ProblemKind.MISSING_REFERENCE,
            "、".join(labels),
            _key_values(ref.columns),
            message,
            order,
        )


def _check_dependents(
    problems: _Problems,
    combined: dict[str, pl.DataFrame],
    batch: dict[str, pl.DataFrame],
    con: duckdb.DuckDBPyConnection | None,
) -> None:
    """A whole-table replace must not strand rows already in the database that point at the old rows.

    E.g. replacing 学校 with a list lacking a school that 领导班子 rows in the database still name would
    leave those rows pointing nowhere. One problem per reference, on the replacing file, with examples.
    """
    if con is None:
        return
    for dependent in TABLES:
        if dependent.name in batch:
            continue  # its own rows in this batch were checked against the batch already
        for ref in dependent.references:
            if ref.table not in batch:
                continue
            with contextlib.suppress(duckdb.Error):
                stored = ledger.existing_keys(con, dependent.name, ref.columns)
                rename = dict(zip(ref.target_columns, ref.columns, strict=True))
                offered = batch[ref.table].select(ref.target_columns).rename(rename)
                stored = stored.select([pl.col(c).cast(offered.schema[c]) for c in ref.columns])
                stranded = stored.join(offered, on=list(ref.columns), how="anti")
                if stranded.is_empty():
                    continue
                target = TABLES_BY_NAME[ref.table]
                labels = [dependent.zh_of(c) for c in ref.columns]
                examples = (
                    stranded.head(5)
                    .select(
                        pl.concat_str(
                            [pl.col(c).cast(pl.String) for c in ref.columns], separator=VALUE_SEPARATOR
                        )
                    )
                    .to_series()
                    .to_list()
                )
                problems.single(
                    int(combined[ref.table]["_loc"][0]),
                    ProblemKind.MISSING_REFERENCE,
                    f"整表替换“{target.zh}”后，数据库中“{dependent.zh}”表仍有 {stranded.height} 个"
                    f"{_quoted(labels)}指向本文件中没有的记录（如 {'、'.join(map(str, examples))}）："
                    f"请在本文件中保留这些记录，或同时上传更新后的“{dependent.zh}”表，或改用增量更新。",
                    column="、".join(target.zh_of(c) for c in ref.target_columns),
                    value="、".join(map(str, examples)),
                )


# ---------------------------------------------------------------- entry


def _resolve_override(label: str | None) -> Table | None:
    if not label:
        return None
    t = table_by_label(label)
    if t is None:
        choices = "、".join(f"{x.zh}（{x.name}）" for x in TABLES)
        raise UsageError(f"未知的表“{label}”，可选：{choices}。")
    return t


def _unknown_table_message(sheet: RawSheet) -> str:
    closest = _closest_table(sheet.header) if sheet.header_row is not None else None
    hint = f"表头与“{closest[0].zh}”表最接近（只对上 {closest[1]} 列）。" if closest else ""
    return (
        f"无法识别这是哪张表：没有找到含足够已知列名的表头行。{hint}"
        "请使用模板中的表头（中文或英文列名均可），或在上传时指定表后重新上传。"
    )


def _sheet_layout(problems: _Problems, loc: int, sheet: RawSheet, override: Table | None) -> _Layout | None:
    t = override or (recognise_table(sheet.header) if sheet.header_row is not None else None)
    if t is None or sheet.header_row is None:
        problems.single(loc, ProblemKind.UNKNOWN_TABLE, _unknown_table_message(sheet), row=sheet.header_row)
        return None
    layout = _layout(t, sheet)
    _check_layout(problems, loc, layout)
    return layout


def _sheet_work(problems: _Problems, layout: _Layout, sheet: RawSheet, loc: int) -> pl.DataFrame:
    """One recognised sheet: its cell and row problems reported, its work frame for the batch checks."""
    data = _drop_hint_row(layout, sheet.data.with_columns(sheet.row_numbers.alias("_row")))
    # from here on `data` is the only hold on the cells, so that dropping empty rows frees the unfiltered ones
    sheet.data = sheet.data.clear()
    cells = _clean_cells(problems, data, loc)
    del data
    typed = _typed_cells(layout, cells)
    del cells
    _check_cells(problems, layout, typed, loc)
    return _work(layout, typed, loc)


@dataclass
class _CheckedFile:
    """One file's sheets: (sheet name, table name or None, data rows) for its RecognisedPart rows, and
    the work frame of each recognised sheet, for the batch-level checks."""

    parts: list[tuple[str, str | None, int]] = field(default_factory=list)
    works: list[tuple[str, pl.DataFrame]] = field(default_factory=list)


def _check_file(
    problems: _Problems,
    file_index: int,
    name: str,
    raw: bytes,
    vocabulary: set[str],
    override: Table | None,
) -> _CheckedFile:
    """Read one file and check each of its sheets; each raw sheet is let go as soon as it is checked."""
    outcome = read_upload(name, raw, vocabulary)
    file_loc = problems.location(name, "", file_index)
    for p in outcome.problems:
        _read_problem(problems, file_loc, file_index, p)
    checked = _CheckedFile()
    if not outcome.sheets:
        checked.parts.append(("", None, 0))
        return checked
    sheets, outcome.sheets = outcome.sheets, []
    sheets.reverse()
    while sheets:
        sheet = sheets.pop()
        loc = file_loc if not sheet.sheet else problems.location(name, sheet.sheet, file_index)
        layout = _sheet_layout(problems, loc, sheet, override)
        if layout is None:
            checked.parts.append((sheet.sheet, None, 0))
            continue
        work = _sheet_work(problems, layout, sheet, loc)
        checked.works.append((layout.table.name, work))
        checked.parts.append((sheet.sheet, layout.table.name, work.height))
    return checked


#: Files below this share of a batch's bytes are checked on a second thread beside the large ones. A
#: large file's checks leave about a third of the second core idle (single-column steps, Python between
#: polars calls), which the small files fill: province scale, 2 cores: the files' checks 2.5 s -> 2.25 s,
#: same CPU time. Large files stay on one thread, one at a time, so the memory peak does not grow.
SIDE_FILE_SHARE = 0.05


def _check_all(
    problems: _Problems,
    files: list[tuple[str, bytes]],
    vocabulary: set[str],
    override: Table | None,
    pool: ThreadPoolExecutor,
) -> list[_CheckedFile]:
    """Every file checked, the small ones on `pool` meanwhile; results in the batch's order."""
    total = sum(len(raw) for _, raw in files)
    side = [i for i, (_, raw) in enumerate(files) if len(raw) < SIDE_FILE_SHARE * total]
    main = sorted(set(range(len(files))) - set(side))
    if not main:  # nothing large: no point in a second thread
        main, side = side, []

    def check(indices: list[int]) -> dict[int, _CheckedFile]:
        return {i: _check_file(problems, i, *files[i], vocabulary, override) for i in indices}

    aside = pool.submit(check, side)
    done = check(main) | aside.result()
    return [done[i] for i in range(len(files))]


def sha256(raw: bytes) -> str:
    """A file's SHA-256 (hex): what the ledger records, and how a file loaded before is recognised."""
    return hashlib.sha256(raw).hexdigest()


def _digests(files: list[tuple[str, bytes]]) -> list[str]:
    return [sha256(raw) for _, raw in files]


def validate_files(
    files: list[tuple[str, bytes]],
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    table_override: str | None = None,
    mode: str = "upsert",
    digests: list[str] | None = None,
) -> BatchResult:
    """Read and check one upload batch. Writes nothing; returns typed frames and the whole report.

    `con`: the database that references may resolve against (None: only this batch counts).
    `table_override`: an English or Chinese table name that every file/sheet is read as.
    `mode`: 'upsert' or 'replace'; with 'replace' a table in this batch no longer offers its database
    rows to references.
    `digests`: each file's SHA-256 (hex), when the caller has it already; otherwise it is computed in a
    background thread (hashlib lets go of the GIL) while the files are checked.
    """
    if mode not in LOAD_MODES:
        raise UsageError(f"未知的导入方式“{mode}”，只能是 {' 或 '.join(LOAD_MODES)}。")
    override = _resolve_override(table_override)
    vocabulary = header_vocabulary([override] if override else TABLES)
    problems = _Problems()
    with ThreadPoolExecutor(max_workers=2) as pool:
        hashing = pool.submit(_digests, files) if digests is None else None
        checked = _check_all(problems, files, vocabulary, override, pool)
        shas = hashing.result() if hashing is not None else digests
    parts = [
        RecognisedPart(name, sheet, table, rows, sha)
        for (name, _), sha, file in zip(files, shas, checked, strict=True)
        for sheet, table, rows in file.parts
    ]
    works: dict[str, list[pl.DataFrame]] = {}
    for file in checked:
        for name, work in file.works:
            works.setdefault(name, []).append(work)

    # a table with no rows at all (e.g. the untouched sheets of the workbook template) is left out, so a
    # 'replace' load never empties a table because a blank template sheet came along
    combined = {name: pl.concat(frames, how="vertical") for name, frames in works.items()}
    combined = {name: work for name, work in combined.items() if work.height}
    batch = {name: combined[name].select(TABLES_BY_NAME[name].column_names) for name in combined}
    for name, work in combined.items():
        t = TABLES_BY_NAME[name]
        _check_duplicates(problems, t, work, t.key)
        for c in t.columns:
            if c.unique and (c.name,) != t.key:
                _check_duplicates(problems, t, work, (c.name,))
        _check_unique_against_database(problems, t, work, con, mode)
        _check_references(problems, t, work, batch, con, mode)
    if mode == "replace":
        _check_dependents(problems, combined, batch, con)
    frames = {t.name: batch[t.name] for t in TABLES if t.name in batch}
    return BatchResult(frames, problems.report(), parts, list(shas))


# ---------------------------------------------------------------- report output


def _defuse(column: pl.Expr) -> pl.Expr:
    """Prefix ' to a text cell Excel would read as a formula (= + - @ TAB CR NUL)."""
    starts = pl.any_horizontal([column.str.starts_with(s) for s in FORMULA_STARTS]).fill_null(False)
    return pl.when(starts).then(pl.lit("'") + column).otherwise(column)


def _safe_report(report: pl.DataFrame) -> pl.DataFrame:
    text = [c for c, dtype in report.schema.items() if dtype == pl.String]
    return report.with_columns([_defuse(pl.col(c)).alias(c) for c in text])


def report_to_csv(report: pl.DataFrame) -> bytes:
    """The report as CSV, UTF-8 with a BOM so Excel shows the Chinese, formula-injection safe."""
    buffer = io.BytesIO()
    _safe_report(report).write_csv(buffer)
    return b"\xef\xbb\xbf" + buffer.getvalue()


#: column widths of the exported workbook, in characters
_XLSX_WIDTHS = {
    "文件": 24,
    "工作表": 14,
    "行号": 8,
    "列": 18,
    "值": 20,
    "问题类型": 12,
    "级别": 8,
    "说明": 80,
}


def report_to_xlsx(report: pl.DataFrame) -> bytes:
    """The report as an .xlsx workbook: bold header, readable widths, frozen header, injection safe."""
    wb = Workbook()
    ws = wb.active
    ws.title = "校验报告"
    ws.append(list(report.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in _safe_report(report).iter_rows():
        ws.append(list(row))
    for i, name in enumerate(report.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _XLSX_WIDTHS.get(name, 14)
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def format_report(report: pl.DataFrame) -> str:
    """Plain Chinese text for the command line: one line per problem, then a summary line."""
    lines = []
    for r in report.iter_rows(named=True):
        place = _where(r["文件"], r["工作表"])
        if r["行号"] is not None:
            place += f"第 {r['行号']} 行"
        if r["列"]:
            place += f"“{r['列']}”列"
        value = f"（值：{r['值']}）" if r["值"] is not None else ""
        lines.append(f"[{r['级别']}] {place} {r['问题类型']}{value}：{r['说明']}")
    errors = report.filter(pl.col("级别") == LEVEL_ERROR).height
    warnings = report.filter(pl.col("级别") == LEVEL_WARNING).height
    verdict = "校验通过" if errors == 0 else "校验未通过，本批数据不会写入"
    lines.append(f"{verdict}：共 {errors} 个错误、{warnings} 个警告。")
    return "\n".join(lines)
