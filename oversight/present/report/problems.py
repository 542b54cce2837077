"""三、存在问题 and 四、下一步工作, written from the data.

存在问题: which indicators are below their 达标 line and by how much, what fell against 上期, which
schools lag on each (by name, at most PROBLEM_NAMES before "等N所"), the schools 未达标 twice running,
the schools that sent nothing. 下一步工作: one measure per lagging indicator from NEXT_STEPS (the
measures' words, keyed by catalog key, in this one place), naming its schools, then the follow-up of
the repeat schools and of the missing data.

Each item is (lead, text): the document sets the lead apart ("一是…", "（一）…").
"""

from __future__ import annotations

from typing import Any

import polars as pl

from oversight.contract import catalog
from oversight.metrics import details, indicators
from oversight.present import headline
from oversight.present.report.laggards import LAGS, LAGS_BY_KEY, named
from oversight.present.report.words import pct, points, schools_phrase, threshold

#: schools named per indicator in 存在问题 and 下一步工作 before "等N所" (the sections name more)
PROBLEM_NAMES = 3
Item = tuple[str, str]
_BELOW = (catalog.STATUS_WARN, catalog.STATUS_BAD)

#: 下一步工作: per indicator, the measure's heading and its sentence. {schools} the lagging schools
#: ('甲、乙等12所学校'), {ok} the 达标 line, {target} the rotation rule.
NEXT_STEPS: dict[str, tuple[str, str]] = {
    "split_roles": (
        "推进书记、校长分设",
        "结合班子换届和干部调整，对{schools}逐校制定分设计划，分设比例力争达到{ok}以上。",
    ),
    "cross_appointment": (
        "落实党员副校长交叉任职",
        "指导{schools}按程序将符合条件的党员副校长选进党组织班子，交叉任职比例力争达到{ok}以上。",
    ),
    "rotation": (
        "加大教师交流轮岗力度",
        "对{schools}下达交流计划，下一学年每校交流比例不低于{target}。",
    ),
    "two_level_review": (
        "规范“三重一大”事项决策程序",
        "督促{schools}严格执行先党组织会议研究、再校长办公会议决定的程序，杜绝先实施后审议，"
        "两级审议合规率力争达到{ok}以上。",
    ),
    "three_meetings_one_lesson": (
        "严格落实“三会一课”制度",
        "对{schools}的党支部开展专项督查，按季度通报落实情况，达标率力争达到{ok}以上。",
    ),
    "charter": (
        "完成学校章程修订",
        "督促{schools}在章程中写明党组织领导作用，按程序完成修订并报局审核。",
    ),
    "duty_reports": (
        "全面开展“双向述职”",
        "督促{schools}书记按时向上级党组织述职、向党员和教职工报告，述职情况纳入年度考核。",
    ),
    "unified_subjects": (
        "配齐统编“三科”教师",
        "通过招聘、调配等方式，优先补齐{schools}的统编“三科”教师缺口。",
    ),
    "brands": (
        "深化党建品牌创建",
        "指导尚未创建党建品牌的党组织结合学校特色培育品牌，创建比例力争达到{ok}以上。",
    ),
}


def _zh(key: str) -> str:
    return catalog.INDICATORS_BY_KEY[key].zh


def _gap_clause(key: str, value: float, status: str) -> str:
    """'书记校长分设76.0%，距达标线（80.0%）差4.0个百分点' (a shortfall: '…3名，超出达标要求（0名）3名')."""
    ind = catalog.INDICATORS_BY_KEY[key]
    ok = ind.ok_at or 0.0
    if ind.lower_is_better:
        text = f"{ind.zh}{value:.0f}{ind.count_unit}，超出达标要求（{threshold(key, ok)}）{value - ok:.0f}{ind.count_unit}"
    else:
        text = f"{ind.zh}{pct(value)}，距达标线（{pct(ok)}）差{points(ok - value)}"
    return text + ("，已低于预警线" if status == catalog.STATUS_BAD and not ind.lower_is_better else "")


def _below_line(r: dict[str, Any]) -> Item | None:
    """一是: the district's indicators below their 达标 line."""
    clauses = []
    for key in headline.JUDGED:
        value = indicators.reported_headline(r, key)
        if key in r and value is not None and r["status"][key] in _BELOW:
            clauses.append(_gap_clause(key, float(value), r["status"][key]))
    if not clauses:
        return None
    judged = sum(1 for key in headline.JUDGED if key in r)
    return (
        "部分考核指标尚未达标",
        f"{judged}项考核指标中，{len(clauses)}项未达到达标线：{'；'.join(clauses)}。",
    )


def _fell(key: str, now: dict[str, Any], before: dict[str, Any]) -> str:
    """'三会一课由90.2%降至83.7%，下降6.5个百分点，由达标转为预警', or '' where it did not get worse."""
    ind = catalog.INDICATORS_BY_KEY[key]
    value, prior = indicators.reported_headline(now, key), indicators.reported_headline(before, key)
    if value is None or prior is None:
        return ""
    if ind.lower_is_better and value - prior >= 1:
        text = f"{ind.zh}由{prior:.0f}{ind.count_unit}增至{value:.0f}{ind.count_unit}"
    elif not ind.lower_is_better and prior - value >= headline.NOTABLE_CHANGE:
        text = f"{ind.zh}由{pct(prior)}降至{pct(value)}，下降{points(prior - value)}"
    else:
        return ""
    was, now_status = before["status"].get(key), now["status"].get(key)
    order = (catalog.STATUS_OK, catalog.STATUS_WARN, catalog.STATUS_BAD)
    if was in order and now_status in order and order.index(now_status) > order.index(was):
        text += f"，由{was}转为{now_status}"
    return text


def _worsened(data: Any) -> Item | None:
    """二是: what fell against 上期 — a district value, or the number of schools lagging on it."""
    clauses = []
    for key in headline.JUDGED:
        if key not in data.result or key not in data.before:
            continue
        text = _fell(key, data.result, data.before)
        if key in LAGS_BY_KEY:
            now_n, before_n = len(named(data.matrix, key)), len(named(data.before_matrix, key))
            if now_n > before_n:
                more = f"{'，' if text else _zh(key)}落实不到位的学校由{before_n}所增至{now_n}所"
                text += more
        if text:
            clauses.append(text)
    if not clauses:
        return None
    return "部分指标较上期下滑", f"与上期相比，{'；'.join(clauses)}。"


def _schools(data: Any) -> Item | None:
    """三是: per indicator, the schools that lag, by name."""
    clauses = []
    for lag in LAGS:
        names = named(data.matrix, lag.key)
        if names:
            clauses.append(
                f"{_zh(lag.key)}方面，{lag.problem.format(schools=schools_phrase(names, PROBLEM_NAMES))}"
            )
    if not clauses:
        return None
    return "部分学校落实不到位", f"{'；'.join(clauses)}。"


def rectify_counts(items: pl.DataFrame) -> dict[str, int]:
    """How far this period's 整改 items have got: all, 已销号, 逾期 (past the deadline, not yet answered),
    反弹 (reopened after a 销号)."""
    if items.is_empty():
        return {"items": 0, "closed": 0, "overdue": 0, "rebound": 0}
    return {
        "items": items.height,
        "closed": int((items["state"] == catalog.RECTIFY_CLOSED).sum()),
        "overdue": int(items["is_overdue"].sum()),
        "rebound": int((items["reopened_count"] > 0).sum()),
    }


def _repeats(data: Any) -> Item | None:
    """四是: the schools 未达标 on the same indicator twice running, the worst of them, and the 整改台账's
    items past their deadline or reopened."""
    lagging = data.lagging
    repeat = lagging.filter(pl.col("未达标指标").str.contains("连续两期"))
    counts = rectify_counts(data.rectify)
    parts = []
    if not repeat.is_empty():
        text = f"同一指标连续两期未达标的学校有{repeat.height}所，整改成效不明显"
        most = int(lagging["未达标项数"].max() or 0)
        if most >= 2:
            worst = lagging.filter(pl.col("未达标项数") == most)["学校"].to_list()
            text += f"；{schools_phrase(worst, PROBLEM_NAMES)}本期有{most}项指标未达标"
        parts.append(text)
    if counts["overdue"]:
        parts.append(f"整改台账中已过整改时限仍未整改到位的事项{counts['overdue']}项")
    if counts["rebound"]:
        parts.append(f"销号后又反弹的事项{counts['rebound']}项")
    if not parts:
        return None
    return "问题整改不够到位", "；".join(parts) + "。"


def missing_by_key(data: Any) -> dict[str, list[str]]:
    """The schools that sent nothing for an indicator this period, for the indicators not fully reported."""
    out = {}
    for key, covered in data.result.get("coverage", {}).items():
        if covered["reported"] < covered["expected"]:
            out[key] = details.missing_schools(data.matrix, key)
    return out


def _missing(data: Any) -> Item | None:
    """五是: the indicators not fully reported, and by whom."""
    clauses = []
    for key, names in missing_by_key(data).items():
        covered = data.result["coverage"][key]
        short = covered["expected"] - covered["reported"]
        if names:
            clauses.append(f"{_zh(key)}有{schools_phrase(names, PROBLEM_NAMES)}未报送")
        else:
            clauses.append(f"{_zh(key)}有{short}{headline.COVERAGE_UNIT.get(key, '所')}未报送")
    if not clauses:
        return None
    return "数据报送不够完整", f"{'；'.join(clauses)}，待补报后相关指标需重新统计。"


def problems(data: Any) -> list[Item]:
    """三、存在问题: every item that applies, in order; one sentence when nothing is wrong."""
    found = [
        item
        for item in (
            _below_line(data.result),
            _worsened(data),
            _schools(data),
            _repeats(data),
            _missing(data),
        )
        if item is not None
    ]
    if found:
        return found
    judged = [key for key in headline.JUDGED if key in data.result]
    empty = [key for key in judged if data.result["status"].get(key) == catalog.STATUS_NONE]
    if judged and len(empty) == len(judged):
        return [
            ("数据尚未报送", f"本期{len(judged)}项考核指标均无数据，无法判断落实情况，待各校报送后统计。")
        ]
    text = "本期已报送的考核指标均已达到达标线，未发现学校未达标的情况"
    if empty:
        text += f"；{'、'.join(_zh(key) for key in empty)}尚无数据"
    return [("各项指标总体达标", text + "。")]


def _measure(key: str, data: Any) -> Item | None:
    """下一步工作 for one indicator, or None where neither the district nor any school lags on it."""
    status = data.result.get("status", {}).get(key)
    names = named(data.matrix, key) if key in LAGS_BY_KEY else []
    if status not in _BELOW and not names:
        return None
    lead, text = NEXT_STEPS[key]
    ind = catalog.INDICATORS_BY_KEY[key]
    return lead, text.format(
        schools=schools_phrase(names, PROBLEM_NAMES),
        ok=threshold(key, ind.ok_at),
        target=pct(catalog.ROTATION_TARGET),
    )


def next_steps(data: Any) -> list[Item]:
    """四、下一步工作: a measure per lagging indicator, then the follow-up of repeats and missing data."""
    out = [m for key in headline.JUDGED if key in NEXT_STEPS and (m := _measure(key, data)) is not None]
    repeat = data.lagging.filter(pl.col("未达标指标").str.contains("连续两期"))["学校"].to_list()
    if repeat:
        counts = rectify_counts(data.rectify)
        if counts["items"]:  # the ledger is there: say where it stands
            ledger = (
                f"对整改台账中的{counts['items']}项整改事项（已销号{counts['closed']}项"
                + (f"，逾期{counts['overdue']}项" if counts["overdue"] else "")
                + "）逐项督办，实行销号管理"
            )
        else:
            ledger = "逐校建立整改台账，实行销号管理"
        out.append(
            (
                "强化督导问效",
                f"将{schools_phrase(repeat, PROBLEM_NAMES)}（同一指标连续两期未达标）列为重点督导对象，"
                f"{ledger}，下一期数据报送后逐校复核。",
            )
        )
    missing = [n for names in missing_by_key(data).values() for n in names]
    if missing:
        late = schools_phrase(list(dict.fromkeys(missing)), PROBLEM_NAMES)
        out.append(("抓好数据报送", f"督促{late}按时、完整报送数据，确保各项指标统计准确。"))
    judged = [key for key in headline.JUDGED if key in data.result]
    if not out and judged and all(data.result["status"].get(k) == catalog.STATUS_NONE for k in judged):
        out.append(("抓好数据报送", "督促各学校按时、完整报送各项数据，尽快形成完整统计。"))
    if not out:
        out.append(
            (
                "巩固落实成效",
                "继续按学期监测各项指标，对新出现的问题及时提醒、督促整改，保持各项指标稳定达标。",
            )
        )
    return out
