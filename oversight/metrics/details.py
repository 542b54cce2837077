"""Figures a page derives from detail files it already holds, so the pages only draw.

Each takes the frames of queries/ files (already cached by the app) and returns what the page shows:
the schools below the rotation target with what each still lacks, the previous school year's count of
such schools, the share of Party orgs ever honoured as 最强党支部, and the 活动台账 page's kinds, areas,
months and schools, its 统编三科 and 党建品牌 lists with their statuses.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from oversight.contract import catalog
from oversight.contract.schema import ACTIVITY_AREAS
from oversight.metrics.schools import add_status, reported_status, rotation_gap


def rotation_measured(by_school: pl.DataFrame) -> pl.DataFrame:
    """rotation_by_school's measured schools with their status and gap (teachers still to rotate)."""
    return rotation_gap(add_status(by_school.filter(pl.col("is_measured")), "rotation", "rotated_share"))


def rotation_below(measured: pl.DataFrame) -> pl.DataFrame:
    """The measured schools below the target, lowest share first."""
    return measured.filter(pl.col("is_below_target")).sort("rotated_share")


def previous_school_year(history: pl.DataFrame, school_year: str | None) -> dict[str, Any] | None:
    """rotation_history's row for the latest school year before `school_year`, or None."""
    if school_year is None:
        return None
    prior = history.filter(pl.col("school_year") < school_year).tail(1)
    return prior.row(0, named=True) if prior.height else None


def honored_org_share(by_org: pl.DataFrame, tree: pl.DataFrame) -> tuple[int, int, float | None]:
    """(orgs ever honoured, orgs in scope, their share): strongest_branches_by_org against org_tree's
    orgs (every row but the bureau's root)."""
    total = tree.filter(pl.col("parent_id") != "").height
    honored = by_org["org_code"].n_unique()
    return honored, total, (honored / total if total else None)


def honored_split(honored: int, total: int) -> pl.DataFrame:
    """part / count rows for the pie of orgs honoured and not yet honoured."""
    return pl.DataFrame(
        {"part": ["获评过的党组织", "尚未获评的党组织"], "count": [honored, max(total - honored, 0)]}
    )


def of_level(by_org: pl.DataFrame, level: str | None) -> pl.DataFrame:
    """strongest_branches_by_org at one level (None: every level)."""
    return by_org if level is None else by_org.filter(pl.col("level") == level)


def orgs_only(tree: pl.DataFrame) -> pl.DataFrame:
    """org_tree without the bureau's root row: the orgs themselves, for the tree's data table."""
    return tree.filter(pl.col("parent_id") != "")


def vacant_schools(split_by_school: pl.DataFrame) -> pl.DataFrame:
    """split_roles_by_school's schools where the 书记 or the 校长 post has no current holder."""
    return split_by_school.filter(pl.col("split_status") == "空缺")


def schools_with_deputies(cross_by_school: pl.DataFrame) -> pl.DataFrame:
    """cross_appointment_by_school's schools that have Party-member deputies, with their status, lowest
    share first (schools without deputies have no share to judge)."""
    return add_status(
        cross_by_school.filter(pl.col("deputies_count") > 0), "cross_appointment", "cross_appointed_share"
    ).sort("cross_appointed_share", nulls_last=True)


def schools_with_matters(review_by_school: pl.DataFrame) -> pl.DataFrame:
    """review_by_school's schools that registered matters, with their status, lowest share first."""
    return add_status(
        review_by_school.filter(pl.col("matters_count") > 0), "two_level_review", "compliant_share"
    ).sort("compliant_share")


def missing_schools(matrix: pl.DataFrame, key: str) -> list[str]:
    """The names of the matrix's schools that reported nothing for one indicator this period (未报送)."""
    status = f"{key}_status"
    if status not in matrix.columns:
        return []
    return matrix.filter(pl.col(status) == catalog.STATUS_MISSING)["school_name"].to_list()


# ---------------------------------------------------------------- 活动台账, 统编三科, 党建品牌 (issue 18)


def activity_kinds(activities: dict[str, Any]) -> pl.DataFrame:
    """activity_kind / activities_count / participants_count per kind, in the schema's order, from the
    activities indicator's JSON (every kind listed, 0 where none)."""
    return pl.DataFrame(
        {
            "activity_kind": list(activities["by_kind"]),
            "activities_count": list(activities["by_kind"].values()),
            "participants_count": [activities["participants_by_kind"][k] for k in activities["by_kind"]],
        },
        schema={"activity_kind": pl.String, "activities_count": pl.Int64, "participants_count": pl.Int64},
    )


def observed(activities: dict[str, Any]) -> tuple[int, int]:
    """(activities, participants) of 教学观摩 and 蹲校教研 together, as the district summary counts them."""
    kinds = ("教学观摩", "蹲校教研")
    return (
        sum(activities["by_kind"][k] for k in kinds),
        sum(activities["participants_by_kind"][k] for k in kinds),
    )


def activities_by_area(by_month: pl.DataFrame) -> pl.DataFrame:
    """activities_by_month summed per area (领域), in the schema's order."""
    summed = by_month.group_by("area").agg(
        pl.col("activities_count").sum(), pl.col("participants_count").sum()
    )
    return sort_in_choices(summed, "area", ACTIVITY_AREAS)


def activities_by_month_wide(by_month: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """activities_by_month as one row per month ('3月', all twelve) and one count column per area that
    has any activity, for stacked bars; returns the frame and the area columns in the schema's order."""
    months = pl.DataFrame({"month_no": list(range(1, 13))}, schema={"month_no": pl.Int64})
    areas = [a for a in ACTIVITY_AREAS if a in set(by_month["area"].to_list())]
    if not areas:
        return months.with_columns(pl.format("{}月", pl.col("month_no")).alias("month")), []
    wide = by_month.pivot(on="area", index="month_no", values="activities_count", aggregate_function="sum")
    frame = months.join(wide, on="month_no", how="left").with_columns(
        pl.col(areas).fill_null(0), pl.format("{}月", pl.col("month_no")).alias("month")
    )
    return frame.select("month", *areas), areas


def schools_without_activities(by_school: pl.DataFrame) -> pl.DataFrame:
    """activities_by_school's schools that held no activity in the year (has_records false)."""
    return by_school.filter(~pl.col("has_records")).select(
        "school_code", "school_name", "town", "stage", "area_type"
    )


def schools_by_activities(by_school: pl.DataFrame) -> pl.DataFrame:
    """activities_by_school's schools with an activity, most activities first."""
    return (
        by_school.filter(pl.col("has_records"))
        .sort(["activities_count", "participants_count"], descending=True, maintain_order=True)
        .drop("has_records")
    )


def staffing_with_status(by_school: pl.DataFrame) -> pl.DataFrame:
    """unified_subjects_by_school with each school's status (its gap judged by the catalog; 未报送 when it
    has no row this school year), the largest gap first."""
    return by_school.with_columns(reported_status("unified_subjects", "teachers_gap").alias("status")).sort(
        ["teachers_gap", "has_records"], descending=[True, False], maintain_order=True
    )


def brands_with_status(by_org: pl.DataFrame) -> pl.DataFrame:
    """brands_by_org with each org's status (branded 达标, not yet 未达标), the orgs without a brand first."""
    return (
        by_org.with_columns(reported_status("brands", "is_branded").alias("status"))
        .sort("is_branded", maintain_order=True)
        .drop("has_records")  # an org reports its brand with its row: always true
    )


def brand_split(brands: dict[str, Any]) -> pl.DataFrame:
    """part / count rows for the pie of primary orgs with and without a 党建品牌."""
    return pl.DataFrame(
        {
            "part": ["已创建党建品牌", "尚未创建"],
            "count": [brands["branded"], max(brands["primary"] - brands["branded"], 0)],
        }
    )


def sort_in_choices(frame: pl.DataFrame, column: str, choices: tuple[str, ...]) -> pl.DataFrame:
    """Rows in the order of an enum's choices (the schema's), unknown values last."""
    rank = pl.col(column).replace_strict(
        {v: i for i, v in enumerate(choices)}, default=len(choices), return_dtype=pl.Int64
    )
    return frame.sort(rank, pl.col(column))
