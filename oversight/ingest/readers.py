"""Uploaded files to raw sheets: all-string frames, the header row, and Excel row numbers.

A raw sheet keeps every cell as text, exactly as the file holds it, so the validator can report the
value a person typed. Row numbers are the ones a person sees in Excel: the first line of a CSV is row 1;
in a workbook the sheet's row 1 is row 1 even when the data starts lower (fastexcel is asked with
`skip_rows=0`, which keeps the leading empty rows calamine would otherwise drop).

CSV text: UTF-8 goes to polars untouched (polars checks it); only a file that is not UTF-8 is decoded in
Python (GB18030, a superset of GBK) and handed over as UTF-8, because decoding in Python is the slow
part of an ingest (FACTS.md). Blank lines stay as all-null rows in polars, which keeps the row numbers
right; a quoted cell spanning two lines is one record, as it is one row when Excel opens the file.

A file is read by what it holds, not only by its name: a workbook named .csv is read as a workbook, a
CSV named .xls as text (web systems export those), an HTML page saved as .xls gets its own message;
every such decision is a warning in the report. Workbooks (.xlsx and legacy .xls, both through
fastexcel) keep Excel's error values (#N/A ...) as their text, so the cell checks can refuse them, and
a number cell of more than 15 digits (digits Excel has already lost) as Excel's scientific form.
Around the table, the reader takes a two-row header (group cells merged above the column names) as one,
and skips the total and signature rows under the data (合计, 填表人：...), each reported.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

import charset_normalizer
import fastexcel
import polars as pl

from oversight.contract.schema import (
    FOOTER_LABELS,
    INSTRUCTION_SHEET_WORDS,
    NOTE_LABELS,
    TABLES,
    TOTAL_LABELS,
    ProblemKind,
    Table,
)
from oversight.ingest.headers import header_hits, normalise_header, vocabulary_keys

#: The header row is looked for among this many rows from the first non-empty one.
HEADER_SCAN_ROWS = 15
#: Lines looked at to choose the delimiter and the widest row (a title row may be narrower).
SNIFF_LINES = 30
SNIFF_BYTES = 256 * 1024
ENCODING_GUESS_BYTES = 64 * 1024
DELIMITERS = (",", "\t", ";")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
XLS_SUFFIXES = (".xls",)
#: rows under the data looked at for total and signature rows
MAX_FOOTER_ROWS = 10
#: CJK characters a UTF-8 prefix must carry before a later bad byte is blamed on damage, not on the
#: file being GBK (a GBK pair can pass for one UTF-8 character by accident, three in a row hardly).
UTF8_EVIDENCE_CHARS = 3

_CJK = re.compile(r"[\u4e00-\u9fff]")
_CELL_SPACES = re.compile(r"[\s\u3000\u00a0\ufeff\u200b]+")


@dataclass
class ReadProblem:
    """A problem with a whole file or sheet, found before any row is looked at; with `warning`, a
    decision the reader took (a footer row skipped, a file read by its content) reported as a warning."""

    file: str
    sheet: str
    kind: ProblemKind
    message: str
    row: int | None = None
    value: str | None = None
    column: str | None = None
    warning: bool = False


@dataclass
class RawSheet:
    """One table-shaped block of an upload: a CSV file, or one sheet of a workbook.

    `data` holds the rows below the header, every cell a string (null when empty), columns named
    c0, c1, ... in file order; `header` holds the header cells in the same order; `row_numbers` the
    Excel row number of each data row. `header_row` is None when no row looked like a header.
    """

    file: str
    sheet: str
    header: list[str | None]
    header_row: int | None
    data: pl.DataFrame
    row_numbers: pl.Series
    #: what the reader decided around the table (rows skipped, a two-row header), as warnings
    notes: list[ReadProblem] = field(default_factory=list)
    #: a workbook sheet that reads as instructions (a 填表说明 sheet): skipped when it holds no table
    instructions: bool = False


@dataclass
class ReadOutcome:
    sheets: list[RawSheet] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)


# ---------------------------------------------------------------- headers


__all__ = ["normalise_header"]  # compared headers: defined in headers, used here and in recognise


def header_vocabulary(tables: tuple[Table, ...] | list[Table] = TABLES) -> set[str]:
    """Every normalised header (English name or Chinese label) of the given tables, with and without
    the unit a label carries (金额(元) and 金额)."""
    return {
        key for t in tables for c in t.columns for label in (c.name, c.zh) for key in vocabulary_keys(label)
    }


#: rows looked at from each end before the whole sheet is scanned for its first / last filled row
_EDGE_ROWS = 1000


def _filled_rows(cells: pl.DataFrame) -> pl.Series:
    """Positions of the rows that have at least one non-blank cell."""
    filled = cells.select(
        pl.any_horizontal(pl.all().str.strip_chars().str.len_bytes() > 0).fill_null(False)
    ).to_series()
    return filled.arg_true()


def _first_non_empty_row(cells: pl.DataFrame) -> int | None:
    """Looks at the first rows only, unless they are all blank: a sheet may have millions of rows."""
    hits = _filled_rows(cells.head(_EDGE_ROWS))
    if hits.is_empty() and cells.height > _EDGE_ROWS:
        hits = _filled_rows(cells)
    return int(hits[0]) if len(hits) else None


def _last_non_empty_row(cells: pl.DataFrame) -> int | None:
    """Looks at the last rows only, unless they are all blank."""
    offset = max(cells.height - _EDGE_ROWS, 0)
    hits = _filled_rows(cells.slice(offset)) + offset
    if hits.is_empty() and offset:
        hits = _filled_rows(cells)
    return int(hits[-1]) if len(hits) else None


def find_header_row(cells: pl.DataFrame, vocabulary: set[str]) -> int | None:
    """Index of the row (among the first few non-empty ones) that matches the most known headers."""
    start = _first_non_empty_row(cells)
    if start is None:
        return None
    best, best_score = None, 0
    for offset, row in enumerate(cells.slice(start, HEADER_SCAN_ROWS).iter_rows()):
        score = header_hits(row, vocabulary)
        if score > best_score:
            best, best_score = start + offset, score
    return best


def _merged(upper: tuple[object, ...], lower: tuple[object, ...]) -> list[str | None]:
    """Two header rows as one: the lower row's cell, or the upper one's where the lower is empty (a
    cell merged down over both rows keeps its text in the upper row only)."""
    return [b if b is not None and str(b).strip() else a for a, b in zip(upper, lower, strict=True)]  # type: ignore[misc]


def _header_block(cells: pl.DataFrame, index: int, vocabulary: set[str]) -> tuple[int, list[str | None]]:
    """The header: the row at `index`, or it merged with the row above or below when that pair holds
    more known headers (group cells merged above the column names: the commonest statistics layout).
    Returns the header's last row and its cells."""
    row = cells.row(index)
    best: tuple[int, int, list[str | None]] = (header_hits(row, vocabulary), index, list(row))
    for upper in (index - 1, index):
        lower = upper + 1
        if upper < 0 or lower >= cells.height:
            continue
        merged = _merged(cells.row(upper), cells.row(lower))
        score = header_hits(merged, vocabulary)
        if score > best[0]:
            best = (score, lower, merged)
    return best[1], best[2]


def _first_text(row: tuple[object, ...]) -> str | None:
    for v in row:
        if v is not None and str(v).strip():
            return str(v).strip()
    return None


def _compact(text: str) -> str:
    return _CELL_SPACES.sub("", unicodedata.normalize("NFKC", text))


def footer_kind(row: tuple[object, ...]) -> str | None:
    """'total' for a 合计/小计 row, 'signature' for a 填表人：/审核人：/填报日期 line, 'note' for a 注：
    line; None for anything else. Only the row's first filled cell is read, and only known labels."""
    first = _first_text(row)
    if first is None:
        return None
    text = _compact(first)
    if text.rstrip(":") in TOTAL_LABELS:
        return "total"
    if text.startswith(FOOTER_LABELS):
        return "signature"
    if any(text.startswith(label + ":") for label in NOTE_LABELS):
        return "note"
    return None


_FOOTER_MESSAGES = {
    "total": "这是表格下方的“合计/小计”行，不是一条数据，已跳过（统计数由系统按明细行计算）。",
    "signature": "这是表格下方的签字栏（填表人、审核人、填报日期等），不是数据，已跳过。",
    "note": "这是表格下方的注释行，不是数据，已跳过。",
}


def _footer_rows(cells: pl.DataFrame, header_index: int, last: int) -> tuple[int, list[tuple[int, str, str]]]:
    """The last data row once total, signature and note rows at the bottom edge are set aside, and
    those rows as (index, kind, first cell). Only the bottom edge: a 小计 row inside the data is data
    (and its problems are reported)."""
    skipped: list[tuple[int, str, str]] = []
    while last > header_index and len(skipped) < MAX_FOOTER_ROWS:
        row = cells.row(last)
        kind = footer_kind(row)
        if kind is None:
            break
        skipped.append((last, kind, _first_text(row) or ""))
        above = _last_non_empty_row(cells.head(last))
        last = header_index if above is None else max(above, header_index)
    return last, skipped


def _instructions(sheet: str, cells: pl.DataFrame) -> bool:
    """A sheet named like 填表说明, or whose first text starts with 说明/填表说明/注意事项."""
    name = sheet.lower()
    if any(word in name for word in INSTRUCTION_SHEET_WORDS):
        return True
    start = _first_non_empty_row(cells)
    first = _first_text(cells.row(start)) if start is not None else None
    return first is not None and _compact(first).startswith(
        ("填表说明", "填报说明", "填写说明", "说明", "注意事项")
    )


def _split_at_header(
    file: str, sheet: str, cells: pl.DataFrame, vocabulary: set[str], index: pl.Series | None = None
) -> RawSheet:
    """Cut the header off, drop trailing empty and footer rows and unnamed empty columns, number the rows.

    `index` is the 0-based position of each row in the file, chunked like the cells (the CSV reader's
    row index): row numbers made from it line up with the cells' chunks, and polars never has to copy
    the whole frame to realign them once they are a column beside the cells.
    """
    cells = cells.rename({old: f"c{i}" for i, old in enumerate(cells.columns)})
    last = _last_non_empty_row(cells)
    cells = cells.head(0 if last is None else last + 1)
    header_index = find_header_row(cells, vocabulary)
    if header_index is None:
        empty = cells.clear()
        return RawSheet(file, sheet, [None] * cells.width, None, empty, pl.Series("row", [], pl.Int64))

    def excel_row(i: int) -> int:
        return i + 1  # positions are records: a blank line is an all-null row, as in Excel

    notes: list[ReadProblem] = []
    header_end, header = _header_block(cells, header_index, vocabulary)
    if header_end != header_index or header != list(cells.row(header_index)):
        top = header_end - 1
        notes.append(
            ReadProblem(
                file,
                sheet,
                ProblemKind.BAD_FORMAT,
                f"表头占第 {excel_row(top)}、{excel_row(header_end)} 两行（上一行是合并的分组单元格），"
                "已把两行合起来作为表头读取；请核对各列是否对应正确。",
                row=excel_row(top),
                warning=True,
            )
        )
    header_index = header_end
    assert last is not None  # a header row was found, so some row is filled
    data_last, footers = _footer_rows(cells, header_index, last)
    for i, kind, first in reversed(footers):
        notes.append(
            ReadProblem(
                file,
                sheet,
                ProblemKind.EMPTY_ROW,
                _FOOTER_MESSAGES[kind],
                row=excel_row(i),
                value=first,
                warning=True,
            )
        )
    if footers:
        cells = cells.head(data_last + 1)
    data = cells.slice(header_index + 1)
    unnamed = [name for name, label in zip(data.columns, header, strict=True) if not normalise_header(label)]
    blank = {name for name in unnamed if _filled_rows(data.select(name)).is_empty()}
    keep = [name for name in data.columns if name not in blank]
    header = [label for name, label in zip(data.columns, header, strict=True) if name in keep]
    data = data.select(keep)
    first_data_row = header_index + 2  # header_index is 0-based; Excel rows start at 1
    if index is None:
        rows = pl.int_range(first_data_row, first_data_row + data.height, dtype=pl.Int64, eager=True)
    else:
        rows = index.slice(header_index + 1, data.height).cast(pl.Int64) + 1
    return RawSheet(file, sheet, header, excel_row(header_index), data, rows.alias("row"), notes)


# ---------------------------------------------------------------- CSV


def _line_of(raw: bytes, position: int) -> int:
    return raw.count(b"\n", 0, position) + 1


def _bad_bytes(raw: bytes, position: int) -> str:
    return raw[position : position + 4].hex(" ").upper()


class _EncodingFailure(Exception):
    def __init__(self, raw: bytes, position: int) -> None:
        super().__init__(position)
        self.line = _line_of(raw, position)
        self.value = _bad_bytes(raw, position)


def _to_utf8(raw: bytes, *, utf8_only: bool) -> bytes:
    """The file's text as UTF-8 bytes, for a file polars refused as UTF-8.

    A file that decodes as UTF-8 for a good stretch of Chinese text and then breaks is a damaged UTF-8
    file; re-reading it as GB18030 would turn it into mojibake instead of pointing at the bad line.
    """
    try:
        raw.decode("utf-8")
        return raw
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    prefix = raw[:utf8_error].decode("utf-8")
    if utf8_only or len(_CJK.findall(prefix)) >= UTF8_EVIDENCE_CHARS:
        raise _EncodingFailure(raw, utf8_error)
    try:
        return raw.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise _EncodingFailure(raw, exc.start) from exc


def likely_encoding(raw: bytes) -> str | None:
    """What a file we cannot read probably is (Big5, UTF-16 without BOM, Shift-JIS …), named in the
    message so the analyst knows what to re-save from. charset-normalizer is a maintained detector; it
    only names the encoding here: the accepted encodings stay exactly those SPEC lists."""
    best = charset_normalizer.from_bytes(raw[:ENCODING_GUESS_BYTES]).best()
    if best is None or best.encoding in ("utf_8", "gb18030", "ascii"):
        return None
    return best.encoding.replace("_", "-").upper()


def _sniff(head: str, vocabulary: set[str]) -> tuple[str, int]:
    """Delimiter and the widest row's field count in the first lines.

    The delimiter is the one under which a line reads as the best header (most known column names): a
    tab-separated file whose cells hold commas is still tab-separated. When no delimiter gives a
    header, the one giving the widest rows wins.
    """
    lines = head.splitlines()[:SNIFF_LINES]
    best: tuple[int, int] = (-1, 0)
    best_sep, best_width = ",", 1
    for sep in DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=sep))
            width = max((len(r) for r in rows), default=1)
            hits = max((header_hits(r, vocabulary) for r in rows[:HEADER_SCAN_ROWS]), default=0)
        except csv.Error:  # a cell longer than the csv module's 128 KB field limit: count separators instead
            width = max((line.count(sep) + 1 for line in lines), default=1)
            hits = 0
        if (hits, width) > best:
            best, best_sep, best_width = (hits, width), sep, width
    return best_sep, best_width


#: the CSV reader's row index column (the cells are named c0, c1 ...)
ROW_INDEX = "__index__"


def _parse_csv(text: bytes, head: str, vocabulary: set[str]) -> pl.DataFrame:
    """The cells as strings, and the ROW_INDEX column first (0-based record number)."""
    separator, width = _sniff(head, vocabulary)
    # bytes, not a BytesIO: polars reads them in place instead of copying them first. The reader's dozens
    # of chunks are joined here, while only this file's cells are held: every column computed from them
    # is then contiguous, which DuckDB inserts much faster (province load 9.3 s -> 7.9 s, peak +100 MiB).
    return pl.read_csv(
        text,
        row_index_name=ROW_INDEX,
        has_header=False,
        infer_schema=False,
        separator=separator,
        truncate_ragged_lines=True,
        schema={f"c{i}": pl.String for i in range(width)},
        missing_columns="insert",
        raise_if_empty=False,
    ).rechunk()


def _cr_only(body: bytes) -> bytes:
    """Line ends of old Mac exporters (CR alone) as LF; polars splits records at LF only."""
    if b"\r" in body[:SNIFF_BYTES] and b"\n" not in body[:SNIFF_BYTES] and b"\n" not in body:
        return body.replace(b"\r", b"\n")
    return body


def _blank(data: bytes) -> bool:
    """Nothing but whitespace; a file with text near its start is not scanned (or copied) whole."""
    return not data[:SNIFF_BYTES].strip() and not data.strip()


def _head_text(data: bytes) -> str:
    return data[:SNIFF_BYTES].decode("utf-8", errors="ignore")


def _csv_problem(name: str, kind: ProblemKind, message: str, **kw: object) -> ReadOutcome:
    return ReadOutcome(problems=[ReadProblem(name, "", kind, message, **kw)])  # type: ignore[arg-type]


def read_csv(name: str, raw: bytes, vocabulary: set[str]) -> ReadOutcome:
    """A CSV (or tab-separated text) file: one raw sheet, or the reason it cannot be read."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            raw = raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return _csv_problem(
                name,
                ProblemKind.ENCODING,
                "文件是 UTF-16 编码但内容已损坏，请在 Excel 中另存为“CSV UTF-8”后重新上传。",
            )
    utf8_only = raw.startswith(codecs.BOM_UTF8)
    body = raw[len(codecs.BOM_UTF8) :] if utf8_only else raw
    if _blank(body):
        return _csv_problem(
            name, ProblemKind.UNREADABLE, "文件是空的，没有表头也没有数据，请检查是否选错了文件。"
        )
    if b"\x00" in body[:8192]:
        return _csv_problem(
            name,
            ProblemKind.UNREADABLE,
            "文件不是文本格式的 CSV（含有二进制内容），请上传 CSV、.xlsx 或 .xls 文件。",
        )
    body = _cr_only(body)
    try:
        try:
            cells = _parse_csv(body, _head_text(body), vocabulary)
        except pl.exceptions.ComputeError:
            text = _to_utf8(body, utf8_only=utf8_only)
            cells = _parse_csv(text, _head_text(text), vocabulary)
    except _EncodingFailure as failure:
        guess = likely_encoding(raw)
        return _csv_problem(
            name,
            ProblemKind.ENCODING,
            f"第 {failure.line} 行含有无法识别的字符（文件既不是有效的 UTF-8，也不是 GBK/GB18030 编码"
            + (f"，看起来像 {guess} 编码" if guess else "")
            + "）："
            "请在 Excel 中打开并另存为“CSV UTF-8（逗号分隔）”后重新上传。",
            row=failure.line,
            value=failure.value,
        )
    except pl.exceptions.PolarsError as exc:
        return _csv_problem(
            name,
            ProblemKind.UNREADABLE,
            f"无法按 CSV 格式读取该文件（{exc}），请在 Excel 中另存为 CSV 后重新上传。",
        )
    index = cells.get_column(ROW_INDEX)
    return ReadOutcome(sheets=[_split_at_header(name, "", cells.drop(ROW_INDEX), vocabulary, index)])


# ---------------------------------------------------------------- workbooks (.xlsx, .xls)

#: calamine's error kinds (fastexcel names them in a cell error's detail) as Excel shows them
_CALAMINE_ERRORS = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}
_CELL_ERROR = re.compile(r"Error\((\w+)\)")
#: whole numbers of 16 digits or more: a number cell that long has lost digits (Excel keeps 15)
_LONG_NUMBER = r"^-?[0-9]{16,}$"


def _with_error_values(cells: pl.DataFrame, errors: object) -> pl.DataFrame:
    """Excel error cells (#N/A, #VALUE! ...) hold their error's text instead of being empty, so that the
    cell checks refuse them by name rather than reading an optional cell as blank."""
    found: dict[int, list[tuple[int, str]]] = {}
    for error in getattr(errors, "errors", None) or []:
        kind = _CELL_ERROR.search(error.detail)
        if kind is None:
            continue
        row, col = error.position
        found.setdefault(col, []).append((row, _CALAMINE_ERRORS.get(kind.group(1), "#VALUE!")))
    if not found:
        return cells
    columns = []
    for i, name in enumerate(cells.columns):
        column = cells.get_column(name)
        if i in found:
            rows, texts = zip(*found[i], strict=True)
            column = column.clone().scatter(list(rows), list(texts))
        columns.append(column)
    return pl.DataFrame(columns)


def _excel_scientific(text: str) -> str:
    """A number as Excel shows a value too long for a cell (15 significant digits): 4.20106198001011E+17."""
    mantissa, exponent = f"{float(text):.14E}".split("E")
    return f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"


def _lossy_numbers(reader: object, sheet_name: str, cells: pl.DataFrame) -> pl.DataFrame:
    """Number cells of more than 15 digits in Excel's scientific form, so an ID column refuses them.

    The string load cannot tell a text cell 420106198001011234 (an ID typed as text, exact) from a
    number cell (Excel kept 15 digits, the rest are gone); a boolean load can: it reads number cells
    and leaves text cells empty. It runs only over the columns that hold such long numbers at all.
    """
    long = {
        name: cells.get_column(name).str.contains(_LONG_NUMBER).fill_null(False) for name in cells.columns
    }
    suspects = [name for name, mask in long.items() if mask.any()]
    if not suspects:
        return cells
    numbers = reader.load_sheet(  # type: ignore[attr-defined]
        sheet_name, header_row=None, dtypes="boolean", skip_rows=0, use_columns=suspects
    ).to_polars()
    columns = []
    for name in cells.columns:
        column = cells.get_column(name)
        if name in suspects and name in numbers.columns:
            lossy = (long[name] & numbers.get_column(name).is_not_null()).arg_true()
            if len(lossy):
                shown = [_excel_scientific(v) for v in column.gather(lossy).to_list()]
                column = column.clone().scatter(lossy, shown)
        columns.append(column)
    return pl.DataFrame(columns)


def read_xlsx(name: str, raw: bytes, vocabulary: set[str], legacy: bool = False) -> ReadOutcome:
    """Every visible, non-empty sheet of a workbook (.xlsx, or legacy .xls) as its own raw sheet."""
    outcome = ReadOutcome()
    try:
        reader = fastexcel.read_excel(raw)
    except Exception:  # calamine raises its own error types for every kind of damage
        message = (
            "无法打开该文件：它是旧版 Office 格式，但不是可读取的 Excel 工作簿——可能已损坏、设置了打开密码，"
            "或是 Word 等其他文件。请在 Excel 中打开确认，取消密码后另存为 .xlsx 再上传。"
            if legacy
            else "无法打开该 Excel 文件：文件可能已损坏、未完整上传或设置了打开密码。请在 Excel 中打开确认，"
            "取消密码后另存为 .xlsx 再上传。"
        )
        outcome.problems.append(ReadProblem(name, "", ProblemKind.UNREADABLE, message))
        return outcome
    for sheet_name in reader.sheet_names:
        try:
            sheet = reader.load_sheet(sheet_name, header_row=None, dtypes="string", skip_rows=0)
            if sheet.visible != "visible":
                continue
            batch, errors = sheet.to_arrow_with_errors()
            cells = pl.from_arrow(batch)
            assert isinstance(cells, pl.DataFrame)
            cells = _lossy_numbers(reader, sheet_name, _with_error_values(cells, errors))
        except Exception:  # a damaged sheet does not hide the others
            outcome.problems.append(
                ReadProblem(
                    name,
                    sheet_name,
                    ProblemKind.UNREADABLE,
                    "无法读取该工作表的内容，请在 Excel 中打开检查后重新保存。",
                )
            )
            continue
        if cells.width == 0 or _first_non_empty_row(cells) is None:
            continue
        raw_sheet = _split_at_header(name, sheet_name, cells, vocabulary)
        raw_sheet.instructions = _instructions(sheet_name, cells)
        outcome.sheets.append(raw_sheet)
    if not outcome.sheets and not outcome.problems:
        outcome.problems.append(
            ReadProblem(name, "", ProblemKind.UNREADABLE, "工作簿中没有任何数据，请检查是否选错了文件。")
        )
    return outcome


# ---------------------------------------------------------------- what a file holds

_HTML_START = (b"<!doctype html", b"<html", b"<table", b"<head", b"<meta", b"<body", b"<style", b"<!--")
_KIND_NAMES = {
    "xlsx": "Excel 工作簿（.xlsx）",
    "xls": "旧版 Excel 工作簿（.xls）",
    "text": "文本（CSV 表格）",
}


def sniff_content(raw: bytes) -> str:
    """What a file holds, from its first bytes: 'xlsx', 'xls' (any OLE2 container), 'zip' (not a
    workbook), 'html' (a web page, what many web systems save as .xls), 'xml2003' (Excel 2003 XML),
    'empty' or 'text' (everything else: the CSV reader decides whether it is text at all)."""
    if _blank(raw):
        return "empty"
    if raw.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return "xlsx"  # a damaged workbook: the workbook reader says so
        return "xlsx" if any(n.startswith("xl/") for n in names) else "zip"
    if raw.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    head = raw[:2048].removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if head.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in raw[:4096].lower():
        return "xml2003"
    if (
        head.startswith(_HTML_START)
        or (head.startswith(b"<") and b"<html" in head)
        or head.startswith(b"mime-version")
    ):
        return "html"
    return "text"


def _looks_binary(raw: bytes) -> bool:
    """Control bytes other than tab and line ends near the start: not text in any encoding we read
    (UTF-16 with its BOM is: Excel's “Unicode 文本”, which web systems also name .xls)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    head = raw[:8192]
    return any(b < 32 and b not in (9, 10, 13) for b in head)


def _by_content_warning(name: str, suffix: str, kind: str) -> ReadProblem:
    return ReadProblem(
        name,
        "",
        ProblemKind.BAD_FORMAT,
        f"文件扩展名是 {suffix}，实际内容却是 {_KIND_NAMES[kind]}，已按实际内容读取；"
        "建议在 Excel 中另存为与扩展名相符的格式，以免别处打不开。",
        warning=True,
    )


_NOT_A_WORKBOOK = {
    "zip": "这是一个压缩包（ZIP，或 Word 等其他文档），不是 Excel 工作簿：请解压后上传其中的 CSV 或 Excel 文件。",
    "html": (
        "这个文件其实是网页（HTML）格式，不是真正的 Excel 文件：很多网上系统导出的“.xls”是网页表格。"
        "请用 Excel 或 WPS 打开它，点“文件—另存为”，保存类型选“Excel 工作簿（*.xlsx）”后上传；"
        "或在系统中改为导出 .xlsx 或 CSV。"
    ),
    "xml2003": (
        "这是“XML 电子表格 2003”格式，不是 Excel 工作簿：请用 Excel 或 WPS 打开它，另存为"
        "“Excel 工作簿（*.xlsx）”后上传。"
    ),
    "empty": "文件是空的，没有表头也没有数据，请检查是否选错了文件。",
}


def _read_by_content(name: str, raw: bytes, suffix: str, vocabulary: set[str]) -> ReadOutcome:
    kind = sniff_content(raw)
    named = "text" if suffix in CSV_SUFFIXES else "xls" if suffix in XLS_SUFFIXES else "xlsx"
    if kind in _NOT_A_WORKBOOK:
        return ReadOutcome(problems=[ReadProblem(name, "", ProblemKind.UNREADABLE, _NOT_A_WORKBOOK[kind])])
    if kind == "text" and named != "text":
        if _looks_binary(raw):
            return ReadOutcome(
                problems=[
                    ReadProblem(
                        name,
                        "",
                        ProblemKind.UNREADABLE,
                        f"无法打开该文件：扩展名是 {suffix}，但内容既不是 Excel 工作簿也不是文本，文件可能已损坏或"
                        "未完整上传。请在 Excel 中打开确认后另存为 .xlsx 再上传。",
                    )
                ]
            )
        outcome = read_csv(name, raw, vocabulary)
        if outcome.sheets and all(sheet.header_row is None for sheet in outcome.sheets):
            # a guess that found no table either: the file is not what its name says, and not a CSV
            return ReadOutcome(
                problems=[
                    ReadProblem(
                        name,
                        "",
                        ProblemKind.UNREADABLE,
                        f"无法打开该文件：扩展名是 {suffix}，但内容不是 Excel 工作簿，按文本读也找不到表头。"
                        "请在 Excel 中打开确认后另存为 .xlsx 或 CSV 再上传。",
                    )
                ]
            )
    elif kind == "text":
        outcome = read_csv(name, raw, vocabulary)
    else:
        outcome = read_xlsx(name, raw, vocabulary, legacy=kind == "xls")
    if kind != named:
        outcome.problems.insert(0, _by_content_warning(name, suffix, kind))
    return outcome


# ---------------------------------------------------------------- entry


def read_upload(name: str, raw: bytes, vocabulary: set[str] | None = None) -> ReadOutcome:
    """One uploaded file to raw sheets. `vocabulary` = headers that identify a header row.

    The extension says whether the file is one we take (CSV/text, .xlsx, .xls); what it holds says how
    it is read.
    """
    vocabulary = vocabulary if vocabulary is not None else header_vocabulary()
    suffix = PurePath(name).suffix.lower()
    if suffix in CSV_SUFFIXES + XLSX_SUFFIXES + XLS_SUFFIXES:
        return _read_by_content(name, raw, suffix, vocabulary)
    message = f"不支持的文件类型“{suffix or '无扩展名'}”：请上传 CSV（.csv）或 Excel 工作簿（.xlsx、.xls）。"
    return ReadOutcome(problems=[ReadProblem(name, "", ProblemKind.UNREADABLE, message)])
