"""SPEC's indicators, computed by the SQL files of queries/ and shaped for the command line and the pages.

Every number a leader reads comes from one of the files below; this module only picks parameters, runs
files through `run_query`, shapes the results (SPEC's JSON, per-school matrix, watch list, history) and
attaches statuses from `catalog`. Keeping SQL in files means the CLI and the pages can never disagree on a
definition, and a definition can be read without Python around it.

Parameters a file may use (only the ones it uses are passed): `$year` (calendar year, int),
`$school_year` ('YYYY-YYYY'), `$as_of` (date), `$town` / `$stage` / `$area_type` (filters, null = all),
`$target` (catalog.ROTATION_TARGET), `$school_code` (school profile files).

| query file | returns |
|---|---|
| default_periods | latest_year, latest_school_year: the data's default Y and S |
| available_years | year: every calendar year with a dated record (the 年度 picker) |
| available_school_years | school_year: every school year in rotation_quotas (the 学年 picker) |
| schools_total | total |
| party_orgs_by_type | org_type, primary_count, members_count (primary orgs only) |
| party_orgs_primary | org_code, org_name, org_type, school_code, school_name, members_count, sub_orgs_count, founded_on |
| org_tree | node_id, parent_id, label, org_type, school_code, members_count (root '__bureau__', sunburst) |
| schools_list | school_code, school_name, town, stage, area_type, is_public, education_group, students, staff |
| split_roles_by_school | school attributes, secretary_names, principal_names, split_status (分设/一肩挑/空缺) |
| cross_appointment_by_school | school attributes, deputies_count, cross_appointed_count, cross_appointed_share, not_cross_names, _district_deputies, _district_cross_appointed (each person counted at one school) |
| appointments_summary | secretaries, deputy_secretaries |
| appointments_list | school attributes, person_id, name, post, appointed_on, left_on (书记/副书记 appointed in Y) |
| appointments_by_year | year, secretaries_count, deputy_secretaries_count |
| strongest_branches_by_level | level, honored_count, new_count |
| strongest_branches_by_org | org_code, org_name, org_type, school_code, school_name, level, first_year, latest_year, years_count, is_new |
| honors_by_level_year | year, level, honors_count, new_count |
| rotation_by_school | school attributes, eligible_teachers, rotated_count, received_count, rotated_share, is_measured, is_below_target |
| rotation_flows | from_area_type, to_area_type, rotations_count |
| rotation_history | school_year, eligible, rotated, ratio, schools_measured, schools_below_target |
| review_by_school | school attributes, matters_count, compliant_count, missing_*_count, implemented_before_review_count, compliant_share |
| review_by_category | category, the same counts, compliant_share |
| review_noncompliant_matters | school_code, school_name, town, matter columns, problem (中文原因) |
| meetings_by_org | org_code, org_name, org_type, school_code, school_name, founded_on, quarters_due_count, compliant_count, compliant_share, missing_general_meeting_count, missing_committee_count, missing_lesson_count |
| meetings_heatmap | org_code, org_name, org_type, school_code, school_name, quarter_no, is_due, general_meetings_count, committee_months_count, lessons_count, is_compliant |
| meetings_yearly_kinds | year, kind (组织生活会/民主评议党员), meetings_count, orgs_count |
| charter_by_school | school attributes, charter_revised, charter_revised_on, is_revised |
| duty_reports_by_school | school attributes, to_superior, to_staff, is_both_done |
| indicator_history | period, indicator, value (headline per year; rotation per school year) |
| school_profile_info | the school row, is_charter_revised, orgs_count, members_count |
| school_profile_leaders | person_id, name, post, is_party_member, appointed_on, left_on, is_current |
| school_profile_matters | year, matter columns, review_status, is_compliant |
| school_profile_meetings | org_code, org_name, quarter_no, is_due, meetings_count, the three counts, is_compliant |
| school_profile_honors | year, level, org_code, org_name |
| school_profile_rotation | school_year, eligible_teachers, rotated_count, received_count, rotated_share, is_below_target |

| derived_meeting_quarters | table meeting_quarters: per org and quarter, meetings, the 三会一课 counts and the quarter's rule (has_* flags, is_compliant) |
| derived_matter_reviews | table matter_reviews: per school, year and category, the two-level review counts |
| derived_matter_reviews_by_school | table matter_reviews_by_school: the same per school and year |
| derived_rotation_counts | table rotation_counts: per school year and school, teachers sent and received |
| derived_rotation_area_flows | table rotation_area_flows: per school year and sending school, rotations per receiving area type |
| derived_record_years | table record_years: every year with a dated record, and whether it has a yearly record |

"School attributes" = school_code, school_name, town, stage, area_type. Columns starting with "_" feed the
district figures only; breakdown() and the pages' tables leave them out. The derived_* files are not read by
pages: the store rebuilds those tables inside every load and rollback that touches their sources
(`store.DERIVED_TABLES`), so pages read summaries instead of scanning millions of records.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from oversight import catalog
from oversight.errors import UsageError
from oversight.schema import AREA_TYPES, HONOR_LEVELS, ORG_TYPES, STAGES

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"

_NAME_RE = re.compile(r"^[a-z0-9_]+$")
_PARAM_RE = re.compile(r"\$([a-z_][a-z0-9_]*)")
_SCHOOL_YEAR_RE = re.compile(r"^(\d{4})-(\d{4})$")

#: parameters a caller may leave out of run_query's dict: filters mean "all schools", target is the rule
_OPTIONAL_DEFAULTS: dict[str, Any] = {
    "town": None,
    "stage": None,
    "area_type": None,
    "target": catalog.ROTATION_TARGET,
}

#: the per-school indicators of the matrix, in catalog order
MATRIX_KEYS: tuple[str, ...] = (
    "split_roles",
    "cross_appointment",
    "rotation",
    "two_level_review",
    "three_meetings_one_lesson",
    "charter",
    "duty_reports",
)

#: breakdown query per indicator key (per school, or per org for 三会一课 and 最强党支部)
BREAKDOWN_QUERIES: dict[str, str] = {
    "schools": "schools_list",
    "party_orgs": "party_orgs_primary",
    "split_roles": "split_roles_by_school",
    "cross_appointment": "cross_appointment_by_school",
    "appointments": "appointments_list",
    "strongest_branches": "strongest_branches_by_org",
    "rotation": "rotation_by_school",
    "two_level_review": "review_by_school",
    "three_meetings_one_lesson": "meetings_by_org",
    "charter": "charter_by_school",
    "duty_reports": "duty_reports_by_school",
}

#: the column of a breakdown that carries the row's own value, for its status
_BREAKDOWN_VALUE: dict[str, str] = {
    "split_roles": "split_status",
    "cross_appointment": "cross_appointed_share",
    "rotation": "rotated_share",
    "two_level_review": "compliant_share",
    "three_meetings_one_lesson": "compliant_share",
    "charter": "is_revised",
    "duty_reports": "is_both_done",
}

#: Chinese headers for every column the query files return, so a page renames instead of retyping labels
COLUMN_LABELS: dict[str, str] = {
    "school_code": "学校标识码",
    "school_name": "学校名称",
    "town": "所属乡镇街道",
    "stage": "学段",
    "area_type": "城乡类型",
    "is_public": "是否公办",
    "education_group": "所属教育集团",
    "students": "在校生数",
    "staff": "教职工数",
    "org_code": "党组织编码",
    "org_name": "党组织名称",
    "org_type": "组织类型",
    "founded_on": "成立日期",
    "members_count": "党员人数",
    "sub_orgs_count": "下级组织数",
    "primary_count": "一级党组织数",
    "secretary_names": "现任书记",
    "principal_names": "现任校长",
    "split_status": "书记校长设置",
    "schools_count": "学校数",
    "split_count": "分设",
    "combined_count": "一肩挑",
    "vacant_count": "空缺",
    "split_share": "分设比例",
    "deputies_count": "党员副校长人数",
    "cross_appointed_count": "交叉任职人数",
    "cross_appointed_share": "交叉任职比例",
    "not_cross_names": "未交叉任职的党员副校长",
    "person_id": "人员编号",
    "name": "姓名",
    "post": "职务",
    "is_party_member": "是否党员",
    "appointed_on": "任职日期",
    "left_on": "离任日期",
    "is_current": "是否现任",
    "year": "年度",
    "secretaries_count": "新任书记",
    "deputy_secretaries_count": "新任副书记",
    "level": "级别",
    "first_year": "首次获评年度",
    "latest_year": "最近获评年度",
    "years_count": "获评次数",
    "is_new": "当年新获评",
    "honors_count": "获评数",
    "new_count": "新获评数",
    "honored_count": "累计获评数",
    "school_year": "学年",
    "eligible_teachers": "符合交流条件教师数",
    "rotated_count": "交流轮岗教师数",
    "received_count": "接收交流教师数",
    "rotated_share": "交流轮岗比例",
    "is_measured": "纳入考核",
    "is_below_target": "低于目标",
    "from_area_type": "派出学校城乡类型",
    "to_area_type": "接收学校城乡类型",
    "rotations_count": "交流人次",
    "matter_id": "事项编号",
    "category": "类别",
    "title": "事项名称",
    "amount_yuan": "金额（元）",
    "registered_on": "登记日期",
    "principal_meeting_on": "校长办公会议审议日期",
    "party_meeting_on": "党组织会议审议日期",
    "implemented_on": "实施日期",
    "problem": "问题",
    "review_status": "审议情况",
    "matters_count": "事项数",
    "compliant_count": "合规数",
    "missing_party_count": "缺党组织会议审议",
    "missing_principal_count": "缺校长办公会议审议",
    "implemented_before_review_count": "先实施后审议",
    "compliant_share": "合规比例",
    "is_compliant": "是否合规",
    "quarters_due_count": "应考核季度数",
    "org_quarters_count": "应考核支部季度数",
    "missing_general_meeting_count": "缺支部党员大会季度数",
    "missing_committee_count": "支部委员会未按月召开季度数",
    "missing_lesson_count": "缺党课季度数",
    "quarter_no": "季度",
    "is_due": "已到考核期",
    "general_meetings_count": "支部党员大会次数",
    "committee_months_count": "召开支部委员会的月数",
    "lessons_count": "党课次数",
    "meetings_count": "会议次数",
    "orgs_count": "党组织数",
    "kind": "类型",
    "charter_revised": "章程已修订",
    "charter_revised_on": "章程修订日期",
    "is_revised": "章程修订到位",
    "is_charter_revised": "章程修订到位",
    "to_superior": "向上级党组织述职",
    "to_staff": "向党员和教职工报告",
    "is_both_done": "双向述职完成",
    "period": "时期",
    "indicator": "指标",
    "indicator_zh": "指标",
    "value": "数值",
    "previous_value": "上期数值",
    "status": "状态",
    "previous_status": "上期状态",
    "label": "名称",
    "node_id": "节点",
    "parent_id": "上级节点",
}

#: Chinese names of the fields inside each indicator's JSON object, for text output and page captions
FIELD_LABELS: dict[str, dict[str, str]] = {
    "schools": {"total": "学校数"},
    "party_orgs": {"primary": "一级党组织", "members": "党员人数"},
    "split_roles": {
        "schools": "学校数",
        "split": "分设",
        "combined": "一肩挑",
        "vacant": "空缺",
        "split_share": "分设比例",
    },
    "cross_appointment": {"deputies": "党员副校长", "cross_appointed": "交叉任职", "share": "比例"},
    "appointments": {"secretaries": "新任书记", "deputy_secretaries": "新任副书记"},
    "strongest_branches": {"total": "累计", "new_in_year": "当年新增"},
    "rotation": {
        "eligible": "符合条件教师",
        "rotated": "交流轮岗",
        "ratio": "比例",
        "schools_measured": "考核学校",
        "schools_below_target": "低于目标学校",
    },
    "two_level_review": {
        "matters": "事项",
        "compliant": "合规",
        "missing_party": "缺党组织会议",
        "missing_principal": "缺校长办公会",
        "implemented_before_review": "先实施后审议",
        "rate": "合规率",
    },
    "three_meetings_one_lesson": {"org_quarters": "支部季度", "compliant": "合规", "rate": "合规率"},
    "charter": {"schools": "学校", "revised": "已修订", "rate": "修订率"},
    "duty_reports": {"schools": "学校", "both_done": "双向完成", "rate": "完成率"},
}


@dataclass(frozen=True)
class Params:
    """The period and filters of one reading; None means "default" for periods and "all" for filters."""

    year: int | None = None
    school_year: str | None = None
    as_of: date | None = None
    town: str | None = None
    stage: str | None = None
    area_type: str | None = None


# ---------------------------------------------------------------- running query files


@cache
def sql_text(name: str) -> str:
    if not _NAME_RE.match(name):
        raise UsageError(f"查询名称“{name}”不合法，只能包含小写字母、数字和下划线。")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise UsageError(f"没有名为“{name}”的查询，请检查 queries 目录。")
    return path.read_text(encoding="utf-8")


@cache
def query_parameters(name: str) -> frozenset[str]:
    """The `$names` a query file uses; comments are skipped so prose may mention parameters freely."""
    code = re.sub(r"--[^\n]*", "", sql_text(name))
    return frozenset(_PARAM_RE.findall(code))


def query_names() -> list[str]:
    """Every query file, for the docs test and for pages that list what they can show."""
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


def run_query(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: dict[str, Any],
    columns: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Run queries/<name>.sql with the named parameters it uses, taken from `params`.

    Extra keys are ignored, so a page can hand every query the same dict. Filters and $target may be left
    out (all schools; catalog.ROTATION_TARGET); any other missing parameter is a usage error.

    `columns`: only these, in the order the file gives (no second sort). DuckDB then skips the work
    behind the others (the per-school name lists, the school attributes): a third of the 总览 queries'
    time.
    """
    used = query_parameters(name)
    bound: dict[str, Any] = {}
    missing: list[str] = []
    for key in sorted(used):
        if key in params:
            bound[key] = params[key]
        elif key in _OPTIONAL_DEFAULTS:
            bound[key] = _OPTIONAL_DEFAULTS[key]
        else:
            missing.append(key)
    if missing:
        raise UsageError(f"查询“{name}”缺少参数：{'、'.join(missing)}。")
    sql = sql_text(name)
    if columns:
        listed = ", ".join(f'q."{c}"' for c in columns)
        sql = f"select {listed} from (\n{sql}\n) as q"
    return con.sql(sql, params=bound).pl()


#: Query files run at once by run_many, each on its own cursor. DuckDB spreads one query over the cores,
#: but a per-school file over 30,000 schools spends much of its time in single-threaded steps (set-up,
#: the final sort, building the result), so three at once on two cores took the 总览 queries of two
#: periods from 627 ms to 410 ms at province scale (docs/benchmark-history.md).
PARALLEL_QUERIES = max(2, min(4, (os.cpu_count() or 1) + 1))


def run_many(con: duckdb.DuckDBPyConnection, jobs: Sequence[tuple[Any, ...]]) -> list[pl.DataFrame]:
    """run_query of every job, (name, params) or (name, params, columns), several at once, results in
    the jobs' order.

    The extra cursors are separate connections, so each opens a transaction and checks that it sees the
    same data version as `con` (store.data_version: a load or rollback changes it). If a load committed
    in between, every job runs on `con` alone instead, so one reading never mixes two states of the data.
    """
    if len(jobs) < 2 or PARALLEL_QUERIES < 2:
        return [run_query(con, *job) for job in jobs]
    from oversight import store  # store imports this module for its SQL

    version = store.data_version(con)
    cursors: list[duckdb.DuckDBPyConnection] = []
    try:
        for _ in range(min(PARALLEL_QUERIES, len(jobs)) - 1):
            cursor = con.cursor()
            cursors.append(cursor)
            cursor.execute("begin transaction")
            if store.data_version(cursor) != version:
                return [run_query(con, *job) for job in jobs]
        results: list[pl.DataFrame | None] = [None] * len(jobs)
        # longest first (text length is a fair proxy for cost here), so no worker is left with a big one
        pending = sorted(range(len(jobs)), key=lambda i: -len(sql_text(jobs[i][0])))
        lock = threading.Lock()

        def work(c: duckdb.DuckDBPyConnection) -> None:
            while True:
                with lock:
                    if not pending:
                        return
                    i = pending.pop(0)
                results[i] = run_query(c, *jobs[i])

        with ThreadPoolExecutor(len(cursors)) as pool:
            futures = [pool.submit(work, c) for c in cursors]
            try:
                work(con)
            finally:
                with lock:
                    pending.clear()  # on an error, the other workers stop after their current query
            for future in futures:
                future.result()
        return results  # type: ignore[return-value]
    finally:
        for cursor in cursors:
            cursor.close()


def query_params(params: Params, **extra: Any) -> dict[str, Any]:
    """The parameter dict of a (resolved) Params, plus $target and any extra (e.g. school_code=...)."""
    return {
        "year": params.year,
        "school_year": params.school_year,
        "as_of": params.as_of,
        "town": params.town,
        "stage": params.stage,
        "area_type": params.area_type,
        "target": catalog.ROTATION_TARGET,
        **extra,
    }


# ---------------------------------------------------------------- periods


def school_year_of(day: date) -> str:
    """The school year containing a day; a school year starts on 1 September."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}-{first + 1}"


def _check_school_year(value: str) -> str:
    match = _SCHOOL_YEAR_RE.match(value.strip())
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise UsageError(f"学年“{value}”格式不对，应写成 2023-2024 这样的前后相连两个年份。")
    return value.strip()


def resolve(con: duckdb.DuckDBPyConnection, params: Params) -> Params:
    """Fill the defaults SPEC names from the data: Y = latest year with a dated record, S = latest school
    year in rotation_quotas, D = today. Without data Y is D's year and S the school year containing D, so
    every indicator still reads (as zeros and nulls) instead of failing. Filters are checked against the
    schema's enums so a typo in 学段 or 城乡类型 is a clear message, not an empty dashboard."""
    if params.stage is not None and params.stage not in STAGES:
        raise UsageError(f"学段“{params.stage}”不存在，可选：{'、'.join(STAGES)}。")
    if params.area_type is not None and params.area_type not in AREA_TYPES:
        raise UsageError(f"城乡类型“{params.area_type}”不存在，可选：{'、'.join(AREA_TYPES)}。")
    as_of = params.as_of or date.today()
    year, school_year = params.year, params.school_year
    if year is None or school_year is None:
        latest_year, latest_school_year = run_query(con, "default_periods", {}).row(0)
        if year is None:
            year = int(latest_year) if latest_year is not None else as_of.year
        if school_year is None:
            school_year = latest_school_year or school_year_of(as_of)
    return replace(params, year=int(year), school_year=_check_school_year(school_year), as_of=as_of)


def available_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Every calendar year with a dated record, oldest first: the pages' 年度 choices, which always
    include resolve()'s default year because both read the same columns."""
    return [int(y) for y in run_query(con, "available_years", {})["year"].to_list()]


def available_school_years(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every school year in rotation_quotas, oldest first: the pages' 学年 choices."""
    return [str(y) for y in run_query(con, "available_school_years", {})["school_year"].to_list()]


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def previous(params: Params) -> Params:
    """The same reading one period earlier: year - 1, school year shifted back one, as-of a year earlier.
    Unset fields stay unset, so call it on resolved params."""
    school_year = params.school_year
    if school_year is not None:
        first = int(_check_school_year(school_year)[:4]) - 1
        school_year = f"{first}-{first + 1}"
    return replace(
        params,
        year=params.year - 1 if params.year is not None else None,
        school_year=school_year,
        as_of=_year_earlier(params.as_of) if params.as_of is not None else None,
    )


def params_json(params: Params) -> dict[str, Any]:
    """Resolved params in JSON-safe form (the date as ISO text), as printed by --json."""
    return {
        "year": params.year,
        "school_year": params.school_year,
        "as_of": params.as_of.isoformat() if params.as_of else None,
        "town": params.town,
        "stage": params.stage,
        "area_type": params.area_type,
        "rotation_target": catalog.ROTATION_TARGET,
    }


# ---------------------------------------------------------------- SPEC's JSON


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


#: The per-school frame (per org for 三会一课) behind each indicator of the matrix and the column with a
#: school's own value: the breakdown query and its value column. compute() sums the same frames for the
#: district figures, so the district figure, the matrix and the breakdown tables can never disagree.
_MATRIX_SOURCES: dict[str, tuple[str, str]] = {
    key: (BREAKDOWN_QUERIES[key], _BREAKDOWN_VALUE[key]) for key in MATRIX_KEYS
}


_SCHOOL_COLUMNS = ["school_code", "school_name", "town", "stage", "area_type"]

#: The columns compute() and the matrix read from each file they share; only these are fetched. The
#: matrix takes the school attributes once, from schools_list. A column missing here fails every
#: compute and matrix test, so the list cannot drift unnoticed.
_FRAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "schools_list": tuple(_SCHOOL_COLUMNS),
    "split_roles_by_school": ("school_code", "split_status"),
    "cross_appointment_by_school": (
        "school_code",
        "cross_appointed_share",
        "_district_deputies",
        "_district_cross_appointed",
    ),
    "rotation_by_school": (
        "school_code",
        "rotated_share",
        "eligible_teachers",
        "rotated_count",
        "is_measured",
        "is_below_target",
    ),
    "review_by_school": (
        "school_code",
        "compliant_share",
        "matters_count",
        "compliant_count",
        "missing_party_count",
        "missing_principal_count",
        "implemented_before_review_count",
    ),
    "meetings_by_org": ("school_code", "quarters_due_count", "compliant_count"),
    "charter_by_school": ("school_code", "is_revised"),
    "duty_reports_by_school": ("school_code", "is_both_done"),
}

#: the files the matrix reads: the attributes, then each indicator's per-school file
_MATRIX_READS: tuple[str, ...] = ("schools_list", *(q for q, _ in _MATRIX_SOURCES.values()))


class _Frames:
    """The query results of one or more readings, each file run once per reading: compute() of a few
    indicators runs only their files, overview() shares one run between figures and matrix, and
    prefetch() starts all the files a reading needs at once (run_many)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, qp: dict[str, Any]) -> None:
        self.con, self.qp = con, qp
        self._cache: dict[str, pl.DataFrame] = {}

    def frame(self, name: str) -> pl.DataFrame:
        if name not in self._cache:
            self._cache[name] = run_query(self.con, name, self.qp, _FRAME_COLUMNS.get(name))
        return self._cache[name]

    def __getitem__(self, key: str) -> pl.DataFrame:
        """The per-school frame of a matrix indicator."""
        return self.frame(_MATRIX_SOURCES[key][0])

    def row(self, name: str) -> dict[str, Any]:
        """The one row of a district-level query file (not a per-school frame)."""
        return self.frame(name).row(0, named=True)

    def rows(self, name: str) -> list[tuple[Any, ...]]:
        return self.frame(name).rows()

    def missing(self, names: Sequence[str]) -> list[str]:
        return [n for n in dict.fromkeys(names) if n not in self._cache]

    def store(self, name: str, frame: pl.DataFrame) -> None:
        self._cache[name] = frame


def prefetch(
    readings: Sequence[tuple[_Frames, Sequence[str]]], extra: Sequence[tuple[str, dict[str, Any]]] = ()
) -> list[pl.DataFrame]:
    """Run every file the readings still need, plus the `extra` (name, params) jobs whole, in one run_many
    (all on the first reading's connection); returns the extra jobs' frames.

    A file whose parameters are the same in two readings runs once: the school list and the org counts
    do not depend on the period, so 总览's two periods share them."""
    wanted: dict[tuple[str, tuple[tuple[str, Any], ...]], list[_Frames]] = {}
    for frames, names in readings:
        for name in frames.missing(names):
            used = tuple(sorted((k, frames.qp.get(k)) for k in query_parameters(name)))
            wanted.setdefault((name, used), []).append(frames)
    if not wanted and not extra:
        return []
    jobs = [(name, holders[0].qp, _FRAME_COLUMNS.get(name)) for (name, _), holders in wanted.items()]
    results = run_many(readings[0][0].con, [*jobs, *extra])
    for ((name, _), holders), frame in zip(wanted.items(), results, strict=False):
        for frames in holders:
            frames.store(name, frame)
    return results[len(jobs) :]


def _sums(frame: pl.DataFrame, **exprs: pl.Expr) -> dict[str, Any]:
    """One row of integer aggregates (pl.len() for a count of rows, col.sum() for a total)."""
    row = frame.select([e.cast(pl.Int64).alias(name) for name, e in exprs.items()]).row(0, named=True)
    return {name: int(value or 0) for name, value in row.items()}


def _schools(f: _Frames) -> dict[str, Any]:
    return {"total": int(f.row("schools_total")["total"])}


def _party_orgs(f: _Frames) -> dict[str, Any]:
    by_type = {t: 0 for t in ORG_TYPES}
    members = 0
    for org_type, primary_count, members_count in f.rows("party_orgs_by_type"):
        by_type[org_type] = int(primary_count)
        members += int(members_count)
    return {"primary": sum(by_type.values()), "by_type": by_type, "members": members}


def _split_roles(f: _Frames) -> dict[str, Any]:
    status = pl.col("split_status")
    out = _sums(
        f["split_roles"],
        schools=pl.len(),
        split=(status == "分设").sum(),
        combined=(status == "一肩挑").sum(),
        vacant=(status == "空缺").sum(),
    )
    return out | {"split_share": _share(out["split"], out["split"] + out["combined"])}


def _cross_appointment(f: _Frames) -> dict[str, Any]:
    # SPEC counts distinct persons across schools: the per-school rows count each person at one school
    out = _sums(
        f["cross_appointment"],
        deputies=pl.col("_district_deputies").sum(),
        cross_appointed=pl.col("_district_cross_appointed").sum(),
    )
    return out | {"share": _share(out["cross_appointed"], out["deputies"])}


def _appointments(f: _Frames) -> dict[str, Any]:
    row = f.row("appointments_summary")
    return {"secretaries": int(row["secretaries"]), "deputy_secretaries": int(row["deputy_secretaries"])}


def _strongest_branches(f: _Frames) -> dict[str, Any]:
    by_level = {lv: 0 for lv in HONOR_LEVELS}
    new_in_year = 0
    for level, honored_count, new_count in f.rows("strongest_branches_by_level"):
        by_level[level] = int(honored_count)
        new_in_year += int(new_count)
    return {"total": sum(by_level.values()), "by_level": by_level, "new_in_year": new_in_year}


def _rotation(f: _Frames) -> dict[str, Any]:
    out = _sums(
        f["rotation"],
        eligible=pl.col("eligible_teachers").sum(),
        rotated=pl.col("rotated_count").sum(),
        schools_measured=pl.col("is_measured").sum(),
        schools_below_target=pl.col("is_below_target").sum(),
    )
    return {
        "eligible": out["eligible"],
        "rotated": out["rotated"],
        "ratio": _share(out["rotated"], out["eligible"]),
        "schools_measured": out["schools_measured"],
        "schools_below_target": out["schools_below_target"],
    }


def _two_level_review(f: _Frames) -> dict[str, Any]:
    fields = ("matters", "compliant", "missing_party", "missing_principal", "implemented_before_review")
    out = _sums(f["two_level_review"], **{name: pl.col(f"{name}_count").sum() for name in fields})
    return out | {"rate": _share(out["compliant"], out["matters"])}


def _three_meetings_one_lesson(f: _Frames) -> dict[str, Any]:
    # 联合 branches without a school are in meetings_by_org only when no filter is set (SPEC reading)
    out = _sums(
        f["three_meetings_one_lesson"],
        org_quarters=pl.col("quarters_due_count").sum(),
        compliant=pl.col("compliant_count").sum(),
    )
    return out | {"rate": _share(out["compliant"], out["org_quarters"])}


def _charter(f: _Frames) -> dict[str, Any]:
    out = _sums(f["charter"], schools=pl.len(), revised=pl.col("is_revised").sum())
    return out | {"rate": _share(out["revised"], out["schools"])}


def _duty_reports(f: _Frames) -> dict[str, Any]:
    out = _sums(f["duty_reports"], schools=pl.len(), both_done=pl.col("is_both_done").sum())
    return out | {"rate": _share(out["both_done"], out["schools"])}


#: SPEC's JSON, one function per indicator, in SPEC's order. The per-school ones sum the same frames the
#: matrix and the breakdown tables show, so a district figure and its schools can never disagree.
_INDICATORS: dict[str, Any] = {
    "schools": _schools,
    "party_orgs": _party_orgs,
    "split_roles": _split_roles,
    "cross_appointment": _cross_appointment,
    "appointments": _appointments,
    "strongest_branches": _strongest_branches,
    "rotation": _rotation,
    "two_level_review": _two_level_review,
    "three_meetings_one_lesson": _three_meetings_one_lesson,
    "charter": _charter,
    "duty_reports": _duty_reports,
}


#: The query files of the indicators that do not read their own per-school frame (_MATRIX_SOURCES), so
#: compute() can start every file it needs at once. tests/test_indicators.py checks each function reads
#: exactly these.
_OWN_READS: dict[str, tuple[str, ...]] = {
    "schools": ("schools_total",),
    "party_orgs": ("party_orgs_by_type",),
    "appointments": ("appointments_summary",),
    "strongest_branches": ("strongest_branches_by_level",),
}


def reads(key: str) -> tuple[str, ...]:
    """The query files indicator `key` reads."""
    return _OWN_READS.get(key) or (_MATRIX_SOURCES[key][0],)


def compute(
    con: duckdb.DuckDBPyConnection, params: Params, keys: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """SPEC's indicator JSON for one reading, plus "params" and "status" (catalog.status_of on each
    indicator's headline). Every key SPEC lists is present, every org type and honour level too.

    `keys`: only these indicators (a page that shows two of them runs only their queries)."""
    p = resolve(con, params)
    return _compute(p, _Frames(con, query_params(p)), keys)


def overview(con: duckdb.DuckDBPyConnection, params: Params) -> tuple[dict[str, Any], pl.DataFrame]:
    """compute() and school_matrix() of one reading from one run of the per-school queries: the 总览
    page needs both for two periods, and each per-school query scans its table once instead of twice."""
    return overviews(con, [params])[0]


def overviews(
    con: duckdb.DuckDBPyConnection, params: Sequence[Params]
) -> list[tuple[dict[str, Any], pl.DataFrame]]:
    """overview() of several readings (总览: this period and the previous one), their files all started
    at once."""
    readings = [(p, _Frames(con, query_params(p))) for p in (resolve(con, x) for x in params)]
    needed = [name for key in _INDICATORS for name in reads(key)] + list(_MATRIX_READS)
    prefetch([(frames, needed) for _, frames in readings])
    return [(_compute(p, frames, None), _matrix(frames)) for p, frames in readings]


def compute_with(
    con: duckdb.DuckDBPyConnection, params: Params, keys: tuple[str, ...], files: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, Any], dict[str, pl.DataFrame]]:
    """compute() of `keys` now and one period earlier, and the query files `files` (whole, this period),
    all started at once: what a page with cards (value and change) and detail tables needs.

    Returns (result, previous result, {file: frame})."""
    p = resolve(con, params)
    (_, now_frames), (_, before_frames) = readings = [
        (x, _Frames(con, query_params(x))) for x in (p, previous(p))
    ]
    needed = [name for key in keys for name in reads(key)]
    # a file the page shows whole also serves this period's figures (compute reads a subset of its columns)
    details = prefetch(
        [(now_frames, [n for n in needed if n not in files]), (before_frames, needed)],
        [(name, query_params(p)) for name in files],
    )
    for name, frame in zip(files, details, strict=True):
        if name in needed:
            now_frames.store(name, frame)
    now, before = (_compute(x, f, keys) for x, f in readings)
    return now, before, dict(zip(files, details, strict=True))


def _compute(p: Params, frames: _Frames, keys: tuple[str, ...] | None) -> dict[str, Any]:
    unknown = [k for k in keys or () if k not in _INDICATORS]
    if unknown:
        raise UsageError(f"没有指标“{'、'.join(unknown)}”，可选：{'、'.join(_INDICATORS)}。")
    wanted = [k for k in _INDICATORS if keys is None or k in keys]
    prefetch([(frames, [name for key in wanted for name in reads(key)])])
    result: dict[str, Any] = {key: _INDICATORS[key](frames) for key in wanted}
    result["params"] = params_json(p)
    result["status"] = {
        ind.key: catalog.status_of(ind, headline(result, ind.key))
        for ind in catalog.INDICATORS
        if ind.key in result
    }
    return result


def headline(result: dict[str, Any], key: str) -> float | int | None:
    """The headline value of one indicator in a compute() result (the catalog names the field)."""
    return result[key][catalog.INDICATORS_BY_KEY[key].headline]


def compare(con: duckdb.DuckDBPyConnection, params: Params) -> dict[str, dict[str, Any]]:
    """Each indicator's headline now and one period earlier, with trend (↑/↓/持平) and both statuses."""
    current_params = resolve(con, params)
    now, before = overviews(con, [current_params, previous(current_params)])
    return compare_results(now[0], before[0])


def compare_results(now: dict[str, Any], before: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """compare() from two compute() results, so a page can reuse results it already holds in cache."""
    out: dict[str, dict[str, Any]] = {}
    for ind in catalog.INDICATORS:
        if ind.key not in now or ind.key not in before:
            continue  # compute() of some indicators only
        value, prior = headline(now, ind.key), headline(before, ind.key)
        out[ind.key] = {
            "label": ind.zh,
            "value": value,
            "previous": prior,
            "trend": catalog.trend_of(value, prior),
            "status": catalog.status_of(ind, value),
            "previous_status": catalog.status_of(ind, prior),
        }
    return out


# ---------------------------------------------------------------- per school


def status_expr(key: str, column: str) -> pl.Expr:
    """catalog.status_of as a polars expression over a ratio column (vectorised, same thresholds)."""
    ind = catalog.INDICATORS_BY_KEY[key]
    if ind.ok_at is None:
        return pl.lit(catalog.STATUS_NONE)
    col = pl.col(column)
    chain = pl.when(col.is_null()).then(pl.lit(catalog.STATUS_NONE))
    chain = chain.when(col >= ind.ok_at).then(pl.lit(catalog.STATUS_OK))
    if ind.warn_at is not None:
        chain = chain.when(col >= ind.warn_at).then(pl.lit(catalog.STATUS_WARN))
    return chain.otherwise(pl.lit(catalog.STATUS_BAD))


def _row_status(key: str, column: str) -> pl.Expr:
    """A row's status from its own value. 分设 and a done flag read as a ratio of 1, 一肩挑 and a missing
    flag as 0, so the catalog's thresholds still decide; a vacant post (空缺) is 预警: not a breach of the
    split rule, but a gap the bureau has to fill."""
    if key == "split_roles":
        ind = catalog.INDICATORS_BY_KEY[key]
        return (
            pl.when(pl.col(column) == "分设")
            .then(pl.lit(catalog.status_of(ind, 1.0)))
            .when(pl.col(column) == "一肩挑")
            .then(pl.lit(catalog.status_of(ind, 0.0)))
            .otherwise(pl.lit(catalog.STATUS_WARN))
        )
    if key in ("charter", "duty_reports"):
        ind = catalog.INDICATORS_BY_KEY[key]
        return (
            pl.when(pl.col(column))
            .then(pl.lit(catalog.status_of(ind, 1.0)))
            .otherwise(pl.lit(catalog.status_of(ind, 0.0)))
        )
    return status_expr(key, column)


def _meetings_per_school(per_org: pl.DataFrame) -> pl.DataFrame:
    """三会一课 per school: meetings_by_org's due and compliant quarters summed over the school's own
    branches (the quarter rules stay in SQL once); null share when nothing is due."""
    sums = (
        per_org.filter(pl.col("school_code").is_not_null())
        .group_by("school_code")
        .agg(pl.col("quarters_due_count").sum(), pl.col("compliant_count").sum())
    )
    due = pl.col("quarters_due_count")
    return sums.with_columns(pl.when(due > 0).then(pl.col("compliant_count") / due).alias("compliant_share"))


def split_roles_by(con: duckdb.DuckDBPyConnection, column: str, params: Params) -> pl.DataFrame:
    """分设 / 一肩挑 / 空缺 counts per 学段 or 乡镇街道 (`column` = stage or town), grouped from
    split_roles_by_school.sql so the rule for a school's status is written once."""
    return split_roles_grouped(run_query(con, "split_roles_by_school", query_params(params)), column)


def split_roles_grouped(per_school: pl.DataFrame, column: str) -> pl.DataFrame:
    """split_roles_by() from a split_roles_by_school result the page already holds."""
    status = pl.col("split_status")
    counts = per_school.group_by(column).agg(
        pl.len().cast(pl.Int64).alias("schools_count"),
        (status == "分设").sum().cast(pl.Int64).alias("split_count"),
        (status == "一肩挑").sum().cast(pl.Int64).alias("combined_count"),
        (status == "空缺").sum().cast(pl.Int64).alias("vacant_count"),
    )
    decided = pl.col("split_count") + pl.col("combined_count")
    share = pl.when(decided > 0).then(pl.col("split_count") / decided).otherwise(None)
    return counts.with_columns(share.alias("split_share")).sort(column)


def school_matrix(con: duckdb.DuckDBPyConnection, params: Params) -> pl.DataFrame:
    """One row per filtered school with each per-school indicator's value and "<key>_status".

    Values: split_roles 分设/一肩挑/空缺; ratios for cross_appointment, rotation, two_level_review and
    three_meetings_one_lesson (over the school's own branches; null when nothing is due); booleans for
    charter and duty_reports. Built from the *_by_school files, so the matrix and the breakdowns agree.
    """
    frames = _Frames(con, query_params(resolve(con, params)))
    prefetch([(frames, _MATRIX_READS)])
    return _matrix(frames)


def _matrix(frames: _Frames) -> pl.DataFrame:
    per_school = {key: frames[key] for key in _MATRIX_SOURCES}
    per_school["three_meetings_one_lesson"] = _meetings_per_school(per_school["three_meetings_one_lesson"])
    matrix = frames.frame("schools_list").select(_SCHOOL_COLUMNS)
    codes = matrix["school_code"]
    values = []
    for key, (_, column) in _MATRIX_SOURCES.items():
        part = per_school[key]
        if part.height == matrix.height and part["school_code"].equals(codes):
            values.append(part[column].alias(key))  # the same schools in the same order: no join needed
        else:
            part = part.select("school_code", pl.col(column).alias(key))
            values.append(matrix.join(part, on="school_code", how="left", maintain_order="left")[key])
    return (
        matrix.with_columns(values)
        .with_columns([_row_status(key, key).alias(f"{key}_status") for key in MATRIX_KEYS])
        .select(_SCHOOL_COLUMNS + [c for key in MATRIX_KEYS for c in (key, f"{key}_status")])
    )


_STATUS_ORDER = {catalog.STATUS_BAD: 0, catalog.STATUS_WARN: 1, catalog.STATUS_OK: 2, catalog.STATUS_NONE: 3}


def breakdown(con: duckdb.DuckDBPyConnection, key: str, params: Params) -> pl.DataFrame:
    """The detail table behind one indicator: per school (per org for 三会一课 and 最强党支部), with a
    "status" column where the row has its own value, worst first so the laggards lead. Column names are
    the query's; COLUMN_LABELS / labelled() turn them into Chinese headers."""
    if key not in BREAKDOWN_QUERIES:
        raise UsageError(f"没有指标“{key}”，可选：{'、'.join(BREAKDOWN_QUERIES)}。")
    frame = shown(run_query(con, BREAKDOWN_QUERIES[key], query_params(resolve(con, params))))
    value_column = _BREAKDOWN_VALUE.get(key)
    if value_column is None:
        return frame
    frame = frame.with_columns(_row_status(key, value_column).alias("status"))
    order = pl.col("status").replace_strict(_STATUS_ORDER, return_dtype=pl.Int64)
    return frame.sort([order, value_column], nulls_last=True, maintain_order=True)


def shown(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame without the columns that only feed district figures (names starting with "_")."""
    hidden = [c for c in frame.columns if c.startswith("_")]
    return frame.drop(hidden) if hidden else frame


def labelled(frame: pl.DataFrame) -> pl.DataFrame:
    """The same frame with Chinese headers (columns without a label keep their name)."""
    return frame.rename({c: COLUMN_LABELS[c] for c in frame.columns if c in COLUMN_LABELS})


def _value_text(key: str, column: str) -> pl.Expr:
    """A matrix value as display text: percentages with one decimal, flags as words."""
    col = pl.col(column)
    if key == "split_roles":
        return col.cast(pl.Utf8)
    if key == "charter":
        return pl.when(col).then(pl.lit("已修订")).otherwise(pl.lit("未修订"))
    if key == "duty_reports":
        return pl.when(col).then(pl.lit("已完成")).otherwise(pl.lit("未完成"))
    return (
        pl.when(col.is_null()).then(pl.lit("—")).otherwise((col * 100).round(1).cast(pl.Utf8) + pl.lit("%"))
    )


def watch_list(con: duckdb.DuckDBPyConnection, params: Params) -> pl.DataFrame:
    """重点关注: schools 未达标 on the same indicator in this period and the previous one.

    Columns: school_code, school_name, town, indicator (key), indicator_zh, value, previous_value (both as
    display text, since the indicators mix labels, ratios and flags)."""
    current_params = resolve(con, params)
    now, before = overviews(con, [current_params, previous(current_params)])
    return watch_between(now[1], before[1])


def watch_between(now: pl.DataFrame, before: pl.DataFrame) -> pl.DataFrame:
    """watch_list() from the two periods' school_matrix() results, so a page reuses matrices it already
    holds in cache instead of computing this period's matrix a second time."""
    parts = []
    for key in MATRIX_KEYS:
        status = f"{key}_status"
        this = now.filter(pl.col(status) == catalog.STATUS_BAD).select(
            "school_code", "school_name", "town", _value_text(key, key).alias("value")
        )
        last = before.filter(pl.col(status) == catalog.STATUS_BAD).select(
            "school_code", _value_text(key, key).alias("previous_value")
        )
        parts.append(
            this.join(last, on="school_code", how="inner").with_columns(
                pl.lit(key).alias("indicator"),
                pl.lit(catalog.INDICATORS_BY_KEY[key].zh).alias("indicator_zh"),
            )
        )
    columns = ["school_code", "school_name", "town", "indicator", "indicator_zh", "value", "previous_value"]
    return pl.concat([p.select(columns) for p in parts], how="vertical")


def history(con: duckdb.DuckDBPyConnection, params: Params) -> pl.DataFrame:
    """Every indicator's headline per year present in the data (rotation per school year), judged at
    each year's end or D if earlier: columns period, indicator, value, plus indicator_zh for display."""
    p = resolve(con, params)
    frame = run_query(con, "indicator_history", query_params(p))
    labels = {ind.key: ind.zh for ind in catalog.INDICATORS}
    return frame.with_columns(
        pl.col("indicator").replace_strict(labels, return_dtype=pl.Utf8).alias("indicator_zh")
    )


# ---------------------------------------------------------------- text


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _show(value: Any, ratio: bool) -> str:
    if value is None:
        return "—"
    if ratio:
        return f"{value * 100:.1f}%"
    return str(value)


def format_text(result: dict[str, Any]) -> str:
    """compute()'s result as a readable Chinese table for `oversight indicators` without --json."""
    p = result.get("params", {})
    scope = "、".join(v for v in (p.get("town"), p.get("stage"), p.get("area_type")) if v) or "全部学校"
    lines = [
        f"统计口径：年度 {p.get('year', '—')}，学年 {p.get('school_year', '—')}，"
        f"截至 {p.get('as_of', '—')}，范围 {scope}",
        "",
    ]
    rows = [("指标", "数值", "状态", "明细")]
    statuses = result.get("status", {})
    for ind in catalog.INDICATORS:
        obj = result[ind.key]
        value = _show(obj[ind.headline], ind.unit == "share")
        status = statuses.get(ind.key, "") if ind.ok_at is not None else ""
        details = []
        for field, label in FIELD_LABELS[ind.key].items():
            if field == ind.headline and ind.unit == "count":
                continue
            details.append(f"{label} {_show(obj[field], field in ('split_share', 'share', 'ratio', 'rate'))}")
        if ind.key == "party_orgs":
            details.extend(f"{t} {n}" for t, n in obj["by_type"].items())
        if ind.key == "strongest_branches":
            details.extend(f"{lv} {n}" for lv, n in obj["by_level"].items())
        rows.append((ind.zh, value, status, "，".join(details)))
    widths = [max(_width(r[i]) for r in rows) + 2 for i in range(3)]
    for r in rows:
        lines.append("".join(_pad(r[i], widths[i]) for i in range(3)) + r[3])
    return "\n".join(lines)
