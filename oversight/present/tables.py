"""Frames as a user reads them: Chinese headers, 是/否 for flags, statuses with their symbol, and the
school matrix as coloured text cells. The app's tables, the Excel downloads and the report use these."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from oversight.contract import catalog
from oversight.contract.catalog import INDICATORS, INDICATORS_BY_KEY, STATUS_NONE, STATUS_STYLE
from oversight.metrics.schools import failed_count, school_share, shown
from oversight.present.formats import format_expr, format_value
from oversight.present.labels import column_label, is_share


def matrix_cells(df: pl.DataFrame, keys: Sequence[str] | None = None) -> pl.DataFrame:
    """The school matrix as text cells '✖ 45.0%' / '● 分设' (symbol of the status, then the value), one
    column per indicator under its Chinese name; school columns keep their query names."""
    if keys is None:
        keys = [i.key for i in INDICATORS if f"{i.key}_status" in df.columns]
    symbols = {s: style[1] for s, style in STATUS_STYLE.items()}
    cells = []
    for k in keys:
        share = INDICATORS_BY_KEY[k].unit == "share"
        value = pl.col(k)
        if df.schema[k] == pl.Boolean:
            text = (
                pl.when(value).then(pl.lit("是")).when(value.not_()).then(pl.lit("否")).otherwise(pl.lit("—"))
            )
        elif df.schema[k].is_numeric():
            text = format_expr(value, share).fill_null("—")
        else:
            text = value.cast(pl.String).fill_null("—")
        status = pl.col(f"{k}_status").fill_null(STATUS_NONE)
        symbol = status.replace_strict(symbols, default="○")
        # a school without a record for the period reads 未报送, not a 0% or a 否 it never reported
        text = pl.when(status == catalog.STATUS_MISSING).then(pl.lit(catalog.STATUS_MISSING)).otherwise(text)
        cells.append(pl.concat_str([symbol, pl.lit(" "), text]).alias(INDICATORS_BY_KEY[k].zh))
    base = [c for c in ("school_code", "school_name", "town", "stage", "area_type") if c in df.columns]
    return df.select(*base, *cells)


def cell_status(text: object) -> str:
    """The status a matrix cell shows, read back from its leading symbol (for colouring the cell)."""
    if isinstance(text, str):
        for status, (_, symbol) in STATUS_STYLE.items():
            if text.startswith(symbol):
                return status
    return STATUS_NONE


def school_vs_district_frame(school_row: Mapping[str, object], district: Mapping[str, dict]) -> pl.DataFrame:
    """indicator / school_value / school_text / district_value / status for one school, from a
    school_matrix row and the district's compute() result.

    The school's value is metrics.schools.school_share (分设 and done flags as 100%), so it sits on the
    same axis as the district's value.
    """
    rows = []
    for ind in INDICATORS:
        if ind.key not in school_row and f"{ind.key}_status" not in school_row:
            continue
        raw = school_row.get(ind.key)
        value = school_share(ind.key, raw)
        if isinstance(raw, bool):
            text = "是" if raw else "否"
        elif isinstance(raw, int | float):
            text = format_value(float(raw), ind.unit == "share")
        else:
            text = "—" if raw is None else str(raw)
        status = school_row.get(f"{ind.key}_status") or catalog.status_of(ind, value)
        rows.append(
            {
                "indicator": ind.key,
                "indicator_label": ind.zh,
                "school_value": value,
                "school_text": text,
                "district_value": _headline(district, ind.key),
                "status": status,
            }
        )
    schema = {
        "indicator": pl.String,
        "indicator_label": pl.String,
        "school_value": pl.Float64,
        "school_text": pl.String,
        "district_value": pl.Float64,
        "status": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def _headline(district: Mapping[str, dict], key: str) -> float | None:
    value = (district.get(key) or {}).get(INDICATORS_BY_KEY[key].headline)
    return float(value) if isinstance(value, int | float) else None


def display_frame(df: pl.DataFrame) -> pl.DataFrame:
    """The frame with Chinese headers (labels.column_label, the one mapping); duplicates get a suffix.
    Columns that only feed district figures (schools.shown) are left out."""
    df = shown(df)
    seen: dict[str, int] = {}
    names = []
    for c in df.columns:
        label = column_label(c)
        seen[label] = seen.get(label, 0) + 1
        names.append(label if seen[label] == 1 else f"{label}（{seen[label]}）")
    return df.rename(dict(zip(df.columns, names, strict=True)))


def readable(df: pl.DataFrame) -> pl.DataFrame:
    """Booleans as 是/否 so a leader reads words, not ticks, and statuses with their symbol ('✖ 未达标')
    so they read in black-and-white print; the .xlsx carries the same words."""
    bools = [c for c, t in df.schema.items() if t == pl.Boolean]
    statuses = [
        c for c, t in df.schema.items() if t == pl.String and (c == "status" or c.endswith("_status"))
    ]
    symbols = {status: f"{symbol} {status}" for status, (_, symbol) in catalog.STATUS_STYLE.items()}
    return df.with_columns(
        *(
            pl.when(pl.col(c)).then(pl.lit("是")).when(pl.col(c).not_()).then(pl.lit("否")).alias(c)
            for c in bools
        ),
        *(pl.col(c).replace(symbols) for c in statuses),
    )


#: how a column reads: a share (shown as 12.5%), an amount (3,004,500.00), a date (2023-09-01)
SHARE, AMOUNT, DATE = "share", "amount", "date"


def column_kinds(df: pl.DataFrame) -> dict[str, str]:
    """The columns of a query frame that read as shares, amounts or dates, by their Chinese header (the
    one convention of queries/: *_share / *_ratio / *_rate are shares; decimals are amounts)."""
    kinds: dict[str, str] = {}
    for name, dtype in df.schema.items():
        if is_share(name) and dtype.is_numeric():
            kinds[column_label(name)] = SHARE
        elif isinstance(dtype, pl.Decimal):
            kinds[column_label(name)] = AMOUNT
        elif dtype == pl.Date:
            kinds[column_label(name)] = DATE
    return kinds


def screen_frame(df: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, str]]:
    """A query frame as a table on screen shows it: 是/否 and status symbols (readable), Chinese headers,
    shares in percent (12.474 for 12.474%, formatted '12.5%' by the grid), amounts as numbers the grid
    writes with thousands separators; and each formatted column's kind."""
    converted = readable(df).with_columns(
        *(pl.col(c) * 100 for c, t in df.schema.items() if is_share(c) and t.is_numeric()),
        *(pl.col(c).cast(pl.Float64) for c, t in df.schema.items() if isinstance(t, pl.Decimal)),
    )
    return display_frame(converted), column_kinds(df)


def lagging_lines(matrix: pl.DataFrame, limit: int) -> list[str]:
    """'**城关第五小学**（城关街道）：✖ 交叉任职 45.0%、✖ 章程修订 否' for each school of the (sorted)
    matrix that is 未达标 on at least one indicator, at most `limit` of them."""
    keys = [i.key for i in INDICATORS if f"{i.key}_status" in matrix.columns]
    matrix = matrix.filter(failed_count(matrix) > 0).head(limit)  # at most `limit` rows reach Python
    cells = matrix_cells(matrix, keys)
    out: list[str] = []
    for row, cell in zip(matrix.iter_rows(named=True), cells.iter_rows(named=True), strict=True):
        bad = [
            cell[INDICATORS_BY_KEY[k].zh].replace(" ", f" {INDICATORS_BY_KEY[k].zh} ", 1)
            for k in keys
            if row[f"{k}_status"] == catalog.STATUS_BAD
        ]
        out.append(f"**{row['school_name']}**（{row['town']}）：{'、'.join(bad)}")
    return out
