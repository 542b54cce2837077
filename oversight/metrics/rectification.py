"""整改台账: the rules of a 整改 item's life, from 重点关注 to 销号 and back as 反弹.

- Opening: every 重点关注 entry (未达标 on the same indicator in this period and the previous one, for the
  district's default period) opens an item when a period's data has been loaded (`sync`, idempotent per
  data version); an analyst may open one from any 未达标 cell (`open_manual`). One item per school and
  indicator: a later red reading reopens it rather than adding a second.
- The problem is written from the rule and the values: "2022-2023学年交流轮岗比例 6.3%，低于 10%".
- 待整改 → 整改中 (the school writes its measures) → 待复核 (it submits) → 已销号 (the bureau verifies).
  销号 needs data loaded after the item opened showing the indicator 达标 for the school, or a written
  reason that is recorded. A closed item whose indicator is 未达标 again reopens as 反弹: at once when it
  was closed on the data (it was 达标 then), in a later period when it was closed on a reason.
- Past its deadline and not yet 待复核 an item is 逾期, levelled by days overdue (catalog).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import polars as pl

from oversight.contract import catalog
from oversight.contract.errors import OversightError
from oversight.contract.roles import User
from oversight.contract.schema import TABLES_BY_NAME
from oversight.engine import Connection, queries
from oversight.engine import rectification as store
from oversight.engine.rounds import newest_batch, user_name
from oversight.metrics.indicators import overview, overviews
from oversight.metrics.periods import Params, previous, resolve
from oversight.metrics.watch import watch_between

SYSTEM_USER = "系统"
#: the tables whose rows decide each per-school indicator: 销号 on the data needs rows of one of them
#: loaded after the item opened
INDICATOR_TABLES: dict[str, tuple[str, ...]] = {
    "split_roles": ("leaders",),
    "cross_appointment": ("leaders",),
    "rotation": ("rotation_quotas", "rotations"),
    "two_level_review": ("matters",),
    "three_meetings_one_lesson": ("meetings", "party_orgs"),
    "charter": ("schools",),
    "duty_reports": ("duty_reports",),
    "unified_subjects": ("unified_subject_staffing",),
}
#: indicators read over a school year (学年); the others over a calendar year (年度)
SCHOOL_YEAR_KEYS = ("rotation", "unified_subjects")


# ---------------------------------------------------------------- the problem, in words


def period_text(key: str, year: int | None, school_year: str | None) -> str:
    return f"{school_year}学年" if key in SCHOOL_YEAR_KEYS else f"{year}年度"


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def _threshold(value: float) -> str:
    return f"{value * 100:g}%"


def value_text(key: str, value: object) -> str:
    """A school's own value on an indicator as a leader reads it (6.3%, 一肩挑, 未修订, 3名)."""
    ind = catalog.INDICATORS_BY_KEY[key]
    if value is None:
        return "无数据"
    if key == "charter":
        return "已修订" if value else "未修订"
    if key == "duty_reports":
        return "已完成" if value else "未完成"
    if key == "split_roles":
        return str(value)
    if ind.unit == "count":
        return f"{value}{ind.count_unit}"
    return _percent(float(value))  # type: ignore[arg-type]


def problem_text(key: str, value: object, year: int | None, school_year: str | None) -> str:
    """The problem as the ledger writes it, from the rule and the value:
    '2022-2023学年交流轮岗比例 6.3%，低于 10%'."""
    ind = catalog.INDICATORS_BY_KEY[key]
    period = period_text(key, year, school_year)
    if key == "split_roles":
        return f"{period}书记、校长由一人兼任（{value_text(key, value)}），应分设"
    if key == "charter":
        return f"{period}学校章程未修订，应写明党组织的领导作用"
    if key == "duty_reports":
        return f"{period}未完成双向述职（向上级党组织述职、向党员和教职工报告）"
    shown = value_text(key, value)
    if ind.lower_is_better:
        return f"{period}{ind.zh} {shown}，超过 {ind.ok_at:g}{ind.count_unit}"
    return f"{period}{ind.zh} {shown}，低于 {_threshold(ind.ok_at or 0)}"


# ---------------------------------------------------------------- reading the ledger


def ledger(con: Connection, *, scope: Sequence[str] | None = None, today: date | None = None) -> pl.DataFrame:
    """Every item within `scope` (the school codes a 学校 account may see; None = the district), oldest
    first, with indicator_zh, period_text, days_overdue, is_overdue, shown_state (逾期 in place of the
    stored state when overdue) and overdue_level (catalog.RECTIFY_OVERDUE_LEVELS' label, null when not
    overdue). The report's 存在问题 / 整改情况 read this frame."""
    items = queries.run_query(
        con, "rectification_items", {"scope": list(scope) if scope is not None else None}
    )
    return with_overdue(items, today or date.today())


def with_overdue(items: pl.DataFrame, today: date) -> pl.DataFrame:
    owed = pl.col("state").is_in(list(catalog.RECTIFY_OWED))
    days = (pl.lit(today) - pl.col("deadline")).dt.total_days().cast(pl.Int64)
    level = pl.lit(None, dtype=pl.Utf8)
    for start, label, _ in catalog.RECTIFY_OVERDUE_LEVELS:
        level = pl.when(pl.col("days_overdue") >= start).then(pl.lit(label)).otherwise(level)
    zh = {k: i.zh for k, i in catalog.INDICATORS_BY_KEY.items()}
    return (
        items.with_columns(
            pl.when(owed & (days > 0)).then(days).otherwise(0).alias("days_overdue"),
            pl.col("indicator").replace_strict(zh, default=pl.col("indicator")).alias("indicator_zh"),
            pl.when(pl.col("indicator").is_in(list(SCHOOL_YEAR_KEYS)))
            .then(pl.format("{}学年", pl.col("school_year")))
            .otherwise(pl.format("{}年度", pl.col("year")))
            .alias("period_text"),
        )
        .with_columns((pl.col("days_overdue") > 0).alias("is_overdue"))
        .with_columns(
            pl.when(pl.col("is_overdue"))
            .then(pl.lit(catalog.RECTIFY_OVERDUE))
            .otherwise(pl.col("state"))
            .alias("shown_state"),
            pl.when(pl.col("is_overdue")).then(level).alias("overdue_level"),
        )
    )


def overdue_color(level: str | None) -> str | None:
    return next((color for _, label, color in catalog.RECTIFY_OVERDUE_LEVELS if label == level), None)


def counts(ledger_frame: pl.DataFrame) -> dict[str, int]:
    """Items per stored state, plus 逾期 (overdue ones, whatever their state)."""
    out = {s: 0 for s in catalog.RECTIFY_STATES}
    for state, n in ledger_frame.group_by("state").len().rows():
        out[state] = int(n)
    out[catalog.RECTIFY_OVERDUE] = int(ledger_frame["is_overdue"].sum()) if ledger_frame.height else 0
    return out


def history(con: Connection, *, scope: Sequence[str] | None = None) -> pl.DataFrame:
    return queries.run_query(
        con, "rectification_history", {"scope": list(scope) if scope is not None else None}
    )


# ---------------------------------------------------------------- opening


@dataclass
class SyncOutcome:
    opened: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    ran: bool = False


def _default_reading(con: Connection) -> tuple[Params, pl.DataFrame, pl.DataFrame]:
    """The district's default period (latest year, no filter), its school matrix and the previous one's."""
    params = resolve(con, Params())
    (_, now), (_, before) = overviews(con, [params, previous(params)])
    return params, now, before


def _cell(matrix: pl.DataFrame, school_code: str, key: str) -> tuple[str | None, object]:
    row = matrix.filter(pl.col("school_code") == school_code)
    if row.is_empty():
        return None, None
    return row[f"{key}_status"].item(), row[key].item()


def needs_sync(con: Connection) -> bool:
    return store.synced_version(con) != queries.data_version(con)


def sync(con: Connection, *, today: date | None = None, force: bool = False) -> SyncOutcome:
    """Open an item for every 重点关注 entry that has none, and reopen as 反弹 the closed items that are
    未达标 again; once per data version (the 整改台账 page and the command line call it after loads),
    in one transaction."""
    version = queries.data_version(con)
    if not force and store.synced_version(con) == version:
        return SyncOutcome()
    today = today or date.today()
    params, now, before = _default_reading(con)
    watch = watch_between(now, before)
    items = {(i["school_code"], i["indicator"]): i for i in store.items_of(con)}
    newest = newest_batch(con)
    deadline = today + timedelta(days=catalog.RECTIFY_DEADLINE_DAYS)
    opens = []
    for entry in watch.iter_rows(named=True):
        key = entry["indicator"]
        if (entry["school_code"], key) in items:
            continue
        _, value = _cell(now, entry["school_code"], key)
        opens.append(
            {
                "school_code": entry["school_code"],
                "indicator": key,
                "year": params.year,
                "school_year": params.school_year,
                "problem": problem_text(key, value, params.year, params.school_year),
                "source": catalog.RECTIFY_FROM_WATCH,
                "state": catalog.RECTIFY_PENDING,
                "deadline": deadline,
                "opened_after_batch": newest,
            }
        )
    reopens = []
    for item in items.values():
        if item["state"] != catalog.RECTIFY_CLOSED:
            continue
        status, value = _cell(now, item["school_code"], item["indicator"])
        if status != catalog.STATUS_BAD:
            continue
        later = item["closed_year"] is None or params.year > item["closed_year"]  # type: ignore[operator]
        if not (later or item["close_basis"] == catalog.CLOSE_ON_DATA):
            continue
        problem = problem_text(item["indicator"], value, params.year, params.school_year)
        fields = _reopen_fields(item, params, problem, deadline, newest)
        reopens.append((int(item["item_id"]), f"{problem}（销号后再次未达标）", fields))
    opened, reopened = store.apply_sync(
        con,
        version,
        opens,
        reopens,
        user=SYSTEM_USER,
        open_action="重点关注自动立项",
        reopen_action="反弹重新打开",
        reopen_state=catalog.RECTIFY_REBOUND,
        reopen_from=(catalog.RECTIFY_CLOSED,),
    )
    return SyncOutcome(opened, reopened, True)


def _reopen_fields(
    item: dict[str, Any], params: Params, problem: str, deadline: date, newest: int
) -> dict[str, Any]:
    return {
        "year": params.year,
        "school_year": params.school_year,
        "problem": problem,
        "deadline": deadline,
        "opened_after_batch": newest,
        "submitted_at": None,
        "closed_at": None,
        "closed_by": None,
        "close_basis": None,
        "close_reason": None,
        "closed_year": None,
        "reopened_count": int(item["reopened_count"] or 0) + 1,
    }


def open_manual(
    con: Connection,
    school_code: str,
    key: str,
    *,
    user: User | str,
    params: Params | None = None,
    responsible: str | None = None,
    deadline: date | None = None,
    today: date | None = None,
) -> int:
    """An analyst opens an item from a 未达标 cell of the reading `params` (the default period when None).
    A closed item of the same school and indicator is opened again (待整改) instead of a second one."""
    if key not in INDICATOR_TABLES:
        raise OversightError(f"指标“{key}”没有各校状态，不能开整改事项。", title="不能立项")
    today = today or date.today()
    reading = resolve(con, params or Params())
    _, matrix = overview(con, reading)
    status, value = _cell(matrix, school_code, key)
    zh = catalog.INDICATORS_BY_KEY[key].zh
    if status != catalog.STATUS_BAD:
        raise OversightError(
            f"该校本期{zh}为“{status or '无数据'}”，只有未达标的指标可以开整改事项。", title="不能立项"
        )
    problem = problem_text(key, value, reading.year, reading.school_year)
    deadline = deadline or today + timedelta(days=catalog.RECTIFY_DEADLINE_DAYS)
    existing = next(
        (i for i in store.items_of(con) if (i["school_code"], i["indicator"]) == (school_code, key)), None
    )
    if existing is not None and existing["state"] != catalog.RECTIFY_CLOSED:
        raise OversightError(
            f"该校{zh}已有整改事项（第 {existing['item_id']} 号，{existing['state']}），无需重复立项。",
            title="已有整改事项",
        )
    if existing is not None:
        fields = _reopen_fields(existing, reading, problem, deadline, newest_batch(con))
        fields["source"] = catalog.RECTIFY_FROM_ANALYST
        if responsible:
            fields["responsible"] = responsible
        store.change(
            con,
            int(existing["item_id"]),
            from_states=(catalog.RECTIFY_CLOSED,),
            state=catalog.RECTIFY_PENDING,
            fields=fields,
            user=user,
            action="重新立项",
            note=problem,
        )
        return int(existing["item_id"])
    return store.open_item(
        con,
        {
            "school_code": school_code,
            "indicator": key,
            "year": reading.year,
            "school_year": reading.school_year,
            "problem": problem,
            "source": catalog.RECTIFY_FROM_ANALYST,
            "state": catalog.RECTIFY_PENDING,
            "responsible": responsible or None,
            "deadline": deadline,
            "opened_after_batch": newest_batch(con),
        },
        user=user,
        action="分析员立项",
    )


# ---------------------------------------------------------------- the school's answer and the bureau's check


def write_measures(
    con: Connection, item_id: int, measures: str, *, user: User | str, responsible: str | None = None
) -> None:
    """The school writes (or rewrites) its measures: 待整改 / 反弹 / 整改中 → 整改中."""
    measures = measures.strip()
    if not measures:
        raise OversightError("请填写整改措施。", title="整改措施为空")
    fields: dict[str, Any] = {"measures": measures}
    if responsible is not None and responsible.strip():
        fields["responsible"] = responsible.strip()
    store.change(
        con,
        item_id,
        from_states=(catalog.RECTIFY_PENDING, catalog.RECTIFY_REBOUND, catalog.RECTIFY_DOING),
        state=catalog.RECTIFY_DOING,
        fields=fields,
        user=user,
        action="填写整改措施",
        note=measures,
    )


def submit(con: Connection, item_id: int, *, user: User | str) -> None:
    """The school submits its measures for review: 整改中 → 待复核."""
    item = store.item_state(con, item_id)
    if not (item["measures"] or "").strip():
        raise OversightError("请先填写整改措施，再提交复核。", title="整改措施为空")
    store.change(
        con,
        item_id,
        from_states=(catalog.RECTIFY_DOING,),
        state=catalog.RECTIFY_REVIEW,
        fields={"submitted_at": store.now()},
        user=user,
        action="提交复核",
    )


def send_back(con: Connection, item_id: int, *, user: User | str, note: str) -> None:
    """The bureau returns a submitted item to the school: 待复核 → 整改中, with why."""
    if not note.strip():
        raise OversightError("请写明退回的原因，学校据此继续整改。", title="退回原因为空")
    store.change(
        con,
        item_id,
        from_states=(catalog.RECTIFY_REVIEW,),
        state=catalog.RECTIFY_DOING,
        fields={},
        user=user,
        action="退回整改",
        note=note.strip(),
    )


def edit(
    con: Connection, item_id: int, *, user: User | str, responsible: str | None, deadline: date | None
) -> None:
    """The bureau sets the 责任人 or the 整改时限 of an item not yet closed (its state stays)."""
    item = store.item_state(con, item_id)
    if item["state"] == catalog.RECTIFY_CLOSED:
        raise OversightError("已销号的事项不能修改。", title="不能修改")
    fields: dict[str, Any] = {}
    if responsible is not None:
        fields["responsible"] = responsible.strip() or None
    if deadline is not None:
        fields["deadline"] = deadline
    store.change(
        con,
        item_id,
        from_states=(item["state"],),
        state=item["state"],
        fields=fields,
        user=user,
        action="修改责任人或时限",
        note="；".join(f"{k}={v}" for k, v in fields.items()),
    )


@dataclass(frozen=True)
class Evidence:
    """What the data says about an item now: its school's status and value on the indicator in the
    default period, and whether rows of the indicator's tables arrived after the item opened."""

    status: str | None
    value: object
    params: Params
    has_new_rows: bool

    @property
    def closes(self) -> bool:
        return self.status == catalog.STATUS_OK and self.has_new_rows


def evidence(con: Connection, item: dict[str, Any]) -> Evidence:
    params, now, _ = _default_reading(con)
    status, value = _cell(now, item["school_code"], item["indicator"])
    arrived = queries.run_query(con, "rectification_evidence", {})
    tables = set(arrived.filter(pl.col("item_id") == item["item_id"])["table_name"].to_list())
    return Evidence(status, value, params, bool(tables & set(INDICATOR_TABLES[item["indicator"]])))


def close(con: Connection, item_id: int, *, user: User | str, reason: str | None = None) -> str:
    """销号 (待复核 or 整改中 → 已销号): on the data when a load after the item opened shows the indicator
    达标 for the school, else only with a written reason, which is recorded. Returns the basis."""
    item = store.item_state(con, item_id)
    found = evidence(con, item)
    key = item["indicator"]
    zh = catalog.INDICATORS_BY_KEY[key].zh
    period = period_text(key, found.params.year, found.params.school_year)
    reason = (reason or "").strip()
    if found.closes:
        basis, note = catalog.CLOSE_ON_DATA, f"{period}{zh} {value_text(key, found.value)}，已达标"
    elif len(reason) >= catalog.CLOSE_REASON_MIN_CHARS:
        basis, note = catalog.CLOSE_ON_REASON, reason
    else:
        if found.status != catalog.STATUS_OK:
            why = f"该校{period}{zh}仍为“{found.status or '无数据'}”（{value_text(key, found.value)}）"
        else:
            tables = "、".join(TABLES_BY_NAME[t].zh for t in INDICATOR_TABLES[key])
            why = f"立项后该校还没有导入新的{tables}数据"
        hint = f"请在数据更新显示达标后再销号，或填写不少于 {catalog.CLOSE_REASON_MIN_CHARS} 个字的书面说明"
        if reason:
            hint = f"书面说明太短（至少 {catalog.CLOSE_REASON_MIN_CHARS} 个字）"
        raise OversightError(f"{why}。{hint}。", title="不能销号")
    store.change(
        con,
        item_id,
        from_states=(catalog.RECTIFY_DOING, catalog.RECTIFY_REVIEW),
        state=catalog.RECTIFY_CLOSED,
        fields={
            "closed_at": store.now(),
            "closed_by": user_name(user),
            "close_basis": basis,
            "close_reason": reason or None,
            "closed_year": found.params.year,
        },
        user=user,
        action=f"销号（{basis}）",
        note=note,
    )
    return basis


def red_cells(matrix: pl.DataFrame, items: pl.DataFrame) -> pl.DataFrame:
    """The 未达标 cells of a school matrix without an item still open (an analyst may open one from any
    of them): school_code, school_name, indicator, value_text."""
    busy = {
        (r["school_code"], r["indicator"])
        for r in items.filter(pl.col("state") != catalog.RECTIFY_CLOSED).iter_rows(named=True)
    }
    rows = []
    for key in INDICATOR_TABLES:
        if f"{key}_status" not in matrix.columns:
            continue
        red = matrix.filter(pl.col(f"{key}_status") == catalog.STATUS_BAD)
        for r in red.select("school_code", "school_name", key).iter_rows(named=True):
            if (r["school_code"], key) not in busy:
                rows.append((r["school_code"], r["school_name"], key, value_text(key, r[key])))
    return pl.DataFrame(
        rows, schema=["school_code", "school_name", "indicator", "value_text"], orient="row"
    ).sort("school_code", "indicator")


def filtered(
    ledger_frame: pl.DataFrame,
    *,
    states: Sequence[str] = (),
    indicator: str | None = None,
    school_text: str = "",
    overdue_only: bool = False,
) -> pl.DataFrame:
    """The 整改台账 page's filters: shown states (逾期 included), one indicator, a school name part."""
    out = ledger_frame
    if states:
        out = out.filter(pl.col("shown_state").is_in(list(states)) | pl.col("state").is_in(list(states)))
    if indicator:
        out = out.filter(pl.col("indicator") == indicator)
    if school_text.strip():
        out = out.filter(pl.col("school_name").fill_null("").str.contains(school_text.strip(), literal=True))
    if overdue_only:
        out = out.filter(pl.col("is_overdue"))
    return out


def of_item(history_frame: pl.DataFrame, item_id: int) -> pl.DataFrame:
    return history_frame.filter(pl.col("item_id") == item_id)
