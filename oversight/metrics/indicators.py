"""The contract's indicator JSON: one function per indicator, summing the per-school frames.

`compute` gives one reading (period and filters) in the exact shape of `oversight indicators --json`,
plus "params" and "status"; `overviews` and `compute_with` give several readings (this period and the
previous one) from one run of their files, which is what 总览, the pages with cards and the report need.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from oversight.contract import catalog
from oversight.contract.errors import UsageError
from oversight.contract.schema import ACTIVITY_KINDS, HONOR_LEVELS, ORG_TYPES
from oversight.engine import Connection
from oversight.metrics.frames import MATRIX_READS, MATRIX_SOURCES, Frames, prefetch
from oversight.metrics.periods import Params, params_json, previous, query_params, resolve
from oversight.metrics.schools import matrix_of


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _sums(frame: pl.DataFrame, **exprs: pl.Expr) -> dict[str, Any]:
    """One row of integer aggregates (pl.len() for a count of rows, col.sum() for a total)."""
    row = frame.select([e.cast(pl.Int64).alias(name) for name, e in exprs.items()]).row(0, named=True)
    return {name: int(value or 0) for name, value in row.items()}


def _schools(f: Frames) -> dict[str, Any]:
    return {"total": int(f.row("schools_total")["total"])}


def _party_orgs(f: Frames) -> dict[str, Any]:
    by_type = {t: 0 for t in ORG_TYPES}
    members = 0
    for org_type, primary_count, members_count in f.rows("party_orgs_by_type"):
        by_type[org_type] = int(primary_count)
        members += int(members_count)
    return {"primary": sum(by_type.values()), "by_type": by_type, "members": members}


def _split_roles(f: Frames) -> dict[str, Any]:
    status = pl.col("split_status")
    out = _sums(
        f["split_roles"],
        schools=pl.len(),
        split=(status == "分设").sum(),
        combined=(status == "一肩挑").sum(),
        vacant=(status == "空缺").sum(),
    )
    return out | {"split_share": _share(out["split"], out["split"] + out["combined"])}


def _cross_appointment(f: Frames) -> dict[str, Any]:
    # SPEC counts distinct persons across schools: the per-school rows count each person at one school
    out = _sums(
        f["cross_appointment"],
        deputies=pl.col("_district_deputies").sum(),
        cross_appointed=pl.col("_district_cross_appointed").sum(),
    )
    return out | {"share": _share(out["cross_appointed"], out["deputies"])}


def _appointments(f: Frames) -> dict[str, Any]:
    row = f.row("appointments_summary")
    return {"secretaries": int(row["secretaries"]), "deputy_secretaries": int(row["deputy_secretaries"])}


def _strongest_branches(f: Frames) -> dict[str, Any]:
    by_level = {lv: 0 for lv in HONOR_LEVELS}
    new_in_year = 0
    for level, honored_count, new_count in f.rows("strongest_branches_by_level"):
        by_level[level] = int(honored_count)
        new_in_year += int(new_count)
    return {"total": sum(by_level.values()), "by_level": by_level, "new_in_year": new_in_year}


def _rotation(f: Frames) -> dict[str, Any]:
    out = _sums(
        f["rotation"],
        eligible=pl.col("eligible_teachers").sum(),
        rotated=pl.col("rotated_count").sum(),
        schools_measured=pl.col("is_measured").sum(),
        schools_below_target=pl.col("is_below_target").sum(),
    )
    return {
        "eligible": out["eligible"],
        "rotated": out["rotated"],
        "ratio": _share(out["rotated"], out["eligible"]),
        "schools_measured": out["schools_measured"],
        "schools_below_target": out["schools_below_target"],
    }


def _two_level_review(f: Frames) -> dict[str, Any]:
    fields = ("matters", "compliant", "missing_party", "missing_principal", "implemented_before_review")
    out = _sums(f["two_level_review"], **{name: pl.col(f"{name}_count").sum() for name in fields})
    return out | {"rate": _share(out["compliant"], out["matters"])}


def _three_meetings_one_lesson(f: Frames) -> dict[str, Any]:
    # 联合 branches without a school are in meetings_by_org only when no filter is set (SPEC reading)
    out = _sums(
        f["three_meetings_one_lesson"],
        org_quarters=pl.col("quarters_due_count").sum(),
        compliant=pl.col("compliant_count").sum(),
    )
    return out | {"rate": _share(out["compliant"], out["org_quarters"])}


def _charter(f: Frames) -> dict[str, Any]:
    out = _sums(f["charter"], schools=pl.len(), revised=pl.col("is_revised").sum())
    return out | {"rate": _share(out["revised"], out["schools"])}


def _duty_reports(f: Frames) -> dict[str, Any]:
    out = _sums(f["duty_reports"], schools=pl.len(), both_done=pl.col("is_both_done").sum())
    return out | {"rate": _share(out["both_done"], out["schools"])}


def _activities(f: Frames) -> dict[str, Any]:
    # district-level activities (no school) are in activities_by_kind only when no filter is set (SPEC)
    by_kind = {k: 0 for k in ACTIVITY_KINDS}
    participants_by_kind = {k: 0 for k in ACTIVITY_KINDS}
    for kind, activities_count, participants_count in f.rows("activities_by_kind"):
        by_kind[kind] = int(activities_count)
        participants_by_kind[kind] = int(participants_count)
    return {
        "total": sum(by_kind.values()),
        "participants": sum(participants_by_kind.values()),
        "by_kind": by_kind,
        "participants_by_kind": participants_by_kind,
    }


def _unified_subjects(f: Frames) -> dict[str, Any]:
    return _sums(
        f["unified_subjects"],
        needed=pl.col("teachers_needed").sum(),
        assigned=pl.col("teachers_assigned").sum(),
        gap=pl.col("teachers_gap").sum(),
        schools_short=pl.col("is_short").sum(),
    )


def _brands(f: Frames) -> dict[str, Any]:
    out = _sums(f.frame("brands_by_org"), primary=pl.len(), branded=pl.col("is_branded").sum())
    return out | {"share": _share(out["branded"], out["primary"])}


#: SPEC's JSON, one function per indicator, in SPEC's order. The per-school ones sum the same frames the
#: matrix and the breakdown tables show, so a district figure and its schools can never disagree.
_INDICATORS: dict[str, Any] = {
    "schools": _schools,
    "party_orgs": _party_orgs,
    "split_roles": _split_roles,
    "cross_appointment": _cross_appointment,
    "appointments": _appointments,
    "strongest_branches": _strongest_branches,
    "rotation": _rotation,
    "two_level_review": _two_level_review,
    "three_meetings_one_lesson": _three_meetings_one_lesson,
    "charter": _charter,
    "duty_reports": _duty_reports,
    "activities": _activities,
    "unified_subjects": _unified_subjects,
    "brands": _brands,
}


#: The query files of the indicators that do not read their own per-school frame (MATRIX_SOURCES), so
#: compute() can start every file it needs at once. tests/test_indicators.py checks each function reads
#: exactly these.
_OWN_READS: dict[str, tuple[str, ...]] = {
    "schools": ("schools_total",),
    "party_orgs": ("party_orgs_by_type",),
    "appointments": ("appointments_summary",),
    "strongest_branches": ("strongest_branches_by_level",),
    "activities": ("activities_by_kind",),
    "brands": ("brands_by_org",),
}


def reads(key: str) -> tuple[str, ...]:
    """The query files indicator `key` reads."""
    return _OWN_READS.get(key) or (MATRIX_SOURCES[key][0],)


def compute(con: Connection, params: Params, keys: tuple[str, ...] | None = None) -> dict[str, Any]:
    """SPEC's indicator JSON for one reading, plus "params" and "status" (catalog.status_of on each
    indicator's headline). Every key SPEC lists is present, every org type and honour level too.

    `keys`: only these indicators (a page that shows two of them runs only their queries)."""
    p = resolve(con, params)
    return _compute(p, Frames(con, query_params(p)), keys)


def compute_many(
    con: Connection, params: Sequence[Params], keys: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """compute() of several readings, all their files started at once (files whose parameters two
    readings share run once): the 趋势 page's years, each judged exactly as compute() judges it."""
    readings = [(p, Frames(con, query_params(p))) for p in (resolve(con, x) for x in params)]
    wanted = [k for k in _INDICATORS if keys is None or k in keys]
    prefetch([(frames, [name for key in wanted for name in reads(key)]) for _, frames in readings])
    return [_compute(p, frames, keys) for p, frames in readings]


def overview(con: Connection, params: Params) -> tuple[dict[str, Any], pl.DataFrame]:
    """compute() and school_matrix() of one reading from one run of the per-school queries: the 总览
    page needs both for two periods, and each per-school query scans its table once instead of twice."""
    return overviews(con, [params])[0]


def overviews(con: Connection, params: Sequence[Params]) -> list[tuple[dict[str, Any], pl.DataFrame]]:
    """overview() of several readings (总览: this period and the previous one), their files all started
    at once."""
    readings = [(p, Frames(con, query_params(p))) for p in (resolve(con, x) for x in params)]
    needed = [name for key in _INDICATORS for name in reads(key)] + list(MATRIX_READS)
    prefetch([(frames, needed) for _, frames in readings])
    return [(_compute(p, frames, None), matrix_of(frames)) for p, frames in readings]


def compute_with(
    con: Connection, params: Params, keys: tuple[str, ...], files: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, Any], dict[str, pl.DataFrame]]:
    """compute() of `keys` now and one period earlier, and the query files `files` (whole, this period),
    all started at once: what a page with cards (value and change) and detail tables needs.

    Returns (result, previous result, {file: frame})."""
    p = resolve(con, params)
    (_, now_frames), (_, before_frames) = readings = [
        (x, Frames(con, query_params(x))) for x in (p, resolve(con, previous(p)))
    ]
    needed = [name for key in keys for name in reads(key)]
    # a file the page shows whole also serves this period's figures (compute reads a subset of its columns)
    details = prefetch(
        [(now_frames, [n for n in needed if n not in files]), (before_frames, needed)],
        [(name, query_params(p)) for name in files],
    )
    for name, frame in zip(files, details, strict=True):
        if name in needed:
            now_frames.store(name, frame)
    now, before = (_compute(x, f, keys) for x, f in readings)
    return now, before, dict(zip(files, details, strict=True))


def _compute(p: Params, frames: Frames, keys: tuple[str, ...] | None) -> dict[str, Any]:
    unknown = [k for k in keys or () if k not in _INDICATORS]
    if unknown:
        raise UsageError(f"没有指标“{'、'.join(unknown)}”，可选：{'、'.join(_INDICATORS)}。")
    wanted = [k for k in _INDICATORS if keys is None or k in keys]
    prefetch([(frames, [name for key in wanted for name in reads(key)])])
    result: dict[str, Any] = {key: _INDICATORS[key](frames) for key in wanted}
    result["params"] = params_json(p)
    result["coverage"] = {key: coverage(frames, key) for key in MATRIX_SOURCES if key in result}
    result["status"] = {
        ind.key: status_of_result(result, ind.key) for ind in catalog.INDICATORS if ind.key in result
    }
    return result


def coverage(frames: Frames, key: str) -> dict[str, int]:
    """How many schools (branches, for 三会一课) the indicator expects a record from for the period, and
    how many have one: the frame's rows and its has_records flags. The contract's figures still count a
    school without a record as not done; coverage is what lets a reader tell the two apart."""
    frame = frames[key]
    return {"expected": frame.height, "reported": int(frame["has_records"].sum())}


def reported_headline(result: dict[str, Any], key: str) -> float | int | None:
    """The headline, or None when no school has a record for the period (a gap, never a 0%)."""
    covered = result.get("coverage", {}).get(key)
    return None if covered is not None and covered["reported"] == 0 else headline(result, key)


def status_of_result(result: dict[str, Any], key: str) -> str:
    """The catalog's status of an indicator's headline, 无数据 when no school has any record for the
    period (the table behind it holds nothing for it): no data is never drawn as failure."""
    covered = result.get("coverage", {}).get(key)
    if covered is not None and covered["reported"] == 0:
        return catalog.STATUS_NONE
    return catalog.status_of(catalog.INDICATORS_BY_KEY[key], headline(result, key))


def headline(result: dict[str, Any], key: str) -> float | int | None:
    """The headline value of one indicator in a compute() result (the catalog names the field)."""
    return result[key][catalog.INDICATORS_BY_KEY[key].headline]


def compare(con: Connection, params: Params) -> dict[str, dict[str, Any]]:
    """Each indicator's headline now and one period earlier, with trend (↑/↓/持平) and both statuses."""
    current_params = resolve(con, params)
    now, before = overviews(con, [current_params, previous(current_params)])
    return compare_results(now[0], before[0])


def compare_results(now: dict[str, Any], before: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """compare() from two compute() results, so a page can reuse results it already holds in cache."""
    out: dict[str, dict[str, Any]] = {}
    for ind in catalog.INDICATORS:
        if ind.key not in now or ind.key not in before:
            continue  # compute() of some indicators only
        value, prior = reported_headline(now, ind.key), reported_headline(before, ind.key)
        out[ind.key] = {
            "label": ind.zh,
            "value": value,
            "previous": prior,
            "trend": catalog.trend_of(value, prior),
            "status": status_of_result(now, ind.key),
            "previous_status": status_of_result(before, ind.key),
        }
    return out
