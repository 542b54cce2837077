"""Periods: which year, school year and as-of date a reading is for, and the previous period (上期).

One place decides this for the command line, every page and the Word report, as a leader means it:
the year Y's figures are as of the end of Y (today while Y is not over); the school year is the one
ending in Y ('2022-2023' for 2023) when rotation_quotas has it, else the latest one before it. 上期 is
Y-1 judged the same way, as of its own year end and with its own school year; only a date or a school
year the reader chose explicitly moves back by one year instead.
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
    #: the school codes a 学校 account may see (roles.User.scope; page.page_setup sets it from the
    #: account, never from the URL), None for the district. Every query file reads it through the
    #: filtered_schools rule; engine.queries refuses a file that does not (check_scope).
    scope: tuple[str, ...] | None = None
    #: which of year / school_year / as_of resolve() filled in, so that 上期 fills them again for its
    #: own year instead of shifting a default (the default as-of of 2023 is 2023-12-31, not "today")
    defaulted: frozenset[str] = frozenset()


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
        "scope": params.scope,
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
    """Fill the defaults from the data (the module docstring's rules): Y = the latest year with a dated
    record, D = 31 December of Y or today if that is still ahead, S = the school year ending in Y when
    rotation_quotas has it, else the latest one before it. Without data Y is this year, so every
    indicator still reads (as zeros and nulls) instead of failing. Filters are checked against the
    schema's enums so a typo in 学段 or 城乡类型 is a clear message, not an empty dashboard."""
    if params.stage is not None and params.stage not in STAGES:
        raise UsageError(f"学段“{params.stage}”不存在，可选：{'、'.join(STAGES)}。")
    if params.area_type is not None and params.area_type not in AREA_TYPES:
        raise UsageError(f"城乡类型“{params.area_type}”不存在，可选：{'、'.join(AREA_TYPES)}。")
    filled: set[str] = set()
    year = params.year
    if year is None:
        latest = queries.run_query(con, "default_periods", {})["latest_year"].item()
        # no dated record at all: the year of the chosen day (or of today)
        year = int(latest) if latest is not None else (params.as_of or date.today()).year
        filled.add("year")
    as_of = params.as_of
    if as_of is None:
        as_of = year_end(int(year))
        filled.add("as_of")
    school_year = params.school_year
    if school_year is None:
        found = queries.run_query(con, "default_school_year", {"year": int(year)})["school_year"].item()
        school_year = found or school_year_ending(int(year))
        filled.add("school_year")
    return replace(
        params,
        year=int(year),
        school_year=_check_school_year(school_year),
        as_of=as_of,
        defaulted=params.defaulted | frozenset(filled),
    )


def year_end(year: int) -> date:
    """The default as-of date of year Y: its last day, or today while Y is not over."""
    return min(date(year, 12, 31), date.today())


def school_year_ending(year: int) -> str:
    """'2022-2023' for 2023: the school year that ends in a calendar year."""
    return f"{year - 1}-{year}"


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
    """上期 of a resolved reading, to be resolved in turn: year - 1, the school year one earlier (the one
    ending in Y-1 when S ends in Y; one before S when S was the fallback, so a period is never compared
    with itself), and the as-of date filled again for Y-1 (its year end) when it was the default, moved
    back one year when the reader chose it."""
    if params.year is None:
        raise UsageError("上期只能由已确定年度的统计口径得出。")
    school_year = params.school_year
    if school_year is not None:
        first = int(_check_school_year(school_year)[:4]) - 1
        school_year = f"{first}-{first + 1}"
    as_of = params.as_of
    as_of = _year_earlier(as_of) if as_of is not None and "as_of" not in params.defaulted else None
    return replace(params, year=params.year - 1, school_year=school_year, as_of=as_of, defaulted=frozenset())


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
