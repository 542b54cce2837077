"""The district's fixed shape: the hand-drawn school roster, its towns and education groups, school sizes,
and the name lists, meeting topics and matter titles the generator draws from.

Nothing here is random; the sections of the generator pick from these tables with seeded draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: the calendar year the district summary describes; no dated record lies after it, so it is the default Y
SAMPLE_YEAR = 2023
#: the school years of rotation records; the last is the default S of the indicators
SCHOOL_YEARS = ("2020-2021", "2021-2022", "2022-2023")
DATA_END = date(SAMPLE_YEAR, 12, 31)

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
