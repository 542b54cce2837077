"""Which query files each indicator reads, and running them once per reading.

compute() of a few indicators runs only their files, overview() shares one run between the district
figures and the school matrix, and prefetch() starts all the files a reading needs at once
(engine.queries.run_many). The district figures are sums of the same per-school frames the matrix and
the breakdown tables show, so a district figure and its schools can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from oversight.engine import Connection, queries

MATRIX_KEYS: tuple[str, ...] = (
    "split_roles",
    "cross_appointment",
    "rotation",
    "two_level_review",
    "three_meetings_one_lesson",
    "charter",
    "duty_reports",
    "unified_subjects",
)

#: breakdown query per indicator key (per school, or per org for 三会一课 and 最强党支部)
BREAKDOWN_QUERIES: dict[str, str] = {
    "schools": "schools_list",
    "party_orgs": "party_orgs_primary",
    "split_roles": "split_roles_by_school",
    "cross_appointment": "cross_appointment_by_school",
    "appointments": "appointments_list",
    "strongest_branches": "strongest_branches_by_org",
    "rotation": "rotation_by_school",
    "two_level_review": "review_by_school",
    "three_meetings_one_lesson": "meetings_by_org",
    "charter": "charter_by_school",
    "duty_reports": "duty_reports_by_school",
    "activities": "activities_by_school",
    "unified_subjects": "unified_subjects_by_school",
    "brands": "brands_by_org",
}

#: the column of a breakdown that carries the row's own value, for its status
BREAKDOWN_VALUE: dict[str, str] = {
    "split_roles": "split_status",
    "cross_appointment": "cross_appointed_share",
    "rotation": "rotated_share",
    "two_level_review": "compliant_share",
    "three_meetings_one_lesson": "compliant_share",
    "charter": "is_revised",
    "duty_reports": "is_both_done",
    "unified_subjects": "teachers_gap",
    "brands": "is_branded",
}

#: The per-school frame (per org for 三会一课) behind each indicator of the matrix and the column with a
#: school's own value: the breakdown query and its value column. compute() sums the same frames for the
#: district figures, so the district figure, the matrix and the breakdown tables can never disagree.
MATRIX_SOURCES: dict[str, tuple[str, str]] = {
    key: (BREAKDOWN_QUERIES[key], BREAKDOWN_VALUE[key]) for key in MATRIX_KEYS
}


SCHOOL_COLUMNS = ["school_code", "school_name", "town", "stage", "area_type"]

#: The columns compute() and the matrix read from each file they share; only these are fetched. The
#: matrix takes the school attributes once, from schools_list. A column missing here fails every
#: compute and matrix test, so the list cannot drift unnoticed.
FRAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "schools_list": tuple(SCHOOL_COLUMNS),
    "split_roles_by_school": ("school_code", "split_status", "has_records"),
    "cross_appointment_by_school": (
        "school_code",
        "cross_appointed_share",
        "_district_deputies",
        "_district_cross_appointed",
        "has_records",
    ),
    "rotation_by_school": (
        "school_code",
        "rotated_share",
        "eligible_teachers",
        "rotated_count",
        "is_measured",
        "is_below_target",
        "has_records",
    ),
    "review_by_school": (
        "school_code",
        "compliant_share",
        "matters_count",
        "compliant_count",
        "missing_party_count",
        "missing_principal_count",
        "implemented_before_review_count",
        "has_records",
    ),
    "meetings_by_org": ("school_code", "quarters_due_count", "compliant_count", "has_records"),
    "charter_by_school": ("school_code", "is_revised", "has_records"),
    "duty_reports_by_school": ("school_code", "is_both_done", "has_records"),
    "unified_subjects_by_school": (
        "school_code",
        "teachers_needed",
        "teachers_assigned",
        "teachers_gap",
        "is_short",
        "has_records",
    ),
    "brands_by_org": ("org_code", "is_branded"),
}

#: the files the matrix reads: the attributes, then each indicator's per-school file
MATRIX_READS: tuple[str, ...] = ("schools_list", *(q for q, _ in MATRIX_SOURCES.values()))


class Frames:
    """The query results of one or more readings, each file run once per reading: compute() of a few
    indicators runs only their files, overview() shares one run between figures and matrix, and
    prefetch() starts all the files a reading needs at once (run_many)."""

    def __init__(self, con: Connection, qp: dict[str, Any]) -> None:
        self.con, self.qp = con, qp
        self._cache: dict[str, pl.DataFrame] = {}

    def frame(self, name: str) -> pl.DataFrame:
        if name not in self._cache:
            self._cache[name] = queries.run_query(self.con, name, self.qp, FRAME_COLUMNS.get(name))
        return self._cache[name]

    def __getitem__(self, key: str) -> pl.DataFrame:
        """The per-school frame of a matrix indicator."""
        return self.frame(MATRIX_SOURCES[key][0])

    def row(self, name: str) -> dict[str, Any]:
        """The one row of a district-level query file (not a per-school frame)."""
        return self.frame(name).row(0, named=True)

    def rows(self, name: str) -> list[tuple[Any, ...]]:
        return self.frame(name).rows()

    def missing(self, names: Sequence[str]) -> list[str]:
        return [n for n in dict.fromkeys(names) if n not in self._cache]

    def store(self, name: str, frame: pl.DataFrame) -> None:
        self._cache[name] = frame


def prefetch(
    readings: Sequence[tuple[Frames, Sequence[str]]], extra: Sequence[tuple[str, dict[str, Any]]] = ()
) -> list[pl.DataFrame]:
    """Run every file the readings still need, plus the `extra` (name, params) jobs whole, in one run_many
    (all on the first reading's connection); returns the extra jobs' frames.

    A file whose parameters are the same in two readings runs once: the school list and the org counts
    do not depend on the period, so 总览's two periods share them."""
    wanted: dict[tuple[str, tuple[tuple[str, Any], ...]], list[Frames]] = {}
    for frames, names in readings:
        for name in frames.missing(names):
            used = tuple(sorted((k, frames.qp.get(k)) for k in queries.query_parameters(name)))
            wanted.setdefault((name, used), []).append(frames)
    if not wanted and not extra:
        return []
    jobs = [(name, holders[0].qp, FRAME_COLUMNS.get(name)) for (name, _), holders in wanted.items()]
    results = queries.run_many(readings[0][0].con, [*jobs, *extra])
    for ((name, _), holders), frame in zip(wanted.items(), results, strict=False):
        for frames in holders:
            frames.store(name, frame)
    return results[len(jobs) :]
