"""The sidebar filters every page shares. They live in the URL query parameters (bookmarkable,
forwardable) and in session state (so they survive moving between pages).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from oversight.app import cache
from oversight.contract.schema import AREA_TYPES, STAGES
from oversight.metrics import periods

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


def _select(label: str, options: list, current: object, key: str) -> object:
    choices = [ALL, *options]
    index = choices.index(current) if current in choices else 0
    return st.sidebar.selectbox(label, choices, index=index, key=key)


def sidebar_filters(db: str, version: str) -> tuple[periods.Params, dict[str, list]]:
    options = cache.filter_options(db, version)
    wanted = _initial_filters()
    st.sidebar.header("筛选条件")
    years = options["years"]
    year_default = int(wanted["year"]) if wanted.get("year", "").isdigit() else (years[-1] if years else None)
    year = _select("年度", list(reversed(years)), year_default, "f_year")
    school_years = options["school_years"]
    sy_default = wanted.get("school_year") or (school_years[-1] if school_years else None)
    sy = _select("学年", list(reversed(school_years)), sy_default, "f_school_year")
    try:
        as_of_default = date.fromisoformat(wanted["as_of"]) if wanted.get("as_of") else date.today()
    except ValueError:
        as_of_default = date.today()
    as_of = st.sidebar.date_input("截止日期", value=as_of_default, key="f_as_of", format="YYYY-MM-DD")
    town = _select("乡镇街道", options["towns"], wanted.get("town"), "f_town")
    stage = _select("学段", list(STAGES), wanted.get("stage"), "f_stage")
    area = _select("城乡类型", list(AREA_TYPES), wanted.get("area_type"), "f_area_type")

    chosen = {
        "year": None if year == ALL else str(year),
        "school_year": None if sy == ALL else sy,
        "as_of": None if as_of == date.today() else as_of.isoformat(),
        "town": None if town == ALL else town,
        "stage": None if stage == ALL else stage,
        "area_type": None if area == ALL else area,
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
        as_of=as_of,
        town=kept.get("town"),
        stage=kept.get("stage"),
        area_type=kept.get("area_type"),
    )
    return params, options


def params_caption(params: periods.Params) -> str:
    """What the page is computed for, in one line (年度, 学年, 截止日期 and the filters in force)."""
    parts = [
        f"年度 {params.year}" if params.year else "年度 —",
        f"学年 {params.school_year}" if params.school_year else "学年 —",
        f"截止 {params.as_of}" if params.as_of else "",
    ]
    for field, label in (("town", "乡镇街道"), ("stage", "学段"), ("area_type", "城乡类型")):
        value = getattr(params, field, None)
        if value:
            parts.append(f"{label}：{value}")
    return "统计口径：" + "，".join(p for p in parts if p)
