"""The headline: where the district stands in one or two sentences, for 总览's first screen and the Word
report's opening paragraph (the same sentences in both).

Everything comes from two compute() results (this period and 上期) and the 重点关注 list: how many
indicators are 达标 / 预警 / 未达标 / 无数据, how many schools need attention, what rose or fell by at
least a percentage point since 上期, and which indicators are not fully reported.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from oversight.contract import catalog
from oversight.contract.catalog import INDICATORS_BY_KEY
from oversight.metrics import indicators
from oversight.metrics.periods import Params
from oversight.present.formats import percent, period_text, points

#: a change smaller than this (in share) is 持平 in the headline, so rounding noise is not news
NOTABLE_CHANGE = 0.01
#: the indicators a status is judged on, in catalog order
JUDGED: tuple[str, ...] = tuple(i.key for i in catalog.INDICATORS if i.ok_at is not None)
#: how the coverage of an indicator is counted (三会一课 per branch, the rest per school)
COVERAGE_UNIT: dict[str, str] = {"three_meetings_one_lesson": "个支部"}


def coverage_text(key: str, covered: dict[str, int]) -> str:
    """'54 所中 51 所已报送，3 所未报送' (or '…个支部中…'): the completeness of one indicator."""
    unit = COVERAGE_UNIT.get(key, "所")
    short = unit[0]
    missing = covered["expected"] - covered["reported"]
    text = f"{covered['expected']} {unit}中 {covered['reported']} {short}已报送"
    return text + (f"，{missing} {short}未报送" if missing else "")


def status_counts(result: dict[str, Any]) -> dict[str, list[str]]:
    """The judged indicators by status, in catalog order."""
    out: dict[str, list[str]] = {s: [] for s in catalog.STATUS_STYLE}
    for key in JUDGED:
        if key in result:
            out[result["status"][key]].append(key)
    return out


def changes(now: dict[str, Any], before: dict[str, Any]) -> tuple[list[str], list[str]]:
    """What got better and what got worse since 上期: ('书记校长分设 +13.3 个百分点', '统编三科教师缺口减少 3 名')
    and ('三会一课 -6.5 个百分点',). A share counts when it moved by at least NOTABLE_CHANGE, a count (the
    统编三科 gap, where less is better) by at least one; a leader reads 下降 as bad news, so a smaller gap
    is listed as better, in words."""
    better, worse = [], []
    for key in JUDGED:
        if key not in now or key not in before:
            continue
        value, prior = indicators.reported_headline(now, key), indicators.reported_headline(before, key)
        ind = INDICATORS_BY_KEY[key]
        share = ind.unit == "share"
        if value is None or prior is None or abs(value - prior) < (NOTABLE_CHANGE if share else 1):
            continue
        if share:
            diff = f"{ind.zh} {points(value - prior)}"
        else:
            diff = f"{ind.zh}{'减少' if value < prior else '增加'} {abs(value - prior):.0f} {ind.count_unit}".rstrip()
        improved = (value < prior) if ind.lower_is_better else (value > prior)
        (better if improved else worse).append(diff)
    return better, worse


def sentences(now: dict[str, Any], before: dict[str, Any], watch: pl.DataFrame, p: Params) -> list[str]:
    """The headline as two or three sentences (the period first, so a printout says what it is about)."""
    counts = status_counts(now)
    judged = sum(len(v) for v in counts.values())
    parts = [f"{catalog.STATUS_OK} {len(counts[catalog.STATUS_OK])} 项"]
    parts += [f"{s} {len(counts[s])} 项" for s in (catalog.STATUS_WARN, catalog.STATUS_BAD)]
    if counts[catalog.STATUS_NONE]:
        parts.append(f"{catalog.STATUS_NONE} {len(counts[catalog.STATUS_NONE])} 项")
    first = f"{period_text(p)}：{judged} 项考核指标中{'、'.join(parts)}"
    schools = watch["school_code"].n_unique() if watch.height else 0
    first += (
        f"；重点关注学校 {schools} 所（同一指标连续两期未达标）。"
        if schools
        else "；没有连续两期未达标的学校。"
    )
    out = [first]
    better, worse = changes(now, before)
    if better or worse:
        moved = [f"向好：{'、'.join(better)}" if better else "", f"下滑：{'、'.join(worse)}" if worse else ""]
        out.append("与上期相比，" + "；".join(m for m in moved if m) + "。")
    incomplete = [
        f"{INDICATORS_BY_KEY[key].zh}（{coverage_text(key, covered)}）"
        for key, covered in now.get("coverage", {}).items()
        if covered["reported"] < covered["expected"]
    ]
    if incomplete:
        out.append("数据尚未报齐：" + "；".join(incomplete) + "。")
    return out


def status_reason(key: str, result: dict[str, Any]) -> str:
    """Why a card has its colour, from the catalog: '交流轮岗比例 8.3% < 10.0%（未达标）'."""
    ind = INDICATORS_BY_KEY[key]
    status = result["status"].get(key, catalog.STATUS_NONE)
    value = indicators.reported_headline(result, key)
    if ind.ok_at is None:
        return f"{ind.zh}：{ind.description}（不设达标线）"
    if status == catalog.STATUS_NONE or value is None:
        return f"{ind.zh}：本期没有可计算的数据（{catalog.STATUS_NONE}），不按未达标计。"
    if ind.lower_is_better:
        v, ok, warn = (_level(ind, x) for x in (value, ind.ok_at, ind.warn_at or ind.ok_at))
        if status == catalog.STATUS_OK:
            return f"{ind.zh} {v} ≤ {ok}（{status}）"
        if status == catalog.STATUS_WARN:
            return f"{ind.zh} {ok} < {v} ≤ {warn}（{status}）"
        return f"{ind.zh} {v} > {warn}（{status}，达标线 {ok}）"
    v, ok, warn = percent(value), percent(ind.ok_at), percent(ind.warn_at or 0)
    if status == catalog.STATUS_OK:
        return f"{ind.zh} {v} ≥ {ok}（{status}）"
    if status == catalog.STATUS_WARN:
        return f"{ind.zh} {warn} ≤ {v} < {ok}（{status}）"
    return f"{ind.zh} {v} < {warn}（{status}，达标线 {ok}）"


def threshold_text(key: str) -> str:
    """'≥ 80.0% 达标，60.0%～80.0% 预警，< 60.0% 未达标' (a shortfall: '0 名 达标，1～2 名 预警，≥ 3 名 未达标'):
    an indicator's thresholds from the catalog."""
    ind = INDICATORS_BY_KEY[key]
    if ind.ok_at is None:
        return "不设达标线"
    if ind.lower_is_better:  # whole people: 0 达标, 1～2 预警, ≥ 3 未达标
        ok, warn = int(ind.ok_at), int(ind.warn_at if ind.warn_at is not None else ind.ok_at)
        unit = ind.count_unit
        middle = f"{ok + 1}～{warn} {unit} 预警，" if warn > ok else ""
        return f"{'≤ ' if ok else ''}{ok} {unit} 达标，{middle}≥ {warn + 1} {unit} 未达标"
    ok, warn = percent(ind.ok_at), percent(ind.warn_at or 0)
    return f"≥ {ok} 达标，{warn}～{ok} 预警，< {warn} 未达标"


def _level(ind: catalog.Indicator, value: float) -> str:
    """A count-judged value or threshold with its unit: '2 名'."""
    return f"{value:.0f} {ind.count_unit}".rstrip()
