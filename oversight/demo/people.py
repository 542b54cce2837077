"""People: Chinese personal names, and the leadership posts of every school as of 2023-12-31
(校长, 书记, 副书记, 副校长, 支部委员), with the 2023 appointments of the district summary."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from oversight.demo.draws import day_in, section_rng
from oversight.demo.roster import GIVEN_NAMES, JOINT_LEAD, JOINT_MEMBER, OWN_ZHIBU, OWN_ZONGZHI, SURNAMES
from oversight.demo.rows import Row, row
from oversight.demo.schools import School

#: 2023 appointment counts of the district summary
NEW_SECRETARIES, NEW_DEPUTY_SECRETARIES = 13, 31

#: a person as the leader rows name them: (person id, name)
Person = tuple[str, str]


class Names:
    """Chinese personal names from common surnames and given names; leaders' names never repeat."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def any(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)

    def unique(self) -> str:
        while True:
            name = self.any()
            if name not in self.used:
                self.used.add(name)
                return name


class _Leaders:
    """Builds leader rows with person ids handed out in order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names = Names(rng)
        self.rows: list[Row] = []
        self.next_id = 1

    def person(self) -> Person:
        pid = f"P{self.next_id:05d}"
        self.next_id += 1
        return pid, self.names.unique()

    def add(
        self, who: Person, school: str, post: str, member: bool, on: date, left: date | None = None
    ) -> None:
        self.rows.append(
            row(
                "leaders",
                person_id=who[0],
                name=who[1],
                school_code=school,
                post=post,
                is_party_member=member,
                appointed_on=on,
                left_on=left,
            )
        )

    def when(self, year: int, lo: tuple[int, int] = (1, 1), hi: tuple[int, int] = (12, 31)) -> date:
        """A day of `year` between the (month, day) pairs lo and hi."""
        return day_in(self.rng, date(year, *lo), date(year, *hi))


@dataclass(frozen=True)
class _Plan:
    """Which schools get which leadership story; drawn before any leader row."""

    combined: list[School]
    vacant_principal: School
    split_2023: list[School]
    replaced_2023: list[School]
    combined_2023: School
    non_member_heads: list[School]
    zongzhi_deputy_2023: list[School]
    head_deputy_2023: list[School]


def _plan(rng: random.Random, schools: list[School]) -> _Plan:
    zongzhi = [s for s in schools if s.spec.org == OWN_ZONGZHI]
    zhibu = [s for s in schools if s.spec.org == OWN_ZHIBU]
    small = [s for s in zhibu if s.staff < 60]
    combined = rng.sample(small, 10)
    vacant_principal = rng.choice([s for s in zhibu if s not in combined and s.spec.area_type == "镇区"])
    split = zongzhi + [s for s in zhibu if s not in combined and s is not vacant_principal]
    # the 13 new 书记 of 2023: 7 schools split their posts that year, 1 一肩挑 school got a new head
    # holding both posts, and the other 5 replaced a 书记
    split_2023 = rng.sample(zongzhi, 3) + rng.sample([s for s in split if s.spec.org == OWN_ZHIBU], 4)
    replaced_2023 = rng.sample(
        [s for s in split if s not in split_2023], NEW_SECRETARIES - len(split_2023) - 1
    )
    combined_2023 = rng.choice(combined)
    # 校长 of split schools who are not Party members (so not 副书记 either)
    non_member_heads = rng.sample(
        [s for s in split if s.spec.org == OWN_ZHIBU and s not in split_2023 and s not in replaced_2023], 2
    )
    # the 31 new 副书记 of 2023: 6 专职副书记 at 党总支 schools, and 25 校长 made 副书记 (those of the 7
    # newly split schools among them)
    zongzhi_deputy_2023 = rng.sample(zongzhi, 6)
    head_deputy_pool = [s for s in split if s not in split_2023 and s not in non_member_heads]
    head_deputy_2023 = split_2023 + rng.sample(
        head_deputy_pool, NEW_DEPUTY_SECRETARIES - len(zongzhi_deputy_2023) - len(split_2023)
    )
    return _Plan(
        combined,
        vacant_principal,
        split_2023,
        replaced_2023,
        combined_2023,
        non_member_heads,
        zongzhi_deputy_2023,
        head_deputy_2023,
    )


def draw_leaders(seed: int, schools: list[School]) -> list[Row]:
    """Posts as of 2023-12-31; every row is either still in post or ended on or before that day.

    Split (分设): all 8 党总支 schools and 30 党支部 schools; 一肩挑: 10 small 党支部 schools and the two
    schools leading a 联合党支部; vacant: one school whose 校长 left in 2023, and the three other
    联合 schools, which have a 校长 but no 书记 of their own.
    """
    rng = section_rng(seed, "leaders")
    b = _Leaders(rng)
    plan = _plan(rng, schools)
    for s in schools:
        code = s.code
        head = b.person()
        head_since = b.when(rng.randint(2012, 2022))
        if s is plan.combined_2023:
            _new_combined_head(b, code, head)
        elif s in plan.combined or s.spec.org == JOINT_LEAD:
            b.add(head, code, "校长", True, head_since)
            secretary_since = head_since + timedelta(days=rng.choice((0, 0, 30, 120)))
            b.add(head, code, "书记", True, min(secretary_since, date(2022, 12, 30)))
        elif s.spec.org == JOINT_MEMBER:
            b.add(head, code, "校长", rng.random() < 0.7, head_since)
        elif s is plan.vacant_principal:
            _vacant_principal(b, code, head, head_since)
        elif s in plan.split_2023:
            _split_in_2023(b, code, head)
        else:
            _split_posts(b, s, head, head_since, plan)
        _deputies(b, s, s in plan.zongzhi_deputy_2023)
    return b.rows


def _new_combined_head(b: _Leaders, code: str, head: Person) -> None:
    """一肩挑 school whose 校长 and 书记 left in July 2023; the new head holds both posts from August."""
    old = b.person()
    old_since = b.when(b.rng.randint(2010, 2016))
    left = b.when(2023, (7, 1), (7, 31))
    b.add(old, code, "校长", True, old_since, left)
    b.add(old, code, "书记", True, old_since, left)
    head_since = b.when(2023, (8, 20), (8, 31))
    b.add(head, code, "校长", True, head_since)
    b.add(head, code, "书记", True, head_since)


def _vacant_principal(b: _Leaders, code: str, head: Person, head_since: date) -> None:
    """The 校长 (also 副书记) left in July 2023 and nobody has been appointed since."""
    secretary = b.person()
    b.add(secretary, code, "书记", True, b.when(b.rng.randint(2016, 2021)))
    left = b.when(2023, (7, 1), (7, 20))
    b.add(head, code, "校长", True, head_since, left)
    b.add(head, code, "副书记", True, head_since, left)


def _split_in_2023(b: _Leaders, code: str, head: Person) -> None:
    """Until the split in 2023 the 校长 held both posts; then a new 书记, and the 校长 became 副书记."""
    lo, hi = b.rng.choice((((2, 20), (3, 31)), ((8, 25), (9, 15))))
    split_on = b.when(2023, lo, hi)
    head_since = b.when(b.rng.randint(2012, 2020))
    b.add(head, code, "校长", True, head_since)
    b.add(head, code, "书记", True, head_since, split_on)
    b.add(b.person(), code, "书记", True, split_on)
    b.add(head, code, "副书记", True, split_on)


def _split_posts(b: _Leaders, s: School, head: Person, head_since: date, plan: _Plan) -> None:
    """A school with a 书记 of its own; its 校长 is 副书记 when a Party member."""
    rng, code = b.rng, s.code
    member = s not in plan.non_member_heads
    b.add(head, code, "校长", member, head_since)
    if rng.random() < 0.3:  # a predecessor 校长, for history
        b.add(b.person(), code, "校长", True, b.when(rng.randint(2005, 2011)), head_since)
    if s in plan.replaced_2023:
        old = b.person()
        change = b.when(2023, (3, 1), (10, 31))
        b.add(old, code, "书记", True, b.when(rng.randint(2010, 2018)), change)
        b.add(b.person(), code, "书记", True, change)
    else:
        b.add(b.person(), code, "书记", True, b.when(rng.randint(2013, 2022)))
    if member:
        deputy_on = (
            b.when(2023, (3, 1), (11, 30))
            if s in plan.head_deputy_2023
            else b.when(rng.randint(max(2014, head_since.year), 2022))
        )
        b.add(head, code, "副书记", True, max(deputy_on, head_since))


def _deputies(b: _Leaders, s: School, deputy_secretary_2023: bool) -> None:
    """副校长 (most of them Party members, many on the Party committee) and other 支部委员."""
    rng = b.rng
    code = s.code
    count = 0 if s.staff < 12 else 1 if s.staff < 40 else 2 if s.staff < 120 else rng.randint(3, 4)
    party_deputies: list[Person] = []
    for _ in range(count):
        who = b.person()
        member = rng.random() < 0.82
        since = day_in(rng, date(2014, 1, 1), date(2023, 9, 1))
        b.add(who, code, "副校长", member, since)
        if member:
            party_deputies.append(who)
            if rng.random() < 0.62 and s.org_code is not None:
                on = min(since + timedelta(days=rng.randint(0, 400)), date(2023, 11, 30))
                b.add(who, code, "支部委员", True, on)
    if rng.random() < 0.25 and count:
        # a former 副校长, moved on
        on = day_in(rng, date(2012, 1, 1), date(2018, 12, 31))
        b.add(b.person(), code, "副校长", True, on, on + timedelta(days=rng.randint(700, 1800)))
    if s.spec.org == OWN_ZONGZHI:
        # a 专职副书记 from among the Party-member 副校长 (new in 2023 at six 党总支 schools)
        who = party_deputies[0] if party_deputies else b.person()
        on = (
            day_in(rng, date(2023, 3, 1), date(2023, 10, 31))
            if deputy_secretary_2023
            else day_in(rng, date(2016, 1, 1), date(2021, 12, 31))
        )
        b.add(who, code, "副书记", True, on)
    if s.spec.org in (OWN_ZONGZHI, OWN_ZHIBU):
        for _ in range(rng.randint(1, 2)):
            b.add(b.person(), code, "支部委员", True, day_in(rng, date(2018, 1, 1), date(2023, 11, 30)))
