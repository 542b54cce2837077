"""Checks across rows, files and tables: keys repeated in the batch, unique values already held in the
database, references to rows that exist in neither, and rows a whole-table replace would strand.

Each works on the combined work frames of a table (every file and sheet read as it) and is a join or a
sort of hashes, never a loop over rows. The database is read through the engine's ledger.
"""

from __future__ import annotations

import contextlib

import polars as pl

from oversight.contract.schema import TABLES, TABLES_BY_NAME, ProblemKind, Reference, Table
from oversight.engine import Connection, DatabaseError, ledger
from oversight.ingest.cells import raw_column
from oversight.ingest.problems import Problems, where

VALUE_SEPARATOR = " / "


def _quoted(labels: list[str] | tuple[str, ...]) -> str:
    return "、".join(f"“{label}”" for label in labels)


def _key_values(columns: tuple[str, ...]) -> pl.Expr:
    return pl.concat_str(
        [pl.col(raw_column(c)).str.strip_chars() for c in columns], separator=VALUE_SEPARATOR
    )


def check_relations(
    problems: Problems,
    combined: dict[str, pl.DataFrame],
    batch: dict[str, pl.DataFrame],
    con: Connection | None,
    mode: str,
) -> None:
    """Every batch-level check of every table in the batch, then (replace) what the replace strands.

    `combined`: each table's work frames, concatenated; `batch`: the same with the schema's columns only.
    """
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


# ---------------------------------------------------------------- duplicates in the batch


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


def _first_places(problems: Problems) -> pl.DataFrame:
    """Each location index with the place the report names it by, to say where a key came first."""
    return pl.DataFrame(
        {
            "_first_loc": list(range(len(problems.locations))),
            "_first_where": [where(f, s) for f, s, _ in problems.locations],
        },
        schema={"_first_loc": pl.Int64, "_first_where": pl.String},
    )


def _check_duplicates(problems: Problems, t: Table, work: pl.DataFrame, columns: tuple[str, ...]) -> None:
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
    repeats = repeats.join(originals, on=list(columns), how="left").join(
        _first_places(problems), on="_first_loc", how="left"
    )
    labels = [t.zh_of(c) for c in columns]
    what = "主键" if columns == t.key else "取值"
    message = pl.format(
        f"与{{}}第 {{}} 行重复：{_quoted(labels)}的{what}在同一张表中只能出现一次，请删除或合并重复的行后重新上传。",
        pl.col("_first_where"),
        pl.col("_first_row"),
    )
    order = min(t.column_names.index(c) for c in columns)
    problems.rows(repeats, ProblemKind.DUPLICATE_KEY, "、".join(labels), _key_values(columns), message, order)


# ---------------------------------------------------------------- against the database


def _check_unique_against_database(
    problems: Problems, t: Table, work: pl.DataFrame, con: Connection | None, mode: str
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
        with contextlib.suppress(DatabaseError):
            cols = [*t.key, c.name]
            stored = ledger.current_values(con, t.name, tuple(cols), c.name)
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


# ---------------------------------------------------------------- references


def _known_keys(
    ref: Reference,
    batch: dict[str, pl.DataFrame],
    con: Connection | None,
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
        with contextlib.suppress(DatabaseError):
            known.append(ledger.existing_keys(con, ref.table, ref.target_columns).rename(rename))
    frames = [k.select([pl.col(c).cast(dtypes[c]) for c in ref.columns]) for k in known]
    if not frames:
        return pl.DataFrame(schema={c: dtypes[c] for c in ref.columns})
    return pl.concat(frames).drop_nulls().unique()


def _check_references(
    problems: Problems,
    t: Table,
    work: pl.DataFrame,
    batch: dict[str, pl.DataFrame],
    con: Connection | None,
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
        pointing = work.select("_loc", "_row", *columns, *[raw_column(c) for c in columns])
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


# ---------------------------------------------------------------- dependents of a replaced table


def _check_dependents(
    problems: Problems,
    combined: dict[str, pl.DataFrame],
    batch: dict[str, pl.DataFrame],
    con: Connection | None,
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
            with contextlib.suppress(DatabaseError):
                stored = ledger.existing_keys(con, dependent.name, ref.columns)
                rename = dict(zip(ref.target_columns, ref.columns, strict=True))
                offered = batch[ref.table].select(ref.target_columns).rename(rename)
                stored = stored.select([pl.col(c).cast(offered.schema[c]) for c in ref.columns])
                stranded = stored.join(offered, on=list(ref.columns), how="anti")
                if stranded.is_empty():
                    continue
                _report_stranded(problems, int(combined[ref.table]["_loc"][0]), dependent, ref, stranded)


def _report_stranded(
    problems: Problems, loc: int, dependent: Table, ref: Reference, stranded: pl.DataFrame
) -> None:
    """One problem on the replacing file: how many stored rows of `dependent` it strands, with examples."""
    target = TABLES_BY_NAME[ref.table]
    labels = [dependent.zh_of(c) for c in ref.columns]
    examples = (
        stranded.head(5)
        .select(pl.concat_str([pl.col(c).cast(pl.String) for c in ref.columns], separator=VALUE_SEPARATOR))
        .to_series()
        .to_list()
    )
    problems.single(
        loc,
        ProblemKind.MISSING_REFERENCE,
        f"整表替换“{target.zh}”后，数据库中“{dependent.zh}”表仍有 {stranded.height} 个"
        f"{_quoted(labels)}指向本文件中没有的记录（如 {'、'.join(map(str, examples))}）："
        f"请在本文件中保留这些记录，或同时上传更新后的“{dependent.zh}”表，或改用增量更新。",
        column="、".join(target.zh_of(c) for c in ref.target_columns),
        value="、".join(map(str, examples)),
    )
