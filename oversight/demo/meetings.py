"""三会一课 of every branch, month by month from 2021 (or its founding) to the end of 2023.

Most branches keep the schedule with the odd miss; five lag in 2022 and 2023 both. A meeting is drawn
whole (day, attendance, topic) before it is checked against the branch's founding date, so a branch
founded later still consumes the same draws.
"""

from __future__ import annotations

import random
from datetime import date

from oversight.demo.draws import month_end, section_rng, weekday
from oversight.demo.roster import MEETING_TOPICS, YEAR_THEMES
from oversight.demo.rows import Row, row

#: chances a month's 支部委员会, a quarter's 支部党员大会 and a quarter's 党课 are held
_ON_SCHEDULE = (0.985, 0.985, 0.975)
_LAGGING = (0.82, 0.8, 0.72)


def draw_meetings(seed: int, party_org_rows: list[Row]) -> list[Row]:
    rng = section_rng(seed, "meetings")
    branches = [r for r in party_org_rows if r["org_type"] in ("党支部", "联合党支部")]
    lagging = {str(r["org_code"]) for r in rng.sample(branches, 5)}
    rows: list[Row] = []
    for org in branches:
        branch = _Branch(rng, org, rows)
        for year in (2021, 2022, 2023):
            branch.year(year, lag=branch.code in lagging and year >= 2022)
    return rows


class _Branch:
    """One branch's meetings, appended to a shared row list; ids are numbered per branch and year."""

    def __init__(self, rng: random.Random, org: Row, rows: list[Row]) -> None:
        self.rng = rng
        self.rows = rows
        self.code = str(org["org_code"])
        self.members = int(org["members"])  # type: ignore[call-overload]
        self.founded = org["founded_on"] if isinstance(org["founded_on"], date) else date(2000, 1, 1)
        self.committee = 3 if self.members < 30 else 5
        self.serial = 0

    def add(self, kind: str, day: date, attendees: int | None, topic: str | None) -> None:
        """Record a meeting, unless it falls before the branch was founded."""
        if day < self.founded:
            return
        self.serial += 1
        self.rows.append(
            row(
                "meetings",
                meeting_id=f"{self.code}-{day.year}-{self.serial:04d}",
                org_code=self.code,
                kind=kind,
                held_on=day,
                attendees=attendees,
                topic=topic,
            )
        )

    def day(self, first: date, lo: int, hi: int) -> date:
        """A working day of the month starting `first`, drawn between the lo-th and the hi-th."""
        return weekday(date(first.year, first.month, self.rng.randint(lo, hi)))

    def attending(self, lo: float, hi: float) -> int:
        """Attendance as a drawn share of the members."""
        return round(self.members * self.rng.uniform(lo, hi))

    def year(self, year: int, lag: bool) -> None:
        rng = self.rng
        self.serial = 0
        p_committee, p_assembly, p_lesson = _LAGGING if lag else _ON_SCHEDULE
        for quarter in range(4):
            months = [quarter * 3 + m for m in (1, 2, 3)]
            if month_end(year, months[-1]) < self.founded:
                continue
            assembly_month = rng.choice(months) if rng.random() < p_assembly else None
            lesson_month = rng.choice(months) if rng.random() < p_lesson else None
            for month in months:
                first = date(year, month, 1)
                if first < self.founded.replace(day=1):
                    continue
                self.month(first, p_committee, month == assembly_month, month == lesson_month)
                self.yearly(first)

    def month(self, first: date, p_committee: float, assembly: bool, lesson: bool) -> None:
        """The month's 支部委员会, 主题党日 and 党小组会, and the quarter's 党员大会 and 党课 if due now."""
        rng = self.rng
        if rng.random() < p_committee:
            self.add(
                "支部委员会", self.day(first, 3, 12), self.committee, rng.choice(MEETING_TOPICS["支部委员会"])
            )
        if assembly:  # unlike the others, the topic is drawn before the day
            topic = rng.choice(MEETING_TOPICS["支部党员大会"] + (YEAR_THEMES[first.year],))
            self.add("支部党员大会", self.day(first, 10, 25), self.attending(0.78, 1.0), topic)
        if lesson:
            day, attendees = self.day(first, 5, 28), self.attending(0.75, 1.0)
            self.add("党课", day, attendees, rng.choice(MEETING_TOPICS["党课"] + (YEAR_THEMES[first.year],)))
        if rng.random() < 0.93 and first.month not in (2, 8):
            self.add(
                "主题党日",
                self.day(first, 3, 8),
                self.attending(0.7, 0.98),
                rng.choice(MEETING_TOPICS["主题党日"]),
            )
        if self.members >= 20 and first.month % 2 == 0 and rng.random() < 0.8:
            self.add(
                "党小组会",
                self.day(first, 12, 28),
                max(3, self.attending(0.2, 0.35)),
                rng.choice(MEETING_TOPICS["党小组会"]) if rng.random() < 0.9 else None,
            )

    def yearly(self, first: date) -> None:
        """组织生活会 of the past year in January, 民主评议党员 in December."""
        rng, year = self.rng, first.year
        if first.month == 1 and rng.random() < 0.95 and first >= self.founded:
            self.add(
                "组织生活会", self.day(first, 8, 20), self.attending(0.85, 1.0), f"{year - 1}年度组织生活会"
            )
        if first.month == 12 and rng.random() < 0.95:
            self.add(
                "民主评议党员", self.day(first, 10, 28), self.attending(0.85, 1.0), f"{year}年度民主评议党员"
            )
