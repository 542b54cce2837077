"""Seeded draws: one independent generator per section of the district, and the date draws they share.

String seeds are hashed with SHA-512 by `random.Random`, not with Python's per-process string hash, so
a section draws the same numbers in every process.
"""

from __future__ import annotations

import random
from datetime import date, timedelta


def section_rng(seed: int, section: str) -> random.Random:
    """An independent generator per section, so changing one section leaves the others as they were."""
    return random.Random(f"{seed}:{section}")


def day_in(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def weekday(day: date) -> date:
    """Meetings fall on working days: a weekend date moves to the Friday before, or to the Monday after
    when that Friday is in the previous month (a meeting must stay in the month it was planned for)."""
    if day.weekday() < 5:
        return day
    friday = day - timedelta(days=day.weekday() - 4)
    return friday if friday.month == day.month else day + timedelta(days=7 - day.weekday())


def month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)
