"""How the summary writes numbers, scopes and lists of schools (shared by every part of the document)."""

from __future__ import annotations

from typing import Any

from oversight.contract import catalog
from oversight.metrics import periods
from oversight.present import formats

NO_DATA = catalog.STATUS_NONE
#: the Chinese numerals of headings and items: 一、 （一） 一是
NUMERALS = "一二三四五六七八九十"


def pct(value: float | None) -> str:
    """13.5% with one decimal as everywhere (formats.percent), or 无数据 when the denominator was 0 (the
    contract: null, never 0)."""
    return NO_DATA if value is None else formats.percent(value)


def points(diff: float) -> str:
    """A gap between two shares as the summary writes it: 0.04 -> '4.0个百分点' (no sign, no space)."""
    return f"{abs(diff) * 100:.1f}个百分点"


def numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 13 -> 十三, 21 -> 二十一: the numbers of headings and items."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def status_note(key: str, value: float | None) -> str:
    """'（预警）' after a value, or '' where the indicator has no status for it."""
    status = catalog.status_of(catalog.INDICATORS_BY_KEY[key], value)
    return "" if status == catalog.STATUS_NONE else f"（{status}）"


def not_reported(r: dict[str, Any], key: str) -> list[str] | None:
    """The one sentence of a section whose table has no record at all for the period (else None): no
    data is said as such, never written as 0% or 未达标."""
    covered = r.get("coverage", {}).get(key)
    if covered is None or covered["reported"]:
        return None
    zh = catalog.INDICATORS_BY_KEY[key].zh
    return [f"本期尚无{zh}的记录（{catalog.STATUS_NONE}），待各校报送后统计，不计为未达标。"]


def scope_name(p: periods.Params) -> str:
    """全区, or the filters a reader applied (城关街道·小学)."""
    parts = [v for v in (p.town, p.stage, p.area_type) if v]
    return "·".join(parts) if parts else "全区"


def list_parts(counts: dict[str, int], order: tuple[str, ...], unit: str) -> str:
    """'党总支8个、党支部41个': the non-zero parts in the schema's order."""
    return "、".join(f"{name}{counts[name]}{unit}" for name in order if counts.get(name))


def count(n: int) -> str:
    return formats.count_text(n)


def enumeration(names: list[str], limit: int) -> str:
    """'甲、乙、丙' when there are at most `limit`, else the first `limit` and '等N所'."""
    if len(names) <= limit:
        return "、".join(names)
    return "、".join(names[:limit]) + f"等{len(names)}所"


def schools_phrase(names: list[str], limit: int) -> str:
    """'甲、乙共2所学校' or '甲、乙、丙等12所学校': named schools in running text ('相关学校' for none)."""
    if not names:
        return "相关学校"
    if len(names) <= limit:
        return "、".join(names) + f"共{len(names)}所学校" if len(names) > 1 else f"{names[0]}"
    return "、".join(names[:limit]) + f"等{len(names)}所学校"


def threshold(key: str, level: float | None) -> str:
    """A threshold as it reads in a sentence: '80.0%' for a share, '2名' for a shortfall."""
    ind = catalog.INDICATORS_BY_KEY[key]
    if level is None:
        return NO_DATA
    return pct(level) if ind.unit == "share" else f"{level:.0f}{ind.count_unit}"
