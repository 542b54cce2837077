"""Periods: which year, school year and as-of date a reading is for, and the previous period.

One place decides this for the command line, every page and the Word report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from oversight.contract import catalog
from oversight.contract.errors import UsageError
from oversight.contract.schema import AREA_TYPES, STAGES
from oversight.engine import Connection, queries

_SCHOOL_YEAR_RE = re.compile(r"^(\d{4})-(\d{4})$")


@dataclass(frozen=True)
class Params:
    """The period and filters of one reading; None means "default" for periods and "all" for filters."""

    year: int | None = None
    school_year: str | None = None
    as_of: date | None = None
    town: str | None = None
    stage: str | None = None
    area_type: str | None = None


def query_params(params: Params, **extra: Any) -> dict[str, Any]:
    """The parameter dict of a (resolved) Params, plus $target and any extra (e.g. school_code=...)."""
    return {
        "year": params.year,
        "school_year": params.school_year,
        "as_of": params.as_of,
        "town": params.town,
        "stage": params.stage,
        "area_type": params.area_type,
        "target": catalog.ROTATION_TARGET,
        **extra,
    }


def school_year_of(day: date) -> str:
    """The school year containing a day; a school year starts on 1 September."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}-{first + 1}"


def _check_school_year(value: str) -> str:
    match = _SCHOOL_YEAR_RE.match(value.strip())
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise UsageError(f"学年“{value}”格式不对，应写成 2023-2024 这样的前后相连两个年份。")
    return value.strip()


def resolve(con: Connection, params: Params) -> Params:
    """Fill the defaults SPEC names from the data: Y = latest year with a dated record, S = latest school
    year in rotation_quotas, D = today. Without data Y is D's year and S the school year containing D, so
    every indicator still reads (as zeros and nulls) instead of failing. Filters are checked against the
    schema's enums so a typo in 学段 or 城乡类型 is a clear message, not an empty dashboard."""
    if params.stage is not None and params.stage not in STAGES:
        raise UsageError(f"学段“{params.stage}”不存在，可选：{'、'.join(STAGES)}。")
    if params.area_type is not None and params.area_type not in AREA_TYPES:
        raise UsageError(f"城乡类型“{params.area_type}”不存在，可选：{'、'.join(AREA_TYPES)}。")
    as_of = params.as_of or date.today()
    year, school_year = params.year, params.school_year
    if year is None or school_year is None:
        latest_year, latest_school_year = queries.run_query(con, "default_periods", {}).row(0)
        if year is None:
            year = int(latest_year) if latest_year is not None else as_of.year
        if school_year is None:
            school_year = latest_school_year or school_year_of(as_of)
    return replace(params, year=int(year), school_year=_check_school_year(school_year), as_of=as_of)


def available_years(con: Connection) -> list[int]:
    """Every calendar year with a dated record, oldest first: the pages' 年度 choices, which always
    include resolve()'s default year because both read the same columns."""
    return [int(y) for y in queries.run_query(con, "available_years", {})["year"].to_list()]


def available_school_years(con: Connection) -> list[str]:
    """Every school year in rotation_quotas, oldest first: the pages' 学年 choices."""
    return [str(y) for y in queries.run_query(con, "available_school_years", {})["school_year"].to_list()]


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def previous(params: Params) -> Params:
    """The same reading one period earlier: year - 1, school year shifted back one, as-of a year earlier.
    Unset fields stay unset, so call it on resolved params."""
    school_year = params.school_year
    if school_year is not None:
        first = int(_check_school_year(school_year)[:4]) - 1
        school_year = f"{first}-{first + 1}"
    return replace(
        params,
        year=params.year - 1 if params.year is not None else None,
        school_year=school_year,
        as_of=_year_earlier(params.as_of) if params.as_of is not None else None,
    )


def params_json(params: Params) -> dict[str, Any]:
    """Resolved params in JSON-safe form (the date as ISO text), as printed by --json."""
    return {
        "year": params.year,
        "school_year": params.school_year,
        "as_of": params.as_of.isoformat() if params.as_of else None,
        "town": params.town,
        "stage": params.stage,
        "area_type": params.area_type,
        "rotation_target": catalog.ROTATION_TARGET,
    }
