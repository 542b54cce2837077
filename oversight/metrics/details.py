"""Figures a page derives from detail files it already holds, so the pages only draw.

Each takes the frames of queries/ files (already cached by the app) and returns what the page shows:
the schools below the rotation target with what each still lacks, the previous school year's count of
such schools, and the share of Party orgs ever honoured as 最强党支部.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from oversight.contract import catalog
from oversight.metrics.schools import add_status, rotation_gap


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
