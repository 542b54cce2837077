"""Header cells: the form they are compared in, and what a header carries beside a column's name.

Real exports write more in a header cell than the column's name: a required mark (学校名称（必填）,
学校名称*, *学校名称) or a unit (在校生数（人）, 金额（万元）). `read_header` splits a header into its
name part (`base`), the mark and the unit; `match_header` then reads it against one table's columns:
exactly, through a mark, or through a unit that agrees with the column's own unit (schema.UNIT_SYNONYMS),
each but the exact match with a note for the report. A unit that disagrees (金额（万元） against
金额（元）) is not matched: it is an error naming both units, since the numbers would be off by a factor.
Bracketed text that is neither a mark nor a unit is a note (是否公办（是/否）, 在校生数（含借读）): the
header is read by its name part, with a warning that names the note. A short bracket with a scale
(（万）, （千人）) is always a unit, so that it can never be ignored as a note.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from oversight.contract.schema import HEADER_MARKERS, KNOWN_UNITS, UNIT_SYNONYMS, Column, Table

_HEADER_STRIP = re.compile(r"[\s\u3000\u00a0\ufeff\u200b*]+")
_SPACES = re.compile(r"[\s\u3000\u00a0\ufeff\u200b]+")
_STARS = "*★☆※"
_OPEN, _CLOSE = "([【", ")]】"
_BRACKETED = re.compile(r"^(.+?)[(\[【]([^()\[\]【】]{1,30})[)\]】]$")
_UNIT_PREFIX = re.compile(r"^单位[:：]?")
#: a short bracket holding one of these is a unit, known or not (（万）, （千人）): never read as a note
_SCALE = "万千百亿"
_PEOPLE_COUNT = ("人数", "生数", "工数", "教师数")


def normalise_header(text: str | None) -> str:
    """The form headers are compared in: NFKC (（）→ ()), no spaces of any width, no '*' marks, lower case."""
    if text is None:
        return ""
    return _HEADER_STRIP.sub("", unicodedata.normalize("NFKC", str(text))).lower()


@dataclass(frozen=True)
class Header:
    """One header cell taken apart: `key` is `normalise_header`; `base` the name without mark or unit."""

    key: str
    base: str
    marker: str | None = None
    unit: str | None = None
    #: bracketed text that is neither a mark nor a unit: a note such as （是/否） or （含借读）
    note: str | None = None


def _strip_marks(text: str) -> tuple[str, str | None]:
    """The text without leading/trailing stars and a bracketed 必填/选填; the mark removed, if any."""
    marks: list[str] = []
    while True:
        before = text
        stars = len(text) - len(text.lstrip(_STARS))
        if stars:
            marks.append(text[:stars])
            text = text[stars:]
        stars = len(text) - len(text.rstrip(_STARS))
        if stars:
            marks.append(text[-stars:])
            text = text[:-stars]
        bracketed = _BRACKETED.match(text)
        if bracketed and bracketed.group(2) in HEADER_MARKERS:
            marks.append(text[len(bracketed.group(1)) :])
            text = bracketed.group(1)
        if text == before:
            return text, ("".join(marks) or None)


@lru_cache(maxsize=8192)
def read_header(text: str | None) -> Header:
    """A header's key, name part, required mark and unit (in brackets at its end)."""
    key = normalise_header(text)
    if not key:
        return Header("", "")
    plain = _SPACES.sub("", unicodedata.normalize("NFKC", str(text))).lower()
    base, marker = _strip_marks(plain)
    unit = None
    notes: list[str] = []
    for _ in range(3):  # 金额(元)(不含税): a unit and a note, each in its own brackets
        bracketed = _BRACKETED.match(base)
        if not bracketed:
            break
        inside = _UNIT_PREFIX.sub("", bracketed.group(2))
        if unit is None and (
            inside in KNOWN_UNITS or (len(inside) <= 4 and any(c in inside for c in _SCALE))
        ):
            unit = inside
        else:
            notes.insert(0, bracketed.group(2))
        base, more = _strip_marks(bracketed.group(1))
        marker = marker or more
    return Header(key, base.replace("*", ""), marker, unit, "、".join(notes) or None)


def column_unit(c: Column) -> str | None:
    """What a column counts in: its declared unit, the unit in its own header (金额（元）), or 人 for a
    count of people (…人数, 在校生数, 教职工数, …教师数)."""
    if c.unit:
        return c.unit
    own = read_header(c.zh).unit
    if own:
        return own
    if c.type == "int" and c.zh.endswith(_PEOPLE_COUNT):
        return "人"
    return None


@dataclass(frozen=True)
class HeaderMatch:
    """A header read as a column: `note` says how when it was not an exact match (a warning);
    `unit_error` is set instead when the header names another unit (the column is then not read)."""

    column: str
    note: str | None = None
    unit_error: str | None = None


@dataclass(frozen=True)
class _Lookup:
    exact: dict[str, str]
    bases: dict[str, str]


@cache
def _lookup(t: Table) -> _Lookup:
    exact: dict[str, str] = {}
    bases: dict[str, str] = {}
    for c in t.columns:
        for label in (c.name, c.zh):
            h = read_header(label)
            exact.setdefault(h.key, c.name)
            bases.setdefault(h.base, c.name)
    return _Lookup(exact, bases)


def _unit_of_label(t: Table, name: str) -> str | None:
    return read_header(t.column(name).zh).unit


def match_header(t: Table, label: str | None) -> HeaderMatch | None:
    """The column of `t` a header cell names, or None when it names none of them."""
    h = read_header(label)
    if not h.key:
        return None
    lookup = _lookup(t)
    shown = str(label).strip()
    name = lookup.exact.get(h.key)
    if name is not None:
        note = None
        if h.marker:
            c = t.column(name)
            note = f"表头“{shown}”按“{c.zh}”读取：其中的“{h.marker}”是必填/选填标记，已忽略。"
        return HeaderMatch(name, note)
    name = lookup.bases.get(h.base)
    if name is None:
        return None
    c = t.column(name)
    unit = column_unit(c)
    notes = []
    if h.marker:
        notes.append(f"其中的“{h.marker}”是必填/选填标记，已忽略")
    if h.note:
        notes.append(f"括号中的“{h.note}”是说明文字，已忽略")
    if h.unit is None:
        if unit is not None and _unit_of_label(t, name) is not None:
            notes.append(
                f"表头没有写单位，按本列的单位“{unit}”读取；如填的不是以{unit}为单位的数，请换算后重新上传"
            )
    elif unit is None:
        return None  # a unit on a column that counts nothing: not this column
    elif h.unit in UNIT_SYNONYMS.get(unit, (unit,)):
        notes.append(f"单位“{h.unit}”与本列的单位“{unit}”一致")
    else:
        return HeaderMatch(
            name,
            unit_error=(
                f"表头“{shown}”的单位是“{h.unit}”，而“{c.zh}”列以“{unit}”为单位，直接读取会差一个倍数："
                f"请在 Excel 中把这一列换算成以“{unit}”为单位的数，并把表头改为“{c.zh}”后重新上传。"
            ),
        )
    if not notes:
        return None
    return HeaderMatch(name, f"表头“{shown}”按“{c.zh}”读取：" + "；".join(notes) + "。")


def vocabulary_keys(label: str) -> set[str]:
    """The forms of a schema label a header row may show it in (with or without its unit)."""
    h = read_header(label)
    return {h.key, h.base} - {""}


def header_hits(row: tuple[object, ...] | list[object], vocabulary: set[str]) -> int:
    """How many distinct known headers a row holds (read through marks and units)."""
    hits = set()
    for v in row:
        if v is None:
            continue
        h = read_header(str(v))
        if h.key in vocabulary:
            hits.add(h.key)
        elif h.base in vocabulary:
            hits.add(h.base)
    return len(hits)
