"""A 学校 account uploads only its own rows: every row of another school is refused, naming the row.

Runs inside `batch.validate_files` after the other checks, so a school's upload goes through exactly
the same validation as an analyst's and one error anywhere writes nothing. Each table names the column
that says whose row it is; a row belongs to the account when that code is in its scope. Tables whose
rows hang on a Party org (最强党支部, 组织生活) belong through the org's school, as this batch or the
database holds it. A row with no school (a 联合 org, a district-level activity) is the bureau's, not a
school's. A table not listed here cannot be uploaded by a school at all (deny by default).
"""

from __future__ import annotations

import polars as pl

from oversight.contract.schema import TABLES_BY_NAME, ProblemKind
from oversight.engine import Connection, queries
from oversight.ingest.cells import raw_column
from oversight.ingest.problems import Problems

#: table -> the column naming the school a row belongs to (交流轮岗: the sending school; the receiving
#: school is another school by definition)
OWNER_COLUMN: dict[str, str] = {
    "schools": "school_code",
    "party_orgs": "school_code",
    "leaders": "school_code",
    "rotation_quotas": "school_code",
    "rotations": "from_school_code",
    "matters": "school_code",
    "duty_reports": "school_code",
    "activities": "school_code",
    "unified_subject_staffing": "school_code",
}
#: tables whose rows belong to a school through their Party org
VIA_ORG: frozenset[str] = frozenset({"honors", "meetings"})

REPLACE_REFUSAL = "学校账号只能按“增量更新”上传本校的数据，不能整表替换（整表替换会删除其他学校的记录）。"


def _scope_text(scope: tuple[str, ...]) -> str:
    return "、".join(scope) if scope else "（未绑定学校）"


def _org_schools(combined: dict[str, pl.DataFrame], con: Connection | None) -> pl.DataFrame:
    """org_code -> school_code of every org this batch or the database knows (the batch's first)."""
    parts = []
    if "party_orgs" in combined:
        parts.append(combined["party_orgs"].select("org_code", "school_code"))
    if con is not None:
        parts.append(queries.frame(con, "select org_code, school_code from party_orgs"))  # type: ignore[arg-type]
    if not parts:
        return pl.DataFrame(schema={"org_code": pl.String, "_owner": pl.String})
    known = pl.concat([p.cast(pl.String) for p in parts], how="vertical")
    return known.unique("org_code", keep="first").rename({"school_code": "_owner"})


def _stored_owners(con: Connection, name: str) -> pl.DataFrame:
    """The key of every current row of a table and the school it belongs to now."""
    t = TABLES_BY_NAME[name]
    keys = ", ".join(f"r.{k}" for k in t.key)
    if name in OWNER_COLUMN:
        sql = f"select {keys}, r.{OWNER_COLUMN[name]} as _stored_owner from {name} as r"
    else:
        sql = f"select {keys}, o.school_code as _stored_owner from {name} as r left join party_orgs as o using (org_code)"
    return queries.frame(con, sql)  # type: ignore[arg-type]


def _check_overwrites(
    problems: Problems, name: str, work: pl.DataFrame, con: Connection, mine: pl.Series
) -> None:
    """An upsert replaces the row of the same key: a key another school's row holds may not be taken
    over, even with this school's code in the new row (三重一大事项编号, 党组织编码, 活动编号 ...)."""
    t = TABLES_BY_NAME[name]
    if name in OWNER_COLUMN and OWNER_COLUMN[name] in t.key:
        return  # the key holds the owner: a row of this school can only replace a row of this school
    stored = _stored_owners(con, name)
    stored = stored.select(
        [*(pl.col(k).cast(work.schema[k]) for k in t.key), pl.col("_stored_owner").cast(pl.String)]
    )
    taken = work.join(stored, on=list(t.key), how="inner").filter(
        pl.col("_stored_owner").is_null() | ~pl.col("_stored_owner").is_in(mine.implode())
    )
    if taken.is_empty():
        return
    first = t.key[0]
    shown = raw_column(first) if raw_column(first) in work.columns else first
    labels = "、".join(t.zh_of(k) for k in t.key)
    problems.rows(
        taken,
        ProblemKind.DUPLICATE_KEY,
        labels,
        pl.col(shown),
        f"“{labels}”与数据库中另一所学校（或区级）的记录相同，学校账号不能覆盖它：请核对编号是否填错。",
        t.column_names.index(first),
    )


def check_scope(
    problems: Problems,
    combined: dict[str, pl.DataFrame],
    con: Connection | None,
    scope: tuple[str, ...],
) -> None:
    """Report every row of `combined` (work frames with _loc and _row) outside `scope` as an error."""
    mine = pl.Series("scope", list(scope), dtype=pl.String)
    for name, work in combined.items():
        t = TABLES_BY_NAME[name]
        if name in OWNER_COLUMN:
            column = OWNER_COLUMN[name]
            owner = pl.col(column).cast(pl.String)
            rows = work.with_columns(owner.alias("_owner"))
            shown = raw_column(column) if raw_column(column) in work.columns else column
            label, value, order = t.zh_of(column), pl.col(shown), t.column_names.index(column)
        elif name in VIA_ORG:
            rows = work.with_columns(pl.col("org_code").cast(pl.String)).join(
                _org_schools(combined, con), on="org_code", how="left"
            )
            shown = raw_column("org_code") if raw_column("org_code") in work.columns else "org_code"
            label, value, order = t.zh_of("org_code"), pl.col(shown), t.column_names.index("org_code")
        else:
            problems.rows(
                work.head(1),
                ProblemKind.OUT_OF_RANGE,
                None,
                pl.lit(None, pl.String),
                f"学校账号不能上传“{t.zh}”表，请交区教体局上传。",
                -1,
            )
            continue
        if con is not None:
            _check_overwrites(problems, name, work, con, mine)
        outside = rows.filter(pl.col("_owner").is_null() | ~pl.col("_owner").is_in(mine.implode()))
        if outside.is_empty():
            continue
        via = "所属党组织的学校" if name in VIA_ORG else label
        message = (
            pl.lit(f"本账号只能上传本校（{_scope_text(scope)}）的数据，这一行的{via}是 ")
            + pl.col("_owner").fill_null("（空，区级或联合组织）")
            + pl.lit("：请删除这一行，或请区教体局上传。")
        )
        problems.rows(outside, ProblemKind.OUT_OF_RANGE, label, value, message, order)
