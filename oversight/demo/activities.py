"""The district's 特色工作 of issue 18: the 活动台账 (教学观摩, 蹲校教研, 结对共建, trainings, 群团 activities
...), the 统编“三科” staffing of its 民族语言授课学校, and the 党建品牌 of its Party orgs.

2023 reproduces the district summary: 教学观摩 and 蹲校教研 at the 民族语言授课学校 "110多次，参加人数达到两万
人次" (112 activities, at least 20,000 participants), "三科统编教材结对共建教育活动11次", the 领航型 principals'
training, 主题团队日 and 网上团课/队课, and in 2022-2023 "配备18名统编“三科”教师，补齐教师缺口" (18 assigned,
no gap); earlier years hold fewer activities and a gap that closes year by year, and some small schools
held no activity at all. Each section draws from its own seeded generator (draws.section_rng), so the
tables drawn before these are exactly what they were.
"""

from __future__ import annotations

import random
from datetime import date

from oversight.demo.draws import day_in, month_end, section_rng, weekday
from oversight.demo.roster import SAMPLE_YEAR, SCHOOL_YEARS
from oversight.demo.rows import Row, row
from oversight.demo.schools import School

#: the years of the 活动台账
ACTIVITY_YEARS = (2021, 2022, 2023)
#: 教学观摩 and 蹲校教研 per year; 2023's 112 are the summary's "110多次"
OBSERVATIONS: dict[int, tuple[int, int]] = {2021: (38, 30), 2022: (50, 41), 2023: (60, 52)}
#: at least this many took part in 2023's 教学观摩 and 蹲校教研 ("参加人数达到两万人次")
OBSERVATION_PARTICIPANTS_2023 = 20_000
#: 统编三科结对共建 per year; 11 in 2023
PAIRINGS: dict[int, int] = {2021: 7, 2022: 9, 2023: 11}
#: the 民族语言授课学校 that teach the 统编“三科”, and what they need and have per school year: the gap
#: closes to 0 in 2022-2023, when the 18 teachers needed are all assigned
MINORITY_SCHOOLS = 6
STAFFING: dict[str, tuple[int, int]] = {"2020-2021": (16, 10), "2021-2022": (17, 14), "2022-2023": (18, 18)}
#: primary Party orgs with a 党建品牌 (of 49)
BRANDED_PRIMARY = 40

_BRAND_HEADS = (
    "红烛",
    "石榴籽",
    "初心",
    "薪火",
    "春风",
    "同心",
    "书香",
    "匠心",
    "领航",
    "红领巾",
    "育苗",
    "北斗",
)
_BRAND_TAILS = ("先锋", "课堂", "工程", "行动", "驿站", "讲堂", "计划", "同心圆", "引擎", "家园")


# 统编三科 -------------------------------------------------------------------------------------------------


def minority_schools(seed: int, schools: list[School]) -> list[School]:
    """The 民族语言授课学校: public 小学, 初中 and 九年一贯制 schools outside the city, in roster order."""
    rng = section_rng(seed, "minority_schools")
    eligible = [
        s
        for s in schools
        if s.spec.is_public and s.spec.stage in ("小学", "初中", "九年一贯制") and s.spec.area_type != "城区"
    ]
    chosen = set(id(s) for s in rng.sample(eligible, MINORITY_SCHOOLS))
    return [s for s in schools if id(s) in chosen]


def _subjects(s: School) -> tuple[str, ...]:
    """历史 is taught from grade 7: a 小学 staffs 道德与法治 and 语文 only."""
    return ("道德与法治", "语文") if s.spec.stage == "小学" else ("道德与法治", "语文", "历史")


def _split(rng: random.Random, total: int, weights: list[float], floor: int) -> list[int]:
    """`total` split over the weights, each part at least `floor`, summing exactly to `total`."""
    parts = [floor] * len(weights)
    for _ in range(total - floor * len(weights)):
        parts[rng.choices(range(len(weights)), weights=weights)[0]] += 1
    return parts


def draw_unified_staffing(seed: int, schools: list[School]) -> list[Row]:
    """统编三科配备 of the 民族语言授课学校, three school years; the first school reports from 2021-2022 on.

    Each school year's need is split over the school-subject rows (语文 needs most), then the assigned
    teachers are taken off the rows that stay short, so the district totals are STAFFING's exactly."""
    rng = section_rng(seed, "unified_staffing")
    minority = minority_schools(seed, schools)
    rows: list[Row] = []
    for school_year in SCHOOL_YEARS:
        reporting = minority[1:] if school_year == SCHOOL_YEARS[0] else minority
        slots = [(s, subject) for s in reporting for subject in _subjects(s)]
        needed_total, assigned_total = STAFFING[school_year]
        weights = [2.0 if subject == "语文" else 1.0 for _, subject in slots]
        needed = _split(rng, needed_total, weights, 1)
        short = needed_total - assigned_total
        gaps = [0] * len(slots)
        while short:
            i = rng.choices(range(len(slots)), weights=needed)[0]
            if gaps[i] < needed[i]:
                gaps[i] += 1
                short -= 1
        for (s, subject), need, gap in zip(slots, needed, gaps, strict=True):
            rows.append(
                row(
                    "unified_subject_staffing",
                    school_year=school_year,
                    school_code=s.code,
                    subject=subject,
                    teachers_needed=need,
                    teachers_assigned=need - gap,
                )
            )
    return rows


# 活动台账 -------------------------------------------------------------------------------------------------


class _Ledger:
    """Builds activity rows with ids handed out in order, per year."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[Row] = []
        self.numbers: dict[int, int] = {}

    def add(
        self,
        year: int,
        kind: str,
        area: str,
        title: str,
        participants: int | None,
        school: School | None = None,
        organiser: str | None = None,
        months: tuple[int, int] = (1, 12),
    ) -> Row:
        n = self.numbers[year] = self.numbers.get(year, 0) + 1
        first, last = months
        # a working day; weekday() keeps a day in its month, so it never leaves the year
        held = weekday(day_in(self.rng, date(year, first, 1), month_end(year, last)))
        activity = row(
            "activities",
            activity_id=f"HD{year}{n:04d}",
            school_code=None if school is None else school.code,
            organiser=organiser,
            kind=kind,
            area=area,
            title=title,
            held_on=held,
            participants=participants,
        )
        self.rows.append(activity)
        return activity


def _observations(ledger: _Ledger, year: int, minority: list[School], others: list[School]) -> None:
    """教学观摩 and 蹲校教研 at the 民族语言授课学校 (a few observed lessons at other schools or online)."""
    rng = ledger.rng
    observed, stays = OBSERVATIONS[year]
    added: list[Row] = []
    for _ in range(observed):
        school = rng.choice(minority) if rng.random() < 0.75 else None
        subject = rng.choice(("道德与法治", "语文", "历史", "语文"))
        title = f"统编{subject}教学观摩" if school else f"区级统编教材线上教学观摩（{subject}）"
        added.append(
            ledger.add(
                year,
                "教学观摩",
                "统编三科",
                title,
                rng.randint(170, 300),
                school,
                "区教研中心" if school is None or rng.random() < 0.5 else None,
                (3, 12),
            )
        )
    for _ in range(stays):
        school = rng.choice(minority) if rng.random() < 0.85 else rng.choice(others)
        added.append(
            ledger.add(
                year,
                "蹲校教研",
                rng.choice(("统编三科", "统编三科", "教研")),
                f"区教研员蹲校教研（{school.spec.name}）",
                rng.randint(60, 170),
                school,
                "区教研中心",
                (3, 12),
            )
        )
    if year == SAMPLE_YEAR:
        # the summary's "两万人次": top the year up on its largest lessons if the draw fell short
        total = sum(int(a["participants"] or 0) for a in added)
        lessons = sorted(added, key=lambda a: -int(a["participants"] or 0))
        k = 0
        while total < OBSERVATION_PARTICIPANTS_2023:
            lessons[k % 10]["participants"] = int(lessons[k % 10]["participants"] or 0) + 10
            total += 10
            k += 1


def _pairings(ledger: _Ledger, year: int, minority: list[School], partners: list[School]) -> None:
    """三科统编教材结对共建: a 民族语言授课学校 with a city school, held at the minority school."""
    rng = ledger.rng
    for _ in range(PAIRINGS[year]):
        school = rng.choice(minority)
        partner = rng.choice(partners)
        ledger.add(
            year,
            "结对共建",
            "统编三科",
            f"三科统编教材结对共建（{partner.spec.name}—{school.spec.name}）",
            rng.randint(40, 120),
            school,
            partner.spec.name,
        )


def _district_events(ledger: _Ledger, year: int, schools: list[School]) -> None:
    """The bureau's own: the 领航型 principals' training, 统编三科 and 师德 trainings, 宣讲, 竞赛."""
    rng = ledger.rng
    trainings = [
        ("领航型校长培训", "党建", "区教体局", 60, 90),
        ("书记校长履职能力培训", "党建", "区教体局", 80, 120),
        ("统编“三科”教师专题培训", "统编三科", "区教研中心", 90, 160),
        ("师德师风专题培训", "师德", "区教体局", 200, 400),
    ]
    for title, area, organiser, low, high in trainings:
        times = 2 if title == "领航型校长培训" and year >= 2022 else 1
        for _ in range(times):
            ledger.add(year, "培训", area, title, rng.randint(low, high), None, organiser)
    for _ in range(rng.randint(5, 8)):
        school = rng.choice(schools)
        area = rng.choice(("思政", "党建", "民族团结", "民族团结"))
        title = {
            "思政": "“开学第一课”思政宣讲",
            "党建": "党的二十大精神宣讲",
            "民族团结": "民族团结进步宣讲",
        }[area]
        if year < 2022 and area == "党建":
            title = "党史学习教育宣讲"
        ledger.add(year, "宣讲", area, title, rng.randint(80, 400), school, None)
    for title in ("青年教师教学基本功竞赛", "中小学思政课教学竞赛"):
        ledger.add(year, "竞赛", "教研", title, rng.randint(50, 150), None, "区教研中心")


def _mass_activities(ledger: _Ledger, year: int, schools: list[School]) -> None:
    """群团: each 小学 and 初中's 主题团队日, and 网上团课 / 少先队队课; some schools record none."""
    rng = ledger.rng
    for s in schools:
        if s.spec.stage in ("幼儿园", "特殊教育") or rng.random() < 0.12:
            continue
        title = "少先队主题队日" if s.spec.stage == "小学" else "主题团日"
        for _ in range(rng.randint(1, 2)):
            ledger.add(year, "主题团队日", "群团", title, max(20, s.students // rng.randint(8, 16)), s, None)
        if rng.random() < 0.4:
            lesson = "少先队队课" if s.spec.stage == "小学" else "网上团课"
            participants = None if rng.random() < 0.15 else rng.randint(30, 300)
            ledger.add(year, "其他", "群团", lesson, participants, s, None)


def draw_activities(seed: int, schools: list[School]) -> list[Row]:
    """活动台账 of 2021-2023 (see the module docstring for 2023's figures)."""
    rng = section_rng(seed, "activities")
    ledger = _Ledger(rng)
    minority = minority_schools(seed, schools)
    others = [s for s in schools if s not in minority and s.spec.stage not in ("幼儿园", "特殊教育")]
    partners = [s for s in others if s.spec.area_type == "城区" and s.spec.is_public]
    for year in ACTIVITY_YEARS:
        _observations(ledger, year, minority, others)
        _pairings(ledger, year, minority, partners)
        _district_events(ledger, year, schools)
        _mass_activities(ledger, year, schools)
    return ledger.rows


# 党建品牌 -------------------------------------------------------------------------------------------------


def draw_brands(seed: int, party_org_rows: list[Row]) -> None:
    """一支部一品牌: BRANDED_PRIMARY of the primary orgs and about half of the sub-branches get a named
    brand (written into their rows' `brand`; every other column stays as drawn)."""
    rng = section_rng(seed, "brands")
    names = [f"{head}{tail}" for head in _BRAND_HEADS for tail in _BRAND_TAILS]
    rng.shuffle(names)
    primary = [r for r in party_org_rows if r["parent_org_code"] is None]
    chosen = set(id(r) for r in rng.sample(primary, BRANDED_PRIMARY))
    for r in party_org_rows:
        branded = id(r) in chosen if r["parent_org_code"] is None else rng.random() < 0.5
        if branded:
            r["brand"] = f"“{names.pop()}”党建品牌" if rng.random() < 0.3 else names.pop()
