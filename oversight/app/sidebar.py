"""The sidebar filters every page shares. They live in the URL query parameters (bookmarkable,
forwardable) and in session state (so they survive moving between pages).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from oversight.app import cache
from oversight.contract.schema import AREA_TYPES, STAGES
from oversight.metrics import periods
from oversight.present import formats

ALL = "全部"
SESSION_FILTERS = "_filters"

#: cache.query parameter name -> (Params field, label)
FILTER_FIELDS: dict[str, tuple[str, str]] = {
    "year": ("year", "年度"),
    "school_year": ("school_year", "学年"),
    "as_of": ("as_of", "截止日期"),
    "town": ("town", "乡镇街道"),
    "stage": ("stage", "学段"),
    "area_type": ("area_type", "城乡类型"),
}


def _initial_filters() -> dict[str, str]:
    """Filters from the URL on arrival, else those carried in the session from the last page."""
    saved: dict[str, str] = dict(st.session_state.get(SESSION_FILTERS, {}))
    for name in FILTER_FIELDS:
        if name in st.query_params:
            saved[name] = st.query_params[name]
    return saved


def _select(label: str, options: list, current: object, key: str, *, all_label: str = ALL) -> object:
    """A sidebar choice whose first option (ALL) means "no filter" or "the default", shown as all_label."""
    choices = [ALL, *options]
    index = choices.index(current) if current in choices else 0
    return st.sidebar.selectbox(
        label, choices, index=index, key=key, format_func=lambda c: all_label if c == ALL else str(c)
    )


def _period_inputs(wanted: dict[str, str], options: dict[str, list]) -> dict[str, str | None]:
    """年度, 学年 and 截止日期 as the reader chose them; None where the default applies (the latest year,
    the school year ending in it, its year end: metrics.periods)."""
    years = list(reversed(options["years"]))
    wanted_year = int(wanted["year"]) if wanted.get("year", "").isdigit() else None
    if years:
        index = years.index(wanted_year) if wanted_year in years else 0
        year = st.sidebar.selectbox("年度", years, index=index, key="f_year", help="默认为数据中最新的年度")
    else:
        year = None
    school_years = list(reversed(options["school_years"]))
    follow = f"随年度（{periods.school_year_ending(int(year))}学年）" if year else "随年度"
    sy = _select("学年", school_years, wanted.get("school_year"), "f_school_year", all_label=follow)
    try:
        as_of_default = date.fromisoformat(wanted["as_of"]) if wanted.get("as_of") else None
    except ValueError:
        as_of_default = None
    as_of = st.sidebar.date_input(
        "截止日期",
        value=as_of_default,
        key="f_as_of",
        format="YYYY-MM-DD",
        help="不选则按所选年度的 12 月 31 日统计（当年按今天）；上期按上一年度的年末统计。",
    )
    return {
        "year": str(year) if year and (wanted_year is not None or year != years[0]) else None,
        "school_year": None if sy == ALL else str(sy),
        "as_of": as_of.isoformat() if isinstance(as_of, date) else None,
    }


def sidebar_filters(
    db: str, version: str, *, school_filters: bool = True
) -> tuple[periods.Params, dict[str, list]]:
    """The shared sidebar: period and filters, kept in the URL and the session; returns the request
    (None where a default applies) and the options offered. `school_filters=False` (a 学校 account,
    whose schools its account fixes): the period only, no 乡镇街道 / 学段 / 城乡类型."""
    options = cache.filter_options(db, version)
    wanted = _initial_filters()
    st.sidebar.header("筛选条件" if school_filters else "统计期间")
    chosen = _period_inputs(wanted, options)
    if school_filters:
        town = _select("乡镇街道", options["towns"], wanted.get("town"), "f_town")
        stage = _select("学段", list(STAGES), wanted.get("stage"), "f_stage")
        area = _select("城乡类型", list(AREA_TYPES), wanted.get("area_type"), "f_area_type")
    else:
        town = stage = area = ALL
    chosen |= {
        "town": None if town == ALL else str(town),
        "stage": None if stage == ALL else str(stage),
        "area_type": None if area == ALL else str(area),
    }
    kept = {k: v for k, v in chosen.items() if v}
    st.session_state[SESSION_FILTERS] = kept
    for name in FILTER_FIELDS:
        if name in kept:
            if st.query_params.get(name) != kept[name]:
                st.query_params[name] = kept[name]
        elif name in st.query_params:
            del st.query_params[name]
    params = periods.Params(
        year=int(kept["year"]) if "year" in kept else None,
        school_year=kept.get("school_year"),
        as_of=date.fromisoformat(kept["as_of"]) if "as_of" in kept else None,
        town=kept.get("town"),
        stage=kept.get("stage"),
        area_type=kept.get("area_type"),
    )
    return params, options


def params_caption(params: periods.Params) -> str:
    """What the page is computed for, in words: '统计口径：2023年度（截至2023年12月31日），2022-2023学年；
    乡镇街道：青山镇'."""
    return "统计口径：" + formats.scope_text(params)
