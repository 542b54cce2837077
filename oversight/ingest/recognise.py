"""Which table a sheet is: recognised from its header row, and how its columns map onto that table.

A header is read as the table whose columns it shares most, among the tables it has at least half the
required columns of. The layout then says which source column holds each schema column, which columns
are not the table's and which headers repeat; those column-level problems are reported here. Headers
are read through required marks and units (headers.match_header), each such reading a warning. A
workbook's instruction sheet (填表说明) that holds no table is skipped with a warning, and so is an
old template's row of 必填/选填 notes under the header.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import polars as pl

from oversight.contract.errors import UsageError
from oversight.contract.schema import (
    HINT_WORDS,
    STRONG_HINT_WORDS,
    TABLES,
    ProblemKind,
    Table,
    table_by_label,
)
from oversight.ingest.headers import match_header
from oversight.ingest.problems import Problems
from oversight.ingest.readers import RawSheet

EMPTY_HEADER_LABEL = "（空表头）"


@dataclass
class Layout:
    """How one sheet's columns map onto a table: source column (c0, c1 ...) per schema column."""

    table: Table
    sources: dict[str, str]
    extras: list[tuple[str, str]]  # (source column, header label) of columns that are not the table's
    duplicates: list[tuple[str, str]]  # (header label, schema column) of repeated headers
    #: (header label, schema column, message): headers read through a mark or a unit (warnings)
    notes: list[tuple[str, str, str]] = field(default_factory=list)
    #: (header label, schema column, message): headers naming another unit than the column's (errors)
    unit_errors: list[tuple[str, str, str]] = field(default_factory=list)
    #: (header label, schema column): headers read through a mark, unit or note for a column another
    #: header already names exactly (ignored, a warning)
    shadowed: list[tuple[str, str]] = field(default_factory=list)


def _matched(t: Table, header: list[str | None]) -> set[str]:
    matches = (match_header(t, label) for label in header)
    return {m.column for m in matches if m is not None and m.unit_error is None}


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


def resolve_override(label: str | None) -> Table | None:
    """The table every sheet is read as when the caller names one (English or Chinese)."""
    if not label:
        return None
    t = table_by_label(label)
    if t is None:
        choices = "、".join(f"{x.zh}（{x.name}）" for x in TABLES)
        raise UsageError(f"未知的表“{label}”，可选：{choices}。")
    return t


def _layout(t: Table, sheet: RawSheet) -> Layout:
    """Exact headers claim their columns first: a 学校标识码（旧） beside a 学校标识码 does not take it."""
    layout = Layout(t, {}, [], [])
    matches = [
        (source, label, match_header(t, label))
        for source, label in zip(sheet.data.columns, sheet.header, strict=True)
    ]
    for exact in (True, False):
        for source, label, match in matches:
            if match is None or match.unit_error is not None or (match.note is None) is not exact:
                continue
            shown = label.strip() if label else ""
            if match.column not in layout.sources:
                layout.sources[match.column] = source
                if match.note:
                    layout.notes.append((shown, match.column, match.note))
            elif exact:
                layout.duplicates.append((label or "", match.column))
            else:
                layout.shadowed.append((shown, match.column))
    for source, label, match in matches:
        shown = label.strip() if label and label.strip() else EMPTY_HEADER_LABEL
        if match is None:
            layout.extras.append((source, shown))
        elif match.unit_error is not None:
            layout.unit_errors.append((shown, match.column, match.unit_error))
    return layout


def _check_layout(problems: Problems, loc: int, layout: Layout) -> None:
    """Column-level problems: missing columns, extra columns, repeated headers, headerless data."""
    t = layout.table
    order = {name: i for i, name in enumerate(t.column_names)}
    for label, name, message in layout.unit_errors:
        problems.single(loc, ProblemKind.BAD_FORMAT, message, column=label, col_index=order[name])
    for label, name, message in layout.notes:
        problems.single(
            loc, ProblemKind.BAD_FORMAT, message, column=label, col_index=order[name], warning=True
        )
    unit_refused = {name for _, name, _ in layout.unit_errors}
    for i, c in enumerate(t.columns):
        if c.required and c.name not in layout.sources and c.name not in unit_refused:
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
    for label, name in layout.shadowed:
        problems.single(
            loc,
            ProblemKind.EXTRA_COLUMN,
            f"表头“{label}”也可读作“{t.zh_of(name)}”，但本表已有“{t.zh_of(name)}”列，这一列已忽略；如要导入它，"
            "请删去另一列。",
            column=label,
            col_index=len(t.columns),
        )
    for label, name in layout.duplicates:
        problems.single(
            loc,
            ProblemKind.EXTRA_COLUMN,
            f"“{t.zh_of(name)}”列出现了不止一次，只读取第一列，“{label}”这一列已忽略；请删去重复的列。",
            column=label,
            col_index=len(t.columns),
        )


def _unknown_table_message(sheet: RawSheet) -> str:
    closest = _closest_table(sheet.header) if sheet.header_row is not None else None
    hint = f"表头与“{closest[0].zh}”表最接近（只对上 {closest[1]} 列）。" if closest else ""
    return (
        f"无法识别这是哪张表：没有找到含足够已知列名的表头行。{hint}"
        "请使用模板中的表头（中文或英文列名均可），或在上传时指定表后重新上传。"
    )


INSTRUCTIONS_MESSAGE = (
    "这个工作表是填表说明（或代码、选项等），不是数据表，已跳过；如它确是数据，请改用模板中的表头。"
)


def sheet_layout(problems: Problems, loc: int, sheet: RawSheet, override: Table | None) -> Layout | None:
    """The sheet's layout with its column-level problems reported; None (reported) when no table fits.

    A workbook sheet that holds no table and reads as instructions (填表说明) is skipped with a warning.
    """
    t = override or (recognise_table(sheet.header) if sheet.header_row is not None else None)
    if sheet.instructions and (sheet.header_row is None or (override is None and t is None)):
        problems.single(loc, ProblemKind.UNKNOWN_TABLE, INSTRUCTIONS_MESSAGE, warning=True)
        return None
    if t is None or sheet.header_row is None:
        problems.single(loc, ProblemKind.UNKNOWN_TABLE, _unknown_table_message(sheet), row=sheet.header_row)
        return None
    layout = _layout(t, sheet)
    _check_layout(problems, loc, layout)
    return layout


def _hint_like(cells: list[str]) -> bool:
    """An old template's notes row: every filled cell starts with a hint word, one with 必填/选填 ..."""
    folded = [unicodedata.normalize("NFKC", c).replace(" ", "").lower() for c in cells]
    return (
        bool(folded)
        and all(c.startswith(HINT_WORDS) for c in folded)
        and any(c.startswith(STRONG_HINT_WORDS) for c in folded)
    )


HINT_ROW_MESSAGE = "这一行是表头下方的填写说明（必填/选填等），不是数据，已跳过。"


def drop_hint_row(layout: Layout, data: pl.DataFrame) -> tuple[pl.DataFrame, tuple[int, str] | None]:
    """The first data row when it is a hint row, set aside: the template's own grey hint row (row 2,
    each column's hint exactly: skipped silently, the template says so), or an old template's row of
    必填/选填 notes (skipped, and returned as (row number, first cell) for a warning)."""
    if data.is_empty() or not layout.sources:
        return data, None
    first = data.row(0, named=True)
    hints = {name: layout.table.column(name).hint for name in layout.sources}
    if all((first[src] or "").strip() == hints[name] for name, src in layout.sources.items()):
        return data.slice(1), None
    filled = [str(v).strip() for k, v in first.items() if k != "_row" and v is not None and str(v).strip()]
    if _hint_like(filled):
        return data.slice(1), (int(first["_row"]), filled[0])
    return data, None
