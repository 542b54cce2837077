"""Which schools lag on each indicator, by name: the sections, 存在问题 and 下一步工作 all name them.

One rule per indicator decides who is named, from the school matrix (metrics.schools.school_matrix):
未达标 by the catalog's thresholds, except where the district's own rule is per school (交流轮岗: every
school below the 10% line, as the section's count says; 统编三科: every school with a gap, as "尚有N所学校
未配齐" says). The worst come first (lowest share, largest gap).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import polars as pl

from oversight.contract import catalog
from oversight.present import formats
from oversight.present.report.words import enumeration, pct, threshold

#: schools named in a section's sentence before "等N所" (a district's lists are shorter: all are named)
SECTION_NAMES = 20


def _bad(key: str) -> pl.Expr:
    return pl.col(f"{key}_status") == catalog.STATUS_BAD


def _share(key: str) -> pl.Expr:
    return pl.format("（{}）", formats.format_expr(pl.col(key), True))


@dataclass(frozen=True)
class Lag:
    """Who is named on one indicator (`key`, a school-matrix column) and how it reads."""

    key: str
    #: the section the names go into (build.SECTIONS keys)
    section: str
    pick: Callable[[], pl.Expr]
    #: the school's value in brackets after its name, or None for a yes/no
    show: Callable[[], pl.Expr] | None
    #: the section's sentence, '{names}' the schools
    sentence: str
    #: 存在问题's clause, '{schools}' the schools ('甲、乙等12所学校')
    problem: str
    #: worst first: sort by the value ascending (a share: True), descending (a gap: False), or keep the
    #: matrix's order (a yes/no: None)
    ascending: bool | None = True


def _warn(key: str) -> str:
    return threshold(key, catalog.INDICATORS_BY_KEY[key].warn_at)


TARGET = pct(catalog.ROTATION_TARGET)
LAGS: tuple[Lag, ...] = (
    Lag(
        "split_roles",
        "split",
        lambda: _bad("split_roles"),
        None,
        "实行书记、校长“一肩挑”的学校：{names}。",
        "{schools}仍实行书记、校长“一肩挑”",
        None,
    ),
    Lag(
        "cross_appointment",
        "cross",
        lambda: _bad("cross_appointment"),
        lambda: _share("cross_appointment"),
        f"交叉任职比例低于{_warn('cross_appointment')}（未达标）的学校：{{names}}。",
        f"{{schools}}交叉任职比例低于{_warn('cross_appointment')}",
    ),
    Lag(
        "rotation",
        "rotation",
        lambda: pl.col("rotation") < catalog.ROTATION_TARGET,
        lambda: _share("rotation"),
        f"交流比例低于{TARGET}的学校：{{names}}。",
        f"{{schools}}教师交流比例低于{TARGET}",
    ),
    Lag(
        "two_level_review",
        "review",
        lambda: _bad("two_level_review"),
        lambda: _share("two_level_review"),
        f"两级审议合规率低于{_warn('two_level_review')}（未达标）的学校：{{names}}。",
        f"{{schools}}“三重一大”事项两级审议合规率低于{_warn('two_level_review')}",
    ),
    Lag(
        "three_meetings_one_lesson",
        "meetings",
        lambda: _bad("three_meetings_one_lesson"),
        lambda: _share("three_meetings_one_lesson"),
        f"“三会一课”达标率低于{_warn('three_meetings_one_lesson')}（未达标）的学校：{{names}}。",
        f"{{schools}}“三会一课”达标率低于{_warn('three_meetings_one_lesson')}",
    ),
    Lag(
        "charter",
        "charter",
        lambda: _bad("charter"),
        None,
        "尚未完成章程修订的学校：{names}。",
        "{schools}尚未完成章程修订",
        None,
    ),
    Lag(
        "duty_reports",
        "duty",
        lambda: _bad("duty_reports"),
        None,
        "书记尚未完成“双向述职”的学校：{names}。",
        "{schools}书记尚未完成“双向述职”",
        None,
    ),
    Lag(
        "unified_subjects",
        "unified",
        lambda: pl.col("unified_subjects") > (catalog.INDICATORS_BY_KEY["unified_subjects"].ok_at or 0),
        lambda: pl.format("（缺{}名）", pl.col("unified_subjects")),
        "统编“三科”教师未配齐的学校：{names}。",
        "{schools}统编“三科”教师未配齐",
        False,
    ),
)
LAGS_BY_KEY: dict[str, Lag] = {lag.key: lag for lag in LAGS}


def lagging_rows(matrix: pl.DataFrame, lag: Lag) -> pl.DataFrame:
    """The matrix's schools named on `lag`, worst first: school_code, school_name, label ('甲（33.3%）')."""
    if matrix.is_empty() or lag.key not in matrix.columns:
        return pl.DataFrame(schema={"school_code": pl.String, "school_name": pl.String, "label": pl.String})
    picked = matrix.filter(lag.pick().fill_null(False))
    if lag.ascending is not None:
        picked = picked.sort(lag.key, descending=not lag.ascending, maintain_order=True)
    label = pl.col("school_name") + lag.show() if lag.show is not None else pl.col("school_name")
    return picked.select("school_code", "school_name", label.alias("label"))


def named(matrix: pl.DataFrame, key: str) -> list[str]:
    """The names of the schools lagging on `key`, worst first."""
    return lagging_rows(matrix, LAGS_BY_KEY[key])["school_name"].to_list()


def _vacant(matrix: pl.DataFrame) -> list[str]:
    if matrix.is_empty() or "split_roles" not in matrix.columns:
        return []
    return matrix.filter(pl.col("split_roles") == "空缺")["school_name"].to_list()


def _without_activities(frames: Mapping[str, pl.DataFrame]) -> list[str]:
    by_school = frames.get("activities_by_school")
    if by_school is None or by_school.is_empty():
        return []
    return by_school.filter(~pl.col("has_records"))["school_name"].to_list()


def section_lines(section: str, matrix: pl.DataFrame, frames: Mapping[str, pl.DataFrame]) -> list[str]:
    """The sentences of a section that name its lagging schools (none where none lag)."""
    out = []
    for lag in (lag for lag in LAGS if lag.section == section):
        labels = lagging_rows(matrix, lag)["label"].to_list()
        if labels:
            out.append(lag.sentence.format(names=enumeration(labels, SECTION_NAMES)))
    if section == "split" and (vacant := _vacant(matrix)):
        out.append(f"书记或校长空缺的学校：{enumeration(vacant, SECTION_NAMES)}。")
    if section == "activities" and (idle := _without_activities(frames)):
        out.append(f"尚无活动记录的学校：{enumeration(idle, SECTION_NAMES)}。")
    return out
