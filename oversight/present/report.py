"""The year's 情况总结 as a Word document, written from the data.

Leaders take paper to meetings, and the district already writes a yearly summary in a fixed style
("全区共有一级党组织49个，其中党总支8个、党支部41个，党员1715人。"). This module writes the same sentences from
the indicators, so the numbers in the document are the dashboard's numbers, never retyped. Each section
has a chart (plotly, rendered to PNG by kaleido in the system chromium) and the document ends with the
schools that lag (at most LAGGING_ROWS of them, the worst first, so a province's summary stays short
enough to read in a meeting). Without chromium the document still builds, says in one sentence that the
charts could not be drawn, and keeps every number in the text.

Periods: the report is about calendar year Y. When no as-of date is given it reads the data as at the end
of Y (or today, if Y is not over), so a 2023 summary printed in 2025 still describes 2023. The school year
is the one ending in Y (2022-2023 for 2023) when the data has it, as in the district's own summary.

Fonts: Word picks the East Asian font from `w:eastAsia`, not from the Latin font name, so every style
used here sets it (宋体 for text, 黑体 for headings), otherwise Chinese falls back to whatever the
reader's Word decides.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import plotly.graph_objects as go
import polars as pl
from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from oversight.contract import catalog
from oversight.contract.schema import ACTIVITY_KINDS, HONOR_LEVELS, ORG_TYPES, UNIFIED_SUBJECTS
from oversight.engine import Connection, queries
from oversight.metrics import frames, history, indicators, periods, schools, watch
from oversight.present import figures, formats, headline, labels
from oversight.present.png import ChartRenderError, figures_to_png

log = logging.getLogger(__name__)

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
PICTURE_WIDTH = Cm(15.5)
CHART_WIDTH, CHART_HEIGHT = 900, 430
NO_DATA = "无数据"
#: rows of the 需关注学校 table, most 未达标 first: a province's 30,000 lagging schools made a table of
#: hundreds of pages and two minutes of python-docx. 100 rather than 50 because the sample district
#: has 54 schools and all of them can lag in a year; its summary stays exactly as it was. The sentence
#: above the table gives the total and points to the dashboard's Excel download, which has every school.
LAGGING_ROWS = 100
CHARTS_MISSING = "（注：本次生成时服务器未能绘制图表（未安装 chromium 或渲染失败），以下各部分只列文字和表格，数字不受影响。）"


# ---------------------------------------------------------------- numbers as the summary writes them


def pct(value: float | None) -> str:
    """13.5% with one decimal as everywhere (formats.percent), or 无数据 when the denominator was 0 (the
    contract: null, never 0)."""
    return NO_DATA if value is None else formats.percent(value)


def _status_note(key: str, value: float | None) -> str:
    ind = catalog.INDICATORS_BY_KEY[key]
    status = catalog.status_of(ind, value)
    return "" if status == catalog.STATUS_NONE else f"（{status}）"


def _not_reported(r: dict[str, Any], key: str) -> list[str] | None:
    """The one sentence of a section whose table has no record at all for the period (else None): no
    data is said as such, never written as 0% or 未达标."""
    covered = r.get("coverage", {}).get(key)
    if covered is None or covered["reported"]:
        return None
    zh = catalog.INDICATORS_BY_KEY[key].zh
    return [f"本期尚无{zh}的记录（{catalog.STATUS_NONE}），待各校报送后统计，不计为未达标。"]


def scope_name(p: periods.Params) -> str:
    """全区, or the filters a reader applied (城关街道·小学)."""
    parts = [v for v in (p.town, p.stage, p.area_type) if v]
    return "·".join(parts) if parts else "全区"


def period_params(con: Connection, params: periods.Params) -> periods.Params:
    """The report's period: the same rules as every page and the command line (metrics.periods)."""
    return periods.resolve(con, params)


def _list_parts(counts: dict[str, int], order: tuple[str, ...], unit: str) -> str:
    """'党总支8个、党支部41个': the non-zero parts in the schema's order."""
    return "、".join(f"{name}{counts[name]}{unit}" for name in order if counts.get(name))


# ---------------------------------------------------------------- sentences


def _orgs_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    orgs = r["party_orgs"]
    by_type = _list_parts(orgs["by_type"], ORG_TYPES, "个")
    return [
        f"{scope_name(p)}共有一级党组织{orgs['primary']}个"
        + (f"，其中{by_type}" if by_type else "")
        + f"，党员{orgs['members']}人。",
        f"纳入统计的学校{r['schools']['total']}所。",
    ]


def _split_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    split = r["split_roles"]
    return [
        f"{scope_name(p)}{split['schools']}所学校中，党组织书记、校长分设的{split['split']}所，"
        f"书记、校长“一肩挑”的{split['combined']}所"
        + (f"，书记或校长空缺的{split['vacant']}所" if split["vacant"] else "")
        + f"；分设比例{pct(split['split_share'])}{_status_note('split_roles', split['split_share'])}。",
    ]


def _cross_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    cross = r["cross_appointment"]
    return [
        f"党员副校长{cross['deputies']}人，其中{cross['cross_appointed']}人进入党组织班子（任副书记或支部委员），"
        f"交叉任职比例{pct(cross['share'])}{_status_note('cross_appointment', cross['share'])}。",
    ]


def _appointments_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    appointed = r["appointments"]
    return [f"今年新任命书记{appointed['secretaries']}人、副书记{appointed['deputy_secretaries']}人。"]


def _honors_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    honors = r["strongest_branches"]
    levels = _list_parts(honors["by_level"], HONOR_LEVELS, "个")
    return [
        f"累计创建最强党支部{honors['total']}个"
        + (f"（{levels}）" if levels else "")
        + f"，其中今年新增{honors['new_in_year']}个。",
    ]


def _rotation_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    if (empty := _not_reported(r, "rotation")) is not None:
        return empty
    rot = r["rotation"]
    target = pct(catalog.ROTATION_TARGET)
    return [
        f"{p.school_year}学年交流轮岗教师{rot['rotated']}人，占符合交流条件教师（{rot['eligible']}人）的"
        f"{pct(rot['ratio'])}{_status_note('rotation', rot['ratio'])}，目标为不低于{target}。",
        f"参与测算的{rot['schools_measured']}所学校中，"
        + (
            f"{rot['schools_below_target']}所学校交流比例低于{target}。"
            if rot["schools_below_target"]
            else f"各校交流比例均达到{target}。"
        ),
    ]


def _review_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    if (empty := _not_reported(r, "two_level_review")) is not None:
        return empty
    review = r["two_level_review"]
    return [
        f"今年登记“三重一大”事项{review['matters']}件，经校长办公会议和党组织会议两级审议后实施的"
        f"{review['compliant']}件，合规率{pct(review['rate'])}{_status_note('two_level_review', review['rate'])}。",
        f"其中缺少党组织会议审议的{review['missing_party']}件，缺少校长办公会议审议的{review['missing_principal']}件，"
        f"先实施后审议的{review['implemented_before_review']}件。",
    ]


def _meetings_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    if (empty := _not_reported(r, "three_meetings_one_lesson")) is not None:
        return empty
    meet = r["three_meetings_one_lesson"]
    return [
        f"{scope_name(p)}党支部应落实“三会一课”的支部季度共{meet['org_quarters']}个，按期召开支部党员大会、"
        f"每月召开支部委员会并上党课的{meet['compliant']}个，"
        f"达标率{pct(meet['rate'])}{_status_note('three_meetings_one_lesson', meet['rate'])}。",
    ]


def _charter_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    charter = r["charter"]
    return [
        f"{charter['schools']}所学校中，{charter['revised']}所已完成章程修订、写明党组织领导作用，"
        f"占{pct(charter['rate'])}{_status_note('charter', charter['rate'])}。",
    ]


def _duty_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    if (empty := _not_reported(r, "duty_reports")) is not None:
        return empty
    duty = r["duty_reports"]
    return [
        f"{duty['both_done']}所学校党组织书记完成向上级党组织述职和向党员、教职工报告的“双向述职”，"
        f"占{pct(duty['rate'])}{_status_note('duty_reports', duty['rate'])}。",
    ]


def _count(n: int) -> str:
    return formats.count_text(n)


def _kind_area(details: Mapping[str, pl.DataFrame], kind: str | None = None, area: str | None = None) -> dict:
    """activities_by_kind_area summed over one kind and/or one area: count, participants, top titles."""
    frame = details.get("activities_by_kind_area", pl.DataFrame())
    if frame.is_empty():
        return {"count": 0, "participants": 0, "titles": []}
    if kind is not None:
        frame = frame.filter(pl.col("activity_kind") == kind)
    if area is not None:
        frame = frame.filter(pl.col("area") == area)
    ranked = frame.sort("activities_count", descending=True)["top_titles"].drop_nulls().to_list()
    titles = [title for top in ranked for title in top]
    return {
        "count": int(frame["activities_count"].sum() or 0),
        "participants": int(frame["participants_count"].sum() or 0),
        "titles": list(dict.fromkeys(titles))[:3],
    }


def _activities_sentences(
    r: dict[str, Any], p: periods.Params, details: Mapping[str, pl.DataFrame]
) -> list[str]:
    act = r["activities"]
    if not act["total"]:
        return [
            f"本年度尚无{catalog.INDICATORS_BY_KEY['activities'].zh}的记录（{catalog.STATUS_NONE}），待各校报送活动台账后统计。"
        ]
    by_kind, people = act["by_kind"], act["participants_by_kind"]
    out = []
    observed = by_kind["教学观摩"] + by_kind["蹲校教研"]
    if observed:
        out.append(
            f"全年开展教学观摩和蹲校教研活动{observed}次，参加{_count(people['教学观摩'] + people['蹲校教研'])}人次。"
        )
    pairing = by_kind["结对共建"]
    if pairing:
        unified = _kind_area(details, "结对共建", "统编三科")["count"]
        if unified == pairing:
            out.append(f"开展统编三科结对共建活动{pairing}次。")
        else:
            out.append(
                f"开展结对共建活动{pairing}次" + (f"，其中统编三科结对共建{unified}次。" if unified else "。")
            )
    training = _kind_area(details, "培训")
    if by_kind["培训"]:
        named = f"（{'、'.join(training['titles'])}等）" if training["titles"] else ""
        out.append(f"举办培训{by_kind['培训']}次{named}，参加{_count(people['培训'])}人次。")
    mass = _kind_area(details, area="群团")
    if mass["count"]:
        named = "、".join(mass["titles"])
        out.append(
            f"开展{named + '等' if named else ''}群团活动{mass['count']}次，参加{_count(mass['participants'])}人次。"
        )
    kinds = _list_parts(by_kind, ACTIVITY_KINDS, "次")
    out.append(f"全年各类活动共{_count(act['total'])}次（{kinds}），参加{_count(act['participants'])}人次。")
    by_school = details.get("activities_by_school")
    if by_school is not None and by_school.height:
        held = int(by_school["has_records"].sum())
        none = by_school.height - held
        out.append(
            f"{by_school.height}所学校中{held}所学校开展了活动"
            + (f"，{none}所学校尚无活动记录。" if none else "，每所学校都有活动记录。")
        )
    return out


def _by_subject(details: Mapping[str, pl.DataFrame], column: str) -> str:
    """'道德与法治6名、语文11名、历史1名': unified_subjects_by_subject's non-zero `column`, in the schema's order."""
    frame = details.get("unified_subjects_by_subject")
    if frame is None or frame.is_empty():
        return ""
    counts = dict(frame.select("subject", column).rows())
    return "、".join(f"{s}{counts[s]}名" for s in UNIFIED_SUBJECTS if counts.get(s))


def _unified_sentences(
    r: dict[str, Any], p: periods.Params, details: Mapping[str, pl.DataFrame]
) -> list[str]:
    if (empty := _not_reported(r, "unified_subjects")) is not None:
        return empty
    us = r["unified_subjects"]
    assigned = _by_subject(details, "teachers_assigned")
    first = (
        f"{p.school_year}学年需配备统编“三科”教师{us['needed']}名，配备统编“三科”教师{us['assigned']}名"
        + (f"（{assigned}）" if assigned else "")
        + f"，缺口{us['gap']}名{_status_note('unified_subjects', us['gap'])}"
    )
    if not us["gap"]:
        return [first + "，统编“三科”教师缺口已补齐。"]
    missing = _by_subject(details, "teachers_gap")
    return [
        first + "。",
        f"尚有{us['schools_short']}所学校未配齐统编“三科”教师" + (f"（缺{missing}）。" if missing else "。"),
    ]


def _brands_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    brands = r["brands"]
    if not brands["primary"]:
        return [f"{scope_name(p)}尚无一级党组织的记录，党建品牌创建情况{NO_DATA}。"]
    return [
        f"按照“一支部一特色，一支部一品牌”的要求，{scope_name(p)}一级党组织{brands['primary']}个中，"
        f"{brands['branded']}个创建了党建品牌，创建党建品牌的党组织占{pct(brands['share'])}"
        f"{_status_note('brands', brands['share'])}。",
    ]


#: each section's sentences, in the district summary's words, from one compute() result
_SENTENCES: dict[str, Callable[[dict[str, Any], periods.Params], list[str]]] = {
    "orgs": _orgs_sentences,
    "split": _split_sentences,
    "cross": _cross_sentences,
    "appointments": _appointments_sentences,
    "honors": _honors_sentences,
    "rotation": _rotation_sentences,
    "review": _review_sentences,
    "meetings": _meetings_sentences,
    "charter": _charter_sentences,
    "duty": _duty_sentences,
    "brands": _brands_sentences,
}
#: the sections that also name what the JSON does not carry (which 结对共建 were about 统编三科, the
#: trainings' titles, the schools without an activity): their sentences read these query files too
_DETAIL_SENTENCES: dict[
    str,
    tuple[Callable[[dict[str, Any], periods.Params, Mapping[str, pl.DataFrame]], list[str]], tuple[str, ...]],
] = {
    "activities": (_activities_sentences, ("activities_by_kind_area", "activities_by_school")),
    "unified": (_unified_sentences, ("unified_subjects_by_subject",)),
}
#: the query files the sentences read besides the compute() result
DETAIL_FILES: tuple[str, ...] = tuple(
    dict.fromkeys(f for _, files in _DETAIL_SENTENCES.values() for f in files)
)


def sentences(
    r: dict[str, Any], p: periods.Params, details: Mapping[str, pl.DataFrame] | None = None
) -> dict[str, list[str]]:
    """Every section's sentences from one compute() result (and, for the sections that name more than the
    JSON holds, the DETAIL_FILES frames of the same reading), in the district summary's words."""
    out = {section: write(r, p) for section, write in _SENTENCES.items()}
    for section, (write_with, _) in _DETAIL_SENTENCES.items():
        out[section] = write_with(r, p, details or {})
    return out


def detail_frames(con: Connection, p: periods.Params) -> dict[str, pl.DataFrame]:
    """The DETAIL_FILES of one reading, all started at once."""
    qp = periods.query_params(p)
    return dict(zip(DETAIL_FILES, queries.run_many(con, [(n, qp) for n in DETAIL_FILES]), strict=True))


# ---------------------------------------------------------------- figures


def _history_line(trend: pl.DataFrame, key: str, title: str) -> go.Figure:
    ind = catalog.INDICATORS_BY_KEY[key]
    # years without any record stay in as nulls: the line breaks there instead of dropping to 0
    part = trend.filter(pl.col("indicator") == key).select("period", "value")
    return figures.lines(
        part,
        "period",
        "value",
        title=title,
        x_title="年度" if key != "rotation" else "学年",
        y_title=ind.zh,
        share=ind.unit == "share",
        target=ind.ok_at,
        target_label="达标线",
    )


def _review_chart(con: Connection, qp: dict[str, Any]) -> go.Figure:
    """The 三重一大 section's chart: each 类别's two-level review rate against the 达标 line."""
    by_category = queries.run_query(con, "review_by_category", qp).with_columns(
        schools.status_expr("two_level_review", "compliant_share").alias("status")
    )
    review = figures.status_bars(
        by_category,
        "category",
        "compliant_share",
        title="“三重一大”事项各类别两级审议合规率",
        value_title="合规率",
        category_title="类别",
        share=True,
        target=catalog.INDICATORS_BY_KEY["two_level_review"].ok_at,
        target_label="达标线",
    )
    review.update_xaxes(range=[0, 1.15])  # room for the "● 100%" label right of a full bar
    return review


def section_charts(con: Connection, r: dict[str, Any], p: periods.Params) -> dict[str, go.Figure]:
    """One figure per section, built with the dashboard's chart builders so paper and screen look alike.

    None is drawn per school (they group by 学段, 类别 or 年度), so a province's pictures are no larger
    than a district's; status_bars would cap at figures.CHART_ROWS rows as on screen anyway.
    """
    qp = periods.query_params(p)
    trend = history.history(con, p)
    by_type = pl.DataFrame(
        {"org_type": list(ORG_TYPES), "count": [r["party_orgs"]["by_type"][t] for t in ORG_TYPES]}
    ).filter(pl.col("count") > 0)
    by_stage = schools.split_roles_by(con, "stage", p)
    appointments = queries.run_query(con, "appointments_by_year", qp).sort("year")
    honors = queries.run_query(con, "honors_by_level_year", qp).sort("year")
    review = _review_chart(con, qp)
    by_kind = pl.DataFrame(
        {
            "activity_kind": list(ACTIVITY_KINDS),
            "activities_count": [r["activities"]["by_kind"][k] for k in ACTIVITY_KINDS],
        }
    ).filter(pl.col("activities_count") > 0)
    staffing = queries.run_query(con, "unified_subjects_history", qp).filter(
        pl.col("school_year") <= (p.school_year or "9999")
    )
    brands = r["brands"]
    branded = pl.DataFrame(
        {
            "part": ["已创建党建品牌", "尚未创建"],
            "count": [brands["branded"], brands["primary"] - brands["branded"]],
        }
    )
    return {
        "orgs": figures.pie(by_type, "org_type", "count", title="一级党组织构成"),
        "split": figures.stacked_bars(
            by_stage,
            "stage",
            ["split_count", "combined_count", "vacant_count"],
            title="各学段书记、校长分设情况",
            category_title="学段",
            value_title="学校数",
        ),
        "cross": _history_line(trend, "cross_appointment", "交叉任职比例历年变化"),
        "appointments": figures.stacked_bars(
            appointments.with_columns(pl.col("year").cast(pl.String)),
            "year",
            ["secretaries_count", "deputy_secretaries_count"],
            title="历年新任命书记、副书记人数",
            category_title="年度",
            value_title="人数",
            barmode="group",
        ),
        "honors": figures.grouped_by(
            honors.filter(pl.col("year") <= (p.year or 9999)),
            "year",
            "level",
            "new_count",
            title="最强党支部历年新增（柱）与累计（线）",
            x_title="年度",
            value_title="新增个数",
            color_order=HONOR_LEVELS,
            cumulative_line=True,
        ),
        "rotation": _history_line(trend, "rotation", "教师交流轮岗比例（各学年）"),
        "review": review,
        "meetings": _history_line(trend, "three_meetings_one_lesson", "“三会一课”达标率历年变化"),
        "charter": _history_line(trend, "charter", "章程修订完成率历年变化"),
        "duty": _history_line(trend, "duty_reports", "“双向述职”完成率历年变化"),
        "activities": figures.stacked_bars(
            by_kind,
            "activity_kind",
            ["activities_count"],
            title=f"{p.year}年各类活动开展次数",
            category_title="活动类型",
            value_title="次数",
        ),
        "unified": figures.stacked_bars(
            staffing,
            "school_year",
            ["teachers_needed", "teachers_assigned"],
            title="历年统编“三科”教师需配备与已配备人数",
            category_title="学年",
            value_title="人数",
            barmode="group",
        ),
        "brands": figures.pie(branded, "part", "count", title="一级党组织创建党建品牌情况"),
    }


def render_charts(figs: dict[str, go.Figure]) -> dict[str, bytes]:
    """All pictures in one chromium session; an empty dict when they cannot be drawn."""
    keys = list(figs)
    try:
        pictures = figures_to_png([figs[k] for k in keys], width=CHART_WIDTH, height=CHART_HEIGHT)
    except ChartRenderError as exc:
        log.warning("情况总结的图表未能生成：%s", exc)
        return {}
    return dict(zip(keys, pictures, strict=True))


# ---------------------------------------------------------------- lagging schools


def lagging_schools(con: Connection, p: periods.Params) -> pl.DataFrame:
    """Schools 未达标 on at least one indicator this period; 连续两期 marks a repeat from the last period.

    Columns: 学校, 乡镇街道, 学段, 未达标指标, 未达标项数; most failing indicators first.
    """
    (_, now), (_, before) = indicators.overviews(con, [p, periods.previous(p)])
    return lagging_from(now, before)


def _repeated(repeat: pl.DataFrame, key: str) -> pl.Expr:
    """True where the school was 未达标 on `key` last period too (a membership test, not a Python loop)."""
    codes = repeat.filter(pl.col("indicator") == key)["school_code"].implode()
    return pl.col("school_code").is_in(codes)


def _failing_label(key: str, repeat: pl.DataFrame) -> pl.Expr:
    """The indicator's name where the school is 未达标 on it (with 连续两期 for a repeat), else null."""
    name = catalog.INDICATORS_BY_KEY[key].zh
    label = pl.when(_repeated(repeat, key)).then(pl.lit(f"{name}（连续两期）")).otherwise(pl.lit(name))
    return pl.when(pl.col(f"{key}_status") == catalog.STATUS_BAD).then(label)


def lagging_from(matrix: pl.DataFrame, before: pl.DataFrame) -> pl.DataFrame:
    """lagging_schools() from the two periods' school matrices, as polars expressions over whole columns.

    A province has 30,000 schools; a Python loop over the rows took over a second, these expressions
    a fraction of it. The failing indicators keep MATRIX_KEYS order, as the summary has always listed them.
    """
    repeat = watch.watch_between(matrix, before)
    failing = pl.concat_list([_failing_label(k, repeat) for k in frames.MATRIX_KEYS]).list.drop_nulls()
    return (
        matrix.select(
            pl.col("school_name").alias("学校"),
            pl.col("town").alias("乡镇街道"),
            pl.col("stage").alias("学段"),
            failing.list.join("、").alias("未达标指标"),
            failing.list.len().cast(pl.Int64).alias("未达标项数"),
        )
        .filter(pl.col("未达标项数") > 0)
        .sort(["未达标项数", "乡镇街道", "学校"], descending=[True, False, False], maintain_order=True)
    )


def lagging_intro(lagging: pl.DataFrame, limit: int) -> str:
    """The sentence before the table: how many schools lag, how many twice running, and, when the list
    is longer than `limit`, that the table is only the worst `limit` and where the full list is."""
    repeat = lagging.filter(pl.col("未达标指标").str.contains("连续两期")).height
    text = f"本期有{lagging.height}所学校存在未达标指标，其中{repeat}所学校有指标连续两期未达标，建议列为重点督导对象。"
    if lagging.height <= limit:
        return text + "名单如下："
    return (
        text + f"下表列出未达标项数最多的{limit}所学校；全部{lagging.height}所学校的名单请在监督看板“总览”页"
        "“各校指标达标情况”表格下方点击“下载 Excel”获取（按未达标项数从多到少排列）。"
    )


# ---------------------------------------------------------------- the document


def _set_fonts(style: Any, east_asian: str, size: float | None = None, bold: bool | None = None) -> None:
    """Latin and East Asian fonts on a style; theme font attributes removed so ours win in Word."""
    style.font.name = LATIN_FONT
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)


def _new_document() -> DocumentType:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.6)
    _set_fonts(doc.styles["Normal"], BODY_FONT, 12)
    doc.styles["Normal"].paragraph_format.line_spacing = 1.5
    _set_fonts(doc.styles["Title"], HEADING_FONT, 20, True)
    _set_fonts(doc.styles["Heading 1"], HEADING_FONT, 15, True)
    _set_fonts(doc.styles["Heading 2"], HEADING_FONT, 13, True)
    _set_fonts(doc.styles["Caption"], BODY_FONT, 10.5, False)
    return doc


def _paragraph(doc: DocumentType, text: str, *, indent: bool = True) -> None:
    para = doc.add_paragraph(text)
    if indent:
        para.paragraph_format.first_line_indent = Pt(24)  # two characters, as in official writing


def _picture(doc: DocumentType, png: bytes | None, caption: str) -> None:
    if png is None:
        return
    doc.add_picture(io.BytesIO(png), width=PICTURE_WIDTH)
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    cap = doc.add_paragraph(caption, style="Caption")
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _table(doc: DocumentType, frame: pl.DataFrame) -> None:
    table = doc.add_table(rows=1, cols=frame.width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, name in zip(table.rows[0].cells, frame.columns, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(name))
        run.bold = True
    for rec in frame.iter_rows():
        cells = table.add_row().cells
        for cell, value in zip(cells, rec, strict=True):
            cell.text = "" if value is None else str(value)
    for row in table.rows:
        for cell in row.cells:
            for para in cell.paragraphs:
                para.paragraph_format.line_spacing = 1.0
                para.paragraph_format.first_line_indent = None
                for run in para.runs:
                    run.font.size = Pt(10.5)


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    caption: str


SECTIONS: tuple[Section, ...] = (
    Section("orgs", "一、党组织设置", "一级党组织构成"),
    Section("split", "二、书记、校长分设与“一肩挑”", "各学段书记、校长分设情况"),
    Section("cross", "三、党员副校长交叉任职", "交叉任职比例历年变化"),
    Section("appointments", "四、干部任免", "历年新任命书记、副书记人数"),
    Section("honors", "五、最强党支部创建", "最强党支部历年新增与累计"),
    Section("rotation", "六、教师交流轮岗", "教师交流轮岗比例（各学年）"),
    Section("review", "七、“三重一大”事项两级审议", "各类别两级审议合规率"),
    Section("meetings", "八、“三会一课”落实", "“三会一课”达标率历年变化"),
    Section("charter", "九、学校章程修订", "章程修订完成率历年变化"),
    Section("duty", "十、“双向述职”", "“双向述职”完成率历年变化"),
    Section("activities", "十一、教研、结对共建与群团活动", "各类活动开展次数"),
    Section("unified", "十二、统编“三科”教师配备", "历年统编“三科”教师需配备与已配备人数"),
    Section("brands", "十三、党建品牌创建", "一级党组织创建党建品牌情况"),
)
#: the heading of the section after SECTIONS (the schools that lag)
LAGGING_HEADING = "十四、需关注学校"


def _overview_table(r: dict[str, Any], before: dict[str, Any]) -> pl.DataFrame:
    rows = []
    for ind in catalog.INDICATORS:
        value, prior = indicators.reported_headline(r, ind.key), indicators.reported_headline(before, ind.key)
        share = ind.unit == "share"
        status = indicators.status_of_result(r, ind.key)
        rows.append(
            {
                "指标": ind.zh,
                "本期": formats.format_value(value, share) if value is not None else NO_DATA,
                "上期": formats.format_value(prior, share) if prior is not None else NO_DATA,
                "变化": catalog.trend_of(value, prior) or "—",
                "状态": labels.status_text(status) if ind.ok_at is not None else "—",
            }
        )
    return pl.DataFrame(rows)


def _title(doc: DocumentType, p: periods.Params, scope: str) -> None:
    title = f"{scope}{p.year}年党组织领导的校长负责制落实情况总结"
    doc.core_properties.title = title
    doc.core_properties.author = "监督看板"
    heading = doc.add_paragraph(title, style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    stamp = doc.add_paragraph(
        f"统计口径：{p.year}年度、{p.school_year}学年，数据截至{p.as_of:%Y年%m月%d日}；"
        f"由监督看板根据已导入数据于{datetime.now():%Y年%m月%d日}自动生成。"
    )
    stamp.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _thresholds_note(doc: DocumentType) -> None:
    """The thresholds every status in the document was judged by, from the catalog."""
    doc.add_heading("说明", level=2)
    for ind in catalog.INDICATORS:
        if ind.ok_at is not None and ind.lower_is_better:
            _paragraph(
                doc, f"{ind.zh}：{ind.description}；{headline.threshold_text(ind.key)}。", indent=False
            )
        elif ind.ok_at is not None:
            _paragraph(
                doc,
                f"{ind.zh}：{ind.description}；不低于{pct(ind.ok_at)}为达标，"
                f"不低于{pct(ind.warn_at)}为预警，低于为未达标。",
                indent=False,
            )


def build_docx(
    con: Connection,
    params: periods.Params,
    *,
    render: Callable[[dict[str, go.Figure]], dict[str, bytes]] = render_charts,
) -> bytes:
    """The year's 情况总结 for `params` (year and filters) as .docx bytes.

    `render` turns the section figures into PNG bytes; tests pass one that fails to check the document
    still builds without pictures.
    """
    p = period_params(con, params)
    # the indicators and the school matrix of both periods from one run of their files
    (result, matrix), (before, before_matrix) = indicators.overviews(con, [p, periods.previous(p)])
    texts = sentences(result, p, detail_frames(con, p))
    pictures = render(section_charts(con, result, p))
    lagging = lagging_from(matrix, before_matrix)
    scope = scope_name(p)

    doc = _new_document()
    _title(doc, p, scope)
    # the headline 总览 shows, word for word, opens the document
    for line in headline.sentences(result, before, watch.watch_between(matrix, before_matrix), p):
        _paragraph(doc, line)

    doc.add_heading("总体情况", level=1)
    _paragraph(doc, texts["orgs"][0] + texts["honors"][0] + texts["appointments"][0])
    _paragraph(doc, texts["rotation"][0])
    if not pictures:
        _paragraph(doc, CHARTS_MISSING)
    _paragraph(doc, "主要指标与上期对比如下（状态按看板统一阈值判定）：")
    _table(doc, _overview_table(result, before))

    for n, section in enumerate(SECTIONS, start=1):
        doc.add_heading(section.heading, level=1)
        for text in texts[section.key]:
            _paragraph(doc, text)
        _picture(doc, pictures.get(section.key), f"图{n}　{section.caption}")

    doc.add_heading(LAGGING_HEADING, level=1)
    if lagging.is_empty():
        _paragraph(doc, f"{scope}没有学校在本期有未达标指标。")
    else:
        _paragraph(doc, lagging_intro(lagging, LAGGING_ROWS))
        _table(doc, lagging.head(LAGGING_ROWS))

    _thresholds_note(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
