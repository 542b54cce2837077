"""Which table a sheet is: recognised from its header row, and how its columns map onto that table.

A header is read as the table whose columns it shares most, among the tables it has at least half the
required columns of. The layout then says which source column holds each schema column, which columns
are not the table's and which headers repeat; those column-level problems are reported here.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from oversight.contract.errors import UsageError
from oversight.contract.schema import TABLES, ProblemKind, Table, table_by_label
from oversight.ingest.problems import Problems
from oversight.ingest.readers import RawSheet, normalise_header

EMPTY_HEADER_LABEL = "（空表头）"


@dataclass
class Layout:
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
    return Layout(t, sources, extras, duplicates)


def _check_layout(problems: Problems, loc: int, layout: Layout) -> None:
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


def _unknown_table_message(sheet: RawSheet) -> str:
    closest = _closest_table(sheet.header) if sheet.header_row is not None else None
    hint = f"表头与“{closest[0].zh}”表最接近（只对上 {closest[1]} 列）。" if closest else ""
    return (
        f"无法识别这是哪张表：没有找到含足够已知列名的表头行。{hint}"
        "请使用模板中的表头（中文或英文列名均可），或在上传时指定表后重新上传。"
    )


def sheet_layout(problems: Problems, loc: int, sheet: RawSheet, override: Table | None) -> Layout | None:
    """The sheet's layout with its column-level problems reported; None (reported) when no table fits."""
    t = override or (recognise_table(sheet.header) if sheet.header_row is not None else None)
    if t is None or sheet.header_row is None:
        problems.single(loc, ProblemKind.UNKNOWN_TABLE, _unknown_table_message(sheet), row=sheet.header_row)
        return None
    layout = _layout(t, sheet)
    _check_layout(problems, loc, layout)
    return layout


def drop_hint_row(layout: Layout, data: pl.DataFrame) -> pl.DataFrame:
    """The template's grey hint row (row 2) carries each column's hint: it is not data, skip it."""
    if data.is_empty() or not layout.sources:
        return data
    first = data.row(0, named=True)
    hints = {name: layout.table.column(name).hint for name in layout.sources}
    if all((first[src] or "").strip() == hints[name] for name, src in layout.sources.items()):
        return data.slice(1)
    return data
