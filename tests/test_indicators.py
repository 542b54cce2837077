"""The indicators of SPEC on a handmade five-school district, with every expected number worked by hand.

The district (as of D = 2024-06-30, Y = 2024, S = 2023-2024):

- S1 城关一小 (小学, 城关镇, 城区): 书记 P1 and 校长 P2 → 分设. Party-member 副校长 P3 (also 支部委员 here →
  cross-appointed) and P4 (not); non-member 副校长 P5 is no deputy. Branch O1: both quarters compliant,
  with a 支部委员会 on 3-31 (March) and one on 4-1 (April).
- S2 城关二中 (初中, 城关镇, 城区): P6 holds 书记 and 校长 → 一肩挑; former 书记 P7 left 2024-03-01. Party-member
  副校长 P8 sits as 支部委员 at S3, which does not make him cross-appointed at S2. 党总支 O2 with branches
  O2a (founded 04-01: only Q2 counts; no 支部委员会 in May → not compliant) and O2b (founded 04-02: no
  quarter counts yet).
- S3 河口三小 (小学, 河口镇, 乡村): 校长 P10 left on D exactly → not current → 空缺. No own org; it belongs to
  the 联合党支部 O3 (no school_code): Q1 lacks a 党课 (the one on 4-1 is Q2), Q2 compliant. Quota 0 → not
  measured.
- S4 河口四中 (高中, 河口镇, 镇区): 分设; 副校长 P13 became 副书记 on 2024-05-01 → cross-appointed. 党委 O4 is
  no branch.
- S5 城关五小 (小学, 城关镇, 乡村): 书记 P14 appointed 2024-07-01 (after D) → 空缺 but an appointment of 2024.
  Branch O5: Q1 empty, Q2 compliant, a Q3 meeting that is not yet due.

Issue 18's tables: 党建品牌 on O1 and O5 of the five primary orgs (O2a's is a sub-branch's; O3's blank and
O4's empty string are none) → 2 / 5. Activities of 2024: S1's 教学观摩 (120) and 蹲校教研 (30), a district-level
教学观摩 (200) and 领航型 training (60), S3's 结对共建 without participants (0), S4's 主题团队日 on 12-31 (50, after
D but held in Y); S2's of 2023-12-31 and S5's of 2025-01-01 fall outside. 统编三科配备 of 2023-2024: S1 语文 3 / 2
(gap 1) and 道德与法治 1 / 2 (the spare one fills no other gap), S3 语文 2 / 2, S4 历史 2 / 0 (gap 2) → needed 8,
assigned 6, gap 3, two schools short; S2 reported 2022-2023 only (未报送 now), S5 reports from 2024-2025 on
(nothing expected yet).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from oversight.contract import catalog
from oversight.contract.errors import UsageError
from oversight.contract.schema import BRANCH_TYPES, table
from oversight.engine import connection, ledger, queries
from oversight.metrics import frames, history, indicators, periods, schools, watch
from oversight.metrics.periods import Params
from oversight.present import formats, labels

D = date(2024, 6, 30)
CURRENT = Params(year=2024, school_year="2023-2024", as_of=D)

_POLARS_TYPES: dict[str, Any] = {
    "text": pl.Utf8,
    "code": pl.Utf8,
    "enum": pl.Utf8,
    "school_year": pl.Utf8,
    "bool": pl.Boolean,
    "int": pl.Int64,
    "decimal": pl.Decimal(18, 2),
    "date": pl.Date,
}


def typed(table_name: str, rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    """Rows in the schema's column order as a frame typed like the schema (as the loader hands them)."""
    t = table(table_name)
    schema = {c.name: _POLARS_TYPES[c.type] for c in t.columns}
    return pl.DataFrame(rows, schema=schema, orient="row")


def d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


T, F = True, False

SCHOOLS = [
    ("S1", "城关一小", "小学", "城关镇", "城区", T, "城关教育集团", 800, 60, T, d("2023-05-01")),
    ("S2", "城关二中", "初中", "城关镇", "城区", T, None, 1200, 90, T, d("2024-07-01")),
    ("S3", "河口三小", "小学", "河口镇", "乡村", T, None, 200, 20, T, None),
    ("S4", "河口四中", "高中", "河口镇", "镇区", T, None, 1500, 120, F, None),
    ("S5", "城关五小", "小学", "城关镇", "乡村", F, None, 100, 12, F, d("2020-01-01")),
]

PARTY_ORGS = [
    ("O1", "城关一小党支部", "党支部", "S1", None, 20, None, "红烛先锋"),
    ("O2", "城关二中党总支", "党总支", "S2", None, 40, None, None),
    ("O2a", "城关二中第一党支部", "党支部", "S2", "O2", 25, d("2024-04-01"), "书香支部"),  # no primary org
    ("O2b", "城关二中第二党支部", "党支部", "S2", "O2", 15, d("2024-04-02"), None),
    ("O3", "河口联合党支部", "联合党支部", None, None, 12, None, "  "),  # blank is no brand
    ("O4", "河口四中党委", "党委", "S4", None, 60, None, ""),
    ("O5", "城关五小党支部", "党支部", "S5", None, 8, None, "同心圆"),
]

LEADERS = [
    ("P1", "张书记", "S1", "书记", T, d("2020-01-01"), None),
    ("P2", "李校长", "S1", "校长", T, d("2019-09-01"), None),
    ("P3", "王副校", "S1", "副校长", T, d("2021-03-01"), None),
    ("P3", "王副校", "S1", "支部委员", T, d("2021-03-01"), None),
    ("P4", "赵副校", "S1", "副校长", T, d("2020-09-01"), None),
    ("P5", "钱副校", "S1", "副校长", F, d("2020-09-01"), None),
    ("P16", "孙副书记", "S1", "副书记", T, d("2023-12-31"), None),
    ("P6", "周一肩", "S2", "书记", T, d("2024-03-01"), None),
    ("P6", "周一肩", "S2", "校长", T, d("2022-01-01"), None),
    ("P7", "吴前任", "S2", "书记", T, d("2018-01-01"), d("2024-03-01")),
    ("P8", "郑副校", "S2", "副校长", T, d("2022-09-01"), None),
    ("P8", "郑副校", "S3", "支部委员", T, d("2022-09-01"), None),
    ("P9", "冯书记", "S3", "书记", T, d("2019-01-01"), None),
    ("P10", "陈校长", "S3", "校长", T, d("2019-01-01"), d("2024-06-30")),
    ("P11", "褚书记", "S4", "书记", T, d("2024-02-01"), None),
    ("P12", "卫校长", "S4", "校长", T, d("2020-01-01"), None),
    ("P13", "蒋副校", "S4", "副校长", T, d("2021-01-01"), None),
    ("P13", "蒋副校", "S4", "副书记", T, d("2024-05-01"), None),
    ("P14", "沈书记", "S5", "书记", T, d("2024-07-01"), None),
    ("P15", "韩校长", "S5", "校长", T, d("2018-01-01"), None),
]

HONORS = [
    ("O1", "市级", 2022),
    ("O1", "市级", 2024),
    ("O1", "区级", 2024),
    ("O3", "系统级", 2023),
    ("O5", "区级", 2025),
    ("O2a", "区级", 2024),
]

ROTATION_QUOTAS = [
    ("2023-2024", "S1", 20),
    ("2023-2024", "S2", 30),
    ("2023-2024", "S3", 0),
    ("2023-2024", "S4", 10),
    ("2022-2023", "S1", 20),
    ("2022-2023", "S2", 30),
]

ROTATIONS = [
    ("2023-2024", "T1", "教师一", "S1", "S3", "交流", "教师"),
    ("2023-2024", "T2", "教师二", "S1", "S5", "支教", "教师"),
    ("2023-2024", "T3", "教师三", "S2", "S4", "轮岗", "教师"),
    ("2023-2024", "T4", "教师四", "S3", "S1", "交流", "教师"),
    ("2023-2024", "T5", "教师五", "S4", "S3", "交流", "教师"),
    ("2023-2024", "T6", "教师六", "S4", "S1", "轮岗", "中层干部"),
    ("2022-2023", "T1", "教师一", "S1", "S4", "交流", "教师"),
]


def _matter(mid: str, school: str, category: str, title: str, amount: str | None, *days: str | None) -> tuple:
    """(registered_on, principal_meeting_on, party_meeting_on, implemented_on) as ISO text or None."""
    return (mid, school, category, title, Decimal(amount) if amount else None, *(d(x) for x in days))


MATTERS = [
    _matter(
        "M1",
        "S1",
        "大额资金使用",
        "采购教学设备",
        "500000.00",
        "2024-01-10",
        "2024-01-15",
        "2024-01-20",
        "2024-01-20",
    ),
    _matter("M2", "S1", "选人用人", "中层干部任免", None, "2024-02-01", "2024-02-05", "2024-02-06", None),
    _matter("M3", "S2", "基本建设", "操场改造", "2000000.00", "2024-03-01", None, None, "2024-03-10"),
    _matter("M4", "S2", "职称评审", "职称推荐", None, "2024-03-05", "2024-03-06", None, None),
    _matter(
        "M5", "S3", "重大决策", "课后服务方案", None, "2024-04-01", "2024-04-05", "2024-04-10", "2024-04-08"
    ),
    _matter(
        "M6",
        "S4",
        "大额资金使用",
        "食堂设备",
        "300000.00",
        "2024-05-01",
        "2024-05-10",
        "2024-05-12",
        "2024-05-01",
    ),
    _matter("M7", "S4", "其他", "校服选用", None, "2023-12-31", "2024-01-03", "2024-01-04", "2024-01-05"),
    _matter("M8", "S1", "重大决策", "年度预算", None, "2024-12-31", None, "2025-01-05", None),
    _matter("M9", "S2", "选人用人", "教师招聘", None, "2023-06-01", "2023-06-05", None, "2023-06-20"),
]


def _meeting_rows() -> list[tuple[Any, ...]]:
    spec = [
        ("O1", "支部党员大会", "2024-02-10"),
        ("O1", "支部委员会", "2024-01-15"),
        ("O1", "支部委员会", "2024-02-15"),
        ("O1", "支部委员会", "2024-03-31"),
        ("O1", "党课", "2024-03-20"),
        ("O1", "支部党员大会", "2024-04-01"),
        ("O1", "支部委员会", "2024-04-01"),
        ("O1", "支部委员会", "2024-05-10"),
        ("O1", "支部委员会", "2024-06-30"),
        ("O1", "党课", "2024-06-15"),
        ("O1", "组织生活会", "2024-01-20"),
        ("O1", "民主评议党员", "2023-12-25"),
        ("O2a", "支部党员大会", "2024-05-01"),
        ("O2a", "支部委员会", "2024-04-10"),
        ("O2a", "支部委员会", "2024-04-20"),
        ("O2a", "支部委员会", "2024-06-10"),
        ("O2a", "党课", "2024-05-20"),
        ("O2a", "支部委员会", "2023-05-15"),
        ("O2b", "支部党员大会", "2024-04-10"),
        ("O2b", "支部委员会", "2024-04-10"),
        ("O2b", "支部委员会", "2024-05-10"),
        ("O2b", "支部委员会", "2024-06-10"),
        ("O2b", "党课", "2024-04-10"),
        ("O2", "党课", "2024-03-01"),
        ("O3", "支部党员大会", "2024-01-10"),
        ("O3", "支部委员会", "2024-01-10"),
        ("O3", "支部委员会", "2024-02-10"),
        ("O3", "支部委员会", "2024-03-10"),
        ("O3", "支部党员大会", "2024-04-20"),
        ("O3", "支部委员会", "2024-04-20"),
        ("O3", "支部委员会", "2024-05-20"),
        ("O3", "支部委员会", "2024-06-20"),
        ("O3", "党课", "2024-04-01"),
        ("O3", "组织生活会", "2023-12-20"),
        ("O5", "支部党员大会", "2024-06-01"),
        ("O5", "支部委员会", "2024-04-05"),
        ("O5", "支部委员会", "2024-05-05"),
        ("O5", "支部委员会", "2024-06-05"),
        ("O5", "党课", "2024-06-05"),
        ("O5", "支部党员大会", "2024-07-05"),
        ("O5", "组织生活会", "2024-02-01"),
    ]
    return [(f"MT{i:03d}", org, kind, d(day), 10, None) for i, (org, kind, day) in enumerate(spec, 1)]


DUTY_REPORTS = [
    ("S1", 2024, T, T),
    ("S2", 2024, T, F),
    ("S3", 2023, T, T),
    ("S4", 2024, T, T),
]


ACTIVITIES = [
    ("A1", "S1", None, "教学观摩", "统编三科", "统编语文教学观摩", d("2024-03-05"), 120),
    ("A2", "S1", "区教研中心", "蹲校教研", "教研", "区教研员蹲校教研", d("2024-04-10"), 30),
    ("A3", None, "区教研中心", "教学观摩", "统编三科", "区级线上教学观摩", d("2024-05-20"), 200),
    ("A4", "S3", "城关一小", "结对共建", "统编三科", "三科统编教材结对共建", d("2024-06-01"), None),
    ("A5", "S4", None, "主题团队日", "群团", "主题团日", d("2024-12-31"), 50),
    ("A6", "S2", None, "培训", "师德", "师德培训", d("2023-12-31"), 40),
    ("A7", "S5", None, "宣讲", "思政", "开学第一课", d("2025-01-01"), 10),
    ("A8", None, "区教体局", "培训", "党建", "领航型校长培训", d("2024-01-01"), 60),
]

STAFFING = [
    ("2023-2024", "S1", "语文", 3, 2),
    ("2023-2024", "S1", "道德与法治", 1, 2),
    ("2023-2024", "S3", "语文", 2, 2),
    ("2023-2024", "S4", "历史", 2, 0),
    ("2022-2023", "S2", "语文", 1, 1),
    ("2024-2025", "S5", "语文", 1, 0),
]


def district_frames() -> dict[str, pl.DataFrame]:
    return {
        "schools": typed("schools", SCHOOLS),
        "party_orgs": typed("party_orgs", PARTY_ORGS),
        "leaders": typed("leaders", LEADERS),
        "honors": typed("honors", HONORS),
        "rotation_quotas": typed("rotation_quotas", ROTATION_QUOTAS),
        "rotations": typed("rotations", ROTATIONS),
        "matters": typed("matters", MATTERS),
        "meetings": typed("meetings", _meeting_rows()),
        "duty_reports": typed("duty_reports", DUTY_REPORTS),
        "activities": typed("activities", ACTIVITIES),
        "unified_subject_staffing": typed("unified_subject_staffing", STAFFING),
    }


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("indicators") / "district.duckdb"
    con = connection.connect(path)
    ledger.load_batch(con, district_frames(), [], user="t")
    con.close()
    return path


@pytest.fixture()
def con(db_path: Path) -> duckdb.DuckDBPyConnection:
    db_con = connection.connect(db_path, read_only=True)
    yield db_con
    db_con.close()


# ---------------------------------------------------------------- the whole JSON, hand-computed

EXPECTED_ALL = {
    "schools": {"total": 5},
    "party_orgs": {
        "primary": 5,
        "by_type": {"党委": 1, "党总支": 1, "党支部": 2, "联合党委": 0, "联合党支部": 1},
        "members": 20 + 40 + 12 + 60 + 8,
    },
    "split_roles": {"schools": 5, "split": 2, "combined": 1, "vacant": 2, "split_share": 2 / 3},
    "cross_appointment": {"deputies": 4, "cross_appointed": 2, "share": 0.5},
    "appointments": {"secretaries": 3, "deputy_secretaries": 1},
    "strongest_branches": {"total": 4, "by_level": {"市级": 1, "区级": 2, "系统级": 1}, "new_in_year": 2},
    "rotation": {
        "eligible": 60,
        "rotated": 6,
        "ratio": 0.1,
        "schools_measured": 3,
        "schools_below_target": 1,
    },
    "two_level_review": {
        "matters": 7,
        "compliant": 2,
        "missing_party": 2,
        "missing_principal": 2,
        "implemented_before_review": 2,
        "rate": 2 / 7,
    },
    "three_meetings_one_lesson": {"org_quarters": 7, "compliant": 4, "rate": 4 / 7},
    "charter": {"schools": 5, "revised": 2, "rate": 0.4},
    "duty_reports": {"schools": 5, "both_done": 2, "rate": 0.4},
    "activities": {
        "total": 6,
        "participants": 120 + 30 + 200 + 0 + 50 + 60,
        "by_kind": {
            **{"教学观摩": 2, "蹲校教研": 1, "结对共建": 1, "主题团队日": 1},
            **{"培训": 1, "宣讲": 0, "竞赛": 0, "其他": 0},
        },
        "participants_by_kind": {
            **{"教学观摩": 320, "蹲校教研": 30, "结对共建": 0, "主题团队日": 50},
            **{"培训": 60, "宣讲": 0, "竞赛": 0, "其他": 0},
        },
    },
    "unified_subjects": {"needed": 8, "assigned": 6, "gap": 3, "schools_short": 2},
    "brands": {"primary": 5, "branded": 2, "share": 0.4},
}

SPEC_SHAPE = {
    "schools": {"total"},
    "party_orgs": {"primary", "by_type", "members"},
    "split_roles": {"schools", "split", "combined", "vacant", "split_share"},
    "cross_appointment": {"deputies", "cross_appointed", "share"},
    "appointments": {"secretaries", "deputy_secretaries"},
    "strongest_branches": {"total", "by_level", "new_in_year"},
    "rotation": {"eligible", "rotated", "ratio", "schools_measured", "schools_below_target"},
    "two_level_review": {
        "matters",
        "compliant",
        "missing_party",
        "missing_principal",
        "implemented_before_review",
        "rate",
    },
    "three_meetings_one_lesson": {"org_quarters", "compliant", "rate"},
    "charter": {"schools", "revised", "rate"},
    "duty_reports": {"schools", "both_done", "rate"},
    "activities": {"total", "participants", "by_kind", "participants_by_kind"},
    "unified_subjects": {"needed", "assigned", "gap", "schools_short"},
    "brands": {"primary", "branded", "share"},
}
RATIO_FIELDS = {"split_share", "share", "ratio", "rate"}


def assert_matches(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    """Exact for counts (and their int type), approx for ratios, None where a denominator is 0."""
    for key, want in expected.items():
        got = actual[key]
        if isinstance(want, dict):
            assert isinstance(got, dict), key
            assert_matches(got, want)
        elif want is None:
            assert got is None, key
        elif isinstance(want, float):
            assert isinstance(got, float), key
            assert got == pytest.approx(want), key
        else:
            assert type(got) is int and got == want, (key, got, want)


@pytest.mark.parametrize("key", list(EXPECTED_ALL))
def test_compute_matches_hand_count(con: duckdb.DuckDBPyConnection, key: str) -> None:
    result = indicators.compute(con, CURRENT)
    assert_matches(result[key], EXPECTED_ALL[key])


def test_json_shape_is_spec_exactly(con: duckdb.DuckDBPyConnection) -> None:
    result = json.loads(json.dumps(indicators.compute(con, CURRENT), ensure_ascii=False))
    assert set(result) == set(SPEC_SHAPE) | {"params", "status", "coverage"}
    # coverage beside the contract's values: expected and reported schools (branches for 三会一课)
    assert result["coverage"] == {
        "split_roles": {"expected": 5, "reported": 5},
        "cross_appointment": {"expected": 5, "reported": 5},
        "rotation": {"expected": 5, "reported": 4},
        "two_level_review": {"expected": 5, "reported": 4},
        "three_meetings_one_lesson": {"expected": 5, "reported": 4},  # the 联合 branch counts too
        "charter": {"expected": 5, "reported": 5},
        "duty_reports": {"expected": 5, "reported": 3},
        "unified_subjects": {"expected": 4, "reported": 3},  # S2 reported before; S5 only from 2024-2025
    }
    assert list(result) == [*SPEC_SHAPE, "params", "coverage", "status"]  # SPEC's order
    for key, fields in SPEC_SHAPE.items():
        assert set(result[key]) == fields, key
        for field, value in result[key].items():
            if field in RATIO_FIELDS:
                assert value is None or (isinstance(value, float) and 0 <= value <= 1)
            elif field in ("by_type", "by_level", "by_kind", "participants_by_kind"):
                assert all(type(v) is int for v in value.values())
            else:
                assert type(value) is int, (key, field)
    assert list(result["party_orgs"]["by_type"]) == ["党委", "党总支", "党支部", "联合党委", "联合党支部"]
    assert list(result["strongest_branches"]["by_level"]) == ["市级", "区级", "系统级"]
    kinds = ["教学观摩", "蹲校教研", "结对共建", "主题团队日", "培训", "宣讲", "竞赛", "其他"]
    assert (
        list(result["activities"]["by_kind"]) == list(result["activities"]["participants_by_kind"]) == kinds
    )
    assert result["params"] == {
        "year": 2024,
        "school_year": "2023-2024",
        "as_of": "2024-06-30",
        "town": None,
        "stage": None,
        "area_type": None,
        "rotation_target": 0.1,
    }


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("split_roles", catalog.STATUS_WARN),  # 2/3 ≥ 0.60, < 0.80
        ("cross_appointment", catalog.STATUS_BAD),  # 0.5 < 0.60
        ("rotation", catalog.STATUS_OK),  # exactly 10%
        ("two_level_review", catalog.STATUS_BAD),
        ("three_meetings_one_lesson", catalog.STATUS_BAD),
        ("charter", catalog.STATUS_BAD),
        ("duty_reports", catalog.STATUS_BAD),
        ("schools", catalog.STATUS_NONE),  # counts carry no threshold
        ("appointments", catalog.STATUS_NONE),
        ("activities", catalog.STATUS_NONE),  # informational
        ("unified_subjects", catalog.STATUS_BAD),  # a gap of 3 > 2
        ("brands", catalog.STATUS_BAD),  # 0.4 < 0.50
    ],
)
def test_status_from_catalog(con: duckdb.DuckDBPyConnection, key: str, status: str) -> None:
    assert indicators.compute(con, CURRENT)["status"][key] == status


# ---------------------------------------------------------------- filters

FILTER_CASES = [
    (
        Params(town="城关镇"),  # S1, S2, S5; the 联合 org O3 has no school and drops out
        {
            "schools": {"total": 3},
            "party_orgs": {
                "primary": 3,
                "by_type": {"党委": 0, "党总支": 1, "党支部": 2, "联合党委": 0, "联合党支部": 0},
                "members": 68,
            },
            "split_roles": {"schools": 3, "split": 1, "combined": 1, "vacant": 1, "split_share": 0.5},
            "cross_appointment": {"deputies": 3, "cross_appointed": 1, "share": 1 / 3},
            "appointments": {"secretaries": 2, "deputy_secretaries": 0},
            "strongest_branches": {
                "total": 3,
                "by_level": {"市级": 1, "区级": 2, "系统级": 0},
                "new_in_year": 2,
            },
            "rotation": {
                "eligible": 50,
                "rotated": 3,
                "ratio": 0.06,
                "schools_measured": 2,
                "schools_below_target": 1,
            },
            "two_level_review": {
                "matters": 5,
                "compliant": 2,
                "missing_party": 2,
                "missing_principal": 2,
                "implemented_before_review": 0,
                "rate": 0.4,
            },
            "three_meetings_one_lesson": {"org_quarters": 5, "compliant": 3, "rate": 0.6},
            "charter": {"schools": 3, "revised": 1, "rate": 1 / 3},
            "duty_reports": {"schools": 3, "both_done": 1, "rate": 1 / 3},
            # S1's two; the district-level ones count only without a filter
            "activities": {"total": 2, "participants": 150, "by_kind": {"教学观摩": 1, "培训": 0}},
            "unified_subjects": {"needed": 4, "assigned": 4, "gap": 1, "schools_short": 1},
            "brands": {"primary": 3, "branded": 2, "share": 2 / 3},
        },
    ),
    (
        Params(stage="小学"),  # S1, S3, S5
        {
            "schools": {"total": 3},
            "party_orgs": {"primary": 2, "members": 28},
            "split_roles": {"schools": 3, "split": 1, "combined": 0, "vacant": 2, "split_share": 1.0},
            "rotation": {
                "eligible": 20,
                "rotated": 3,
                "ratio": 0.15,
                "schools_measured": 1,
                "schools_below_target": 0,
            },
            "three_meetings_one_lesson": {"org_quarters": 4, "compliant": 3, "rate": 0.75},
            "charter": {"schools": 3, "revised": 2, "rate": 2 / 3},
            "activities": {"total": 3, "participants": 150, "by_kind": {"结对共建": 1}},
            "unified_subjects": {"needed": 6, "assigned": 6, "gap": 1, "schools_short": 1},
            "brands": {"primary": 2, "branded": 2, "share": 1.0},
        },
    ),
    (
        Params(area_type="乡村"),  # S3, S5: both vacant, S3's quota is 0 → ratios null, never 0
        {
            "schools": {"total": 2},
            "party_orgs": {"primary": 1, "members": 8},
            "split_roles": {"schools": 2, "split": 0, "combined": 0, "vacant": 2, "split_share": None},
            "cross_appointment": {"deputies": 0, "cross_appointed": 0, "share": None},
            "rotation": {
                "eligible": 0,
                "rotated": 1,
                "ratio": None,
                "schools_measured": 0,
                "schools_below_target": 0,
            },
            "three_meetings_one_lesson": {"org_quarters": 2, "compliant": 1, "rate": 0.5},
            "duty_reports": {"schools": 2, "both_done": 0, "rate": 0.0},
            "activities": {"total": 1, "participants": 0},  # S3's 结对共建 reported no participants
            "unified_subjects": {"needed": 2, "assigned": 2, "gap": 0, "schools_short": 0},
            "brands": {"primary": 1, "branded": 1, "share": 1.0},
        },
    ),
    (
        Params(town="没有这个镇"),  # no school at all: every ratio null
        {
            "schools": {"total": 0},
            "split_roles": {"schools": 0, "split_share": None},
            "rotation": {"eligible": 0, "rotated": 0, "ratio": None},
            "two_level_review": {"matters": 0, "rate": None},
            "three_meetings_one_lesson": {"org_quarters": 0, "rate": None},
            "charter": {"schools": 0, "rate": None},
            "duty_reports": {"schools": 0, "rate": None},
            "activities": {"total": 0, "participants": 0, "by_kind": {"教学观摩": 0}},
            "unified_subjects": {"needed": 0, "assigned": 0, "gap": 0, "schools_short": 0},
            "brands": {"primary": 0, "branded": 0, "share": None},
        },
    ),
]


@pytest.mark.parametrize(("filters", "expected"), FILTER_CASES)
def test_filters_apply_through_schools(
    con: duckdb.DuckDBPyConnection, filters: Params, expected: dict[str, Any]
) -> None:
    params = Params(
        year=2024,
        school_year="2023-2024",
        as_of=D,
        town=filters.town,
        stage=filters.stage,
        area_type=filters.area_type,
    )
    assert_matches(indicators.compute(con, params), expected)


@pytest.mark.parametrize(
    ("field", "value"),
    [("stage", "大学"), ("area_type", "郊区"), ("school_year", "2023-2025"), ("school_year", "23-24")],
)
def test_bad_parameters_are_usage_errors(con: duckdb.DuckDBPyConnection, field: str, value: str) -> None:
    with pytest.raises(UsageError):
        periods.resolve(con, Params(**{field: value}))


# ---------------------------------------------------------------- edges, one at a time


@pytest.mark.parametrize(
    ("school_code", "status", "secretaries", "principals"),
    [
        ("S1", "分设", "张书记", "李校长"),
        ("S2", "一肩挑", "周一肩", "周一肩"),  # the former 书记 left on 03-01
        ("S3", "空缺", "冯书记", None),  # 校长 left on D exactly: not current
        ("S4", "分设", "褚书记", "卫校长"),
        ("S5", "空缺", None, "韩校长"),  # 书记 appointed after D
    ],
)
def test_split_roles_per_school(
    con: duckdb.DuckDBPyConnection,
    school_code: str,
    status: str,
    secretaries: str | None,
    principals: str | None,
) -> None:
    frame = queries.run_query(con, "split_roles_by_school", periods.query_params(CURRENT))
    row = frame.filter(pl.col("school_code") == school_code).row(0, named=True)
    assert (row["split_status"], row["secretary_names"], row["principal_names"]) == (
        status,
        secretaries,
        principals,
    )


def test_post_ending_on_as_of_is_not_current_but_is_the_day_before(con: duckdb.DuckDBPyConnection) -> None:
    on_d = indicators.compute(con, CURRENT)["split_roles"]
    day_before = indicators.compute(con, Params(year=2024, school_year="2023-2024", as_of=date(2024, 6, 29)))
    assert on_d["vacant"] == 2
    assert day_before["split_roles"]["vacant"] == 1  # S3's 校长 still in post on 06-29


@pytest.mark.parametrize(
    ("school_code", "deputies", "cross", "share", "not_cross"),
    [
        ("S1", 2, 1, 0.5, "赵副校"),  # P5 is no Party member, so no deputy
        ("S2", 1, 0, 0.0, "郑副校"),  # 支部委员 at S3 does not count at S2
        ("S3", 0, 0, None, None),
        ("S4", 1, 1, 1.0, None),  # via 副书记
    ],
)
def test_cross_appointment_per_school(
    con: duckdb.DuckDBPyConnection,
    school_code: str,
    deputies: int,
    cross: int,
    share: float | None,
    not_cross: str | None,
) -> None:
    frame = queries.run_query(con, "cross_appointment_by_school", periods.query_params(CURRENT))
    row = frame.filter(pl.col("school_code") == school_code).row(0, named=True)
    assert (row["deputies_count"], row["cross_appointed_count"], row["not_cross_names"]) == (
        deputies,
        cross,
        not_cross,
    )
    assert row["cross_appointed_share"] == (pytest.approx(share) if share is not None else None)


@pytest.fixture()
def ran(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the query files run from here on, in order (run_query recorded, then run as usual)."""
    names: list[str] = []
    real = queries.run_query

    def recording(c: duckdb.DuckDBPyConnection, name: str, *args: Any) -> pl.DataFrame:
        names.append(name)
        return real(c, name, *args)

    monkeypatch.setattr(queries, "run_query", recording)
    return names


@pytest.mark.parametrize("key", list(EXPECTED_ALL))
def test_each_indicator_reads_the_files_it_declares(
    con: duckdb.DuckDBPyConnection, key: str, ran: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """compute() starts indicators.reads(key) all at once; the function must read exactly those, or a
    file would run late (one at a time) or for nothing."""
    monkeypatch.setattr(indicators, "prefetch", lambda readings: None)  # the function's own reads only
    indicators.compute(con, CURRENT, (key,))
    assert sorted(set(ran)) == sorted(indicators.reads(key))


def test_run_many_matches_one_at_a_time_in_the_jobs_order(con: duckdb.DuckDBPyConnection) -> None:
    qp = periods.query_params(CURRENT)
    names = ["meetings_by_org", "schools_total", "split_roles_by_school", "review_by_school", "org_tree"]
    jobs = [(n, qp) for n in names] + [("schools_total", qp | {"town": "河口镇"})]
    together = queries.run_many(con, jobs)
    assert [f.equals(queries.run_query(con, n, p)) for (n, p), f in zip(jobs, together, strict=True)] == [
        True
    ] * len(jobs)
    assert [together[1]["total"].item(), together[-1]["total"].item()] == [5, 2]


def test_two_periods_share_the_files_that_do_not_depend_on_the_period(
    con: duckdb.DuckDBPyConnection, ran: list[str]
) -> None:
    (now, _), (before, _) = indicators.overviews(con, [CURRENT, periods.previous(CURRENT)])
    assert [ran.count(n) for n in ("schools_list", "party_orgs_by_type", "split_roles_by_school")] == [
        1,
        1,
        2,
    ]
    assert now["party_orgs"] == before["party_orgs"] and now["schools"] == before["schools"] == {"total": 5}


def test_compute_with_gives_both_periods_and_the_files_from_one_run(
    con: duckdb.DuckDBPyConnection, ran: list[str]
) -> None:
    keys, files = ("two_level_review", "rotation"), ("review_by_school", "review_by_category")
    now, before, frames = indicators.compute_with(con, CURRENT, keys, files)
    # this period's review figures come from the whole file the page shows: the file runs once per period
    assert sorted(ran) == sorted(
        [
            "review_by_school",
            "review_by_school",
            "review_by_category",
            "rotation_by_school",
            "rotation_by_school",
        ]
    )
    for key in keys:
        assert now[key] == indicators.compute(con, CURRENT, keys)[key]
        assert before[key] == indicators.compute(con, periods.previous(CURRENT), keys)[key]
    assert now["two_level_review"]["matters"] == 7
    qp = periods.query_params(CURRENT)
    assert all(frames[name].equals(queries.run_query(con, name, qp)) for name in files)


def test_run_many_keeps_the_readers_snapshot_when_a_load_commits(tmp_path: Path) -> None:
    """The extra cursors are new transactions: after a load commits they would see the new data while
    the reader's own transaction still sees the old, so run_many then runs everything on the reader."""
    path = tmp_path / "snapshot.duckdb"
    writer = connection.connect(path)
    ledger.load_batch(writer, district_frames(), [], user="t")
    reader = connection.connect(path)
    reader.execute("begin transaction")
    qp = periods.query_params(CURRENT)
    assert queries.run_query(reader, "schools_total", qp)["total"].item() == 5
    sixth = ("S6", "城关六小", "小学", "城关镇", "城区", T, None, 300, 20, F, None)
    ledger.load_batch(writer, {"schools": typed("schools", [sixth])}, [], user="t")
    jobs = [("schools_total", qp), ("split_roles_by_school", qp), ("charter_by_school", qp)]
    inside = queries.run_many(reader, jobs)
    assert [inside[0]["total"].item(), inside[1].height, inside[2].height] == [5, 5, 5]
    reader.execute("rollback")
    after = queries.run_many(reader, jobs)
    assert [after[0]["total"].item(), after[1].height, after[2].height] == [6, 6, 6]
    reader.close()
    writer.close()


def test_cross_appointment_counts_a_deputy_of_two_schools_once(tmp_path: Path) -> None:
    """SPEC counts persons: P20 is a deputy at S1 and S2 and on S2's committee, P21 a deputy at S4 and
    S5. District-wide each counts once, P20 as cross-appointed; with only 小学 (S1, S3, S5) in scope,
    P20 is a deputy of S1 alone and no longer cross-appointed there."""
    extra = [
        ("P20", "两校副校", "S1", "副校长", T, d("2021-01-01"), None),
        ("P20", "两校副校", "S2", "副校长", T, d("2021-01-01"), None),
        ("P20", "两校副校", "S2", "支部委员", T, d("2021-01-01"), None),
        ("P21", "双岗副校", "S4", "副校长", T, d("2021-01-01"), None),
        ("P21", "双岗副校", "S5", "副校长", T, d("2021-01-01"), None),
    ]
    db_con = connection.connect(tmp_path / "two.duckdb")
    ledger.load_batch(
        db_con, district_frames() | {"leaders": typed("leaders", LEADERS + extra)}, [], user="t"
    )
    everyone = indicators.compute(db_con, CURRENT, ("cross_appointment",))["cross_appointment"]
    assert everyone == {"deputies": 6, "cross_appointed": 3, "share": 0.5}
    primary = indicators.compute(db_con, replace(CURRENT, stage="小学"), ("cross_appointment",))
    assert primary["cross_appointment"] == {"deputies": 4, "cross_appointed": 1, "share": 0.25}
    per_school = queries.run_query(
        db_con, "cross_appointment_by_school", periods.query_params(CURRENT)
    ).filter(pl.col("school_code").is_in(["S1", "S2"]))
    assert per_school.select("school_code", "deputies_count", "cross_appointed_count").rows() == [
        ("S1", 3, 1),
        ("S2", 2, 1),
    ]
    # the columns behind the district sums stay out of the detail table
    assert not [c for c in schools.breakdown(db_con, "cross_appointment", CURRENT).columns if c[0] == "_"]
    db_con.close()


@pytest.mark.parametrize(
    ("org_code", "due", "compliant", "no_general", "no_committee", "no_lesson"),
    [
        ("O1", 2, 2, 0, 0, 0),  # 3-31 counts for March, 4-1 for April
        ("O2a", 1, 0, 0, 1, 0),  # founded 04-01: Q2 only; May has no 支部委员会
        ("O2b", 0, 0, 0, 0, 0),  # founded 04-02: no quarter of 2024 due yet
        ("O3", 2, 1, 0, 0, 1),  # 党课 on 4-1 belongs to Q2
        ("O5", 2, 1, 1, 1, 1),  # Q3 meeting not due at D
    ],
)
def test_three_meetings_per_branch(
    con: duckdb.DuckDBPyConnection,
    org_code: str,
    due: int,
    compliant: int,
    no_general: int,
    no_committee: int,
    no_lesson: int,
) -> None:
    frame = queries.run_query(con, "meetings_by_org", periods.query_params(CURRENT))
    row = frame.filter(pl.col("org_code") == org_code).row(0, named=True)
    assert (
        row["quarters_due_count"],
        row["compliant_count"],
        row["missing_general_meeting_count"],
        row["missing_committee_count"],
        row["missing_lesson_count"],
    ) == (due, compliant, no_general, no_committee, no_lesson)
    assert set(frame["org_code"]) == {"O1", "O2a", "O2b", "O3", "O5"}  # 党委 and 党总支 are no branches


def test_three_meetings_quarter_not_ended_is_excluded(con: duckdb.DuckDBPyConnection) -> None:
    end_of_q3 = Params(year=2024, school_year="2023-2024", as_of=date(2024, 9, 30))
    result = indicators.compute(con, end_of_q3)["three_meetings_one_lesson"]
    # Q3 is now due for O1, O2a, O2b, O3, O5 (none compliant): 7 + 5 org-quarters
    assert (result["org_quarters"], result["compliant"]) == (12, 4)
    day_before = Params(year=2024, school_year="2023-2024", as_of=date(2024, 6, 29))
    result = indicators.compute(con, day_before)["three_meetings_one_lesson"]
    assert (result["org_quarters"], result["compliant"]) == (3, 1)  # only Q1 of O1, O3, O5


def test_meetings_heatmap_marks_due_quarters(con: duckdb.DuckDBPyConnection) -> None:
    frame = queries.run_query(con, "meetings_heatmap", periods.query_params(CURRENT))
    o1 = frame.filter(pl.col("org_code") == "O1").sort("quarter_no")
    assert o1["is_due"].to_list() == [True, True, False, False]
    assert o1["is_compliant"].to_list() == [True, True, None, None]
    assert o1["committee_months_count"].to_list() == [3, 3, 0, 0]
    assert frame.height == 5 * 4


@pytest.mark.parametrize(
    ("matter_id", "problem"),
    [
        ("M3", "缺校长办公会议和党组织会议审议"),  # counts in both missing_*
        ("M4", "缺党组织会议审议"),
        ("M5", "先实施后审议"),  # implemented between the two reviews
        ("M6", "先实施后审议"),  # implemented before both
        ("M8", "缺校长办公会议审议"),  # registered 12-31: still the year
    ],
)
def test_noncompliant_matters(con: duckdb.DuckDBPyConnection, matter_id: str, problem: str) -> None:
    frame = queries.run_query(con, "review_noncompliant_matters", periods.query_params(CURRENT))
    assert set(frame["matter_id"]) == {"M3", "M4", "M5", "M6", "M8"}  # M1 (same day) and M2 comply
    assert frame.filter(pl.col("matter_id") == matter_id)["problem"].item() == problem


def test_review_by_category(con: duckdb.DuckDBPyConnection) -> None:
    frame = queries.run_query(con, "review_by_category", periods.query_params(CURRENT))
    row = frame.filter(pl.col("category") == "大额资金使用").row(0, named=True)
    assert (row["matters_count"], row["compliant_count"], row["implemented_before_review_count"]) == (2, 1, 1)
    assert row["compliant_share"] == pytest.approx(0.5)
    assert frame["matters_count"].sum() == 7


@pytest.mark.parametrize(
    ("school_code", "eligible", "rotated", "received", "share", "measured", "below"),
    [
        ("S1", 20, 2, 2, 0.1, True, False),  # exactly the target is not below it
        ("S2", 30, 1, 0, 1 / 30, True, True),
        ("S3", 0, 1, 2, None, False, False),  # eligible 0: not measured, share null
        ("S4", 10, 2, 1, 0.2, True, False),
        ("S5", None, 0, 1, None, False, False),  # no quota row
    ],
)
def test_rotation_per_school(
    con: duckdb.DuckDBPyConnection,
    school_code: str,
    eligible: int | None,
    rotated: int,
    received: int,
    share: float | None,
    measured: bool,
    below: bool,
) -> None:
    frame = queries.run_query(con, "rotation_by_school", periods.query_params(CURRENT))
    row = frame.filter(pl.col("school_code") == school_code).row(0, named=True)
    assert (row["eligible_teachers"], row["rotated_count"], row["received_count"]) == (
        eligible,
        rotated,
        received,
    )
    assert (row["is_measured"], row["is_below_target"]) == (measured, below)
    assert row["rotated_share"] == (pytest.approx(share) if share is not None else None)


def test_rotation_target_is_a_parameter(con: duckdb.DuckDBPyConnection) -> None:
    qp = periods.query_params(CURRENT) | {"target": 0.25}
    frame = queries.run_query(con, "rotation_by_school", qp)
    assert frame["is_below_target"].sum() == 3  # S1 0.1, S2 0.033, S4 0.2 are all below 25%


def test_rotation_flows_by_area_type(con: duckdb.DuckDBPyConnection) -> None:
    frame = queries.run_query(con, "rotation_flows", periods.query_params(CURRENT))
    flows = {
        (r["from_area_type"], r["to_area_type"]): r["rotations_count"] for r in frame.iter_rows(named=True)
    }
    assert flows == {
        ("城区", "乡村"): 2,
        ("城区", "镇区"): 1,
        ("乡村", "城区"): 1,
        ("镇区", "乡村"): 1,
        ("镇区", "城区"): 1,
    }


def test_rotation_history(con: duckdb.DuckDBPyConnection) -> None:
    frame = queries.run_query(con, "rotation_history", periods.query_params(CURRENT))
    assert frame["school_year"].to_list() == ["2022-2023", "2023-2024"]
    assert frame["rotated"].to_list() == [1, 6]
    assert frame["ratio"].to_list() == pytest.approx([1 / 50, 0.1])
    assert frame["schools_below_target"].to_list() == [2, 1]


def test_strongest_branches_by_org(con: duckdb.DuckDBPyConnection) -> None:
    frame = schools.breakdown(con, "strongest_branches", CURRENT)
    rows = {
        (r["org_code"], r["level"]): (r["first_year"], r["years_count"], r["is_new"])
        for r in frame.iter_rows(named=True)
    }
    assert rows == {
        ("O1", "市级"): (2022, 2, False),
        ("O1", "区级"): (2024, 1, True),
        ("O3", "系统级"): (2023, 1, False),
        ("O2a", "区级"): (2024, 1, True),
    }  # O5's honour of 2025 is after Y


def test_honors_and_appointments_by_year(con: duckdb.DuckDBPyConnection) -> None:
    honors = queries.run_query(con, "honors_by_level_year", periods.query_params(CURRENT))
    row = honors.filter((pl.col("year") == 2024) & (pl.col("level") == "市级")).row(0, named=True)
    assert (row["honors_count"], row["new_count"]) == (1, 0)
    appointed = queries.run_query(con, "appointments_by_year", periods.query_params(CURRENT))
    row = appointed.filter(pl.col("year") == 2024).row(0, named=True)
    assert (row["secretaries_count"], row["deputy_secretaries_count"]) == (3, 1)
    row = appointed.filter(pl.col("year") == 2023).row(0, named=True)
    assert (row["secretaries_count"], row["deputy_secretaries_count"]) == (0, 1)  # 副书记 on 12-31


def test_meetings_yearly_kinds(con: duckdb.DuckDBPyConnection) -> None:
    frame = queries.run_query(con, "meetings_yearly_kinds", periods.query_params(CURRENT))
    got = {
        (r["year"], r["kind"]): (r["meetings_count"], r["orgs_count"]) for r in frame.iter_rows(named=True)
    }
    assert got == {(2023, "民主评议党员"): (1, 1), (2023, "组织生活会"): (1, 1), (2024, "组织生活会"): (2, 2)}


@pytest.mark.parametrize(("town", "root_members", "nodes"), [(None, 140, 8), ("城关镇", 68, 6)])
def test_org_tree(con: duckdb.DuckDBPyConnection, town: str | None, root_members: int, nodes: int) -> None:
    frame = queries.run_query(con, "org_tree", periods.query_params(CURRENT) | {"town": town})
    root = frame.filter(pl.col("node_id") == "__bureau__").row(0, named=True)
    assert root["members_count"] == root_members
    assert frame.height == nodes
    assert frame.filter(pl.col("node_id") == "O2a")["parent_id"].item() == "O2"


# ---------------------------------------------------------------- issue 18: activities, 统编三科, 党建品牌


@pytest.mark.parametrize(
    ("school_code", "count", "participants", "kinds", "held"),
    [
        ("S1", 2, 150, "教学观摩、蹲校教研", True),
        ("S2", 0, 0, None, False),  # its 培训 was on 2023-12-31
        ("S3", 1, 0, "结对共建", True),  # no participants recorded: 0, not null
        ("S4", 1, 50, "主题团队日", True),
        ("S5", 0, 0, None, False),  # its 宣讲 is on 2025-01-01
    ],
)
def test_activities_per_school(
    con: duckdb.DuckDBPyConnection,
    school_code: str,
    count: int,
    participants: int,
    kinds: str | None,
    held: bool,
) -> None:
    frame = queries.run_query(con, "activities_by_school", periods.query_params(CURRENT))
    assert frame.height == 5  # every school, those without an activity too (the page lists them)
    row = frame.filter(pl.col("school_code") == school_code).row(0, named=True)
    assert (
        row["activities_count"],
        row["participants_count"],
        row["activity_kinds"],
        row["has_records"],
    ) == (
        count,
        participants,
        kinds,
        held,
    )


def test_activities_by_month_list_year_and_titles(con: duckdb.DuckDBPyConnection) -> None:
    qp = periods.query_params(CURRENT)
    months = queries.run_query(con, "activities_by_month", qp)
    assert months.rows() == [
        (1, "党建", 1, 60),
        (3, "统编三科", 1, 120),
        (4, "教研", 1, 30),
        (5, "统编三科", 1, 200),
        (6, "统编三科", 1, 0),
        (12, "群团", 1, 50),
    ]
    listed = queries.run_query(con, "activities_list", qp)
    assert listed["activity_id"].to_list() == ["A5", "A4", "A3", "A2", "A1", "A8"]  # latest first
    district = listed.filter(pl.col("activity_id") == "A3").row(0, named=True)
    assert (district["school_name"], district["activity_title"]) == ("区级", "区级线上教学观摩")
    by_year = queries.run_query(con, "activities_by_year", qp)
    assert by_year.rows() == [(2023, 1, 40, 0, 0), (2024, 6, 460, 3, 1)]  # 2025's is after Y
    towns = queries.run_query(con, "activities_by_year", qp | {"town": "城关镇"})
    assert towns.rows() == [(2023, 1, 40, 0, 0), (2024, 2, 150, 2, 0)]
    titles = queries.run_query(con, "activities_by_kind_area", qp)
    training = titles.filter(pl.col("activity_kind") == "培训").row(0, named=True)
    assert (training["area"], training["activities_count"], training["top_titles"]) == (
        "党建",
        1,
        ["领航型校长培训"],
    )
    assert titles["activities_count"].sum() == 6


@pytest.mark.parametrize(
    ("school_code", "needed", "assigned", "gap", "short", "reported"),
    [
        ("S1", 4, 4, 1, "语文", True),  # the spare 道德与法治 teacher fills no 语文 post
        ("S2", 0, 0, 0, None, False),  # reported 2022-2023 only: 未报送 this school year
        ("S3", 2, 2, 0, None, True),
        ("S4", 2, 0, 2, "历史", True),
    ],
)
def test_unified_subjects_per_school(
    con: duckdb.DuckDBPyConnection,
    school_code: str,
    needed: int,
    assigned: int,
    gap: int,
    short: str | None,
    reported: bool,
) -> None:
    frame = queries.run_query(con, "unified_subjects_by_school", periods.query_params(CURRENT))
    assert frame["school_code"].to_list() == ["S1", "S2", "S3", "S4"]  # S5 reports from 2024-2025 on
    row = frame.filter(pl.col("school_code") == school_code).row(0, named=True)
    assert (row["teachers_needed"], row["teachers_assigned"], row["teachers_gap"]) == (needed, assigned, gap)
    assert (row["short_subjects"], row["is_short"], row["has_records"]) == (
        short,
        short is not None,
        reported,
    )


def test_unified_subjects_by_subject_and_breakdown(con: duckdb.DuckDBPyConnection) -> None:
    frame = queries.run_query(con, "unified_subjects_by_subject", periods.query_params(CURRENT))
    assert frame.rows() == [("历史", 2, 0, 2, 1), ("语文", 5, 4, 1, 1), ("道德与法治", 1, 2, 0, 0)]
    shown = schools.breakdown(con, "unified_subjects", CURRENT)
    # worst first as every breakdown (未报送, then 预警, then 达标); within 预警 the larger gap first
    assert shown.select("school_code", "status").rows() == [
        ("S2", MISSING),
        ("S4", WARN),
        ("S1", WARN),
        ("S3", OK),
    ]


def test_brands_per_primary_org(con: duckdb.DuckDBPyConnection) -> None:
    frame = schools.breakdown(con, "brands", CURRENT)
    got = {r["org_code"]: (r["brand"], r["is_branded"], r["status"]) for r in frame.iter_rows(named=True)}
    assert got == {
        "O1": ("红烛先锋", True, OK),
        "O2": (None, False, BAD),
        "O3": (None, False, BAD),  # blanks are no brand
        "O4": (None, False, BAD),
        "O5": ("同心圆", True, OK),
    }  # O2a's brand is a sub-branch's: not a primary org


@pytest.mark.parametrize(
    ("gap", "status"),
    [(0, catalog.STATUS_OK), (1, catalog.STATUS_WARN), (2, catalog.STATUS_WARN), (3, catalog.STATUS_BAD)],
)
def test_unified_subjects_status_is_judged_on_the_gap(gap: int, status: str) -> None:
    ind = catalog.INDICATORS_BY_KEY["unified_subjects"]
    assert catalog.status_of(ind, gap) == status
    frame = pl.DataFrame({"v": [gap]})
    assert frame.select(schools.status_expr("unified_subjects", "v").alias("s"))["s"].item() == status


def test_new_tables_empty_read_as_zero_counts_null_ratios_and_no_data(tmp_path: Path) -> None:
    """A district that has uploaded no 活动台账 and no 统编三科配备, and no Party org at all in one town:
    counts are 0, ratios null, and 统编三科 is 无数据 (nothing to judge), never 达标 with a gap of 0."""
    db_con = connection.connect(tmp_path / "bare.duckdb")
    frames_ = {
        k: v for k, v in district_frames().items() if k not in ("activities", "unified_subject_staffing")
    }
    ledger.load_batch(db_con, frames_, [], user="t")
    result = indicators.compute(db_con, CURRENT)
    assert_matches(
        result,
        {
            "activities": {
                "total": 0,
                "participants": 0,
                "by_kind": dict.fromkeys(EXPECTED_ALL["activities"]["by_kind"], 0),
                "participants_by_kind": dict.fromkeys(EXPECTED_ALL["activities"]["by_kind"], 0),
            },
            "unified_subjects": {"needed": 0, "assigned": 0, "gap": 0, "schools_short": 0},
            "brands": {"primary": 5, "branded": 2, "share": 0.4},
        },
    )
    assert result["coverage"]["unified_subjects"] == {"expected": 0, "reported": 0}
    assert result["status"]["unified_subjects"] == catalog.STATUS_NONE
    assert result["status"]["activities"] == catalog.STATUS_NONE
    assert indicators.reported_headline(result, "unified_subjects") is None  # a gap in the trend line
    matrix = schools.school_matrix(db_con, CURRENT)
    assert set(matrix["unified_subjects_status"]) == {catalog.STATUS_NONE}
    nowhere = indicators.compute(db_con, replace(CURRENT, town="河口镇"), ("brands",))  # S3 and S4: O4 only
    assert nowhere["brands"] == {"primary": 1, "branded": 0, "share": 0.0}
    db_con.close()


# ---------------------------------------------------------------- one school's profile


@pytest.mark.parametrize(
    ("name", "school_code", "rows"),
    [
        ("school_profile_info", "S1", 1),
        ("school_profile_leaders", "S3", 3),
        ("school_profile_matters", "S2", 3),
        ("school_profile_meetings", "S2", 8),
        ("school_profile_honors", "S1", 3),
        ("school_profile_rotation", "S1", 2),
        ("school_profile_activities", "S1", 2),
        ("school_profile_activities", "S4", 0),  # its 主题团日 of 12-31 lies after D
        ("school_profile_staffing", "S1", 2),
    ],
)
def test_school_profile_queries(
    con: duckdb.DuckDBPyConnection, name: str, school_code: str, rows: int
) -> None:
    frame = queries.run_query(con, name, periods.query_params(CURRENT, school_code=school_code))
    assert frame.height == rows


def test_school_profile_details(con: duckdb.DuckDBPyConnection) -> None:
    qp = periods.query_params(CURRENT, school_code="S3")
    leaders = queries.run_query(con, "school_profile_leaders", qp)
    assert leaders.filter(pl.col("person_id") == "P10")["is_current"].item() is False
    info = queries.run_query(con, "school_profile_info", qp).row(0, named=True)
    assert info["is_charter_revised"] is True and info["orgs_count"] == 0 and info["brands"] is None
    s2 = queries.run_query(con, "school_profile_info", periods.query_params(CURRENT, school_code="S2"))
    assert s2["brands"].item() == "书香支部"  # its sub-branch's brand (the 党总支 has none)
    rotation = queries.run_query(
        con, "school_profile_rotation", periods.query_params(CURRENT, school_code="S1")
    )
    assert rotation["rotated_share"].to_list() == pytest.approx([0.05, 0.1])
    assert rotation["is_below_target"].to_list() == [True, False]


# ---------------------------------------------------------------- matrix, breakdowns, watch list

OK, WARN, BAD, NONE = catalog.STATUS_OK, catalog.STATUS_WARN, catalog.STATUS_BAD, catalog.STATUS_NONE
MISSING = catalog.STATUS_MISSING  # no record for the period: 未报送, not 未达标
EXPECTED_MATRIX = {
    "S1": {
        "split_roles": ("分设", OK),
        "cross_appointment": (0.5, BAD),
        "rotation": (0.1, OK),
        "two_level_review": (2 / 3, BAD),
        "three_meetings_one_lesson": (1.0, OK),
        "charter": (True, OK),
        "duty_reports": (True, OK),
        "unified_subjects": (1, WARN),
    },
    "S2": {
        "split_roles": ("一肩挑", BAD),
        "cross_appointment": (0.0, BAD),
        "rotation": (1 / 30, BAD),
        "two_level_review": (0.0, BAD),
        "three_meetings_one_lesson": (0.0, BAD),
        "charter": (False, BAD),
        "duty_reports": (False, BAD),
        "unified_subjects": (0, MISSING),  # reported 2022-2023, not 2023-2024
    },
    "S3": {
        "split_roles": ("空缺", WARN),
        "cross_appointment": (None, NONE),
        "rotation": (None, NONE),
        "two_level_review": (0.0, BAD),
        "three_meetings_one_lesson": (None, NONE),  # its 联合 branch has no school_code
        "charter": (True, OK),
        "duty_reports": (False, MISSING),  # no 双向述职 row for the year
        "unified_subjects": (0, OK),
    },
    "S4": {
        "split_roles": ("分设", OK),
        "cross_appointment": (1.0, OK),
        "rotation": (0.2, OK),
        "two_level_review": (0.0, BAD),
        "three_meetings_one_lesson": (None, NONE),  # 党委 only, no branch
        "charter": (False, BAD),
        "duty_reports": (True, OK),
        "unified_subjects": (2, WARN),
    },
    "S5": {
        "split_roles": ("空缺", WARN),
        "cross_appointment": (None, NONE),
        "rotation": (None, MISSING),  # no 轮岗基数 row for the school year
        "two_level_review": (None, MISSING),  # no matter registered in the year
        "three_meetings_one_lesson": (0.5, BAD),
        "charter": (False, BAD),
        "duty_reports": (False, MISSING),  # no 双向述职 row for 2024
        "unified_subjects": (None, NONE),  # reports from 2024-2025 on: nothing expected yet
    },
}


@pytest.mark.parametrize("school_code", list(EXPECTED_MATRIX))
def test_school_matrix(con: duckdb.DuckDBPyConnection, school_code: str) -> None:
    matrix = schools.school_matrix(con, CURRENT)
    assert matrix.columns[:5] == ["school_code", "school_name", "town", "stage", "area_type"]
    row = matrix.filter(pl.col("school_code") == school_code).row(0, named=True)
    for key, (value, status) in EXPECTED_MATRIX[school_code].items():
        got = row[key]
        if isinstance(value, float):
            assert got == pytest.approx(value), key
        else:
            assert got == value, key
        assert row[f"{key}_status"] == status, key


def test_school_matrix_filtered(con: duckdb.DuckDBPyConnection) -> None:
    matrix = schools.school_matrix(con, Params(year=2024, school_year="2023-2024", as_of=D, town="河口镇"))
    assert matrix["school_code"].to_list() == ["S3", "S4"]


@pytest.mark.parametrize("key", list(frames.BREAKDOWN_QUERIES))
def test_every_breakdown_runs_with_labels(con: duckdb.DuckDBPyConnection, key: str) -> None:
    frame = schools.breakdown(con, key, CURRENT)
    assert frame.height > 0
    assert all(c in labels.COLUMN_LABELS for c in frame.columns), key
    if key in frames.BREAKDOWN_VALUE:
        assert "status" in frame.columns


def test_breakdown_puts_laggards_first(con: duckdb.DuckDBPyConnection) -> None:
    frame = schools.breakdown(con, "rotation", CURRENT)
    assert frame["school_code"].to_list()[0] == "S2"
    # S5 has no quota row for the school year: 未报送 right after the failing school; S3's quota is 0
    assert frame["status"].to_list() == [BAD, MISSING, OK, OK, NONE]


def test_breakdown_unknown_key(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(UsageError):
        schools.breakdown(con, "no_such_indicator", CURRENT)


def test_watch_list(con: duckdb.DuckDBPyConnection) -> None:
    frame = watch.watch_list(con, CURRENT)
    assert frame.columns == [
        "school_code",
        "school_name",
        "town",
        "indicator",
        "indicator_zh",
        "value",
        "previous_value",
    ]
    got = set(zip(frame["school_code"], frame["indicator"], strict=True))
    assert got == {
        ("S1", "cross_appointment"),  # 50% now and in 2023
        ("S2", "cross_appointment"),
        ("S2", "rotation"),  # 3.3% now, 0% in 2022-2023
        ("S2", "two_level_review"),  # M9 in 2023, M3/M4 in 2024
        ("S2", "charter"),
        ("S4", "charter"),
        ("S5", "charter"),
        # not listed: S2's and S5's 双向述职 and S5's 三会一课 were 未报送 in 2023 (no row, no meeting), which
        # is not 未达标, so they are not 连续两期未达标
    }
    row = frame.filter((pl.col("school_code") == "S2") & (pl.col("indicator") == "rotation")).row(
        0, named=True
    )
    assert (row["indicator_zh"], row["value"], row["previous_value"]) == ("交流轮岗比例", "3.3%", "0.0%")


# ---------------------------------------------------------------- periods: defaults, previous, compare, history


def test_defaults_from_data(con: duckdb.DuckDBPyConnection) -> None:
    resolved = periods.resolve(con, Params())
    # honours of 2025 and M8's party meeting on 2025-01-05 are the latest dated records
    # 2025's own school year (2024-2025) has no quotas: the latest one before it; as of 2025's year end
    assert (resolved.year, resolved.school_year, resolved.as_of) == (2025, "2023-2024", date(2025, 12, 31))
    assert resolved.defaulted == {"year", "school_year", "as_of"}
    assert indicators.compute(con, Params())["params"]["year"] == 2025


@pytest.mark.parametrize(
    ("table_name", "row"),
    [
        ("leaders", ("P99", "新人", "S1", "副校长", T, d("2020-01-01"), d("2030-02-01"))),
        ("party_orgs", ("O99", "新支部", "党支部", "S1", "O2", 3, d("2030-02-01"), None)),
        ("matters", ("M99", "S1", "其他", "事项", None, d("2024-01-01"), None, None, d("2030-02-01"))),
        ("meetings", ("MT999", "O1", "党课", d("2030-02-01"), None, None)),
        ("honors", ("O4", "市级", 2030)),
        ("duty_reports", ("S5", 2030, F, F)),
        ("activities", ("A99", None, None, "其他", "其他", "活动", d("2030-02-01"), None)),
    ],
)
def test_default_year_reads_every_dated_column(tmp_path: Path, table_name: str, row: tuple[Any, ...]) -> None:
    path = tmp_path / "defaults.duckdb"
    con = connection.connect(path)
    ledger.load_batch(con, district_frames(), [], user="t")
    ledger.load_batch(con, {table_name: typed(table_name, [row])}, [], user="t")
    assert periods.resolve(con, Params()).year == 2030
    con.close()


def test_defaults_without_data(tmp_path: Path) -> None:
    con = connection.connect(tmp_path / "empty.duckdb")
    resolved = periods.resolve(con, Params(as_of=date(2024, 10, 1)))
    # no dated record: the year of the chosen day, and the school year ending in it
    assert (resolved.year, resolved.school_year) == (2024, "2023-2024")
    assert_matches(
        indicators.compute(con, resolved), {"rotation": {"ratio": None}, "charter": {"rate": None}}
    )
    con.close()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (CURRENT, Params(year=2023, school_year="2022-2023", as_of=date(2023, 6, 30))),
        (
            Params(year=2024, school_year="2024-2025", as_of=date(2024, 2, 29), town="城关镇"),
            Params(year=2023, school_year="2023-2024", as_of=date(2023, 2, 28), town="城关镇"),
        ),
        # defaults are filled again for the previous year (its own year end, its own school year)
        (
            Params(
                year=2023,
                school_year="2022-2023",
                as_of=date(2023, 12, 31),
                defaulted=frozenset({"school_year", "as_of"}),
            ),
            Params(year=2022, school_year="2021-2022"),
        ),
    ],
)
def test_previous(params: Params, expected: Params) -> None:
    assert periods.previous(params) == expected


def test_previous_of_the_defaults_is_the_previous_year_as_of_its_own_year_end(
    con: duckdb.DuckDBPyConnection,
) -> None:
    now = periods.resolve(con, Params())
    before = periods.resolve(con, periods.previous(now))
    # 2025 fell back to 2023-2024 (no quotas for 2024-2025): 上期 takes the one before, never the same
    assert (before.year, before.school_year, before.as_of) == (2024, "2022-2023", date(2024, 12, 31))
    explicit = periods.resolve(con, Params(year=2024, as_of=date(2024, 6, 30)))
    moved = periods.resolve(con, periods.previous(explicit))
    assert (moved.year, moved.school_year, moved.as_of) == (2023, "2022-2023", date(2023, 6, 30))


def test_compare(con: duckdb.DuckDBPyConnection) -> None:
    result = indicators.compare(con, CURRENT)
    assert set(result) == {i.key for i in catalog.INDICATORS}
    rotation = result["rotation"]
    assert rotation["value"] == pytest.approx(0.1)
    assert rotation["previous"] == pytest.approx(0.02)  # 1 of 50 in 2022-2023
    assert (rotation["trend"], rotation["status"], rotation["previous_status"]) == ("↑", OK, BAD)
    split = result["split_roles"]  # 2023-06-30: S1, S2 (P7 still 书记), S3 split; S4, S5 vacant
    assert (split["previous"], split["trend"]) == (1.0, "↓")
    assert result["schools"]["trend"] == "持平"


def test_history_matches_compute_for_each_period(con: duckdb.DuckDBPyConnection) -> None:
    frame = history.history(con, CURRENT)
    assert frame.columns[:3] == ["period", "indicator", "value"]
    yearly = frame.filter(~pl.col("indicator").is_in(list(history.SCHOOL_YEAR_HISTORY)))
    assert sorted(set(yearly["period"])) == ["2022", "2023", "2024"]  # 2025 starts after D
    for period in ("2022", "2023", "2024"):
        year = int(period)
        as_of = min(date(year, 12, 31), D)
        result = indicators.compute(con, Params(year=year, school_year="2023-2024", as_of=as_of))
        for ind in catalog.INDICATORS:
            if ind.key in history.SCHOOL_YEAR_HISTORY:
                continue
            got = yearly.filter((pl.col("period") == period) & (pl.col("indicator") == ind.key))[
                "value"
            ].item()
            want = indicators.reported_headline(result, ind.key)  # a year without records is a gap
            assert got == (pytest.approx(want) if want is not None else None), (period, ind.key)
    rotation = frame.filter(pl.col("indicator") == "rotation").sort("period")
    assert rotation["period"].to_list() == ["2022-2023", "2023-2024"]
    assert rotation["value"].to_list() == pytest.approx([0.02, 0.1])
    # 统编三科 per school year too, each the gap compute() gives for that school year
    staffing = frame.filter(pl.col("indicator") == "unified_subjects").sort("period")
    assert staffing["period"].to_list() == ["2022-2023", "2023-2024", "2024-2025"]
    assert staffing["value"].to_list() == [0.0, 3.0, 1.0]
    for school_year, gap in zip(staffing["period"], staffing["value"], strict=True):
        reading = indicators.compute(con, replace(CURRENT, school_year=school_year), ("unified_subjects",))
        assert reading["unified_subjects"]["gap"] == gap
    assert frame.filter((pl.col("period") == "2024") & (pl.col("indicator") == "split_roles"))[
        "value"
    ].item() == pytest.approx(2 / 3)


# ---------------------------------------------------------------- consistency between files


@pytest.mark.parametrize("filters", [Params(), Params(town="城关镇"), Params(stage="小学")])
def test_per_school_files_add_up_to_the_headline(con: duckdb.DuckDBPyConnection, filters: Params) -> None:
    params = Params(year=2024, school_year="2023-2024", as_of=D, town=filters.town, stage=filters.stage)
    qp = periods.query_params(params)
    result = indicators.compute(con, params)
    split = queries.run_query(con, "split_roles_by_school", qp)["split_status"].value_counts()
    counts = dict(zip(split["split_status"], split["count"], strict=True))
    assert (counts.get("分设", 0), counts.get("一肩挑", 0), counts.get("空缺", 0)) == (
        result["split_roles"]["split"],
        result["split_roles"]["combined"],
        result["split_roles"]["vacant"],
    )
    review = queries.run_query(con, "review_by_school", qp)
    assert review["matters_count"].sum() == result["two_level_review"]["matters"]
    assert review["compliant_count"].sum() == result["two_level_review"]["compliant"]
    rotation = queries.run_query(con, "rotation_by_school", qp)
    assert rotation["rotated_count"].sum() == result["rotation"]["rotated"]
    assert rotation["is_below_target"].sum() == result["rotation"]["schools_below_target"]
    meetings = queries.run_query(con, "meetings_by_org", qp)
    assert meetings["quarters_due_count"].sum() == result["three_meetings_one_lesson"]["org_quarters"]
    assert meetings["compliant_count"].sum() == result["three_meetings_one_lesson"]["compliant"]
    for name, key, field, column in [
        ("charter_by_school", "charter", "revised", "is_revised"),
        ("duty_reports_by_school", "duty_reports", "both_done", "is_both_done"),
        ("unified_subjects_by_school", "unified_subjects", "gap", "teachers_gap"),
        ("unified_subjects_by_school", "unified_subjects", "schools_short", "is_short"),
        ("brands_by_org", "brands", "branded", "is_branded"),
    ]:
        assert queries.run_query(con, name, qp)[column].sum() == result[key][field]
    # activities: the schools' own plus the district-level ones, which count only without a filter
    by_school = queries.run_query(con, "activities_by_school", qp)["activities_count"].sum()
    district_level = 2 if filters == Params() else 0
    assert by_school + district_level == result["activities"]["total"]
    by_month = queries.run_query(con, "activities_by_month", qp)
    assert by_month["activities_count"].sum() == result["activities"]["total"]
    assert by_month["participants_count"].sum() == result["activities"]["participants"]
    for column in ("stage", "town"):
        grouped = schools.split_roles_by(con, column, params)
        assert grouped["split_count"].sum() == result["split_roles"]["split"]
        assert grouped["combined_count"].sum() == result["split_roles"]["combined"]
        assert grouped["vacant_count"].sum() == result["split_roles"]["vacant"]


# ---------------------------------------------------------------- run_query and the files themselves


def test_run_query_passes_only_used_parameters(con: duckdb.DuckDBPyConnection) -> None:
    frame = queries.run_query(con, "schools_total", {"year": 2024, "school_code": "S1", "unused": 1})
    assert frame["total"].item() == 5
    assert queries.query_parameters("schools_total") == {"town", "stage", "area_type", "scope"}


@pytest.mark.parametrize("name", ["no_such_query", "../pyproject", "Schools_Total"])
def test_run_query_rejects_unknown_names(con: duckdb.DuckDBPyConnection, name: str) -> None:
    with pytest.raises(UsageError):
        queries.run_query(con, name, {})


def test_run_query_missing_parameter_is_a_usage_error(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(UsageError, match="year"):
        queries.run_query(con, "appointments_summary", {})


@pytest.mark.parametrize("name", queries.query_names())
def test_query_file_conventions(name: str) -> None:
    """Documented in queries/README.md, one statement, lowercase keywords, no string-built values."""
    assert f"| {name} |" in (queries.QUERIES_DIR / "README.md").read_text(encoding="utf-8")
    text = (queries.QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
    code = "\n".join(line.split("--")[0] for line in text.splitlines())
    assert code.strip().count(";") == 0
    for keyword in ("SELECT", "FROM", "WHERE", "GROUP BY", "JOIN"):
        assert keyword not in code
    assert "{" not in code and "%s" not in code


def test_branch_rule_matches_schema() -> None:
    """The branch types are written once, in the is_branch rule, and agree with the schema's."""
    text = queries.rule_text("is_branch")
    assert "p_org_type in (" + ", ".join(f"'{t}'" for t in BRANCH_TYPES) + ")" in text
    files = [n for n in queries.query_names() if "'党支部'" in queries.sql_text(n)]
    assert files == []


def test_every_rule_is_created_and_none_is_unused() -> None:
    from oversight.engine import migrations

    rules = migrations.RULES + migrations.RULES_ON_SUMMARIES
    assert sorted(rules) == queries.rule_names()
    texts = [queries.sql_text(n) for n in queries.query_names()] + [queries.rule_text(n) for n in rules]
    for name in rules:
        calls = sum(text.count(f"{name}(") for text in texts) - 1  # its own definition
        assert calls >= 1, f"rule {name} is never used"


@pytest.mark.parametrize("key", [i.key for i in catalog.INDICATORS if i.ok_at is not None])
@pytest.mark.parametrize(
    "value", [None, 0.0, 0.05, 0.079999, 0.08, 0.5, 0.6, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0]
)
def test_status_expression_agrees_with_catalog(key: str, value: float | None) -> None:
    frame = pl.DataFrame({"v": [value]}, schema={"v": pl.Float64})
    got = frame.select(schools.status_expr(key, "v").alias("s"))["s"].item()
    assert got == catalog.status_of(catalog.INDICATORS_BY_KEY[key], value)


def test_format_text(con: duckdb.DuckDBPyConnection) -> None:
    text = formats.format_text(indicators.compute(con, CURRENT))
    assert "年度 2024" in text and "学年 2023-2024" in text and "截至 2024-06-30" in text
    assert "书记校长分设" in text and "66.7%" in text and "预警" in text
    assert "一肩挑 1" in text and "联合党支部 1" in text
    lines = text.splitlines()
    assert len(lines) == 2 + 1 + len(catalog.INDICATORS)


def test_available_periods(con: duckdb.DuckDBPyConnection) -> None:
    years = periods.available_years(con)
    assert years[0] == 2018 and years[-1] == 2025  # 2018: P7 and P15 appointed
    assert periods.resolve(con, Params()).year in years
    assert periods.available_school_years(con) == ["2022-2023", "2023-2024"]


@pytest.mark.parametrize("town", [None, "城关镇"])
def test_overview_is_compute_and_matrix_from_one_run(
    con: duckdb.DuckDBPyConnection, town: str | None
) -> None:
    """总览 reads both from one run of the per-school queries; they must equal the separate functions."""
    params = replace(CURRENT, town=town)
    result, matrix = indicators.overview(con, params)
    assert result == indicators.compute(con, params)
    assert matrix.equals(schools.school_matrix(con, params))


def test_compute_of_some_indicators_equals_the_full_reading(con: duckdb.DuckDBPyConnection) -> None:
    full = indicators.compute(con, CURRENT)
    some = indicators.compute(con, CURRENT, ("rotation", "two_level_review"))
    assert set(some) == {"rotation", "two_level_review", "params", "status", "coverage"}
    assert some["coverage"] == {k: full["coverage"][k] for k in ("rotation", "two_level_review")}
    assert some["rotation"] == full["rotation"] and some["two_level_review"] == full["two_level_review"]
    assert some["status"] == {k: full["status"][k] for k in ("rotation", "two_level_review")}
    changes = indicators.compare_results(
        some, indicators.compute(con, periods.previous(CURRENT), ("rotation",))
    )
    assert set(changes) == {"rotation"}
    with pytest.raises(UsageError, match="没有指标“rotations”"):
        indicators.compute(con, CURRENT, ("rotations",))
