"""The Party organizations: 49 primary orgs (8 党总支, 41 党支部) with exactly 1715 members, and the
sub-branches under the 党总支, among them two 联合党支部 covering the village schools of a town."""

from __future__ import annotations

import math
import random
from datetime import date

from oversight.demo.draws import day_in, section_rng
from oversight.demo.roster import JOINT_LEAD, JOINT_MEMBER, OWN_ZHIBU, OWN_ZONGZHI
from oversight.demo.rows import Row, row
from oversight.demo.schools import School

#: 一级党组织 members in the district summary
PRIMARY_MEMBERS = 1715


def _is_joint(branch: str) -> bool:
    """A branch name starting with '联合:' in the roster is a 联合党支部."""
    return branch.startswith("联合:")


def _joint_schools(schools: list[School], town: str) -> list[School]:
    """The village schools of a town covered by its 联合党支部."""
    return [j for j in schools if j.spec.org in (JOINT_LEAD, JOINT_MEMBER) and j.spec.town == town]


def draw_party_orgs(seed: int, schools: list[School]) -> list[Row]:
    """Primary orgs in roster order (codes JW001...), each followed by its sub-branches.

    Sets `org_code` on every school: its own primary org, or the 联合党支部 covering it.
    """
    rng = section_rng(seed, "party_orgs")
    primary = [s for s in schools if s.spec.org in (OWN_ZONGZHI, OWN_ZHIBU)]
    members = _member_counts(rng, schools, primary)
    rows: list[Row] = []
    for n, (s, total) in enumerate(zip(primary, members, strict=True), start=1):
        code = f"JW{n:03d}"
        s.org_code = code
        rows.append(_primary_org(rng, s, code, total))
        if s.spec.org != OWN_ZHIBU:
            rows.extend(_sub_branches(rng, s, code, total, schools))
    return rows


def _member_counts(rng: random.Random, schools: list[School], primary: list[School]) -> list[int]:
    """Members per primary org, proportional to staff and summing to exactly PRIMARY_MEMBERS."""
    # raw party share of staff: public schools about a third, kindergartens and private schools fewer
    raw: list[float] = []
    for s in primary:
        share = 0.38 if s.spec.is_public else 0.15
        if s.spec.stage == "幼儿园":
            share = 0.2 if s.spec.is_public else 0.1
        joint = _joint_schools(schools, s.spec.town)
        extra = sum(j.staff for j in joint) if any(_is_joint(b) for b in s.spec.branches) else 0
        raw.append((s.staff + extra * 0.6) * share * rng.uniform(0.85, 1.15))
    scale = PRIMARY_MEMBERS / sum(raw)
    members = [max(3, round(r * scale)) for r in raw]
    # settle the rounding remainder one member at a time on the larger orgs
    order = sorted(range(len(primary)), key=lambda i: -members[i])
    step = 0
    while sum(members) != PRIMARY_MEMBERS:
        i = order[step % 12]
        members[i] += 1 if sum(members) < PRIMARY_MEMBERS else -1
        step += 1
    return members


def _primary_org(rng: random.Random, s: School, code: str, total: int) -> Row:
    kind = s.spec.org
    founded = day_in(rng, date(1985, 1, 1), date(2016, 12, 31)) if rng.random() < 0.8 else None
    return row(
        "party_orgs",
        org_code=code,
        org_name=f"{s.spec.name}{kind}" if kind == OWN_ZHIBU else f"中共{s.spec.name}总支部委员会",
        org_type=kind,
        school_code=s.code,
        parent_org_code=None,
        members=total,
        founded_on=founded,
    )


def _sub_branches(rng: random.Random, s: School, code: str, total: int, schools: list[School]) -> list[Row]:
    """The sub-branches of a 党总支, sharing its members; a 联合党支部 takes the village schools' few."""
    names = s.spec.branches
    joint_size = rng.randint(6, 9)
    weights = [rng.uniform(0.7, 1.3) if not _is_joint(b) else 0.0 for b in names]
    rest = total - (joint_size if any(_is_joint(b) for b in names) else 0)
    shares = [math.floor(rest * w / sum(weights)) for w in weights]
    shares[0] += rest - sum(shares)
    rows: list[Row] = []
    for k, (branch, share) in enumerate(zip(names, shares, strict=True), start=1):
        sub_code = f"{code}-{k:02d}"
        joint = _is_joint(branch)
        sub_founded = day_in(rng, date(2012, 1, 1), date(2020, 12, 31)) if rng.random() < 0.7 else None
        if joint and "柳河" in branch:
            sub_founded = date(2023, 3, 15)  # new in 2023: its first quarter is not measured
        if branch == "行政后勤党支部":
            sub_founded = date(2022, 9, 1)
        rows.append(
            row(
                "party_orgs",
                org_code=sub_code,
                org_name=branch.removeprefix("联合:") if joint else f"{s.spec.name}{branch}",
                org_type="联合党支部" if joint else "党支部",
                school_code=None if joint else s.code,
                parent_org_code=code,
                members=joint_size if joint else share,
                founded_on=sub_founded,
            )
        )
        if joint:
            for j in _joint_schools(schools, s.spec.town):
                j.org_code = sub_code
    return rows
