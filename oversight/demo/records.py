"""The district's yearly records: 最强党支部 honors, teacher rotation (quotas and moves), 三重一大
matters and 双向述职 duty reports. Each section spreads the records believably, with a few schools
lagging, some of them two years running."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal

from oversight.demo.draws import day_in, section_rng
from oversight.demo.people import Names
from oversight.demo.roster import DATA_END, MATTER_TITLES, MATTER_WEIGHTS, SAMPLE_YEAR, SCHOOL_YEARS
from oversight.demo.rows import Row, row
from oversight.demo.schools import School

# honors ----------------------------------------------------------------------------------------------

#: distinct (org, level) pairs by the year they were first honored; 37 in all by 2023, 8 new in 2023
HONOR_FIRST_YEARS: dict[int, int] = {2019: 6, 2020: 6, 2021: 8, 2022: 9, 2023: 8}
HONOR_LEVEL_COUNTS: dict[str, int] = {"市级": 5, "区级": 17, "系统级": 15}


def draw_honors(seed: int, party_org_rows: list[Row]) -> list[Row]:
    rng = section_rng(seed, "honors")
    branches = [str(r["org_code"]) for r in party_org_rows if r["org_type"] == "党支部"]
    district = rng.sample(branches, HONOR_LEVEL_COUNTS["区级"])
    pairs = [(o, "区级") for o in district]
    pairs += [(o, "市级") for o in rng.sample(district, HONOR_LEVEL_COUNTS["市级"])]
    pairs += [(o, "系统级") for o in rng.sample(branches, HONOR_LEVEL_COUNTS["系统级"])]
    years = [y for y, n in HONOR_FIRST_YEARS.items() for _ in range(n)]
    rng.shuffle(years)
    rows: list[Row] = []
    for (org, level), first in zip(pairs, years, strict=True):
        rows.append(row("honors", org_code=org, level=level, year=first))
        # some branches were honored again in later years at the same level
        later = [y for y in range(first + 1, SAMPLE_YEAR + 1) if rng.random() < 0.25]
        rows.extend(row("honors", org_code=org, level=level, year=y) for y in later)
    return rows


# rotation --------------------------------------------------------------------------------------------


def draw_rotation(seed: int, schools: list[School]) -> tuple[list[Row], list[Row]]:
    """Quotas and rotations of three school years; public schools only (the rule binds public schools).

    2022-2023 has six schools below 10%, three of which were below in 2021-2022 as well.
    """
    rng = section_rng(seed, "rotation")
    names = Names(rng)
    public = [s for s in schools if s.spec.is_public]
    rural = [s for s in public if s.spec.area_type != "城区"]
    measurable = [s for s in public if s.staff >= 40]
    below_last = rng.sample(measurable, 6)
    repeat = below_last[:3]
    below: dict[str, list[School]] = {
        SCHOOL_YEARS[-1]: below_last,
        SCHOOL_YEARS[-2]: repeat + rng.sample([s for s in measurable if s not in below_last], 4),
        SCHOOL_YEARS[-3]: rng.sample(measurable, 7),
    }
    quotas: list[Row] = []
    moves: list[Row] = []
    for school_year in SCHOOL_YEARS:
        for s in public:
            eligible = max(1, round(s.staff * rng.uniform(0.26, 0.38)))
            quotas.append(
                row(
                    "rotation_quotas", school_year=school_year, school_code=s.code, eligible_teachers=eligible
                )
            )
            if s in below[school_year]:
                rotated = min(math.floor(eligible * rng.uniform(0.02, 0.085)), math.ceil(eligible / 10) - 1)
            else:
                rotated = math.ceil(eligible * rng.uniform(0.10, 0.15))
            moves.extend(_moves(rng, names, s, school_year, rotated, public, rural))
    return quotas, moves


def _moves(
    rng: random.Random,
    names: Names,
    s: School,
    school_year: str,
    rotated: int,
    public: list[School],
    rural: list[School],
) -> list[Row]:
    """The `rotated` teachers who left school `s` in `school_year`, in teacher-number order."""
    pool = rng.sample(range(1, s.staff + 1), rotated)
    moves: list[Row] = []
    for number in sorted(pool):
        kind = rng.choices(("交流", "轮岗", "支教"), weights=(5, 3, 2 if s.spec.area_type == "城区" else 0))[
            0
        ]
        targets = rural if kind == "支教" else public
        target = rng.choice([t for t in targets if t is not s])
        role = rng.choices(("教师", "中层干部", "副校长", "校长"), weights=(86, 10, 3, 1))[0]
        moves.append(
            row(
                "rotations",
                school_year=school_year,
                teacher_id=f"T{s.code}{number:03d}",
                teacher_name=names.any() if rng.random() < 0.95 else None,
                from_school_code=s.code,
                to_school_code=target.code,
                kind=kind,
                role=role,
            )
        )
    return moves


# matters ---------------------------------------------------------------------------------------------


def draw_matters(seed: int, schools: list[School]) -> list[Row]:
    """三重一大 of 2021-2023; compliance improves year on year, three schools lag in 2022 and 2023."""
    rng = section_rng(seed, "matters")
    lagging = rng.sample([s for s in schools if s.staff >= 40], 3)
    base_failure = {2021: 0.16, 2022: 0.11, 2023: 0.07}
    rows: list[Row] = []
    for s in schools:
        per_year = 2 if s.staff < 20 else 4 if s.staff < 80 else 7 if s.staff < 160 else 10
        for year in (2021, 2022, 2023):
            failure = base_failure[year] + (0.35 if s in lagging and year >= 2022 else 0.0)
            for n in range(1, per_year + rng.randint(0, 3) + 1):
                rows.append(_matter(rng, s, year, n, failure))
    return rows


def _matter(rng: random.Random, s: School, year: int, n: int, failure: float) -> Row:
    """The n-th matter of school `s` in `year`; `failure` is the chance its meetings went wrong."""
    category = rng.choices(list(MATTER_WEIGHTS), weights=list(MATTER_WEIGHTS.values()))[0]
    registered, principal, party, implemented = _matter_dates(rng, year, failure)
    amount = _matter_amount(rng, category)
    title = rng.choice(MATTER_TITLES[category])
    if category in ("职称评审", "重大决策") and rng.random() < 0.6:
        title = f"{year}年度{title}"
    return row(
        "matters",
        matter_id=f"SZ{s.code[-5:]}{year}{n:03d}",
        school_code=s.code,
        category=category,
        title=title,
        amount_yuan=amount,
        registered_on=registered,
        principal_meeting_on=principal,
        party_meeting_on=party,
        implemented_on=implemented,
    )


def _matter_dates(
    rng: random.Random, year: int, failure: float
) -> tuple[date, date | None, date | None, date | None]:
    """(registered, 校长办公会, 党组织会议, implemented): a missing meeting is None, as is a matter not
    carried out by the end of the data; a failed matter lacks a meeting or was carried out first."""
    registered = day_in(rng, date(year, 1, 5), date(year, 12, 15))
    principal = registered + timedelta(days=rng.randint(1, 10))
    party = principal + timedelta(days=rng.randint(1, 7))
    if rng.random() < 0.15:  # some schools hold the Party meeting first
        principal, party = party, principal
    implemented: date | None = max(principal, party) + timedelta(days=rng.randint(3, 75))
    if rng.random() < failure:
        fault = rng.choices(("party", "principal", "both", "early"), weights=(40, 20, 5, 35))[0]
        if fault in ("party", "both"):
            party = None  # type: ignore[assignment]
        if fault in ("principal", "both"):
            principal = None  # type: ignore[assignment]
        if fault == "early":
            # carried out first, approved afterwards by both meetings
            implemented = registered + timedelta(days=rng.randint(0, 3))
            principal = implemented + timedelta(days=rng.randint(1, 10))
            party = implemented + timedelta(days=rng.randint(1, 10))
    if implemented is not None and implemented > DATA_END:
        implemented = None  # not carried out yet
    return registered, principal, party, implemented


def _matter_amount(rng: random.Random, category: str) -> Decimal | None:
    """The sum involved: always for 大额资金使用 and 基本建设, sometimes for 其他."""
    if category in ("大额资金使用", "基本建设") or (category == "其他" and rng.random() < 0.3):
        low, high = (200_000, 4_800_000) if category == "基本建设" else (50_000, 900_000)
        yuan = rng.randrange(low, high, 100)
        cents = rng.choice((0, 0, 0, rng.randint(1, 99)))
        return Decimal(f"{yuan}.{cents:02d}")
    return None


# duty reports ----------------------------------------------------------------------------------------


def draw_duty_reports(seed: int, schools: list[School]) -> list[Row]:
    """双向述职 of 2021-2023: a few schools missing a year or half of it, two of them in 2022 and 2023."""
    rng = section_rng(seed, "duty_reports")
    repeat = rng.sample(schools, 2)
    missing_count = {2021: 3, 2022: 2, 2023: 1}
    partial_count = {2021: 6, 2022: 5, 2023: 5}
    rows: list[Row] = []
    for year in (2021, 2022, 2023):
        others = [s for s in schools if s not in repeat]
        missing = rng.sample(others, missing_count[year])
        fixed = repeat if year >= 2022 else []
        partial = fixed + rng.sample(
            [s for s in others if s not in missing], partial_count[year] - len(fixed)
        )
        for s in schools:
            if s in missing:
                continue
            superior, staff = True, True
            if s in partial:
                if rng.random() < 0.7:
                    staff = False
                else:
                    superior = False
            rows.append(
                row("duty_reports", school_code=s.code, year=year, to_superior=superior, to_staff=staff)
            )
    return rows
