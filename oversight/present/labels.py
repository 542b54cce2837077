"""The one map from the code's column and field names to the Chinese a user reads.

Schema columns take their header from the contract's schema; query columns, indicator fields and the
few columns the figures derive are labelled here. Nothing else in the code types a column's Chinese
label, so a table on a page, its Excel download and the Word report always say the same.
"""

from __future__ import annotations

from oversight.contract.catalog import INDICATORS_BY_KEY, STATUS_NONE, STATUS_STYLE
from oversight.contract.schema import TABLES

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
    "eligible": "符合交流条件教师数",
    "rotated": "交流轮岗教师数",
    "ratio": "交流轮岗比例",
    "schools_measured": "纳入考核学校数",
    "schools_below_target": "低于目标学校数",
    "secretaries": "新任书记",
    "deputy_secretaries": "新任副书记",
    "total": "合计",
    "has_records": "本期已报送",
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
    "activity_kind": "活动类型",
    "activity_title": "活动名称",
    "activity_kinds": "开展的活动类型",
    "activities_count": "活动次数",
    "participants_count": "参加人次",
    "latest_held_on": "最近一次活动日期",
    "month_no": "月份",
    "observation_count": "教学观摩和蹲校教研次数",
    "pairing_count": "结对共建次数",
    "teachers_needed": "需配备教师数",
    "teachers_assigned": "已配备教师数",
    "teachers_gap": "缺口教师数",
    "short_subjects": "缺配学科",
    "is_short": "存在缺口",
    "schools_short_count": "缺配学校数",
    "brand": "党建品牌",
    "brands": "党建品牌",
    "is_branded": "已创建党建品牌",
    "top_titles": "主要活动",
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
    "activities": {"total": "活动次数", "participants": "参加人次"},
    "unified_subjects": {
        "needed": "需配备",
        "assigned": "已配备",
        "gap": "缺口",
        "schools_short": "缺配学校",
    },
    "brands": {"primary": "一级党组织", "branded": "已创建品牌", "share": "比例"},
}

#: nested fields a card and the text table leave out: they repeat another field's keys (活动类型 twice)
DETAIL_HIDDEN: frozenset[str] = frozenset({"participants_by_kind"})


#: Chinese labels of the few columns the figures and pages derive themselves. Every column a query file
#: returns is labelled in COLUMN_LABELS above and every schema column in the schema; this dict only
#: covers what neither knows, so a label is never typed twice.
DERIVED_LABELS: dict[str, str] = {
    "gap": "距目标还差（人）",
    "quarter": "季度",
    "month": "月份",
    "school_value": "本校",
    "school_text": "本校情况",
    "district_value": "全区",
    "indicator_label": "指标",
    "trend": "变化",
    "orgs_total": "党组织总数",
    "honored_orgs": "获评党组织数",
    "part": "类别",
    "count": "数量",
}


def _schema_labels() -> dict[str, str]:
    """English column name -> Chinese header, first table wins (学校标识码 stays 学校标识码)."""
    out: dict[str, str] = {}
    for t in TABLES:
        for c in t.columns:
            out.setdefault(c.name, c.zh)
    return out


SCHEMA_LABELS: dict[str, str] = _schema_labels()


def column_label(name: str) -> str:
    """The Chinese header for a column: query columns (COLUMN_LABELS), then schema columns,
    then indicator keys and their `<key>_status`, then the figures' own; unknown names come back as is."""
    for source in (COLUMN_LABELS, SCHEMA_LABELS, DERIVED_LABELS):
        if name in source:
            return source[name]
    if name in INDICATORS_BY_KEY:
        return INDICATORS_BY_KEY[name].zh
    if name.endswith("_status") and name[: -len("_status")] in INDICATORS_BY_KEY:
        return INDICATORS_BY_KEY[name[: -len("_status")]].zh + "状态"
    return name


def is_share(name: str) -> bool:
    """Columns shown as percentages: the suffix convention of queries/, and indicator keys whose
    headline is a share (the school matrix, the wide history table)."""
    if name in INDICATORS_BY_KEY:
        return INDICATORS_BY_KEY[name].unit == "share"
    return name.endswith(("_share", "_ratio", "_rate")) or name in ("ratio", "rate", "share")


def status_text(status: str | None) -> str:
    """'● 达标': the symbol first so a column of statuses scans quickly, in colour or not."""
    status = status or STATUS_NONE
    return f"{STATUS_STYLE.get(status, STATUS_STYLE[STATUS_NONE])[1]} {status}"


def status_color(status: str | None) -> str:
    return STATUS_STYLE.get(status or STATUS_NONE, STATUS_STYLE[STATUS_NONE])[0]
