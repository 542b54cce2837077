"""The 需关注学校 list (附件1): every school 未达标 on at least one indicator, the worst first.

The document lists at most LAGGING_ROWS of them: a province's 30,000 lagging schools made a table of
hundreds of pages and two minutes of python-docx. 100 rather than 50 because the sample district has 54
schools and all of them can lag in a year. The sentence above the table gives the total and points to the
dashboard's Excel download, which has every school.
"""

from __future__ import annotations

import polars as pl

from oversight.contract import catalog
from oversight.engine import Connection
from oversight.metrics import frames, indicators, periods, watch

LAGGING_ROWS = 100
#: the table's columns as printed: a running number, then lagging_from()'s columns
TABLE_COLUMNS = ("序号", "学校", "乡镇街道", "学段", "未达标指标", "项数")


def lagging_schools(con: Connection, p: periods.Params) -> pl.DataFrame:
    """Schools 未达标 on at least one indicator this period; 连续两期 marks a repeat from the last period.

    Columns: 学校, 乡镇街道, 学段, 未达标指标, 未达标项数; most failing indicators first.
    """
    (_, now), (_, before) = indicators.overviews(con, [p, periods.previous(p)])
    return lagging_from(now, before)


def _repeated(repeat: pl.DataFrame, key: str) -> pl.Expr:
    """True where the school was 未达标 on `key` last period too (a membership test, not a Python loop)."""
    codes = repeat.filter(pl.col("indicator") == key)["school_code"].implode()
    return pl.col("school_code").is_in(codes)


def _failing_label(key: str, repeat: pl.DataFrame) -> pl.Expr:
    """The indicator's name where the school is 未达标 on it (with 连续两期 for a repeat), else null."""
    name = catalog.INDICATORS_BY_KEY[key].zh
    label = pl.when(_repeated(repeat, key)).then(pl.lit(f"{name}（连续两期）")).otherwise(pl.lit(name))
    return pl.when(pl.col(f"{key}_status") == catalog.STATUS_BAD).then(label)


def lagging_from(matrix: pl.DataFrame, before: pl.DataFrame) -> pl.DataFrame:
    """lagging_schools() from the two periods' school matrices, as polars expressions over whole columns.

    A province has 30,000 schools; a Python loop over the rows took over a second, these expressions
    a fraction of it. The failing indicators keep MATRIX_KEYS order, as the summary has always listed them.
    """
    repeat = watch.watch_between(matrix, before)
    failing = pl.concat_list([_failing_label(k, repeat) for k in frames.MATRIX_KEYS]).list.drop_nulls()
    return (
        matrix.select(
            pl.col("school_name").alias("学校"),
            pl.col("town").alias("乡镇街道"),
            pl.col("stage").alias("学段"),
            failing.list.join("、").alias("未达标指标"),
            failing.list.len().cast(pl.Int64).alias("未达标项数"),
        )
        .filter(pl.col("未达标项数") > 0)
        .sort(["未达标项数", "乡镇街道", "学校"], descending=[True, False, False], maintain_order=True)
    )


def lagging_intro(lagging: pl.DataFrame, limit: int) -> str:
    """The sentence before the table: how many schools lag, how many twice running, and, when the list
    is longer than `limit`, that the table is only the worst `limit` and where the full list is."""
    repeat = lagging.filter(pl.col("未达标指标").str.contains("连续两期")).height
    text = f"本期有{lagging.height}所学校存在未达标指标，其中{repeat}所学校有指标连续两期未达标，建议列为重点督导对象。"
    if lagging.height <= limit:
        return text + "名单如下："
    return (
        text + f"下表列出未达标项数最多的{limit}所学校；全部{lagging.height}所学校的名单请在监督看板“总览”页"
        "“各校指标达标情况”表格下方点击“下载 Excel”获取（按未达标项数从多到少排列）。"
    )


def lagging_table(lagging: pl.DataFrame, limit: int) -> pl.DataFrame:
    """The first `limit` rows as the appendix prints them: 序号 first, one failing indicator a line (a
    list run on in a narrow column broke inside the names), 项数 for 未达标项数."""
    shown = lagging.head(limit)
    return shown.select(
        pl.int_range(1, shown.height + 1).cast(pl.String).alias("序号"),
        pl.col("学校", "乡镇街道", "学段"),
        pl.col("未达标指标").str.replace_all("、", "\n", literal=True),
        pl.col("未达标项数").cast(pl.String).alias("项数"),
    )
