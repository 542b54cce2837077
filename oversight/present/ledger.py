"""报送任务 and 整改台账 as people read and file them: the on-screen tables, the 催报 list and the 整改台账
in the layout bureaus keep (序号, 学校, 问题, 整改措施, 责任人, 整改时限, 状态, 销号日期), with their .xlsx."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from oversight.contract import catalog
from oversight.present import xlsx

#: the 整改台账 as bureaus keep it on paper, column for column
LEDGER_COLUMNS = ("序号", "学校", "问题", "整改措施", "责任人", "整改时限", "状态", "销号日期")


def _date_text(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%Y-%m-%d").fill_null("")


def task_symbol(status: str) -> str:
    color_symbol = catalog.TASK_STYLE.get(status)
    return f"{color_symbol[1]} {status}" if color_symbol else status


def state_symbol(state: str) -> str:
    if state == catalog.RECTIFY_OVERDUE:
        return f"⚠ {state}"
    color_symbol = catalog.RECTIFY_STYLE.get(state)
    return f"{color_symbol[1]} {state}" if color_symbol else state


def summary_table(summary: pl.DataFrame) -> pl.DataFrame:
    """One row per round: 应报 / 已报 / 未报 / 逾期 and the schools that reported everything."""
    return summary.select(
        pl.col("round_id").alias("编号"),
        pl.col("round_name").alias("报送任务"),
        pl.format("{}年度、{}学年", "year", "school_year").alias("期间"),
        _date_text("deadline").alias("截止日期"),
        pl.when(pl.col("is_open")).then(pl.lit("进行中")).otherwise(pl.lit("已结束")).alias("状态"),
        pl.col("expected_count").alias("应报"),
        pl.col("reported_count").alias("已报"),
        pl.col("missing_count").alias("未报"),
        pl.col("overdue_count").alias("逾期"),
        pl.format("{}/{}", "schools_done_count", "schools_count").alias("已报齐学校"),
    )


def tasks_table(tasks: pl.DataFrame) -> pl.DataFrame:
    """Every task of a round: school, table, state with its symbol, when and by whom it arrived."""
    return tasks.select(
        pl.col("school_name").alias("学校"),
        pl.col("town").alias("乡镇街道"),
        pl.col("table_zh").alias("报送内容"),
        pl.col("task_status").map_elements(task_symbol, return_dtype=pl.String).alias("状态"),
        pl.col("rows_count").alias("行数"),
        pl.col("reported_at").dt.strftime("%Y-%m-%d %H:%M").fill_null("").alias("报送时间"),
        pl.col("reported_by").fill_null("").alias("报送人"),
    )


def chase_table(owed: pl.DataFrame) -> pl.DataFrame:
    """催报: per school, the tables it still owes, the deadline and whether it has passed."""
    per_school = owed.group_by(
        "round_name", "school_code", "school_name", "town", "deadline", maintain_order=True
    ).agg(
        pl.col("table_zh").str.join("、").alias("tables"),
        pl.col("is_overdue").any().alias("overdue"),
    )
    return per_school.with_row_index("序号", offset=1).select(
        pl.col("序号"),
        pl.col("round_name").alias("报送任务"),
        pl.col("school_name").alias("学校"),
        pl.col("school_code").alias("学校标识码"),
        pl.col("town").alias("乡镇街道"),
        pl.col("tables").alias("未报送内容"),
        _date_text("deadline").alias("截止日期"),
        pl.when(pl.col("overdue"))
        .then(pl.lit(catalog.TASK_OVERDUE))
        .otherwise(pl.lit(catalog.TASK_MISSING))
        .alias("状态"),
    )


def ledger_table(ledger: pl.DataFrame) -> pl.DataFrame:
    """The 整改台账 in the bureau's layout (LEDGER_COLUMNS); 状态 says 逾期 with its level when overdue."""
    state = (
        pl.when(pl.col("is_overdue"))
        .then(pl.format("{}（{}天，{}）", pl.col("overdue_level"), pl.col("days_overdue"), pl.col("state")))
        .otherwise(pl.col("state"))
    )
    return ledger.with_row_index("序号", offset=1).select(
        pl.col("序号"),
        pl.col("school_name").fill_null(pl.col("school_code")).alias("学校"),
        pl.col("problem").alias("问题"),
        pl.col("measures").fill_null("").alias("整改措施"),
        pl.col("responsible").fill_null("").alias("责任人"),
        _date_text("deadline").alias("整改时限"),
        state.alias("状态"),
        pl.col("closed_at").dt.strftime("%Y-%m-%d").fill_null("").alias("销号日期"),
    )


def screen_ledger(ledger: pl.DataFrame) -> pl.DataFrame:
    """The ledger on screen: the bureau's columns plus 编号, 指标 and 来源, the state with its symbol."""
    table = ledger_table(ledger)
    return table.with_columns(
        pl.Series("编号", ledger["item_id"].to_list()),
        pl.Series("指标", ledger["indicator_zh"].to_list()),
        pl.Series("来源", ledger["source"].to_list()),
        pl.Series(
            "状态",
            [
                f"⚠ {level}（{days}天）" if level else state_symbol(state)
                for state, level, days in ledger.select("shown_state", "overdue_level", "days_overdue").rows()
            ],
        ),
    ).select("编号", "学校", "指标", "状态", "问题", "整改措施", "责任人", "整改时限", "销号日期", "来源")


def history_table(history: pl.DataFrame) -> pl.DataFrame:
    return history.select(
        pl.col("happened_at").dt.strftime("%Y-%m-%d %H:%M").alias("时间"),
        pl.col("username").alias("操作人"),
        pl.col("action").alias("操作"),
        pl.format("{} → {}", pl.col("state_from").fill_null("—"), pl.col("state_to")).alias("状态变化"),
        pl.col("note").fill_null("").alias("说明"),
    )


def item_label(row: dict) -> str:
    """'第 29 号 · 城关第一小学 · 交流轮岗比例' for the item picker: without the state, so the picked item
    stays picked when an action moves it on."""
    return f"第 {row['item_id']} 号 · {row['school_name'] or row['school_code']} · {row['indicator_zh']}"


def ledger_xlsx(ledger: pl.DataFrame) -> bytes:
    return xlsx.frame_to_xlsx(ledger_table(ledger), "整改台账")


def chase_xlsx(owed: pl.DataFrame) -> bytes:
    return xlsx.frame_to_xlsx(chase_table(owed), "催报名单")


def stamp(today: date | datetime | None = None) -> str:
    return f"{(today or date.today()):%Y%m%d}"


def overdue_levels(ledger: pl.DataFrame) -> list[tuple[str, int, str]]:
    """(level, items, colour) for each overdue level of the catalog, in order: the ledger's 逾期 line."""
    counts = dict(ledger.filter(pl.col("is_overdue")).group_by("overdue_level").len().rows())
    return [(label, int(counts.get(label, 0)), color) for _, label, color in catalog.RECTIFY_OVERDUE_LEVELS]


def sync_text(opened: int, reopened: int) -> str:
    """What a load did to the ledger, in one sentence for the command line and the upload page ("" when
    nothing was opened or reopened)."""
    parts = [f"新立整改事项 {opened} 项"] if opened else []
    parts += [f"反弹重新打开 {reopened} 项"] if reopened else []
    return f"重点关注：{'，'.join(parts)}，见“整改台账”。" if parts else ""
