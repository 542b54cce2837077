"""The validation report: the collector every check adds to, the report frame, and its text and CSV forms.

Checks add either single rows (a file, a column) or a frame of failing rows at once; `Problems.report`
joins them with where each location is and puts them in the batch's order. The .xlsx form of the
report is `present.xlsx.report_to_xlsx`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import polars as pl

from oversight.contract.schema import LEVEL_ERROR, LEVEL_WARNING, REPORT_COLUMNS, ProblemKind
from oversight.ingest.readers import ReadProblem

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
#: cells starting with these open a formula in Excel (CSV/formula injection); the CSV prefixes a quote.
#: present.xlsx keeps the same list for workbooks: it is a later layer, which ingest may not import.
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


def level(kind: ProblemKind, warning: bool = False) -> str:
    """A kind's level; `warning` makes any kind a warning: what the reader decided for the analyst
    (an apostrophe removed, a file read by its content) is reported in the kind it concerns."""
    return LEVEL_WARNING if warning or kind.is_warning else LEVEL_ERROR


def where(file: str, sheet: str) -> str:
    """A place in the batch as the report names it: “file”, or “file”工作表“sheet”."""
    return f"“{file}”" + (f"工作表“{sheet}”" if sheet else "")


@dataclass
class Problems:
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
        warning: bool = False,
    ) -> None:
        self.singles.append(
            {
                "_loc": loc,
                "行号": row,
                "_col": col_index,
                "列": column,
                "值": value,
                "问题类型": kind.value,
                "级别": level(kind, warning),
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
        warning: bool = False,
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
                pl.lit(level(kind, warning), pl.String).alias("级别"),
                (pl.lit(message, pl.String) if isinstance(message, str) else message).alias("说明"),
            )
        )

    def report(self) -> pl.DataFrame:
        parts = [pl.DataFrame(self.singles, schema=_PROBLEM_SCHEMA), *self.frames]
        problems = pl.concat(parts, how="vertical")
        places = pl.DataFrame(
            {
                "_loc": list(range(len(self.locations))),
                "文件": [f for f, _, _ in self.locations],
                "工作表": [s for _, s, _ in self.locations],
                "_file": [i for _, _, i in self.locations],
            },
            schema={"_loc": pl.Int64, "文件": pl.String, "工作表": pl.String, "_file": pl.Int64},
        )
        return (
            problems.join(places, on="_loc", how="left")
            .sort(["_file", "_loc", "行号", "_col"], nulls_last=False, maintain_order=True)
            .select([pl.col(c).cast(REPORT_SCHEMA[c]) for c in REPORT_COLUMNS])
        )


def read_problem(problems: Problems, file_loc: int, file_index: int, p: ReadProblem) -> None:
    """A problem the reader met: on the file, or on its own sheet when it names one."""
    loc = file_loc if not p.sheet else problems.location(p.file, p.sheet, file_index)
    problems.single(loc, p.kind, p.message, row=p.row, value=p.value, column=p.column, warning=p.warning)


# ---------------------------------------------------------------- report output


def format_report(report: pl.DataFrame) -> str:
    """Plain Chinese text for the command line: one line per problem, then a summary line."""
    lines = []
    for r in report.iter_rows(named=True):
        place = where(r["文件"], r["工作表"])
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
