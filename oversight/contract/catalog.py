"""The indicators of SPEC, their Chinese labels and their status thresholds: the one settings place.

A status is 达标 / 预警 / 未达标 from the indicator's headline: a ratio (higher is better), or a shortfall
counted in people (lower is better, `lower_is_better`). Thresholds live here and nowhere else; pages, the
command line and the Word report all read them from this module.
"""

from __future__ import annotations

from dataclasses import dataclass

STATUS_OK, STATUS_WARN, STATUS_BAD, STATUS_NONE = "达标", "预警", "未达标", "无数据"
#: a school (or branch) with no record for the period: not the same as 未达标, though the contract's
#: counts treat it as not done; a district figure whose table has no record at all is 无数据
STATUS_MISSING = "未报送"
#: colour plus symbol, so a status still reads in black-and-white print
STATUS_STYLE: dict[str, tuple[str, str]] = {
    STATUS_OK: ("#2e7d32", "●"),
    STATUS_WARN: ("#f9a825", "▲"),
    STATUS_BAD: ("#c62828", "✖"),
    STATUS_NONE: ("#9e9e9e", "○"),
    STATUS_MISSING: ("#5c6bc0", "◇"),
}
TREND_UP, TREND_DOWN, TREND_FLAT = "↑", "↓", "持平"

#: the rotation rule: each school rotates at least this share of its eligible teachers per school year
ROTATION_TARGET = 0.10


@dataclass(frozen=True)
class Indicator:
    key: str
    zh: str
    #: field of the indicator's JSON object shown as its headline value
    headline: str
    #: "share" = ratio shown as a percentage; "count" = integer
    unit: str
    #: ratio at or above which the status is 达标 (None: informational, no status)
    ok_at: float | None = None
    #: ratio at or above which the status is 预警 (below it: 未达标)
    warn_at: float | None = None
    description: str = ""
    #: a shortfall (统编三科 teachers missing): 达标 at or below ok_at, 预警 at or below warn_at
    lower_is_better: bool = False
    #: what a count headline counts (名, 次, 个), for sentences such as "缺口 2 名"
    count_unit: str = ""


INDICATORS: tuple[Indicator, ...] = (
    Indicator("schools", "学校数", "total", "count", description="纳入统计的学校数"),
    Indicator("party_orgs", "一级党组织", "primary", "count", description="直属局党委的党组织数及党员人数"),
    Indicator(
        "split_roles", "书记校长分设", "split_share", "share", 0.80, 0.60, "分设学校 / (分设 + 一肩挑)"
    ),
    Indicator(
        "cross_appointment", "交叉任职", "share", "share", 0.80, 0.60, "党员副校长中进入党组织班子的比例"
    ),
    Indicator("appointments", "新任命书记", "secretaries", "count", description="当年新任命书记、副书记人数"),
    Indicator(
        "strongest_branches",
        "最强党支部",
        "total",
        "count",
        description="截至当年获评的最强党支部（组织与级别去重）",
    ),
    Indicator(
        "rotation",
        "交流轮岗比例",
        "ratio",
        "share",
        ROTATION_TARGET,
        0.08,
        "交流轮岗教师 / 符合交流条件教师，目标不低于 10%",
    ),
    Indicator(
        "two_level_review",
        "三重一大两级审议",
        "rate",
        "share",
        0.95,
        0.85,
        "校长办公会和党组织会议均先审议后实施的事项比例",
    ),
    Indicator(
        "three_meetings_one_lesson",
        "三会一课",
        "rate",
        "share",
        0.90,
        0.75,
        "按期召开支部党员大会、支部委员会和党课的支部季度比例",
    ),
    Indicator("charter", "章程修订", "rate", "share", 0.95, 0.80, "章程已写明党组织领导作用的学校比例"),
    Indicator("duty_reports", "双向述职", "rate", "share", 0.95, 0.80, "当年完成双向述职的学校比例"),
    # informational, like 新任命书记: how many activities a district holds is no pass mark (the summary
    # reports "110多次，两万人次"), so the card shows the count and the page the spread, without a colour
    Indicator(
        "activities",
        "活动开展",
        "total",
        "count",
        description="当年开展的各类活动次数及参加人次",
        count_unit="次",
    ),
    # 统编“三科” must be taught by staffed teachers in every class: a gap of 0 is 达标. One or two posts
    # open is what a school year's departures leave until the next recruitment round (预警: fill it this
    # term); more than two is a shortage the bureau has to staff (未达标). Judged on the gap in people, for
    # the district and for each school alike.
    Indicator(
        "unified_subjects",
        "统编三科教师缺口",
        "gap",
        "count",
        0,
        2,
        "统编“三科”（道德与法治、语文、历史）需配备而未配齐的教师人数",
        lower_is_better=True,
        count_unit="名",
    ),
    # 一支部一品牌 is the goal for every primary org: four in five branded means the campaign has reached
    # nearly all of them (达标); under half means it has not taken hold yet (未达标).
    Indicator("brands", "党建品牌", "share", "share", 0.80, 0.50, "创建党建品牌的一级党组织比例"),
)
INDICATORS_BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}


def status_of(indicator: Indicator, value: float | None) -> str:
    """达标 / 预警 / 未达标 for a ratio (a shortfall, when lower_is_better); 无数据 when the value is null
    or the indicator has no threshold."""
    if value is None or indicator.ok_at is None:
        return STATUS_NONE
    if indicator.lower_is_better:
        if value <= indicator.ok_at:
            return STATUS_OK
        if indicator.warn_at is not None and value <= indicator.warn_at:
            return STATUS_WARN
        return STATUS_BAD
    if value >= indicator.ok_at:
        return STATUS_OK
    if indicator.warn_at is not None and value >= indicator.warn_at:
        return STATUS_WARN
    return STATUS_BAD


def trend_of(current: float | None, previous: float | None, tolerance: float = 1e-9) -> str | None:
    """↑ / ↓ / 持平 against the previous period; None when either side is missing."""
    if current is None or previous is None:
        return None
    if current > previous + tolerance:
        return TREND_UP
    if current < previous - tolerance:
        return TREND_DOWN
    return TREND_FLAT


# ---------------------------------------------------------------- 报送任务 and 整改台账

#: a round's task (one school, one table): rows for the round's period arrived after it opened
#: (已报送), not yet (未报送), not yet and the deadline has passed (逾期)
TASK_REPORTED, TASK_MISSING, TASK_OVERDUE = "已报送", "未报送", "逾期"
TASK_STYLE: dict[str, tuple[str, str]] = {
    TASK_REPORTED: ("#2e7d32", "●"),
    TASK_MISSING: ("#5c6bc0", "◇"),
    TASK_OVERDUE: ("#c62828", "✖"),
}
#: a new round's deadline unless the analyst picks one: two weeks to collect a period's tables
ROUND_DEADLINE_DAYS = 14

#: a 整改 item's states, in the order of its life: the school writes its measures (整改中) and submits
#: them (待复核), the bureau verifies and closes it (已销号); a closed item whose indicator is 未达标
#: again in a later reading reopens by itself as 反弹, and is worked through like a new one
RECTIFY_PENDING, RECTIFY_DOING, RECTIFY_REVIEW, RECTIFY_CLOSED, RECTIFY_REBOUND = (
    "待整改",
    "整改中",
    "待复核",
    "已销号",
    "反弹",
)
RECTIFY_STATES: tuple[str, ...] = (
    RECTIFY_PENDING,
    RECTIFY_DOING,
    RECTIFY_REVIEW,
    RECTIFY_CLOSED,
    RECTIFY_REBOUND,
)
#: states in which the school still owes its answer: past the deadline in one of these, an item is 逾期
RECTIFY_OWED: tuple[str, ...] = (RECTIFY_PENDING, RECTIFY_DOING, RECTIFY_REBOUND)
RECTIFY_OVERDUE = "逾期"
RECTIFY_STYLE: dict[str, tuple[str, str]] = {
    RECTIFY_PENDING: ("#ef6c00", "◆"),
    RECTIFY_DOING: ("#f9a825", "▲"),
    RECTIFY_REVIEW: ("#1565c0", "◇"),
    RECTIFY_CLOSED: ("#2e7d32", "●"),
    RECTIFY_REBOUND: ("#c62828", "✖"),
}
#: how an item opened: from the 重点关注 list when a period's data was loaded, or by an analyst from a
#: 未达标 cell
RECTIFY_FROM_WATCH, RECTIFY_FROM_ANALYST = "重点关注", "分析员"
#: what a 销号 rests on: the data (a load after the item opened shows the indicator 达标 for the school),
#: or a written reason the bureau records
CLOSE_ON_DATA, CLOSE_ON_REASON = "数据达标", "书面说明"
#: a written reason shorter than this is no reason
CLOSE_REASON_MIN_CHARS = 10
#: a new item's deadline: the 整改时限 bureaus usually give a school for one problem (two months)
RECTIFY_DEADLINE_DAYS = 60
#: (from days overdue, label, colour): an overdue item takes the last level it has reached; the bureau
#: reminds at once, escalates after a month, and reports to the leadership after a quarter
RECTIFY_OVERDUE_LEVELS: tuple[tuple[int, str, str], ...] = (
    (1, "逾期", "#f9a825"),
    (31, "逾期超过30天", "#ef6c00"),
    (91, "逾期超过90天", "#b71c1c"),
)
