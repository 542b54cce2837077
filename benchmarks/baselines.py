"""The two neighbours the product's load is compared with, each a worker run in its own process.

- `worker_raw`, the limit: DuckDB `create table as select * from read_csv(...)` of the same files into
  plain tables of a fresh database file.
- `worker_pandas`, what an analyst would write instead: pandas `read_csv`, a per-row Python check of
  every cell's type, range, key and reference, insert into DuckDB. At large scale it reads a sample of
  each big table and extrapolates linearly; the report says so.

duckdb and pandas are imported inside the workers, so other workers' peak RSS does not carry them.
"""

from __future__ import annotations

import io
import re
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from benchmarks.generate import read_manifest
from oversight.contract import schema
from oversight.contract.schema import TABLES, Reference, Table

# ---------------------------------------------------------------- the limit: read_csv


def _utf8_path(files_dir: Path, info: dict[str, Any], scratch: Path) -> tuple[Path, float]:
    """The file as UTF-8 for read_csv: GBK has to be decoded in Python (no `encodings` extension
    offline, FACTS.md), so the limit pays that transcode too."""
    path = files_dir / info["file"]
    if info["encoding"] != "gbk":
        return path, 0.0
    started = time.perf_counter()
    target = scratch / f"utf8-{info['file']}"
    target.write_bytes(path.read_bytes().decode("gb18030").encode("utf-8"))
    return target, time.perf_counter() - started


def worker_raw(args: dict[str, Any]) -> dict[str, Any]:
    """The limit: `create table as select * from read_csv(...)` per file into plain tables."""
    import duckdb

    files_dir, db = Path(args["files"]), Path(args["db"])
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    per_table: dict[str, float] = {}
    started, cpu_started = time.perf_counter(), time.process_time()
    con = duckdb.connect(str(db), config={"autoinstall_known_extensions": False})
    transcode = 0.0
    for name, info in read_manifest(files_dir).items():
        t0 = time.perf_counter()
        path, spent = _utf8_path(files_dir, info, db.parent)
        transcode += spent
        con.execute(f"create table {name} as select * from read_csv('{path.as_posix()}')")
        per_table[name] = time.perf_counter() - t0
    con.close()
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,
        "per_table": per_table,
        "transcode_seconds": transcode,
    }


# ---------------------------------------------------------------- the hand-written pandas pipeline


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


_CODE_RE = re.compile(r"[A-Za-z0-9-]+")
_SCHOOL_YEAR_RE = re.compile(r"(\d{4})-(\d{4})")
#: (table, columns) pairs some reference points at: the key sets the pandas pipeline keeps
REFERENCED = frozenset((r.table, r.target_columns) for t in TABLES for r in t.references)
_TRUE = frozenset(schema.TRUE_WORDS)
_FALSE = frozenset(schema.FALSE_WORDS)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    for fmt in schema.DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _check_cell(col: schema.Column, text: str) -> tuple[Any, bool]:
    """(typed value, ok) for one cell, the way a hand-written pipeline checks it: one value at a time."""
    if col.type in ("text", "enum", "code", "school_year"):
        if col.choices and text not in col.choices:
            return None, False
        if col.type == "code" and (not _CODE_RE.fullmatch(text) or len(text) > (col.max_len or 10**6)):
            return None, False
        if col.type == "school_year":
            m = _SCHOOL_YEAR_RE.fullmatch(text)
            if not m or int(m.group(2)) != int(m.group(1)) + 1:
                return None, False
        return text, True
    if col.type == "int":
        try:
            value: Any = int(text)
        except ValueError:
            return None, False
    elif col.type == "decimal":
        try:
            value = float(text)
        except ValueError:
            return None, False
    elif col.type == "bool":
        low = text.lower()
        if low in _TRUE:
            return True, True
        if low in _FALSE:
            return False, True
        return None, False
    else:
        value = _parse_date(text)
        return value, value is not None
    ok = (col.min_value is None or value >= col.min_value) and (
        col.max_value is None or value <= col.max_value
    )
    return value, ok


Keys = dict[tuple[str, tuple[str, ...]], set[tuple[Any, ...]]]


def _check_rows(t: Table, rows: Any, keys: Keys) -> tuple[dict[str, list[Any]], int]:
    """Every row of one table checked cell by cell, its key for duplicates and its references against
    the key sets of the tables read before; returns the typed columns and the number of errors, and
    adds this table's referenced key sets to `keys`.

    The row loop stays in this one function, with no call per row besides `_check_cell`, so the
    baseline's cost is the hand-written pipeline's and not this benchmark's own plumbing."""
    errors = 0
    typed: dict[str, list[Any]] = {c: [] for c in t.column_names}
    seen: set[tuple[Any, ...]] = set()
    key_idx = [t.column_names.index(k) for k in t.key]
    refs = [(r, [t.column_names.index(c) for c in r.columns]) for r in t.references]
    pending_self: list[tuple[Reference, tuple[Any, ...]]] = []
    for row in rows:
        values = []
        for col, cell in zip(t.columns, row, strict=True):
            cell = cell.strip()
            if not cell:
                errors += col.required
                values.append(None)
                continue
            value, ok = _check_cell(col, cell)
            errors += not ok
            values.append(value)
        key = tuple(values[i] for i in key_idx)
        errors += key in seen
        seen.add(key)
        for ref, idx in refs:
            target = tuple(values[i] for i in idx)
            if any(v is None for v in target):
                continue
            if ref.table == t.name:
                pending_self.append((ref, target))
            elif target not in keys.get((ref.table, ref.target_columns), ()):
                errors += 1
        for name, value in zip(t.column_names, values, strict=True):
            typed[name].append(value)
    for target_table, target_columns in REFERENCED:
        if target_table == t.name:
            keys[(t.name, target_columns)] = set(zip(*(typed[c] for c in target_columns), strict=True))
    errors += sum(1 for ref, target in pending_self if target not in keys[(t.name, ref.target_columns)])
    return typed, errors


def _pandas_table(
    con: Any, t: Table, files_dir: Path, info: dict[str, Any], cap: int, keys: Keys
) -> tuple[dict[str, Any], int]:
    """Read, check and insert one table; its timings (extrapolated when sampled) and its error count."""
    import pandas as pd

    started, cpu_started = time.perf_counter(), time.process_time()
    text = _decode((files_dir / info["file"]).read_bytes())
    sampled = info["rows"] > cap
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, nrows=cap if sampled else None)
    df = df.rename(columns={c.zh: c.name for c in t.columns})[t.column_names]
    typed, errors = _check_rows(t, df.itertuples(index=False, name=None), keys)
    frame = pd.DataFrame(typed)
    con.register("_pandas_rows", frame)
    con.execute(f"insert into {t.name} select * from _pandas_rows")
    con.unregister("_pandas_rows")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    rows = len(frame)
    timing = {
        "rows": rows,
        "full_rows": info["rows"],
        "seconds": seconds,
        "extrapolated_seconds": seconds * info["rows"] / max(rows, 1),
        "extrapolated_cpu_seconds": cpu * info["rows"] / max(rows, 1),
        "sampled": sampled,
    }
    return timing, errors


def worker_pandas(args: dict[str, Any]) -> dict[str, Any]:
    """What an analyst would write instead: pandas.read_csv, a per-row check, insert into DuckDB.

    Tables above `sample_rows` are read as their first `sample_rows` rows and their time is scaled by
    full rows / sample rows (reading, checking and inserting are all linear in rows). Referenced tables
    (schools, orgs, quotas) are small, so they are always read whole and every reference check is real.
    """
    import duckdb
    import pandas  # noqa: F401  (imported before any table is timed, as the analyst's script would)

    files_dir, db, cap = Path(args["files"]), Path(args["db"]), int(args["sample_rows"])
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    for t in TABLES:  # plain typed tables, as an analyst's own script would create
        con.execute(f"create table {t.name} ({', '.join(f'{c.name} {c.sql_type}' for c in t.columns)})")
    keys: Keys = {}
    per_table: dict[str, dict[str, Any]] = {}
    errors = 0
    for t in TABLES:
        info = read_manifest(files_dir)[t.name]
        per_table[t.name], table_errors = _pandas_table(con, t, files_dir, info, cap, keys)
        errors += table_errors
    con.close()
    return {
        "measured_seconds": sum(v["seconds"] for v in per_table.values()),
        "seconds": sum(v["extrapolated_seconds"] for v in per_table.values()),
        "cpu_seconds": sum(v["extrapolated_cpu_seconds"] for v in per_table.values()),
        "sampled": any(v["sampled"] for v in per_table.values()),
        "sampled_rows": sum(v["rows"] for v in per_table.values()),
        "per_table": per_table,
        "errors": errors,
    }
