"""Each section's sentences, in the district summary's words, from one compute() result.

"全区共有一级党组织49个，其中党总支8个、党支部41个，党员1715人。": the district already writes its yearly
summary in a fixed style; these functions write the same sentences from the indicators, so the numbers in
the document are the dashboard's numbers, never retyped. The sections that name more than the JSON holds
(which 结对共建 were about 统编三科, the trainings' titles) read the DETAIL_FILES frames of the same reading.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from oversight.contract import catalog
from oversight.contract.schema import ACTIVITY_KINDS, HONOR_LEVELS, ORG_TYPES, UNIFIED_SUBJECTS
from oversight.metrics import periods
from oversight.present.report.words import (
    NO_DATA,
    count,
    list_parts,
    not_reported,
    pct,
    scope_name,
    status_note,
)


def _orgs_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    orgs = r["party_orgs"]
    by_type = list_parts(orgs["by_type"], ORG_TYPES, "个")
    return [
        f"{scope_name(p)}共有一级党组织{orgs['primary']}个"
        + (f"，其中{by_type}" if by_type else "")
        + f"，党员{orgs['members']}人。",
        f"纳入统计的学校{r['schools']['total']}所。",
    ]


def _split_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    split = r["split_roles"]
    if not split["schools"]:
        return [f"{scope_name(p)}尚无学校书记、校长任职的记录，分设比例{NO_DATA}。"]
    return [
        f"{scope_name(p)}{split['schools']}所学校中，党组织书记、校长分设的{split['split']}所，"
        f"书记、校长“一肩挑”的{split['combined']}所"
        + (f"，书记或校长空缺的{split['vacant']}所" if split["vacant"] else "")
        + f"；分设比例{pct(split['split_share'])}{status_note('split_roles', split['split_share'])}。",
    ]


def _cross_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    cross = r["cross_appointment"]
    if not cross["deputies"]:
        return [f"尚无党员副校长的记录，交叉任职比例{NO_DATA}。"]
    return [
        f"党员副校长{cross['deputies']}人，其中{cross['cross_appointed']}人进入党组织班子（任副书记或支部委员），"
        f"交叉任职比例{pct(cross['share'])}{status_note('cross_appointment', cross['share'])}。",
    ]


def _appointments_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    appointed = r["appointments"]
    return [f"今年新任命书记{appointed['secretaries']}人、副书记{appointed['deputy_secretaries']}人。"]


def _honors_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    honors = r["strongest_branches"]
    levels = list_parts(honors["by_level"], HONOR_LEVELS, "个")
    return [
        f"累计创建最强党支部{honors['total']}个"
        + (f"（{levels}）" if levels else "")
        + f"，其中今年新增{honors['new_in_year']}个。",
    ]


def _rotation_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    if (empty := not_reported(r, "rotation")) is not None:
        return empty
    rot = r["rotation"]
    target = pct(catalog.ROTATION_TARGET)
    return [
        f"{p.school_year}学年交流轮岗教师{rot['rotated']}人，占符合交流条件教师（{rot['eligible']}人）的"
        f"{pct(rot['ratio'])}{status_note('rotation', rot['ratio'])}，目标为不低于{target}。",
        f"参与测算的{rot['schools_measured']}所学校中，"
        + (
            f"{rot['schools_below_target']}所学校交流比例低于{target}。"
            if rot["schools_below_target"]
            else f"各校交流比例均达到{target}。"
        ),
    ]


def _review_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    if (empty := not_reported(r, "two_level_review")) is not None:
        return empty
    review = r["two_level_review"]
    return [
        f"今年登记“三重一大”事项{review['matters']}件，经校长办公会议和党组织会议两级审议后实施的"
        f"{review['compliant']}件，合规率{pct(review['rate'])}{status_note('two_level_review', review['rate'])}。",
        f"其中缺少党组织会议审议的{review['missing_party']}件，缺少校长办公会议审议的{review['missing_principal']}件，"
        f"先实施后审议的{review['implemented_before_review']}件。",
    ]


def _meetings_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    if (empty := not_reported(r, "three_meetings_one_lesson")) is not None:
        return empty
    meet = r["three_meetings_one_lesson"]
    return [
        f"{scope_name(p)}党支部应落实“三会一课”的支部季度共{meet['org_quarters']}个，按期召开支部党员大会、"
        f"每月召开支部委员会并上党课的{meet['compliant']}个，"
        f"达标率{pct(meet['rate'])}{status_note('three_meetings_one_lesson', meet['rate'])}。",
    ]


def _charter_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    charter = r["charter"]
    if not charter["schools"]:
        return [f"{scope_name(p)}尚无学校的记录，章程修订情况{NO_DATA}。"]
    return [
        f"{charter['schools']}所学校中，{charter['revised']}所已完成章程修订、写明党组织领导作用，"
        f"占{pct(charter['rate'])}{status_note('charter', charter['rate'])}。",
    ]


def _duty_sentences(r: dict[str, Any], p: periods.Params) -> list[str]:
    if (empty := not_reported(r, "duty_reports")) is not None:
        return empty
    duty = r["duty_reports"]
    return [
        f"{duty['both_done']}所学校党组织书记完成向上级党组织述职和向党员、教职工报告的“双向述职”，"
        f"占{pct(duty['rate'])}{status_note('duty_reports', duty['rate'])}。",
    ]


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
            f"全年开展教学观摩和蹲校教研活动{observed}次，参加{count(people['教学观摩'] + people['蹲校教研'])}人次。"
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
        out.append(f"举办培训{by_kind['培训']}次{named}，参加{count(people['培训'])}人次。")
    mass = _kind_area(details, area="群团")
    if mass["count"]:
        named = "、".join(mass["titles"])
        out.append(
            f"开展{named + '等' if named else ''}群团活动{mass['count']}次，参加{count(mass['participants'])}人次。"
        )
    kinds = list_parts(by_kind, ACTIVITY_KINDS, "次")
    out.append(f"全年各类活动共{count(act['total'])}次（{kinds}），参加{count(act['participants'])}人次。")
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
    if (empty := not_reported(r, "unified_subjects")) is not None:
        return empty
    us = r["unified_subjects"]
    assigned = _by_subject(details, "teachers_assigned")
    first = (
        f"{p.school_year}学年需配备统编“三科”教师{us['needed']}名，配备统编“三科”教师{us['assigned']}名"
        + (f"（{assigned}）" if assigned else "")
        + f"，缺口{us['gap']}名{status_note('unified_subjects', us['gap'])}"
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
        f"{status_note('brands', brands['share'])}。",
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
