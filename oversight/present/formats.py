"""The one formatter: how a number, a share, an amount or a date reads, wherever it is shown.

Pages, figures, downloads, the command line and the Word report all format through here, so a share
reads "10.0%" everywhere and never "10%" in one place and "0.1" in another.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

import polars as pl

from oversight.contract import catalog
from oversight.metrics.periods import Params
from oversight.present.labels import FIELD_LABELS


def percent(value: float) -> str:
    """A share as a percentage with one decimal: 0.1 -> '10.0%', 0.12474 -> '12.5%'."""
    return f"{value * 100:.1f}%"


def points(diff: float) -> str:
    """A change of a share in percentage points: 0.031 -> '+3.1 个百分点'."""
    return f"{diff * 100:+.1f} 个百分点"


def count_text(value: int) -> str:
    """A count as the summary writes it, with thousands separators: 20150 -> '20,150'."""
    return f"{value:,}"


def format_value(value: float | None, share: bool) -> str:
    """A headline value as it reads on a card or in a table: '12.5%' or '37', '—' when there is none."""
    if value is None:
        return "—"
    return percent(value) if share else f"{value:.0f}"


def format_expr(value: pl.Expr, share: bool) -> pl.Expr:
    """format_value as a column expression. No Python callbacks inside polars here: page threads run
    these concurrently, and a polars worker waiting for the GIL is how a Streamlit server can stall."""
    if share:
        return pl.format("{}%", (value.cast(pl.Float64) * 100).round(1))
    return value.round(0).cast(pl.Int64).cast(pl.String)


def date_text(day: date | None) -> str:
    """2023年9月1日: how a date reads in a sentence, a caption or the Word report."""
    return "—" if day is None else f"{day.year}年{day.month}月{day.day}日"


def period_text(params: Params) -> str:
    """'2023年度（截至2023年12月31日），2022-2023学年': the period of a resolved reading in words."""
    return f"{params.year}年度（截至{date_text(params.as_of)}），{params.school_year}学年"


def filters_text(params: Params) -> str:
    """'乡镇街道：青山镇；学段：小学', or '' when the reading covers every school."""
    parts = [
        f"{label}：{value}"
        for label, value in (
            ("乡镇街道", params.town),
            ("学段", params.stage),
            ("城乡类型", params.area_type),
        )
        if value
    ]
    return "；".join(parts)


def scope_text(params: Params) -> str:
    """The period and the filters in force, in one line."""
    filters = filters_text(params)
    if params.scope is not None:  # a 学校 account: its own school(s), whatever the filters
        return period_text(params) + (
            "；本校" if len(params.scope) <= 1 else f"；本集团 {len(params.scope)} 所学校"
        )
    return period_text(params) + (f"；{filters}" if filters else "；全部学校")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _show(value: Any, ratio: bool) -> str:
    if value is None:
        return "—"
    return percent(value) if ratio else str(value)


def format_text(result: dict[str, Any]) -> str:
    """compute()'s result as a readable Chinese table for `oversight indicators` without --json."""
    p = result.get("params", {})
    scope = "、".join(v for v in (p.get("town"), p.get("stage"), p.get("area_type")) if v) or "全部学校"
    lines = [
        f"统计口径：年度 {p.get('year', '—')}，学年 {p.get('school_year', '—')}，"
        f"截至 {p.get('as_of', '—')}，范围 {scope}",
        "",
    ]
    rows = [("指标", "数值", "状态", "明细")]
    statuses = result.get("status", {})
    for ind in catalog.INDICATORS:
        obj = result[ind.key]
        value = _show(obj[ind.headline], ind.unit == "share")
        status = statuses.get(ind.key, "") if ind.ok_at is not None else ""
        details = []
        for field, label in FIELD_LABELS[ind.key].items():
            if field == ind.headline and ind.unit == "count":
                continue
            details.append(f"{label} {_show(obj[field], field in ('split_share', 'share', 'ratio', 'rate'))}")
        if ind.key == "party_orgs":
            details.extend(f"{t} {n}" for t, n in obj["by_type"].items())
        if ind.key == "strongest_branches":
            details.extend(f"{lv} {n}" for lv, n in obj["by_level"].items())
        if ind.key == "activities":
            details.extend(
                f"{k} {n}（{obj['participants_by_kind'][k]} 人次）" for k, n in obj["by_kind"].items()
            )
        rows.append((ind.zh, value, status, "，".join(details)))
    widths = [max(_width(r[i]) for r in rows) + 2 for i in range(3)]
    for r in rows:
        lines.append("".join(_pad(r[i], widths[i]) for i in range(3)) + r[3])
    return "\n".join(lines)
