"""Uploaded files to raw sheets: all-string frames, the header row, and Excel row numbers.

A raw sheet keeps every cell as text, exactly as the file holds it, so the validator can report the
value a person typed. Row numbers are the ones a person sees in Excel: the first line of a CSV is row 1;
in a workbook the sheet's row 1 is row 1 even when the data starts lower (fastexcel is asked with
`skip_rows=0`, which keeps the leading empty rows calamine would otherwise drop).

CSV text: UTF-8 goes to polars untouched (polars checks it); only a file that is not UTF-8 is decoded in
Python (GB18030, a superset of GBK) and handed over as UTF-8, because decoding in Python is the slow
part of an ingest (FACTS.md). Blank lines stay as all-null rows in polars, which keeps the row numbers
right; a quoted cell spanning two lines is one record, as it is one row when Excel opens the file.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath

import charset_normalizer
import fastexcel
import polars as pl

from oversight.contract.schema import TABLES, ProblemKind, Table

#: The header row is looked for among this many rows from the first non-empty one.
HEADER_SCAN_ROWS = 15
#: Lines looked at to choose the delimiter and the widest row (a title row may be narrower).
SNIFF_LINES = 30
SNIFF_BYTES = 256 * 1024
ENCODING_GUESS_BYTES = 64 * 1024
DELIMITERS = (",", "\t", ";")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
#: CJK characters a UTF-8 prefix must carry before a later bad byte is blamed on damage, not on the
#: file being GBK (a GBK pair can pass for one UTF-8 character by accident, three in a row hardly).
UTF8_EVIDENCE_CHARS = 3

_HEADER_STRIP = re.compile(r"[\s\u3000\u00a0\ufeff\u200b*]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class ReadProblem:
    """A problem with a whole file or sheet, found before any row is looked at."""

    file: str
    sheet: str
    kind: ProblemKind
    message: str
    row: int | None = None
    value: str | None = None


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


@dataclass
class ReadOutcome:
    sheets: list[RawSheet] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)


# ---------------------------------------------------------------- headers


def normalise_header(text: str | None) -> str:
    """The form headers are compared in: NFKC (（）→ ()), no spaces of any width, no '*' marks, lower case."""
    if text is None:
        return ""
    return _HEADER_STRIP.sub("", unicodedata.normalize("NFKC", str(text))).lower()


def header_vocabulary(tables: tuple[Table, ...] | list[Table] = TABLES) -> set[str]:
    """Every normalised header (English name or Chinese label) of the given tables."""
    return {normalise_header(label) for t in tables for c in t.columns for label in (c.name, c.zh)}


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
        score = len({normalise_header(v) for v in row if v is not None} & vocabulary)
        if score > best_score:
            best, best_score = start + offset, score
    return best


def _split_at_header(
    file: str, sheet: str, cells: pl.DataFrame, vocabulary: set[str], index: pl.Series | None = None
) -> RawSheet:
    """Cut the header row off, drop trailing empty rows and unnamed empty columns, number the rows.

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
    header = list(cells.row(header_index))
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
    return RawSheet(file, sheet, header, header_index + 1, data, rows.alias("row"))


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


def _sniff(head: str) -> tuple[str, int]:
    """Delimiter (the one giving the widest rows) and the widest row's field count in the first lines."""
    lines = head.splitlines()[:SNIFF_LINES]
    best_sep, best_width = ",", 1
    for sep in DELIMITERS:
        try:
            width = max((len(r) for r in csv.reader(lines, delimiter=sep)), default=1)
        except csv.Error:  # a cell longer than the csv module's 128 KB field limit: count separators instead
            width = max((line.count(sep) + 1 for line in lines), default=1)
        if width > best_width:
            best_sep, best_width = sep, width
    return best_sep, best_width


#: the CSV reader's row index column (the cells are named c0, c1 ...)
ROW_INDEX = "__index__"


def _parse_csv(text: bytes, head: str) -> pl.DataFrame:
    """The cells as strings, and the ROW_INDEX column first (0-based record number)."""
    separator, width = _sniff(head)
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
    if body.startswith(b"PK\x03\x04"):
        return _csv_problem(
            name,
            ProblemKind.UNREADABLE,
            "这是一个 Excel 工作簿，却以 .csv 为扩展名：请把扩展名改为 .xlsx，或在 Excel 中另存为 CSV。",
        )
    if b"\x00" in body[:8192]:
        return _csv_problem(
            name,
            ProblemKind.UNREADABLE,
            "文件不是文本格式的 CSV（含有二进制内容），请上传 CSV 或 .xlsx 文件。",
        )
    try:
        cells = _parse_csv(body, _head_text(body))
    except pl.exceptions.ComputeError:
        try:
            text = _to_utf8(body, utf8_only=utf8_only)
            cells = _parse_csv(text, _head_text(text))
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


# ---------------------------------------------------------------- XLSX


def read_xlsx(name: str, raw: bytes, vocabulary: set[str]) -> ReadOutcome:
    """Every visible, non-empty sheet of a workbook as its own raw sheet."""
    outcome = ReadOutcome()
    try:
        reader = fastexcel.read_excel(raw)
    except Exception:  # calamine raises its own error types for every kind of damage
        outcome.problems.append(
            ReadProblem(
                name,
                "",
                ProblemKind.UNREADABLE,
                "无法打开该 Excel 文件：文件可能已损坏、未完整上传或设置了打开密码。请在 Excel 中打开确认，"
                "取消密码后另存为 .xlsx 再上传。",
            )
        )
        return outcome
    for sheet_name in reader.sheet_names:
        try:
            sheet = reader.load_sheet(sheet_name, header_row=None, dtypes="string", skip_rows=0)
            if sheet.visible != "visible":
                continue
            cells = sheet.to_polars()
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
        outcome.sheets.append(_split_at_header(name, sheet_name, cells, vocabulary))
    if not outcome.sheets and not outcome.problems:
        outcome.problems.append(
            ReadProblem(name, "", ProblemKind.UNREADABLE, "工作簿中没有任何数据，请检查是否选错了文件。")
        )
    return outcome


# ---------------------------------------------------------------- entry


def read_upload(name: str, raw: bytes, vocabulary: set[str] | None = None) -> ReadOutcome:
    """One uploaded file to raw sheets, by its extension. `vocabulary` = headers that identify a header row."""
    vocabulary = vocabulary if vocabulary is not None else header_vocabulary()
    suffix = PurePath(name).suffix.lower()
    if suffix in CSV_SUFFIXES:
        return read_csv(name, raw, vocabulary)
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(name, raw, vocabulary)
    if suffix == ".xls":
        message = "不支持旧版 Excel（.xls）文件：请在 Excel 中“另存为”Excel 工作簿（.xlsx）后重新上传。"
    else:
        message = f"不支持的文件类型“{suffix or '无扩展名'}”：请上传 CSV（.csv）或 Excel 工作簿（.xlsx）。"
    return ReadOutcome(problems=[ReadProblem(name, "", ProblemKind.UNREADABLE, message)])
