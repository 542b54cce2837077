"""Validate a batch of uploaded files into typed frames and one report listing every problem.

The public entry is `validate_files`. It reads every file (readers), recognises each sheet's table from
its header row (recognise), parses every cell with the vectorised parsers of `values` and checks the
rules that `schema` declares per cell and per row (cells), then per table across the whole batch
(duplicate keys and unique columns, even across files) and across tables (references, against the same
batch and the database) (relations). Every problem goes to one report (problems); it never stops at the
first problem.

Everything is columnar: checks are polars expressions, duplicate and reference checks are joins, and
report rows are built only from the rows that fail. Loops run over files, columns and rules, never rows.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import polars as pl

from oversight.contract.errors import AccessDenied, UsageError
from oversight.contract.schema import (
    LEVEL_ERROR,
    LEVEL_WARNING,
    LOAD_MODES,
    TABLES,
    TABLES_BY_NAME,
    ProblemKind,
    Table,
)
from oversight.engine import Connection, ledger
from oversight.ingest import scope as scope_rules
from oversight.ingest.cells import check_cells, clean_cells, typed_cells, work_frame
from oversight.ingest.problems import Problems, read_problem
from oversight.ingest.readers import RawSheet, header_vocabulary, read_upload
from oversight.ingest.recognise import HINT_ROW_MESSAGE, Layout, drop_hint_row, resolve_override, sheet_layout
from oversight.ingest.relations import check_relations


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


# ---------------------------------------------------------------- one file


def _sheet_work(problems: Problems, layout: Layout, sheet: RawSheet, loc: int) -> pl.DataFrame:
    """One recognised sheet: its cell and row problems reported, its work frame for the batch checks."""
    data, hint = drop_hint_row(layout, sheet.data.with_columns(sheet.row_numbers.alias("_row")))
    if hint is not None:
        problems.single(
            loc, ProblemKind.EMPTY_ROW, HINT_ROW_MESSAGE, row=hint[0], value=hint[1], warning=True
        )
    # from here on `data` is the only hold on the cells, so that dropping empty rows frees the unfiltered ones
    sheet.data = sheet.data.clear()
    cells = clean_cells(problems, data, loc, layout)
    del data
    typed = typed_cells(layout, cells)
    del cells
    check_cells(problems, layout, typed, loc)
    return work_frame(layout, typed, loc)


@dataclass
class _CheckedFile:
    """One file's sheets: (sheet name, table name or None, data rows) for its RecognisedPart rows, and
    the work frame of each recognised sheet, for the batch-level checks."""

    parts: list[tuple[str, str | None, int]] = field(default_factory=list)
    works: list[tuple[str, pl.DataFrame]] = field(default_factory=list)


def _check_file(
    problems: Problems,
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
        read_problem(problems, file_loc, file_index, p)
    checked = _CheckedFile()
    if not outcome.sheets:
        checked.parts.append(("", None, 0))
        return checked
    sheets, outcome.sheets = outcome.sheets, []
    sheets.reverse()
    while sheets:
        sheet = sheets.pop()
        loc = file_loc if not sheet.sheet else problems.location(name, sheet.sheet, file_index)
        for note in sheet.notes:
            problems.single(
                loc,
                note.kind,
                note.message,
                row=note.row,
                value=note.value,
                column=note.column,
                warning=note.warning,
            )
        layout = sheet_layout(problems, loc, sheet, override)
        if layout is None:
            checked.parts.append((sheet.sheet, None, 0))
            continue
        work = _sheet_work(problems, layout, sheet, loc)
        checked.works.append((layout.table.name, work))
        checked.parts.append((sheet.sheet, layout.table.name, work.height))
    return checked


# ---------------------------------------------------------------- the batch


#: Files below this share of a batch's bytes are checked on a second thread beside the large ones. A
#: large file's checks leave about a third of the second core idle (single-column steps, Python between
#: polars calls), which the small files fill: province scale, 2 cores: the files' checks 2.5 s -> 2.25 s,
#: same CPU time. Large files stay on one thread, one at a time, so the memory peak does not grow.
SIDE_FILE_SHARE = 0.05


def _check_all(
    problems: Problems,
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


def _combined_works(checked: list[_CheckedFile]) -> dict[str, pl.DataFrame]:
    """Each table's work frames from every file and sheet, as one frame, in the batch's order.

    A table with no rows at all (e.g. the untouched sheets of the workbook template) is left out, so a
    'replace' load never empties a table because a blank template sheet came along.
    """
    works: dict[str, list[pl.DataFrame]] = {}
    for file in checked:
        for name, work in file.works:
            works.setdefault(name, []).append(work)
    combined = {name: pl.concat(frames, how="vertical") for name, frames in works.items()}
    return {name: work for name, work in combined.items() if work.height}


def validate_files(
    files: list[tuple[str, bytes]],
    *,
    con: Connection | None = None,
    table_override: str | None = None,
    mode: str = "upsert",
    digests: list[str] | None = None,
    scope: tuple[str, ...] | None = None,
) -> BatchResult:
    """Read and check one upload batch. Writes nothing; returns typed frames and the whole report.

    `con`: the database that references may resolve against (None: only this batch counts).
    `table_override`: an English or Chinese table name that every file/sheet is read as.
    `mode`: 'upsert' or 'replace'; with 'replace' a table in this batch no longer offers its database
    rows to references.
    `digests`: each file's SHA-256 (hex), when the caller has it already; otherwise it is computed in a
    background thread (hashlib lets go of the GIL) while the files are checked.
    `scope`: a 学校 account's school codes (roles.User.scope): every row of another school is an error
    (ingest.scope), and only 'upsert' is allowed. None: a district account, no such check.
    """
    if mode not in LOAD_MODES:
        raise UsageError(f"未知的导入方式“{mode}”，只能是 {' 或 '.join(LOAD_MODES)}。")
    if scope is not None and mode != "upsert":
        raise AccessDenied(scope_rules.REPLACE_REFUSAL)
    override = resolve_override(table_override)
    vocabulary = header_vocabulary([override] if override else TABLES)
    problems = Problems()
    with ThreadPoolExecutor(max_workers=2) as pool:
        hashing = pool.submit(_digests, files) if digests is None else None
        checked = _check_all(problems, files, vocabulary, override, pool)
        shas = hashing.result() if hashing is not None else digests
    parts = [
        RecognisedPart(name, sheet, table, rows, sha)
        for (name, _), sha, file in zip(files, shas, checked, strict=True)
        for sheet, table, rows in file.parts
    ]
    combined = _combined_works(checked)
    batch = {name: combined[name].select(TABLES_BY_NAME[name].column_names) for name in combined}
    check_relations(problems, combined, batch, con, mode)
    if scope is not None:
        scope_rules.check_scope(problems, combined, con, scope)
    frames = {t.name: batch[t.name] for t in TABLES if t.name in batch}
    return BatchResult(frames, problems.report(), parts, list(shas))
