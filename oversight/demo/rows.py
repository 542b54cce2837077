"""Rows and frames in the schema's shape: every section builds its rows with `row` and the district
turns them into typed frames with `frame`. Columns and dtypes come from `oversight.contract.schema`;
nothing here retypes them.
"""

from __future__ import annotations

import polars as pl

from oversight.contract.schema import table

#: polars dtype per schema column type (Decimal(18,2) matches the store's DECIMAL(18,2))
POLARS_TYPES: dict[str, pl.DataType] = {
    "text": pl.Utf8(),
    "code": pl.Utf8(),
    "enum": pl.Utf8(),
    "school_year": pl.Utf8(),
    "bool": pl.Boolean(),
    "int": pl.Int64(),
    "decimal": pl.Decimal(18, 2),
    "date": pl.Date(),
}

#: one generated row: column name -> value, in schema order
Row = dict[str, object]


def frame(table_name: str, rows: list[Row]) -> pl.DataFrame:
    """Typed frame with exactly the schema's columns in schema order, sorted by the table's key."""
    t = table(table_name)
    schema = {c.name: POLARS_TYPES[c.type] for c in t.columns}
    for r in rows:
        if list(r) != t.column_names:
            raise ValueError(f"{table_name}: row columns {list(r)} differ from the schema")
    result = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    return result.sort(list(t.key))


def row(table_name: str, **values: object) -> Row:
    """A row dict in schema order; a missing optional column is null, an unknown one is an error."""
    t = table(table_name)
    unknown = [k for k in values if k not in t.column_names]
    if unknown:
        raise KeyError(f"{table_name}: unknown columns {unknown}")
    return {name: values.get(name) for name in t.column_names}
