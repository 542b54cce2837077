"""The data contract of ../shared/SPEC.md, declared once as data.

Everything that needs a column list, a Chinese header, a type, an enum, a key or a reference reads it
from here: the readers, the validator, the store's DDL, the templates, the demo generator and the pages.
Nothing else in the code base retypes a column name's Chinese label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

ColumnType = Literal["text", "code", "enum", "bool", "int", "decimal", "date", "school_year"]

#: DuckDB storage type per column type.
SQL_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "enum": "VARCHAR",
    "bool": "BOOLEAN",
    "int": "BIGINT",
    "decimal": "DECIMAL(18,2)",
    "date": "DATE",
    "school_year": "VARCHAR",
}

#: What each type accepts, in words an analyst reads in the template's hint row and in messages.
TYPE_HINTS: dict[str, str] = {
    "text": "文本",
    "code": "字母、数字或连字符",
    "enum": "从下列取值中选择",
    "bool": "是/否（也可填 Y/N、1/0、true/false）",
    "int": "整数",
    "decimal": "数字，可带两位小数",
    "date": "日期，如 2023-01-05、2023/1/5、2023.1.5、2023年1月5日",
    "school_year": "学年，如 2022-2023",
}

TRUE_WORDS: tuple[str, ...] = ("是", "y", "yes", "1", "true", "t", "√", "对")
FALSE_WORDS: tuple[str, ...] = ("否", "n", "no", "0", "false", "f", "×", "不")

#: Dates outside these years are refused as implausible (a two-digit year such as 23.9.6 reads as 0023).
DATE_YEAR_MIN, DATE_YEAR_MAX = 1949, 2100

#: Header units that mean the column's own unit (Column.unit), e.g. 在校生数（名） = 在校生数（人）.
UNIT_SYNONYMS: dict[str, tuple[str, ...]] = {"人": ("人", "名", "个"), "元": ("元",), "人次": ("人次",)}
#: Units a header may name: one of these that is not the column's own unit is refused, naming both
#: (金额（万元） against 金额（元）); text in brackets that is not a unit is not a unit (在校生数（含借读）).
KNOWN_UNITS: tuple[str, ...] = (
    *("人", "名", "个", "人次", "次", "万人", "千人", "百人", "万人次"),
    *("元", "万元", "千元", "百元", "百万元", "千万元", "亿元", "角", "分"),
    *("年", "月", "日", "天", "岁", "%", "所", "项", "件", "条", "间", "台"),
)
#: Marks of a required or optional column in a header: 学校名称（必填）, 学校名称*, *学校名称.
HEADER_MARKERS: tuple[str, ...] = (
    "必填",
    "必填项",
    "必须填写",
    "必需",
    "选填",
    "选填项",
    "非必填",
    "可选",
    "可不填",
)
#: First cell of a total row under the data (compared without spaces or a trailing colon).
TOTAL_LABELS: tuple[str, ...] = ("合计", "小计", "总计", "共计", "总合计", "全区合计", "全县合计", "全市合计")
#: What a signature or date line under the data starts with (填表人：张三  审核人：李四 ...).
FOOTER_LABELS: tuple[str, ...] = (
    *("填表人", "填报人", "制表人", "审核人", "复核人", "负责人", "单位负责人", "分管领导", "经办人"),
    *("联系人", "联系电话", "填报日期", "填表日期", "制表日期", "报送日期", "填报时间", "填报单位"),
    "制表单位",
)
#: A note line under the data: one of these followed by a colon (注：以上数据截至 ...).
NOTE_LABELS: tuple[str, ...] = ("注", "备注", "说明", "附注")
#: An old template's hint row under the header: every filled cell starts with one of HINT_WORDS, and
#: at least one with a STRONG_HINT_WORDS (必填/选填 ...). Compared after NFKC (：is :), in lower case.
STRONG_HINT_WORDS: tuple[str, ...] = ("必填", "选填", "非必填", "可选", "可不填")
HINT_WORDS: tuple[str, ...] = (
    *STRONG_HINT_WORDS,
    *("请", "填写", "可填", "下拉选择", "选择", "单选", "格式", "如:", "例:", "例如", "示例"),
    *("文本", "数字", "整数", "日期", "yyyy"),
)
#: A workbook sheet named with one of these that holds no table is skipped (a 填表说明 sheet).
INSTRUCTION_SHEET_WORDS: tuple[str, ...] = (
    *("说明", "须知", "注意事项", "指南", "帮助", "填表要求", "填报要求", "示例", "样例"),
    *("字典", "代码表", "下拉", "选项", "readme", "instruction", "help"),
)
#: Excel's error values, as a cell shows them and a CSV saved from Excel holds them, and what each means.
EXCEL_ERRORS: dict[str, str] = {
    "#VALUE!": "公式用到的值类型不对",
    "#N/A": "查找没有找到结果，常见于 VLOOKUP",
    "#REF!": "公式引用的单元格已被删除",
    "#DIV/0!": "公式除以了 0 或空单元格",
    "#NAME?": "公式中有无法识别的函数或名称",
    "#NUM!": "公式算出的数字无效",
    "#NULL!": "公式中的区域没有交集",
    "#SPILL!": "公式结果溢出到了已有内容的单元格",
    "#CALC!": "公式无法计算",
    "#GETTING_DATA": "数据仍在加载，尚未算出",
}

#: Date layouts accepted in text cells (Excel date cells arrive as ISO text from the reader).
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
    "%Y%m%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
)


@dataclass(frozen=True)
class Column:
    """One column of one table, with every rule the validator checks on it."""

    name: str
    zh: str
    type: ColumnType
    required: bool = True
    unique: bool = False
    choices: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    max_len: int | None = None
    #: another column of the same row this one may not be earlier than (dates)
    not_before: str | None = None
    #: another column of the same row this one must differ from
    differs_from: str | None = None
    note: str = ""
    #: what a count or amount is counted in (人, 元 ...): a header may carry it, e.g. 在校生数（人）
    unit: str | None = None

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    @property
    def hint(self) -> str:
        """The template's hint row: what the cell accepts, in Chinese."""
        parts = ["必填" if self.required else "选填", TYPE_HINTS[self.type]]
        if self.choices:
            parts.append("、".join(self.choices))
        if self.min_value is not None and self.max_value is not None:
            parts.append(f"{self.min_value}～{self.max_value}")
        elif self.min_value is not None:
            parts.append(f"不小于 {self.min_value}")
        if self.max_len:
            parts.append(f"最多 {self.max_len} 个字符")
        if self.unique:
            parts.append("不可重复")
        if self.note:
            parts.append(self.note)
        return "；".join(parts)


@dataclass(frozen=True)
class Reference:
    """Columns of this table whose values must exist as a key of another table."""

    columns: tuple[str, ...]
    table: str
    target_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def zh_of(self, name: str) -> str:
        return self.column(name).zh


def _c(name: str, zh: str, type_: ColumnType, **kw: object) -> Column:
    return Column(name, zh, type_, **kw)  # type: ignore[arg-type]


STAGES = ("幼儿园", "小学", "初中", "九年一贯制", "完全中学", "高中", "十二年一贯制", "特殊教育")
AREA_TYPES = ("城区", "镇区", "乡村")
ORG_TYPES = ("党委", "党总支", "党支部", "联合党委", "联合党支部")
#: org types counted as branches for 三会一课
BRANCH_TYPES = ("党支部", "联合党支部")
POSTS = ("书记", "副书记", "校长", "副校长", "支部委员")
HONOR_LEVELS = ("市级", "区级", "系统级")
ROTATION_KINDS = ("交流", "轮岗", "支教")
ROTATION_ROLES = ("教师", "校长", "副校长", "中层干部")
MATTER_CATEGORIES = ("重大决策", "选人用人", "职称评审", "大额资金使用", "基本建设", "其他")
MEETING_KINDS = ("支部党员大会", "支部委员会", "党小组会", "党课", "主题党日", "组织生活会", "民主评议党员")
ACTIVITY_KINDS = ("教学观摩", "蹲校教研", "结对共建", "主题团队日", "培训", "宣讲", "竞赛", "其他")
ACTIVITY_AREAS = ("党建", "思政", "民族团结", "统编三科", "群团", "师德", "教研", "其他")
#: the 统编“三科” (national unified textbooks) whose teachers a school must staff
UNIFIED_SUBJECTS = ("道德与法治", "语文", "历史")

CODE_MAX_LEN = 20
YEAR_MIN, YEAR_MAX = 2000, 2100

TABLES: tuple[Table, ...] = (
    Table(
        "schools",
        "学校",
        (
            _c("school_code", "学校标识码", "code", unique=True, max_len=CODE_MAX_LEN),
            _c("school_name", "学校名称", "text", unique=True),
            _c("stage", "学段", "enum", choices=STAGES),
            _c("town", "所属乡镇街道", "text"),
            _c("area_type", "城乡类型", "enum", choices=AREA_TYPES),
            _c("is_public", "是否公办", "bool"),
            _c("education_group", "所属教育集团", "text", required=False),
            _c("students", "在校生数", "int", required=False, min_value=0, unit="人"),
            _c("staff", "教职工数", "int", required=False, min_value=0, unit="人"),
            _c("charter_revised", "章程已修订", "bool", note="章程已写明党组织领导作用"),
            _c("charter_revised_on", "章程修订日期", "date", required=False),
        ),
        key=("school_code",),
    ),
    Table(
        "party_orgs",
        "党组织",
        (
            _c("org_code", "党组织编码", "text", unique=True),
            _c("org_name", "党组织名称", "text"),
            _c("org_type", "组织类型", "enum", choices=ORG_TYPES),
            _c("school_code", "所属学校标识码", "text", required=False, note="联合党组织可不填"),
            _c("parent_org_code", "上级党组织编码", "text", required=False, note="空 = 一级党组织"),
            _c("members", "党员人数", "int", min_value=0, unit="人", note="含下级组织党员"),
            _c("founded_on", "成立日期", "date", required=False),
            _c("brand", "党建品牌", "text", required=False, note="一支部一品牌的品牌名称；空 = 尚未创建"),
        ),
        key=("org_code",),
        references=(
            Reference(("school_code",), "schools", ("school_code",)),
            Reference(("parent_org_code",), "party_orgs", ("org_code",)),
        ),
    ),
    Table(
        "leaders",
        "领导班子",
        (
            _c("person_id", "人员编号", "text"),
            _c("name", "姓名", "text"),
            _c("school_code", "学校标识码", "text"),
            _c("post", "职务", "enum", choices=POSTS),
            _c("is_party_member", "是否党员", "bool"),
            _c("appointed_on", "任职日期", "date"),
            _c("left_on", "离任日期", "date", required=False, not_before="appointed_on", note="空 = 仍在任"),
        ),
        key=("person_id", "school_code", "post", "appointed_on"),
        references=(Reference(("school_code",), "schools", ("school_code",)),),
    ),
    Table(
        "honors",
        "最强党支部",
        (
            _c("org_code", "党组织编码", "text"),
            _c("level", "级别", "enum", choices=HONOR_LEVELS),
            _c("year", "年度", "int", min_value=YEAR_MIN, max_value=YEAR_MAX),
        ),
        key=("org_code", "level", "year"),
        references=(Reference(("org_code",), "party_orgs", ("org_code",)),),
    ),
    Table(
        "rotation_quotas",
        "轮岗基数",
        (
            _c("school_year", "学年", "school_year"),
            _c("school_code", "学校标识码", "text"),
            _c("eligible_teachers", "符合交流条件教师数", "int", min_value=0, unit="人"),
        ),
        key=("school_year", "school_code"),
        references=(Reference(("school_code",), "schools", ("school_code",)),),
    ),
    Table(
        "rotations",
        "交流轮岗",
        (
            _c("school_year", "学年", "school_year"),
            _c("teacher_id", "教师编号", "text"),
            _c("teacher_name", "教师姓名", "text", required=False),
            _c("from_school_code", "派出学校标识码", "text"),
            _c("to_school_code", "接收学校标识码", "text", differs_from="from_school_code"),
            _c("kind", "方式", "enum", choices=ROTATION_KINDS),
            _c("role", "岗位", "enum", choices=ROTATION_ROLES),
        ),
        key=("school_year", "teacher_id", "from_school_code"),
        references=(
            Reference(("school_year", "from_school_code"), "rotation_quotas", ("school_year", "school_code")),
            Reference(("to_school_code",), "schools", ("school_code",)),
        ),
    ),
    Table(
        "matters",
        "三重一大事项",
        (
            _c("matter_id", "事项编号", "text", unique=True),
            _c("school_code", "学校标识码", "text"),
            _c("category", "类别", "enum", choices=MATTER_CATEGORIES),
            _c("title", "事项名称", "text"),
            _c("amount_yuan", "金额（元）", "decimal", required=False, min_value=0, unit="元"),
            _c("registered_on", "登记日期", "date"),
            _c("principal_meeting_on", "校长办公会议审议日期", "date", required=False),
            _c("party_meeting_on", "党组织会议审议日期", "date", required=False),
            _c("implemented_on", "实施日期", "date", required=False),
        ),
        key=("matter_id",),
        references=(Reference(("school_code",), "schools", ("school_code",)),),
    ),
    Table(
        "meetings",
        "组织生活",
        (
            _c("meeting_id", "会议编号", "text", unique=True),
            _c("org_code", "党组织编码", "text"),
            _c("kind", "类型", "enum", choices=MEETING_KINDS),
            _c("held_on", "日期", "date"),
            _c("attendees", "参会人数", "int", required=False, min_value=0, unit="人"),
            _c("topic", "主题", "text", required=False),
        ),
        key=("meeting_id",),
        references=(Reference(("org_code",), "party_orgs", ("org_code",)),),
    ),
    Table(
        "duty_reports",
        "双向述职",
        (
            _c("school_code", "学校标识码", "text"),
            _c("year", "年度", "int", min_value=YEAR_MIN, max_value=YEAR_MAX),
            _c("to_superior", "向上级党组织述职", "bool"),
            _c("to_staff", "向党员和教职工报告", "bool"),
        ),
        key=("school_code", "year"),
        references=(Reference(("school_code",), "schools", ("school_code",)),),
    ),
    Table(
        "activities",
        "活动台账",
        (
            _c("activity_id", "活动编号", "text", unique=True),
            _c("school_code", "学校标识码", "text", required=False, note="区级活动可不填"),
            _c("organiser", "组织单位", "text", required=False, note="如 区教研中心"),
            _c("kind", "活动类型", "enum", choices=ACTIVITY_KINDS),
            _c("area", "领域", "enum", choices=ACTIVITY_AREAS),
            _c("title", "活动名称", "text"),
            _c("held_on", "日期", "date"),
            _c("participants", "参加人次", "int", required=False, min_value=0, unit="人次"),
        ),
        key=("activity_id",),
        references=(Reference(("school_code",), "schools", ("school_code",)),),
    ),
    Table(
        "unified_subject_staffing",
        "统编三科配备",
        (
            _c("school_year", "学年", "school_year"),
            _c("school_code", "学校标识码", "text"),
            _c("subject", "学科", "enum", choices=UNIFIED_SUBJECTS),
            _c("teachers_needed", "需配备教师数", "int", min_value=0, unit="人"),
            _c("teachers_assigned", "已配备教师数", "int", min_value=0, unit="人"),
        ),
        key=("school_year", "school_code", "subject"),
        references=(Reference(("school_code",), "schools", ("school_code",)),),
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
#: load order: a referenced table before the tables that point at it
LOAD_ORDER: tuple[str, ...] = tuple(t.name for t in TABLES)


def table(name: str) -> Table:
    return TABLES_BY_NAME[name]


def table_by_label(label: str) -> Table | None:
    """A table from its English name or Chinese name (for the explicit table choice)."""
    label = label.strip()
    for t in TABLES:
        if label in (t.name, t.zh):
            return t
    return None


class ProblemKind(StrEnum):
    """The kinds of problem SPEC lists for the validation report, in its words."""

    UNKNOWN_TABLE = "无法识别的表"
    ENCODING = "编码错误"
    MISSING_COLUMN = "缺少列"
    EXTRA_COLUMN = "多余列"
    EMPTY_ROW = "空行"
    REQUIRED_EMPTY = "必填为空"
    WRONG_TYPE = "类型错误"
    OUT_OF_RANGE = "取值不在范围"
    BAD_FORMAT = "格式错误"
    DUPLICATE_KEY = "重复键"
    MISSING_REFERENCE = "引用不存在"
    UNREADABLE = "文件无法读取"

    @property
    def is_warning(self) -> bool:
        return self in (ProblemKind.EXTRA_COLUMN, ProblemKind.EMPTY_ROW)


#: Columns of the validation report, in order (a polars frame with these names, Chinese for display).
REPORT_COLUMNS: tuple[str, ...] = ("文件", "工作表", "行号", "列", "值", "问题类型", "级别", "说明")
LEVEL_ERROR, LEVEL_WARNING = "错误", "警告"

#: file endings the upload accepts (the reader goes by the content, so a misnamed file is read as it is)
UPLOAD_TYPES: tuple[str, ...] = ("csv", "xlsx", "xls")
LOAD_MODES = ("upsert", "replace")
LOAD_MODE_LABELS = {"upsert": "增量更新（按主键覆盖）", "replace": "整表替换"}
