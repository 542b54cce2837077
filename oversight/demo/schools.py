"""The schools: a code, a size and a charter state for every school of the roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from oversight.demo.draws import day_in, section_rng
from oversight.demo.roster import ROSTER, SIZES, SchoolSpec
from oversight.demo.rows import Row, row


@dataclass
class School:
    """A generated school, as the later sections of the district see it."""

    spec: SchoolSpec
    code: str
    students: int
    staff: int
    #: the org the school's Party members belong to (its own, or the 联合党支部 covering it)
    org_code: str | None = None


def _size_ranges(spec: SchoolSpec) -> tuple[tuple[int, int], tuple[int, int]]:
    """(students, staff) ranges of the first SIZES entry matching the school's stage and area type."""
    return next(
        (s, f) for stage, area, s, f in SIZES if stage == spec.stage and area in (None, spec.area_type)
    )


def draw_schools(seed: int) -> tuple[list[School], list[Row]]:
    rng = section_rng(seed, "schools")
    codes = sorted(rng.sample(range(10000, 99999), len(ROSTER)))
    out: list[School] = []
    rows: list[Row] = []
    # four schools whose charter still lacks the Party organization's leading role, one with no date
    not_revised = set(rng.sample(range(len(ROSTER)), 4))
    undated = rng.choice([i for i in range(len(ROSTER)) if i not in not_revised])
    for i, spec in enumerate(ROSTER):
        students_range, staff_range = _size_ranges(spec)
        school = School(spec, f"21410{codes[i]}", rng.randint(*students_range), rng.randint(*staff_range))
        out.append(school)
        revised = i not in not_revised
        revised_on = None
        if revised and i != undated:
            # most charters were revised after the 2022 national rules, a few earlier
            year = rng.choices((2020, 2021, 2022, 2023), weights=(1, 2, 4, 5))[0]
            revised_on = day_in(rng, date(year, 3, 1), date(year, 12, 20))
        rows.append(
            row(
                "schools",
                school_code=school.code,
                school_name=spec.name,
                stage=spec.stage,
                town=spec.town,
                area_type=spec.area_type,
                is_public=spec.is_public,
                education_group=spec.group,
                students=school.students,
                staff=school.staff,
                charter_revised=revised,
                charter_revised_on=revised_on,
            )
        )
    return out, rows
