"""The bundled sample district: a reproducible synthetic 区县 and the files its analysts would upload.

Why it exists: leaders and testers need a district that looks like the real one on the first run,
before any school has exported anything. Its 2023 headline figures match the district summary this
product was written from (49 一级党组织 = 8 党总支 + 41 党支部, 1715 党员, 37 最强党支部, 13 new 书记 and
31 new 副书记, district rotation at or above 10% in 2022-2023, every 党总支 school with split posts),
and every other indicator has a believable spread with some schools lagging, a few two years running.

Everything random comes from `random.Random` instances seeded from the seed and a section name (string
seeds are hashed with SHA-512, not with Python's per-process string hash), and nothing iterates over a
set, so `build_district()` returns identical frames on every run and `write_sample_files()` writes
byte-identical files (the workbooks' zip timestamps and document dates are pinned).

Columns, Chinese headers and dtypes are read from `oversight.schema`; nothing here retypes them.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import math
import random
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
from openpyxl.utils import get_column_letter

from oversight.contract.schema import TABLES, Column, Table, table
from oversight.engine import connection, ledger

DEFAULT_SEED = 2023
#: the calendar year the district summary describes; no dated record lies after it, so it is the default Y
SAMPLE_YEAR = 2023
#: the school years of rotation records; the last is the default S of the indicators
SCHOOL_YEARS = ("2020-2021", "2021-2022", "2022-2023")
DATA_END = date(SAMPLE_YEAR, 12, 31)
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
DEMO_USER = "演示数据"

#: polars dtype per schema column type (Decimal(18,2) matches the store's DECIMAL(18,2))
POLARS_TYPES: dict[str, pl.DataType] = {
    "text": pl.Utf8(),
    "code": pl.Utf8(),
    "enum": pl.Utf8(),
    "school_year": pl.Utf8(),
    "bool": pl.Boolean(),
    "int": pl.Int64(),
    "decimal": pl.Decimal(18, 2),
    "date": pl.Date(),
}

# ---------------------------------------------------------------- the district's fixed shape

TOWNS: tuple[str, ...] = ("城关街道", "东城街道", "西湖街道", "青山镇", "柳河镇", "石桥镇")
GROUP_CHENGGUAN = "城关一小教育集团"
GROUP_XIHU = "西湖实验教育集团"
GROUP_QINGSHAN = "青山镇学区"

#: org layout of a school: its own 党总支 or 党支部, or covered by a 联合党支部 under a 党总支
OWN_ZONGZHI, OWN_ZHIBU, JOINT_LEAD, JOINT_MEMBER = "党总支", "党支部", "联合牵头", "联合成员"


@dataclass(frozen=True)
class SchoolSpec:
    """One school of the hand-drawn roster: what a district map would show."""

    name: str
    stage: str
    town: str
    area_type: str
    org: str = OWN_ZHIBU
    is_public: bool = True
    group: str | None = None
    #: for a 党总支: names of its sub-branches (a name starting with '联合:' is a 联合党支部)
    branches: tuple[str, ...] = ()


ROSTER: tuple[SchoolSpec, ...] = (
    # 城关街道
    SchoolSpec(
        "城关第一小学",
        "小学",
        "城关街道",
        "城区",
        OWN_ZONGZHI,
        group=GROUP_CHENGGUAN,
        branches=("第一党支部", "第二党支部", "退休教师党支部"),
    ),
    SchoolSpec("城关第二小学", "小学", "城关街道", "城区"),
    SchoolSpec("城关第三小学", "小学", "城关街道", "城区", group=GROUP_CHENGGUAN),
    SchoolSpec("城关第四小学", "小学", "城关街道", "城区"),
    SchoolSpec("城关第五小学", "小学", "城关街道", "城区"),
    SchoolSpec("城关第一初级中学", "初中", "城关街道", "城区"),
    SchoolSpec("城关第二初级中学", "初中", "城关街道", "城区"),
    SchoolSpec(
        "区第一中学",
        "高中",
        "城关街道",
        "城区",
        OWN_ZONGZHI,
        branches=("高一年级党支部", "高二年级党支部", "高三年级党支部", "行政后勤党支部"),
    ),
    SchoolSpec("城关幼儿园", "幼儿园", "城关街道", "城区"),
    SchoolSpec("城关实验幼儿园", "幼儿园", "城关街道", "城区"),
    SchoolSpec("区特殊教育学校", "特殊教育", "城关街道", "城区"),
    # 东城街道
    SchoolSpec("东城小学", "小学", "东城街道", "城区", group=GROUP_CHENGGUAN),
    SchoolSpec("东城实验小学", "小学", "东城街道", "城区"),
    SchoolSpec("东城第二小学", "小学", "东城街道", "城区"),
    SchoolSpec("东城中学", "初中", "东城街道", "城区"),
    SchoolSpec("东城第二中学", "初中", "东城街道", "城区"),
    SchoolSpec(
        "区实验高级中学",
        "高中",
        "东城街道",
        "城区",
        OWN_ZONGZHI,
        branches=("教师第一党支部", "教师第二党支部", "行政党支部"),
    ),
    SchoolSpec("东城幼儿园", "幼儿园", "东城街道", "城区"),
    SchoolSpec("区外国语学校", "十二年一贯制", "东城街道", "城区", is_public=False),
    # 西湖街道
    SchoolSpec("区实验小学", "小学", "西湖街道", "城区", group=GROUP_XIHU),
    SchoolSpec("西湖小学", "小学", "西湖街道", "城区", group=GROUP_XIHU),
    SchoolSpec("西湖第二小学", "小学", "西湖街道", "城区"),
    SchoolSpec("西湖第三小学", "小学", "西湖街道", "城区"),
    SchoolSpec("西湖中学", "初中", "西湖街道", "城区"),
    SchoolSpec("西湖实验学校", "九年一贯制", "西湖街道", "城区", group=GROUP_XIHU),
    SchoolSpec(
        "区第二中学",
        "高中",
        "西湖街道",
        "城区",
        OWN_ZONGZHI,
        branches=("第一党支部", "第二党支部", "退休教师党支部"),
    ),
    SchoolSpec("西湖幼儿园", "幼儿园", "西湖街道", "城区"),
    SchoolSpec("启明星幼儿园", "幼儿园", "西湖街道", "城区", is_public=False),
    # 青山镇
    SchoolSpec(
        "青山镇中心学校",
        "九年一贯制",
        "青山镇",
        "镇区",
        OWN_ZONGZHI,
        group=GROUP_QINGSHAN,
        branches=("小学部党支部", "初中部党支部", "联合:青山镇幼儿园联合党支部"),
    ),
    SchoolSpec(
        "青山中学", "完全中学", "青山镇", "镇区", OWN_ZONGZHI, branches=("初中部党支部", "高中部党支部")
    ),
    SchoolSpec("青山镇中心小学", "小学", "青山镇", "镇区", group=GROUP_QINGSHAN),
    SchoolSpec("青山镇中心幼儿园", "幼儿园", "青山镇", "镇区"),
    SchoolSpec("青山镇杨庄小学", "小学", "青山镇", "乡村", group=GROUP_QINGSHAN),
    SchoolSpec("青山镇李村小学", "小学", "青山镇", "乡村", group=GROUP_QINGSHAN),
    SchoolSpec("青山镇东岗小学", "小学", "青山镇", "乡村"),
    SchoolSpec("青山镇杨庄幼儿园", "幼儿园", "青山镇", "乡村", JOINT_LEAD),
    SchoolSpec("青山镇李村幼儿园", "幼儿园", "青山镇", "乡村", JOINT_MEMBER),
    # 柳河镇
    SchoolSpec(
        "柳河镇中心小学",
        "小学",
        "柳河镇",
        "镇区",
        OWN_ZONGZHI,
        branches=("机关党支部", "联合:柳河镇村小联合党支部"),
    ),
    SchoolSpec(
        "柳河中学", "完全中学", "柳河镇", "镇区", OWN_ZONGZHI, branches=("初中部党支部", "高中部党支部")
    ),
    SchoolSpec("柳河镇初级中学", "初中", "柳河镇", "镇区"),
    SchoolSpec("柳河镇中心幼儿园", "幼儿园", "柳河镇", "镇区"),
    SchoolSpec("柳河镇张庄小学", "小学", "柳河镇", "乡村"),
    SchoolSpec("柳河镇西岸小学", "小学", "柳河镇", "乡村"),
    SchoolSpec("柳河镇王家小学", "小学", "柳河镇", "乡村", JOINT_LEAD),
    SchoolSpec("柳河镇东坡小学", "小学", "柳河镇", "乡村", JOINT_MEMBER),
    SchoolSpec("柳河镇河口小学", "小学", "柳河镇", "乡村", JOINT_MEMBER),
    # 石桥镇
    SchoolSpec("石桥镇中心小学", "小学", "石桥镇", "镇区"),
    SchoolSpec("石桥镇初级中学", "初中", "石桥镇", "镇区"),
    SchoolSpec("石桥镇新华学校", "九年一贯制", "石桥镇", "乡村"),
    SchoolSpec("石桥镇中心幼儿园", "幼儿园", "石桥镇", "镇区"),
    SchoolSpec("石桥镇南湾小学", "小学", "石桥镇", "乡村"),
    SchoolSpec("石桥镇北岭小学", "小学", "石桥镇", "乡村"),
    SchoolSpec("石桥镇刘集小学", "小学", "石桥镇", "乡村"),
    SchoolSpec("石桥镇东湖小学", "小学", "石桥镇", "乡村"),
)

#: (students, staff) ranges by (stage, area type); the first matching entry wins
SIZES: tuple[tuple[str, str | None, tuple[int, int], tuple[int, int]], ...] = (
    ("小学", "城区", (1300, 2800), (75, 150)),
    ("小学", "镇区", (900, 1600), (55, 95)),
    ("小学", "乡村", (90, 420), (10, 32)),
    ("初中", "城区", (1100, 2200), (95, 180)),
    ("初中", None, (600, 1200), (60, 110)),
    ("九年一贯制", "乡村", (350, 650), (38, 62)),
    ("九年一贯制", None, (1200, 2100), (110, 170)),
    ("高中", None, (2100, 3400), (190, 280)),
    ("完全中学", None, (1500, 2500), (150, 220)),
    ("十二年一贯制", None, (1800, 2600), (170, 230)),
    ("特殊教育", None, (110, 190), (40, 60)),
    ("幼儿园", "城区", (300, 620), (38, 72)),
    ("幼儿园", "镇区", (200, 420), (22, 42)),
    ("幼儿园", "乡村", (50, 140), (6, 14)),
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
_GIVEN_NAME_TEXT = (
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 秀英 秀兰 桂英 建华 建国 志强 海燕 "
    "晓东 春梅 国庆 丽娟 晓燕 雪梅 文静 俊杰 红梅 玉兰 德明 卫东 立新 淑珍 新民 永刚 丽萍 晓明 建军 志刚 "
    "小红 海峰 文华 婷婷 浩然 子涵 欣怡 宇航 思远 佳琪 梦瑶 鹏飞 振华 雅琴 慧敏 凤英 宏伟 金凤 秋菊"
)
GIVEN_NAMES: tuple[str, ...] = tuple(_GIVEN_NAME_TEXT.split())

MEETING_TOPICS: dict[str, tuple[str, ...]] = {
    "支部党员大会": (
        "传达学习上级会议精神",
        "讨论接收预备党员",
        "预备党员转正表决",
        "通报党费收缴情况",
        "研究年度党建工作计划",
        "学习党组织领导的校长负责制实施办法",
    ),
    "支部委员会": (
        "研究本月党建工作",
        "研究发展党员工作",
        "前置研究三重一大事项",
        "研究主题党日活动安排",
        "研究师德师风建设",
        "分析党员思想状况",
        "研究意识形态工作",
    ),
    "党小组会": ("学习《中国共产党章程》", "交流学习体会", "讨论班级管理与育人工作"),
    "党课": (
        "书记讲党课：坚持党组织领导的校长负责制",
        "师德师风专题党课",
        "廉洁从教专题党课",
        "学习习近平新时代中国特色社会主义思想",
    ),
    "主题党日": ("重温入党誓词", "志愿服务进社区", "参观红色教育基地", "过政治生日", "学习身边榜样"),
}
YEAR_THEMES: dict[int, str] = {
    2021: "党史学习教育专题学习",
    2022: "学习宣传贯彻党的二十大精神",
    2023: "学习贯彻习近平新时代中国特色社会主义思想主题教育",
}

MATTER_TITLES: dict[str, tuple[str, ...]] = {
    "重大决策": (
        "学校年度工作计划",
        "课后服务实施方案",
        "教师绩效工资分配方案",
        "学生作业管理办法",
        "学校三年发展规划",
        "章程修订方案",
    ),
    "选人用人": ("中层干部选拔任用", "年级组长聘任", "教师岗位聘用", "新教师招聘方案", "中层干部轮岗调整"),
    "职称评审": ("教师职称推荐", "中级职称评审推荐人选", "高级职称推荐人选"),
    "大额资金使用": (
        "采购多媒体教学设备",
        "图书馆图书采购",
        "食堂设备更新",
        "校园安防监控升级",
        "实验室仪器采购",
        "课桌椅更新",
    ),
    "基本建设": ("教学楼维修改造", "运动场塑胶跑道改造", "校舍抗震加固", "食堂扩建工程", "厕所改造工程"),
    "其他": ("校服征订方案", "学生研学活动方案", "家长委员会换届", "校园开放日安排"),
}
MATTER_WEIGHTS: dict[str, int] = {
    "重大决策": 3,
    "选人用人": 3,
    "职称评审": 2,
    "大额资金使用": 4,
    "基本建设": 2,
    "其他": 2,
}


# ---------------------------------------------------------------- helpers


def _rng(seed: int, section: str) -> random.Random:
    """An independent generator per section, so changing one section leaves the others as they were."""
    return random.Random(f"{seed}:{section}")


def _day_in(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _weekday(day: date) -> date:
    """Meetings fall on working days: a weekend date moves to the Friday before, or to the Monday after
    when that Friday is in the previous month (a meeting must stay in the month it was planned for)."""
    if day.weekday() < 5:
        return day
    friday = day - timedelta(days=day.weekday() - 4)
    return friday if friday.month == day.month else day + timedelta(days=7 - day.weekday())


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


class _Names:
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


def _frame(table_name: str, rows: list[dict[str, object]]) -> pl.DataFrame:
    """Typed frame with exactly the schema's columns in schema order, sorted by the table's key."""
    t = table(table_name)
    schema = {c.name: POLARS_TYPES[c.type] for c in t.columns}
    for row in rows:
        if list(row) != t.column_names:
            raise ValueError(f"{table_name}: row columns {list(row)} differ from the schema")
    frame = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    return frame.sort(list(t.key))


def _row(table_name: str, **values: object) -> dict[str, object]:
    """A row dict in schema order; a missing optional column is null, an unknown one is an error."""
    t = table(table_name)
    unknown = [k for k in values if k not in t.column_names]
    if unknown:
        raise KeyError(f"{table_name}: unknown columns {unknown}")
    return {name: values.get(name) for name in t.column_names}


# ---------------------------------------------------------------- sections


@dataclass
class _School:
    spec: SchoolSpec
    code: str
    students: int
    staff: int
    #: the org the school's Party members belong to (its own, or the 联合党支部 covering it)
    org_code: str | None = None


def _schools(seed: int) -> tuple[list[_School], list[dict[str, object]]]:
    rng = _rng(seed, "schools")
    codes = sorted(rng.sample(range(10000, 99999), len(ROSTER)))
    out: list[_School] = []
    rows: list[dict[str, object]] = []
    # four schools whose charter still lacks the Party organization's leading role, one with no date
    not_revised = set(rng.sample(range(len(ROSTER)), 4))
    undated = rng.choice([i for i in range(len(ROSTER)) if i not in not_revised])
    for i, spec in enumerate(ROSTER):
        students_range, staff_range = next(
            (s, f) for stage, area, s, f in SIZES if stage == spec.stage and area in (None, spec.area_type)
        )
        school = _School(spec, f"21410{codes[i]}", rng.randint(*students_range), rng.randint(*staff_range))
        out.append(school)
        revised = i not in not_revised
        revised_on = None
        if revised and i != undated:
            # most charters were revised after the 2022 national rules, a few earlier
            year = rng.choices((2020, 2021, 2022, 2023), weights=(1, 2, 4, 5))[0]
            revised_on = _day_in(rng, date(year, 3, 1), date(year, 12, 20))
        rows.append(
            _row(
                "schools",
                school_code=school.code,
                school_name=spec.name,
                stage=spec.stage,
                town=spec.town,
                area_type=spec.area_type,
                is_public=spec.is_public,
                education_group=spec.group,
                students=school.students,
                staff=school.staff,
                charter_revised=revised,
                charter_revised_on=revised_on,
            )
        )
    return out, rows


#: 一级党组织 members in the district summary
PRIMARY_MEMBERS = 1715


def _party_orgs(seed: int, schools: list[_School]) -> list[dict[str, object]]:
    """49 primary orgs (8 党总支, 41 党支部) with exactly 1715 members, plus sub-branches under the 党总支."""
    rng = _rng(seed, "party_orgs")
    primary = [s for s in schools if s.spec.org in (OWN_ZONGZHI, OWN_ZHIBU)]
    # raw party share of staff: public schools about a third, kindergartens and private schools fewer
    raw: list[float] = []
    for s in primary:
        share = 0.38 if s.spec.is_public else 0.15
        if s.spec.stage == "幼儿园":
            share = 0.2 if s.spec.is_public else 0.1
        joint = [
            j for j in schools if j.spec.org in (JOINT_LEAD, JOINT_MEMBER) and j.spec.town == s.spec.town
        ]
        extra = sum(j.staff for j in joint) if any(b.startswith("联合:") for b in s.spec.branches) else 0
        raw.append((s.staff + extra * 0.6) * share * rng.uniform(0.85, 1.15))
    scale = PRIMARY_MEMBERS / sum(raw)
    members = [max(3, round(r * scale)) for r in raw]
    # settle the rounding remainder one member at a time on the larger orgs
    order = sorted(range(len(primary)), key=lambda i: -members[i])
    step = 0
    while sum(members) != PRIMARY_MEMBERS:
        i = order[step % 12]
        members[i] += 1 if sum(members) < PRIMARY_MEMBERS else -1
        step += 1

    rows: list[dict[str, object]] = []
    for n, (s, total) in enumerate(zip(primary, members, strict=True), start=1):
        code = f"JW{n:03d}"
        s.org_code = code
        kind = s.spec.org
        founded = _day_in(rng, date(1985, 1, 1), date(2016, 12, 31)) if rng.random() < 0.8 else None
        rows.append(
            _row(
                "party_orgs",
                org_code=code,
                org_name=f"{s.spec.name}{kind}" if kind == OWN_ZHIBU else f"中共{s.spec.name}总支部委员会",
                org_type=kind,
                school_code=s.code,
                parent_org_code=None,
                members=total,
                founded_on=founded,
            )
        )
        if kind == OWN_ZHIBU:
            continue
        # sub-branches share the 党总支's members; a 联合党支部 takes the village schools' few members
        names = s.spec.branches
        joint_size = rng.randint(6, 9)
        weights = [rng.uniform(0.7, 1.3) if not b.startswith("联合:") else 0.0 for b in names]
        rest = total - (joint_size if any(b.startswith("联合:") for b in names) else 0)
        shares = [math.floor(rest * w / sum(weights)) for w in weights]
        shares[0] += rest - sum(shares)
        for k, (branch, share) in enumerate(zip(names, shares, strict=True), start=1):
            sub_code = f"{code}-{k:02d}"
            joint = branch.startswith("联合:")
            sub_founded = _day_in(rng, date(2012, 1, 1), date(2020, 12, 31)) if rng.random() < 0.7 else None
            if joint and "柳河" in branch:
                sub_founded = date(2023, 3, 15)  # new in 2023: its first quarter is not measured
            if branch == "行政后勤党支部":
                sub_founded = date(2022, 9, 1)
            rows.append(
                _row(
                    "party_orgs",
                    org_code=sub_code,
                    org_name=branch.removeprefix("联合:") if joint else f"{s.spec.name}{branch}",
                    org_type="联合党支部" if joint else "党支部",
                    school_code=None if joint else s.code,
                    parent_org_code=code,
                    members=joint_size if joint else share,
                    founded_on=sub_founded,
                )
            )
            if joint:
                for j in schools:
                    if j.spec.org in (JOINT_LEAD, JOINT_MEMBER) and j.spec.town == s.spec.town:
                        j.org_code = sub_code
    return rows


# leaders ---------------------------------------------------------------------------------------------

#: 2023 appointment counts of the district summary
NEW_SECRETARIES, NEW_DEPUTY_SECRETARIES = 13, 31


class _Leaders:
    """Builds leader rows with person ids handed out in order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names = _Names(rng)
        self.rows: list[dict[str, object]] = []
        self.next_id = 1

    def person(self) -> tuple[str, str]:
        pid = f"P{self.next_id:05d}"
        self.next_id += 1
        return pid, self.names.unique()

    def add(
        self, who: tuple[str, str], school: str, post: str, member: bool, on: date, left: date | None = None
    ) -> None:
        self.rows.append(
            _row(
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


def _leaders(seed: int, schools: list[_School]) -> list[dict[str, object]]:
    """Posts as of 2023-12-31; every row is either still in post or ended on or before that day.

    Split (分设): all 8 党总支 schools and 30 党支部 schools; 一肩挑: 10 small 党支部 schools and the two
    schools leading a 联合党支部; vacant: one school whose 校长 left in 2023, and the three other
    联合 schools, which have a 校长 but no 书记 of their own.
    """
    rng = _rng(seed, "leaders")
    b = _Leaders(rng)
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

    def when(year: int, lo: tuple[int, int] = (1, 1), hi: tuple[int, int] = (12, 31)) -> date:
        return _day_in(rng, date(year, *lo), date(year, *hi))

    for s in schools:
        code = s.code
        head = b.person()
        head_since = when(rng.randint(2012, 2022))
        if s is combined_2023:
            old = b.person()
            old_since = when(rng.randint(2010, 2016))
            left = when(2023, (7, 1), (7, 31))
            b.add(old, code, "校长", True, old_since, left)
            b.add(old, code, "书记", True, old_since, left)
            head_since = when(2023, (8, 20), (8, 31))
            b.add(head, code, "校长", True, head_since)
            b.add(head, code, "书记", True, head_since)
        elif s in combined or s.spec.org == JOINT_LEAD:
            b.add(head, code, "校长", True, head_since)
            secretary_since = head_since + timedelta(days=rng.choice((0, 0, 30, 120)))
            b.add(head, code, "书记", True, min(secretary_since, date(2022, 12, 30)))
        elif s.spec.org == JOINT_MEMBER:
            b.add(head, code, "校长", rng.random() < 0.7, head_since)
        elif s is vacant_principal:
            secretary = b.person()
            b.add(secretary, code, "书记", True, when(rng.randint(2016, 2021)))
            left = when(2023, (7, 1), (7, 20))
            b.add(head, code, "校长", True, head_since, left)
            b.add(head, code, "副书记", True, head_since, left)
        else:
            member = s not in non_member_heads
            if s in split_2023:
                # until the split the 校长 held both posts
                lo, hi = rng.choice((((2, 20), (3, 31)), ((8, 25), (9, 15))))
                split_on = when(2023, lo, hi)
                head_since = when(rng.randint(2012, 2020))
                b.add(head, code, "校长", True, head_since)
                b.add(head, code, "书记", True, head_since, split_on)
                b.add(b.person(), code, "书记", True, split_on)
                b.add(head, code, "副书记", True, split_on)
            else:
                b.add(head, code, "校长", member, head_since)
                if rng.random() < 0.3:  # a predecessor 校长, for history
                    b.add(b.person(), code, "校长", True, when(rng.randint(2005, 2011)), head_since)
                if s in replaced_2023:
                    old = b.person()
                    change = when(2023, (3, 1), (10, 31))
                    b.add(old, code, "书记", True, when(rng.randint(2010, 2018)), change)
                    b.add(b.person(), code, "书记", True, change)
                else:
                    b.add(b.person(), code, "书记", True, when(rng.randint(2013, 2022)))
                if member:
                    deputy_on = (
                        when(2023, (3, 1), (11, 30))
                        if s in head_deputy_2023
                        else when(rng.randint(max(2014, head_since.year), 2022))
                    )
                    b.add(head, code, "副书记", True, max(deputy_on, head_since))
        _deputies(b, s, s in zongzhi_deputy_2023)
    return b.rows


def _deputies(b: _Leaders, s: _School, deputy_secretary_2023: bool) -> None:
    """副校长 (most of them Party members, many on the Party committee) and other 支部委员."""
    rng = b.rng
    code = s.code
    count = 0 if s.staff < 12 else 1 if s.staff < 40 else 2 if s.staff < 120 else rng.randint(3, 4)
    party_deputies: list[tuple[str, str]] = []
    for _ in range(count):
        who = b.person()
        member = rng.random() < 0.82
        since = _day_in(rng, date(2014, 1, 1), date(2023, 9, 1))
        b.add(who, code, "副校长", member, since)
        if member:
            party_deputies.append(who)
            if rng.random() < 0.62 and s.org_code is not None:
                on = min(since + timedelta(days=rng.randint(0, 400)), date(2023, 11, 30))
                b.add(who, code, "支部委员", True, on)
    if rng.random() < 0.25 and count:
        # a former 副校长, moved on
        on = _day_in(rng, date(2012, 1, 1), date(2018, 12, 31))
        b.add(b.person(), code, "副校长", True, on, on + timedelta(days=rng.randint(700, 1800)))
    if s.spec.org == OWN_ZONGZHI:
        # a 专职副书记 from among the Party-member 副校长 (new in 2023 at six 党总支 schools)
        who = party_deputies[0] if party_deputies else b.person()
        on = (
            _day_in(rng, date(2023, 3, 1), date(2023, 10, 31))
            if deputy_secretary_2023
            else _day_in(rng, date(2016, 1, 1), date(2021, 12, 31))
        )
        b.add(who, code, "副书记", True, on)
    if s.spec.org in (OWN_ZONGZHI, OWN_ZHIBU):
        for _ in range(rng.randint(1, 2)):
            b.add(b.person(), code, "支部委员", True, _day_in(rng, date(2018, 1, 1), date(2023, 11, 30)))


# honors ----------------------------------------------------------------------------------------------

#: distinct (org, level) pairs by the year they were first honored; 37 in all by 2023, 8 new in 2023
HONOR_FIRST_YEARS: dict[int, int] = {2019: 6, 2020: 6, 2021: 8, 2022: 9, 2023: 8}
HONOR_LEVEL_COUNTS: dict[str, int] = {"市级": 5, "区级": 17, "系统级": 15}


def _honors(seed: int, party_org_rows: list[dict[str, object]]) -> list[dict[str, object]]:
    rng = _rng(seed, "honors")
    branches = [str(r["org_code"]) for r in party_org_rows if r["org_type"] == "党支部"]
    district = rng.sample(branches, HONOR_LEVEL_COUNTS["区级"])
    pairs = [(o, "区级") for o in district]
    pairs += [(o, "市级") for o in rng.sample(district, HONOR_LEVEL_COUNTS["市级"])]
    pairs += [(o, "系统级") for o in rng.sample(branches, HONOR_LEVEL_COUNTS["系统级"])]
    years = [y for y, n in HONOR_FIRST_YEARS.items() for _ in range(n)]
    rng.shuffle(years)
    rows: list[dict[str, object]] = []
    for (org, level), first in zip(pairs, years, strict=True):
        rows.append(_row("honors", org_code=org, level=level, year=first))
        # some branches were honored again in later years at the same level
        later = [y for y in range(first + 1, SAMPLE_YEAR + 1) if rng.random() < 0.25]
        rows.extend(_row("honors", org_code=org, level=level, year=y) for y in later)
    return rows


# rotation --------------------------------------------------------------------------------------------


def _rotation(seed: int, schools: list[_School]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Quotas and rotations of three school years; public schools only (the rule binds public schools).

    2022-2023 has six schools below 10%, three of which were below in 2021-2022 as well.
    """
    rng = _rng(seed, "rotation")
    names = _Names(rng)
    public = [s for s in schools if s.spec.is_public]
    rural = [s for s in public if s.spec.area_type != "城区"]
    measurable = [s for s in public if s.staff >= 40]
    below_last = rng.sample(measurable, 6)
    repeat = below_last[:3]
    below: dict[str, list[_School]] = {
        SCHOOL_YEARS[-1]: below_last,
        SCHOOL_YEARS[-2]: repeat + rng.sample([s for s in measurable if s not in below_last], 4),
        SCHOOL_YEARS[-3]: rng.sample(measurable, 7),
    }
    quotas: list[dict[str, object]] = []
    moves: list[dict[str, object]] = []
    for school_year in SCHOOL_YEARS:
        for s in public:
            eligible = max(1, round(s.staff * rng.uniform(0.26, 0.38)))
            quotas.append(
                _row(
                    "rotation_quotas", school_year=school_year, school_code=s.code, eligible_teachers=eligible
                )
            )
            if s in below[school_year]:
                rotated = min(math.floor(eligible * rng.uniform(0.02, 0.085)), math.ceil(eligible / 10) - 1)
            else:
                rotated = math.ceil(eligible * rng.uniform(0.10, 0.15))
            pool = rng.sample(range(1, s.staff + 1), rotated)
            for number in sorted(pool):
                kind = rng.choices(
                    ("交流", "轮岗", "支教"), weights=(5, 3, 2 if s.spec.area_type == "城区" else 0)
                )[0]
                targets = rural if kind == "支教" else public
                target = rng.choice([t for t in targets if t is not s])
                role = rng.choices(("教师", "中层干部", "副校长", "校长"), weights=(86, 10, 3, 1))[0]
                moves.append(
                    _row(
                        "rotations",
                        school_year=school_year,
                        teacher_id=f"T{s.code}{number:03d}",
                        teacher_name=names.any() if rng.random() < 0.95 else None,
                        from_school_code=s.code,
                        to_school_code=target.code,
                        kind=kind,
                        role=role,
                    )
                )
    return quotas, moves


# matters ---------------------------------------------------------------------------------------------


def _matters(seed: int, schools: list[_School]) -> list[dict[str, object]]:
    """三重一大 of 2021-2023; compliance improves year on year, three schools lag in 2022 and 2023."""
    rng = _rng(seed, "matters")
    lagging = rng.sample([s for s in schools if s.staff >= 40], 3)
    base_failure = {2021: 0.16, 2022: 0.11, 2023: 0.07}
    categories = list(MATTER_WEIGHTS)
    weights = list(MATTER_WEIGHTS.values())
    rows: list[dict[str, object]] = []
    for s in schools:
        per_year = 2 if s.staff < 20 else 4 if s.staff < 80 else 7 if s.staff < 160 else 10
        for year in (2021, 2022, 2023):
            failure = base_failure[year] + (0.35 if s in lagging and year >= 2022 else 0.0)
            for n in range(1, per_year + rng.randint(0, 3) + 1):
                category = rng.choices(categories, weights=weights)[0]
                registered = _day_in(rng, date(year, 1, 5), date(year, 12, 15))
                principal = registered + timedelta(days=rng.randint(1, 10))
                party = principal + timedelta(days=rng.randint(1, 7))
                if rng.random() < 0.15:  # some schools hold the Party meeting first
                    principal, party = party, principal
                implemented: date | None = max(principal, party) + timedelta(days=rng.randint(3, 75))
                if rng.random() < failure:
                    fault = rng.choices(("party", "principal", "both", "early"), weights=(40, 20, 5, 35))[0]
                    if fault in ("party", "both"):
                        party = None  # type: ignore[assignment]
                    if fault in ("principal", "both"):
                        principal = None  # type: ignore[assignment]
                    if fault == "early":
                        # carried out first, approved afterwards by both meetings
                        implemented = registered + timedelta(days=rng.randint(0, 3))
                        principal = implemented + timedelta(days=rng.randint(1, 10))
                        party = implemented + timedelta(days=rng.randint(1, 10))
                if implemented is not None and implemented > DATA_END:
                    implemented = None  # not carried out yet
                amount = None
                if category in ("大额资金使用", "基本建设") or (category == "其他" and rng.random() < 0.3):
                    low, high = (200_000, 4_800_000) if category == "基本建设" else (50_000, 900_000)
                    yuan = rng.randrange(low, high, 100)
                    cents = rng.choice((0, 0, 0, rng.randint(1, 99)))
                    amount = Decimal(f"{yuan}.{cents:02d}")
                title = rng.choice(MATTER_TITLES[category])
                if category in ("职称评审", "重大决策") and rng.random() < 0.6:
                    title = f"{year}年度{title}"
                rows.append(
                    _row(
                        "matters",
                        matter_id=f"SZ{s.code[-5:]}{year}{n:03d}",
                        school_code=s.code,
                        category=category,
                        title=title,
                        amount_yuan=amount,
                        registered_on=registered,
                        principal_meeting_on=principal,
                        party_meeting_on=party,
                        implemented_on=implemented,
                    )
                )
    return rows


# meetings --------------------------------------------------------------------------------------------


def _meetings(seed: int, party_org_rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """三会一课 of every branch, month by month from 2021 (or its founding) to the end of 2023.

    Most branches keep the schedule with the odd miss; five lag in 2022 and 2023 both.
    """
    rng = _rng(seed, "meetings")
    branches = [r for r in party_org_rows if r["org_type"] in ("党支部", "联合党支部")]
    lagging = {str(r["org_code"]) for r in rng.sample(branches, 5)}
    rows: list[dict[str, object]] = []
    for org in branches:
        code = str(org["org_code"])
        members = int(org["members"])  # type: ignore[call-overload]
        founded = org["founded_on"] if isinstance(org["founded_on"], date) else date(2000, 1, 1)
        committee = 3 if members < 30 else 5
        serial = 0

        def add(
            kind: str,
            day: date,
            attendees: int | None,
            topic: str | None,
            _code: str = code,
            _founded: date = founded,
        ) -> None:
            nonlocal serial
            if day < _founded:
                return
            serial += 1
            rows.append(
                _row(
                    "meetings",
                    meeting_id=f"{_code}-{day.year}-{serial:04d}",
                    org_code=_code,
                    kind=kind,
                    held_on=day,
                    attendees=attendees,
                    topic=topic,
                )
            )

        for year in (2021, 2022, 2023):
            serial = 0
            lag = code in lagging and year >= 2022
            p_committee, p_assembly, p_lesson = (0.82, 0.8, 0.72) if lag else (0.985, 0.985, 0.975)
            for quarter in range(4):
                months = [quarter * 3 + m for m in (1, 2, 3)]
                if _month_end(year, months[-1]) < founded:
                    continue
                assembly_month = rng.choice(months) if rng.random() < p_assembly else None
                lesson_month = rng.choice(months) if rng.random() < p_lesson else None
                for month in months:
                    first = date(year, month, 1)
                    if first < founded.replace(day=1):
                        continue

                    def day_in_month(lo: int = 1, hi: int = 28, _y: int = year, _m: int = month) -> date:
                        return _weekday(date(_y, _m, rng.randint(lo, hi)))

                    if rng.random() < p_committee:
                        add(
                            "支部委员会",
                            day_in_month(3, 12),
                            committee,
                            rng.choice(MEETING_TOPICS["支部委员会"]),
                        )
                    if month == assembly_month:
                        topic = rng.choice(MEETING_TOPICS["支部党员大会"] + (YEAR_THEMES[year],))
                        add(
                            "支部党员大会",
                            day_in_month(10, 25),
                            round(members * rng.uniform(0.78, 1.0)),
                            topic,
                        )
                    if month == lesson_month:
                        add(
                            "党课",
                            day_in_month(5, 28),
                            round(members * rng.uniform(0.75, 1.0)),
                            rng.choice(MEETING_TOPICS["党课"] + (YEAR_THEMES[year],)),
                        )
                    if rng.random() < 0.93 and month not in (2, 8):
                        add(
                            "主题党日",
                            day_in_month(3, 8),
                            round(members * rng.uniform(0.7, 0.98)),
                            rng.choice(MEETING_TOPICS["主题党日"]),
                        )
                    if members >= 20 and month % 2 == 0 and rng.random() < 0.8:
                        add(
                            "党小组会",
                            day_in_month(12, 28),
                            max(3, round(members * rng.uniform(0.2, 0.35))),
                            rng.choice(MEETING_TOPICS["党小组会"]) if rng.random() < 0.9 else None,
                        )
                    if month == 1 and rng.random() < 0.95 and first >= founded:
                        add(
                            "组织生活会",
                            day_in_month(8, 20),
                            round(members * rng.uniform(0.85, 1.0)),
                            f"{year - 1}年度组织生活会",
                        )
                    if month == 12 and rng.random() < 0.95:
                        add(
                            "民主评议党员",
                            day_in_month(10, 28),
                            round(members * rng.uniform(0.85, 1.0)),
                            f"{year}年度民主评议党员",
                        )
    return rows


# duty reports ----------------------------------------------------------------------------------------


def _duty_reports(seed: int, schools: list[_School]) -> list[dict[str, object]]:
    """双向述职 of 2021-2023: a few schools missing a year or half of it, two of them in 2022 and 2023."""
    rng = _rng(seed, "duty_reports")
    repeat = rng.sample(schools, 2)
    missing_count = {2021: 3, 2022: 2, 2023: 1}
    partial_count = {2021: 6, 2022: 5, 2023: 5}
    rows: list[dict[str, object]] = []
    for year in (2021, 2022, 2023):
        others = [s for s in schools if s not in repeat]
        missing = rng.sample(others, missing_count[year])
        fixed = repeat if year >= 2022 else []
        partial = fixed + rng.sample(
            [s for s in others if s not in missing], partial_count[year] - len(fixed)
        )
        for s in schools:
            if s in missing:
                continue
            superior, staff = True, True
            if s in partial:
                if rng.random() < 0.7:
                    staff = False
                else:
                    superior = False
            rows.append(
                _row("duty_reports", school_code=s.code, year=year, to_superior=superior, to_staff=staff)
            )
    return rows


# ---------------------------------------------------------------- public API


def build_district(seed: int = DEFAULT_SEED) -> dict[str, pl.DataFrame]:
    """The sample district as typed frames, one per schema table, sorted by key.

    The same seed gives the same frames on every run and in every process. The 2023 figures quoted in
    the module docstring hold for the default seed (tests/test_demo.py checks them in SQL); another seed
    keeps the counts that are fixed by construction and varies the rest.
    """
    schools, school_rows = _schools(seed)
    org_rows = _party_orgs(seed, schools)
    quotas, moves = _rotation(seed, schools)
    rows: dict[str, list[dict[str, object]]] = {
        "schools": school_rows,
        "party_orgs": org_rows,
        "leaders": _leaders(seed, schools),
        "honors": _honors(seed, org_rows),
        "rotation_quotas": quotas,
        "rotations": moves,
        "matters": _matters(seed, schools),
        "meetings": _meetings(seed, org_rows),
        "duty_reports": _duty_reports(seed, schools),
    }
    return {t.name: _frame(t.name, rows[t.name]) for t in TABLES}


def load_demo(
    con: duckdb.DuckDBPyConnection, *, seed: int = DEFAULT_SEED, user: str = DEMO_USER, mode: str = "replace"
) -> ledger.LoadOutcome:
    """Build the district and commit it straight through the ledger, as one batch.

    The fast path for fixtures and scripts: no files are parsed. (`oversight demo` instead uploads the
    sample files through the ingestion pipeline, so its ledger lists real file names and digests.)
    The ledger gets one entry per table with the digest of that table's rows.
    """
    frames = build_district(seed)
    files = []
    for t in TABLES:
        digest = hashlib.sha256(frames[t.name].write_csv().encode("utf-8")).hexdigest()
        files.append(ledger.FileRecord(f"示例数据/{t.zh}", digest, "", t.name, frames[t.name].height))
    return ledger.load_batch(con, frames, files, user=user, mode=mode)


# ---------------------------------------------------------------- sample files

#: pinned document and zip dates, so a regenerated workbook is byte-identical to the committed one
_FIXED_STAMP = datetime(2024, 1, 2, 9, 0, 0)
_ZIP_STAMP = (2024, 1, 2, 9, 0, 0)


def _iso(d: date) -> str:
    return d.isoformat()


def _slash(d: date) -> str:
    return f"{d.year}/{d.month}/{d.day}"


def _chinese(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True)
class CsvStyle:
    """How one exporting system writes a CSV: encoding, header language, column order, cell formats."""

    encoding: str
    header: str = "zh"  # "zh" = Column.zh, "en" = Column.name
    order: Callable[[Table], list[str]] = lambda t: t.column_names
    date_format: Callable[[date], str] = _iso
    #: per-column date formats overriding date_format
    date_formats: dict[str, Callable[[date], str]] = field(default_factory=dict)
    true_false: tuple[str, str] = ("是", "否")


def _cell(column: Column, value: object, style: CsvStyle) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return style.true_false[0] if value else style.true_false[1]
    if isinstance(value, date):
        return style.date_formats.get(column.name, style.date_format)(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _csv_bytes(t: Table, frame: pl.DataFrame, style: CsvStyle) -> bytes:
    names = style.order(t)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([t.column(n).zh if style.header == "zh" else n for n in names])
    columns = [t.column(n) for n in names]
    for record in frame.select(names).iter_rows():
        writer.writerow([_cell(c, v, style) for c, v in zip(columns, record, strict=True)])
    return buffer.getvalue().encode(style.encoding)


@dataclass(frozen=True)
class SheetStyle:
    table: str
    title: str | None = None


def _xlsx_bytes(frames: dict[str, pl.DataFrame], sheets: Sequence[SheetStyle]) -> bytes:
    """A workbook with real date and number cells, Chinese headers, optionally a title row on top."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "教育体育局"
    wb.properties.created = _FIXED_STAMP
    wb.properties.modified = _FIXED_STAMP
    for sheet in sheets:
        t = table(sheet.table)
        ws = wb.create_sheet(t.zh)
        if sheet.title:
            ws.append([sheet.title])
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(t.columns))
        ws.append([c.zh for c in t.columns])
        for record in frames[t.name].iter_rows():
            cells: list[object] = []
            for v in record:
                if isinstance(v, bool):
                    cells.append("是" if v else "否")
                elif isinstance(v, Decimal):
                    cells.append(float(v))
                else:
                    cells.append(v)
            ws.append(cells)
        for letter_index, c in enumerate(t.columns, start=1):
            ws.column_dimensions[get_column_letter(letter_index)].width = max(10, 2 * len(c.zh) + 2)
    raw = io.BytesIO()
    wb.save(raw)
    return _pin_zip(raw.getvalue())


def _pin_zip(raw: bytes) -> bytes:
    """Rewrite a workbook with fixed member timestamps and a fixed document 'modified' date.

    zipfile stamps each member with the current time and openpyxl's save overwrites the modified
    date with now, so without this two runs never write the same bytes.
    """
    stamp = _FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            pinned = zipfile.ZipInfo(info.filename, date_time=_ZIP_STAMP)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = info.external_attr
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    content,
                )
            dst.writestr(pinned, content)
    return out.getvalue()


def sample_file_bytes(frames: dict[str, pl.DataFrame]) -> dict[str, bytes]:
    """File name -> bytes of the upload set, mixed the way schools' real exports come.

    Each style exercises one thing the ingestion has to cope with: GBK and GB18030 from Excel on a
    Chinese Windows, UTF-8 with and without BOM from web systems, English headers in another column
    order, slash and 年月日 dates, 是/否 booleans, a workbook with a title row above the header and real
    date cells, and one workbook carrying two tables. Headers come from the schema (Column.zh or name).
    """
    files: dict[str, bytes] = {}
    csv_files: tuple[tuple[str, str, CsvStyle], ...] = (
        # Excel's "CSV" on a Chinese Windows: GBK, slash dates
        ("学校.csv", "schools", CsvStyle("gbk", date_format=_slash)),
        # a web system's export: UTF-8 with BOM
        ("党组织.csv", "party_orgs", CsvStyle("utf-8-sig")),
        ("最强党支部.csv", "honors", CsvStyle("utf-8")),
        # the Party-member management system: English field names, its own column order
        ("组织生活.csv", "meetings", CsvStyle("utf-8", header="en", order=lambda t: sorted(t.column_names))),
        # the finance office: GB18030, Chinese dates for registration and implementation
        (
            "三重一大事项.csv",
            "matters",
            CsvStyle(
                "gb18030",
                date_format=_slash,
                date_formats={"registered_on": _chinese, "implemented_on": _chinese},
            ),
        ),
        ("双向述职.csv", "duty_reports", CsvStyle("utf-8-sig")),
    )
    for name, table_name, style in csv_files:
        files[name] = _csv_bytes(table(table_name), frames[table_name], style)
    files["领导班子.xlsx"] = _xlsx_bytes(
        frames,
        [SheetStyle("leaders", f"中小学校（幼儿园）领导班子成员名册（截至{_chinese(DATA_END)}）")],
    )
    files["交流轮岗.xlsx"] = _xlsx_bytes(frames, [SheetStyle("rotations"), SheetStyle("rotation_quotas")])
    return dict(sorted(files.items()))


def write_sample_files(frames: dict[str, pl.DataFrame], directory: str | Path) -> list[Path]:
    """Write the upload set into `directory` (created if needed); returns the paths in name order."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, raw in sample_file_bytes(frames).items():
        path = directory / name
        path.write_bytes(raw)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """`python -m oversight.demo --write-sample data/sample` regenerates the committed sample files."""
    parser = argparse.ArgumentParser(prog="python -m oversight.demo", description="示例区县数据")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--write-sample", metavar="DIR", help="写出示例上传文件的目录")
    parser.add_argument("--db", metavar="PATH", help="把示例区县写入此数据库")
    args = parser.parse_args(argv)
    if not args.write_sample and not args.db:
        parser.error("请指定 --write-sample DIR 或 --db PATH")
    frames = build_district(args.seed)
    if args.write_sample:
        for path in write_sample_files(frames, args.write_sample):
            print(path)
    if args.db:
        with connection.opened(args.db) as con:
            outcome = load_demo(con, seed=args.seed)
        print(f"已写入示例区县，批次 {outcome.batch_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
