"""The year's 情况总结 (.docx) as a bureau sends it upward: the district summary's sentences from the sample
district, GB/T 9704's page (A4, "— 1 —" page numbers, 公文 fonts, the issuer and date at the end), tables
whose header repeats on every page, 存在问题 and 下一步工作 naming the lagging schools, each section naming
its own, no sentence said twice, the charts when chromium is there and a clear sentence when it is not,
`oversight report`, and the 总览 button with its progress bar."""

from __future__ import annotations

import io
import re
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import docx
import polars as pl
import pytest
from docx.oxml.ns import qn

from oversight import cli
from oversight.contract import catalog
from oversight.engine import connection
from oversight.metrics import frames, periods
from oversight.present import png, report
from oversight.present.report import laggards

HAS_CHROMIUM = png.chromium_path() is not None


def text_of(raw: bytes) -> str:
    """Every paragraph and table cell of a .docx, read back with python-docx."""
    document = docx.Document(io.BytesIO(raw))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def paragraphs(raw: bytes) -> list[tuple[str, str]]:
    """(style, text) of every non-empty paragraph, in order."""
    document = docx.Document(io.BytesIO(raw))
    return [(p.style.name, p.text) for p in document.paragraphs if p.text.strip()]


def part_of(raw: bytes, heading: str) -> list[str]:
    """The paragraphs under `heading` (a Heading 1 or 2) up to the next heading of any level or the
    attachments' note."""
    out: list[str] = []
    inside = False
    for style, text in paragraphs(raw):
        if inside and text.startswith("附件"):  # the attachments' note and the 落款 close the body
            break
        if style.startswith("Heading") or style == "Title":
            if inside:
                break
            inside = text == heading
        elif inside:
            out.append(text)
    assert inside or out, f"没有标题“{heading}”"
    return out


def tables_by_header(raw: bytes) -> dict[str, list[list[str]]]:
    """Each table's rows (cell texts), by its first header cell joined with the second."""
    document = docx.Document(io.BytesIO(raw))
    out = {}
    for table in document.tables:
        rows = [[c.text for c in row.cells] for row in table.rows]
        out["/".join(rows[0][:2])] = rows
    return out


@pytest.fixture(scope="module")
def report_2023(demo_db_template: Path) -> bytes:
    """Built once for the module with real charts (a few seconds with chromium), signed on a fixed day."""
    with connection.opened(demo_db_template, read_only=True) as con:
        return report.build_docx(con, periods.Params(year=2023), issued=date(2024, 1, 15))


@pytest.fixture(scope="module")
def demo_2023(demo_db_template: Path) -> report.ReportData:
    """The reading the report is written from (the school matrices of 2023 and 2022)."""
    with connection.opened(demo_db_template, read_only=True) as con:
        return report.read(con, periods.Params(year=2023), with_trend=False)


def test_headline_sentences_match_the_district_summary(report_2023: bytes) -> None:
    text = text_of(report_2023)
    assert "全区共有一级党组织49个，其中党总支8个、党支部41个，党员1715人。" in text
    assert "累计创建最强党支部37个（市级5个、区级17个、系统级15个），其中今年新增8个。" in text
    assert "今年新任命书记13人、副书记31人。" in text
    assert (
        "2022-2023学年交流轮岗教师181人，占符合交流条件教师（1451人）的12.5%（达标），目标为不低于10.0%。"
        in text
    )
    assert (
        "全区54所学校中，党组织书记、校长分设的38所，书记、校长“一肩挑”的12所，书记或校长空缺的4所；" in text
    )
    assert "党员副校长88人，其中57人进入党组织班子（任副书记或支部委员），交叉任职比例64.8%（预警）。" in text
    assert "合规率91.5%（预警）。" in text and "达标率83.7%（预警）。" in text
    assert "54所学校中，50所已完成章程修订、写明党组织领导作用，占92.6%（预警）。" in text
    assert "48所学校党组织书记完成向上级党组织述职和向党员、教职工报告的“双向述职”，占88.9%（预警）。" in text


#: issue 18: the summary's other figures, written from the bundled district's 2023 and 2022-2023 records
ISSUE_18_SENTENCES = (
    "全年开展教学观摩和蹲校教研活动112次，参加20,566人次。",
    "开展统编三科结对共建活动11次。",
    "举办培训5次（领航型校长培训、书记校长履职能力培训、师德师风专题培训等），参加605人次。",
    "开展少先队主题队日、主题团日、少先队队课等群团活动71次，参加9,487人次。",
    "54所学校中41所学校开展了活动，13所学校尚无活动记录。",
    "2022-2023学年需配备统编“三科”教师18名，配备统编“三科”教师18名（道德与法治6名、语文11名、历史1名），"
    "缺口0名（达标），统编“三科”教师缺口已补齐。",
    "按照“一支部一特色，一支部一品牌”的要求，全区一级党组织49个中，40个创建了党建品牌，"
    "创建党建品牌的党组织占81.6%（达标）。",
)
#: the document's outline: 一、… 四、 and, under 二、, one （一） per part of the district's summary
OUTLINE_1 = ["一、总体情况", "二、主要工作落实情况", "三、存在问题", "四、下一步工作"]
OUTLINE_2 = [
    "（一）党组织设置",
    "（二）书记、校长分设与“一肩挑”",
    "（三）党员副校长交叉任职",
    "（四）干部任免",
    "（五）最强党支部创建",
    "（六）教师交流轮岗",
    "（七）“三重一大”事项两级审议",
    "（八）“三会一课”落实",
    "（九）学校章程修订",
    "（十）“双向述职”",
    "（十一）教研、结对共建与群团活动",
    "（十二）统编“三科”教师配备",
    "（十三）党建品牌创建",
]


def test_the_summarys_activities_staffing_and_brands_are_written_from_the_data(
    report_2023: bytes, demo_db_template: Path
) -> None:
    text = text_of(report_2023)
    for sentence in ISSUE_18_SENTENCES:
        assert sentence in text, sentence
    assert part_of(report_2023, "（十一）教研、结对共建与群团活动")[:2] == list(ISSUE_18_SENTENCES[:2])
    assert part_of(report_2023, "（十二）统编“三科”教师配备") == [ISSUE_18_SENTENCES[5]]
    assert part_of(report_2023, "（十三）党建品牌创建") == [ISSUE_18_SENTENCES[6]]
    # the same numbers as plain SQL over the same file
    with connection.opened(demo_db_template, read_only=True) as con:
        observed = con.execute(
            """select count(*), sum(participants) from activities
               where kind in ('教学观摩', '蹲校教研') and year(held_on) = 2023"""
        ).fetchall()[0]
    assert f"活动{observed[0]}次，参加{observed[1]:,}人次" in text


def test_the_outline_is_the_district_summarys(report_2023: bytes) -> None:
    styled = paragraphs(report_2023)
    assert [t for s, t in styled if s == "Heading 1"] == OUTLINE_1
    assert [t for s, t in styled if s == "Heading 2"] == OUTLINE_2
    assert [t for s, t in styled if s == "Title"] == [
        "全区2023年党组织领导的校长负责制\n落实情况总结",
        report.LAGGING_HEADING,
        report.THRESHOLDS_HEADING,
    ]
    assert styled[1] == ("Subtitle", "（2022-2023学年，数据截至2023年12月31日）")
    assert (
        styled[2][1]
        == "根据各学校报送至监督看板的数据，现将全区2023年党组织领导的校长负责制落实情况总结如下。"
    )


def test_a_year_with_a_staffing_gap_names_the_subjects_short(demo_db_template: Path) -> None:
    with connection.opened(demo_db_template, read_only=True) as con:
        raw = report.build_docx(con, periods.Params(year=2022), render=lambda figs: {})
    text = text_of(raw)
    assert "2021-2022学年需配备统编“三科”教师17名，配备统编“三科”教师14名" in text
    assert "缺口3名（未达标）。" in text
    assert "尚有3所学校未配齐统编“三科”教师（缺道德与法治2名、语文1名）。" in text


# ---------------------------------------------------------------- the page (GB/T 9704)


def test_the_page_is_a4_with_gbt_9704_margins_and_page_numbers(report_2023: bytes) -> None:
    document = docx.Document(io.BytesIO(report_2023))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    # "— 1 —" in 四号 宋体: a PAGE field between the dashes, odd pages right and even pages left
    assert document.settings.odd_and_even_pages_header_footer
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        (line,) = footer.paragraphs
        assert line.text == "— 1 —"
        assert [i.text for i in line._p.iter(qn("w:instrText"))] == [" PAGE "]
        kinds = [f.get(qn("w:fldCharType")) for f in line._p.iter(qn("w:fldChar"))]
        assert kinds == ["begin", "separate", "end"]
        assert line.alignment == (2 if side == "right" else 0)
        assert line.style.font.size.pt == 14


def test_styles_carry_the_gbt_9704_fonts(report_2023: bytes) -> None:
    document = docx.Document(io.BytesIO(report_2023))
    for name, font, size in (
        ("Normal", report.BODY_FONT, 16),
        ("Heading 1", report.HEADING_FONT, 16),
        ("Heading 2", report.KAI_FONT, 16),
        ("Title", report.TITLE_FONT, 22),
        ("Subtitle", report.KAI_FONT, 16),
    ):
        style = document.styles[name]
        fonts = style.element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == font, name
        assert fonts.get(qn("w:eastAsiaTheme")) is None
        assert style.font.size.pt == size, name
        assert not style.font.italic, name
    # where a 公文 font is missing, Word takes the Windows font the font table names
    table = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    xml = table.blob.decode("utf-8")
    for name, alt in (("方正小标宋简体", "宋体"), ("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体")):
        assert f'<w:font w:name="{name}"><w:altName w:val="{alt}"/>' in xml


def test_every_table_repeats_its_header_and_never_splits_a_row(report_2023: bytes) -> None:
    document = docx.Document(io.BytesIO(report_2023))
    assert len(document.tables) == 3
    for table in document.tables:
        for n, row in enumerate(table.rows):
            trpr = row._tr.trPr
            assert trpr is not None and trpr.find(qn("w:cantSplit")) is not None
            assert (trpr.find(qn("w:tblHeader")) is not None) == (n == 0)
        # fixed widths across the 15.6 cm type area
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        assert round(sum(c.width.cm for c in table.columns), 1) == 15.6


def test_the_tables_headers_widths_and_rows(report_2023: bytes) -> None:
    tables = tables_by_header(report_2023)
    overview = tables["指标/达标线"]
    assert overview[0] == ["指标", "达标线", "本期", "上期", "较上期", "状态"]
    assert [r[0] for r in overview[1:]] == [i.zh for i in catalog.INDICATORS]
    assert overview[3] == ["书记校长分设", "≥80.0%", "76.0%", "62.7%", "↑13.3", "▲ 预警"]
    assert overview[13] == ["统编三科教师缺口", "0名", "0", "3", "↓3", "● 达标"]
    thresholds = tables["指标/计算口径"]
    assert thresholds[0] == ["指标", "计算口径", "达标", "预警", "未达标"]
    assert thresholds[1] == [
        "书记校长分设",
        "分设学校 / (分设 + 一肩挑)",
        "≥ 80.0%",
        "60.0%～80.0%",
        "< 60.0%",
    ]
    assert thresholds[8] == [
        "统编三科教师缺口",
        catalog.INDICATORS_BY_KEY["unified_subjects"].description,
        "0 名",
        "1～2 名",
        "≥ 3 名",
    ]
    lagging = tables["序号/学校"]
    assert lagging[0] == ["序号", "学校", "乡镇街道", "学段", "未达标指标", "项数"]
    # one failing indicator a line, never a list broken inside a name
    assert lagging[1] == [
        "1",
        "城关第五小学",
        "城关街道",
        "小学",
        "交叉任职（连续两期）\n章程修订（连续两期）\n双向述职",
        "3",
    ]
    assert len(lagging) == 38
    document = docx.Document(io.BytesIO(report_2023))
    widths = {t.rows[0].cells[0].text + t.rows[0].cells[1].text: t for t in document.tables}
    assert [round(c.width.cm, 1) for c in widths["序号学校"].columns] == [1.0, 3.3, 1.8, 2.5, 6.0, 1.0]
    assert [round(c.width.cm, 1) for c in widths["指标计算口径"].columns] == [3.3, 5.4, 1.9, 3.0, 2.0]


def test_the_issuer_and_the_date_close_the_body_before_the_attachments(
    report_2023: bytes, demo_db_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [t for _, t in paragraphs(report_2023)]
    end = texts.index("附件1")
    assert texts[end - 4 : end] == [
        "附件：1. 需关注学校名单",
        "2. 考核指标及判定标准",
        "区教体局",
        "2024年1月15日",
    ]
    document = docx.Document(io.BytesIO(report_2023))
    named = {p.text: p for p in document.paragraphs}
    assert named["附件1"].paragraph_format.page_break_before
    assert named["附件2"].paragraph_format.page_break_before
    # the 落款 never starts a page alone: the body's last paragraph, the note and the unit keep with the date
    body = document.paragraphs
    at = next(n for n, p in enumerate(body) if p.text == "附件：1. 需关注学校名单")
    assert all(p.paragraph_format.keep_with_next for p in body[at - 2 : at + 5])  # up to 区教体局
    assert not named["2024年1月15日"].paragraph_format.keep_with_next
    # the unit from $OVERSIGHT_ISSUER; the date by default today in China (08:00 there is midnight UTC)
    monkeypatch.setenv(report.ISSUER_ENV, "某某区教育体育局")
    with connection.opened(demo_db_template, read_only=True) as con:
        raw = report.build_docx(con, periods.Params(year=2023), render=lambda figs: {})
    today = datetime.now(timezone(timedelta(hours=8))).date()
    texts = [t for _, t in paragraphs(raw)]
    end = texts.index("附件1")
    assert texts[end - 2 : end] == ["某某区教育体育局", f"{today.year}年{today.month}月{today.day}日"]
    assert report.issue_date() == today


def test_the_title_never_leaves_a_character_alone() -> None:
    assert report.title_lines("全区", 2023) == ["全区2023年党组织领导的校长负责制", "落实情况总结"]
    assert report.title_lines("城关街道·小学", 2023) == [
        "城关街道·小学2023年",
        "党组织领导的校长负责制落实情况总结",
    ]
    for scope in ("全区", "城关街道", "城关街道·十二年一贯制·城区", "某某省某某市某某区"):
        lines = report.title_lines(scope, 2023)
        assert "".join(lines) == f"{scope}2023年党组织领导的校长负责制落实情况总结"
        assert all(len(line) > 1 for line in lines)
        assert all(report.document.text_width(line) <= report.document.TITLE_LINE_CHARS for line in lines)


# ---------------------------------------------------------------- what it says: lagging schools, 存在问题, 下一步工作


def sentences_of(raw: bytes) -> list[str]:
    """The body's sentences (to 。, ： or ；), tables and captions left out."""
    return [
        part
        for style, text in paragraphs(raw)
        if style in ("Normal", "Subtitle")
        for part in re.split(r"(?<=[。：；])", text)
        if len(part.strip()) > 4
    ]


def test_no_sentence_is_said_twice(report_2023: bytes, demo_db_template: Path) -> None:
    said = Counter(sentences_of(report_2023))
    assert [s for s, n in said.items() if n > 1] == []
    assert len(said) > 80
    with connection.opened(demo_db_template, read_only=True) as con:
        raw = report.build_docx(con, periods.Params(year=2024), render=lambda figs: {})
    assert [s for s, n in Counter(sentences_of(raw)).items() if n > 1] == []


#: each section's sentence naming its lagging schools (the bundled district, 2023), worst first
SECTION_NAMES = {
    "（二）书记、校长分设与“一肩挑”": "实行书记、校长“一肩挑”的学校：城关实验幼儿园、区特殊教育学校、西湖幼儿园、"
    "青山镇中心幼儿园、青山镇杨庄幼儿园、柳河镇中心幼儿园、柳河镇王家小学、石桥镇中心幼儿园、石桥镇南湾小学、"
    "石桥镇北岭小学、石桥镇刘集小学、石桥镇东湖小学。",
    "（三）党员副校长交叉任职": "交叉任职比例低于60.0%（未达标）的学校：城关第二小学（0.0%）、城关第五小学（0.0%）、"
    "城关第二初级中学（0.0%）、区特殊教育学校（0.0%）、启明星幼儿园（0.0%）、青山镇杨庄小学（0.0%）、"
    "青山镇杨庄幼儿园（0.0%）、柳河镇初级中学（0.0%）、柳河镇河口小学（0.0%）、石桥镇初级中学（0.0%）、"
    "区实验小学（25.0%）、区外国语学校（33.3%）、城关幼儿园（50.0%）、区实验高级中学（50.0%）、"
    "东城幼儿园（50.0%）、西湖第二小学（50.0%）。",
    "（六）教师交流轮岗": "交流比例低于10.0%的学校：西湖幼儿园（0.0%）、东城小学（2.3%）、区实验高级中学（2.6%）、"
    "柳河中学（2.7%）、城关第二初级中学（2.9%）、区实验小学（6.7%）。",
    "（七）“三重一大”事项两级审议": "两级审议合规率低于85.0%（未达标）的学校：西湖第三小学（40.0%）、"
    "西湖实验学校（58.3%）、柳河镇东坡小学（75.0%）、东城实验小学（77.8%）、城关幼儿园（80.0%）、"
    "青山镇中心幼儿园（80.0%）、青山镇东岗小学（80.0%）、石桥镇东湖小学（80.0%）。",
    "（八）“三会一课”落实": "“三会一课”达标率低于75.0%（未达标）的学校：区外国语学校（0.0%）、"
    "青山镇杨庄小学（25.0%）、城关第四小学（50.0%）、东城中学（50.0%）、青山镇中心学校（50.0%）、"
    "石桥镇新华学校（50.0%）、石桥镇南湾小学（50.0%）。",
    "（九）学校章程修订": "尚未完成章程修订的学校：城关第五小学、东城实验小学、青山镇中心幼儿园、石桥镇初级中学。",
    "（十）“双向述职”": "书记尚未完成“双向述职”的学校：城关第四小学、城关第五小学、西湖幼儿园、青山镇杨庄小学、"
    "石桥镇南湾小学。",
}


def test_each_section_names_its_lagging_schools(report_2023: bytes, demo_2023: report.ReportData) -> None:
    for heading, sentence in SECTION_NAMES.items():
        assert sentence in part_of(report_2023, heading), heading
    assert (
        "书记或校长空缺的学校：青山镇中心小学、青山镇李村幼儿园、柳河镇东坡小学、柳河镇河口小学。"
        in part_of(report_2023, "（二）书记、校长分设与“一肩挑”")
    )
    # and every school the matrix has 未达标 (交流轮岗: below the 10% line) is in its section, by name
    headings = {s.key: f"（{report.words.numeral(n)}）{s.heading}" for n, s in enumerate(report.SECTIONS, 1)}
    for lag in laggards.LAGS:
        names = laggards.named(demo_2023.matrix, lag.key)
        section = "".join(part_of(report_2023, headings[lag.section]))
        assert all(name in section for name in names), lag.key
    assert len(laggards.named(demo_2023.matrix, "rotation")) == 6  # as "6所学校交流比例低于10.0%" says


#: 三、存在问题 for the bundled district's 2023: the indicators below the line, what fell, the schools
PROBLEMS_2023 = [
    "一是部分考核指标尚未达标。9项考核指标中，6项未达到达标线：书记校长分设76.0%，距达标线（80.0%）差4.0个百分点；"
    "交叉任职64.8%，距达标线（80.0%）差15.2个百分点；三重一大两级审议91.5%，距达标线（95.0%）差3.5个百分点；"
    "三会一课83.7%，距达标线（90.0%）差6.3个百分点；章程修订92.6%，距达标线（95.0%）差2.4个百分点；"
    "双向述职88.9%，距达标线（95.0%）差6.1个百分点。",
    "二是部分指标较上期下滑。与上期相比，三会一课由90.2%降至83.7%，下降6.5个百分点，由达标转为预警，"
    "落实不到位的学校由6所增至7所。",
    "三是部分学校落实不到位。书记校长分设方面，城关实验幼儿园、区特殊教育学校、西湖幼儿园等12所学校仍实行书记、"
    "校长“一肩挑”；交叉任职方面，城关第二小学、城关第五小学、城关第二初级中学等16所学校交叉任职比例低于60.0%；"
    "交流轮岗比例方面，西湖幼儿园、东城小学、区实验高级中学等6所学校教师交流比例低于10.0%；三重一大两级审议方面，"
    "西湖第三小学、西湖实验学校、柳河镇东坡小学等8所学校“三重一大”事项两级审议合规率低于85.0%；三会一课方面，"
    "区外国语学校、青山镇杨庄小学、城关第四小学等7所学校“三会一课”达标率低于75.0%；章程修订方面，城关第五小学、"
    "东城实验小学、青山镇中心幼儿园等4所学校尚未完成章程修订；双向述职方面，城关第四小学、城关第五小学、"
    "西湖幼儿园等5所学校书记尚未完成“双向述职”。",
    "四是问题整改不够到位。同一指标连续两期未达标的学校有32所，整改成效不明显；城关第五小学、石桥镇南湾小学、"
    "西湖幼儿园等5所学校本期有3项指标未达标。",
    "五是数据报送不够完整。交流轮岗比例有区外国语学校、启明星幼儿园共2所学校未报送；双向述职有城关第一初级中学"
    "未报送，待补报后相关指标需重新统计。",
]


def test_problems_name_the_lagging_indicators_and_schools(report_2023: bytes) -> None:
    assert part_of(report_2023, "三、存在问题") == PROBLEMS_2023
    document = docx.Document(io.BytesIO(report_2023))
    lead = next(p for p in document.paragraphs if p.text.startswith("一是"))
    assert lead.runs[0].text == "一是部分考核指标尚未达标。" and lead.runs[0].bold


def test_next_steps_follow_from_the_problems(report_2023: bytes) -> None:
    steps = part_of(report_2023, "四、下一步工作")
    assert [s[: s.index("。") + 1] for s in steps] == [
        "（一）推进书记、校长分设。",
        "（二）落实党员副校长交叉任职。",
        "（三）加大教师交流轮岗力度。",
        "（四）规范“三重一大”事项决策程序。",
        "（五）严格落实“三会一课”制度。",
        "（六）完成学校章程修订。",
        "（七）全面开展“双向述职”。",
        "（八）强化督导问效。",
        "（九）抓好数据报送。",
    ]
    assert steps[2] == (
        "（三）加大教师交流轮岗力度。对西湖幼儿园、东城小学、区实验高级中学等6所学校下达交流计划，"
        "下一学年每校交流比例不低于10.0%。"
    )
    assert steps[8] == (
        "（九）抓好数据报送。督促区外国语学校、启明星幼儿园、城关第一初级中学共3所学校按时、完整报送数据，"
        "确保各项指标统计准确。"
    )


def test_the_rectification_ledger_is_followed_up_in_the_next_steps(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oversight.metrics import rectification

    ledger = rectification.ledger

    def on(day: date) -> None:  # the ledger read as on `day` (its 逾期 counts from today)
        monkeypatch.setattr(rectification, "ledger", lambda c, **kw: ledger(c, **(kw | {"today": day})))

    with connection.opened(demo_db) as con:
        rectification.sync(con, today=date(2024, 1, 10))  # as `oversight demo` and `oversight load` do
        on(date(2024, 2, 1))
        raw = report.build_docx(con, periods.Params(year=2023), render=lambda figs: {})
        steps = part_of(raw, "四、下一步工作")
        assert steps[7] == (
            "（八）强化督导问效。将城关第五小学、石桥镇南湾小学、西湖幼儿园等32所学校（同一指标连续两期未达标）"
            "列为重点督导对象，对整改台账中的44项整改事项（已销号0项）逐项督办，实行销号管理，下一期数据报送后逐校复核。"
        )
        assert part_of(raw, "三、存在问题")[3] == PROBLEMS_2023[3]
        # past the deadline (60 days), every item the schools still owe is 逾期, and 存在问题 says so
        on(date(2024, 6, 1))
        raw = report.build_docx(con, periods.Params(year=2023), render=lambda figs: {})
    problems = part_of(raw, "三、存在问题")
    assert problems[3] == PROBLEMS_2023[3][:-1] + "；整改台账中已过整改时限仍未整改到位的事项44项。"
    assert "（已销号0项，逾期44项）逐项督办" in part_of(raw, "四、下一步工作")[7]


# ---------------------------------------------------------------- charts


@pytest.mark.skipif(not HAS_CHROMIUM, reason="服务器未安装 /usr/bin/chromium，无法渲染图表（CI 会安装）")
def test_the_charts_are_drawn_with_their_captions_when_chromium_is_present(report_2023: bytes) -> None:
    document = docx.Document(io.BytesIO(report_2023))
    assert len(document.inline_shapes) == len(report.CHARTS) == 5
    assert all(round(shape.width.cm, 1) == 15.0 for shape in document.inline_shapes)
    assert [t for s, t in paragraphs(report_2023) if s == "Caption" and t.startswith("图")] == [
        "图1　主要考核指标历年变化（虚线为达标线，点线为预警线）",
        "图2　各学段书记、校长分设情况",
        "图3　最强党支部历年新增与累计",
        "图4　“三重一大”事项各类别两级审议合规率",
        "图5　各类活动开展次数",
    ]
    assert report.CHARTS_MISSING not in text_of(report_2023)


def test_charts_are_made_for_paper(demo_db_template: Path) -> None:
    with connection.opened(demo_db_template, read_only=True) as con:
        data = report.read(con, periods.Params(year=2023))
    figs = report.section_charts(data)
    assert list(figs) == ["overview", "split", "honors", "review", "activities"]
    for key, fig in figs.items():
        # no title of its own (the caption says it), print-sized text, the document's width
        assert not fig.layout.title.text, key
        assert fig.layout.font.size == report.charts.PRINT_FONT == 20, key
        assert fig.layout.width == report.charts.CHART_WIDTH, key
    # nine 学段 and eight activity kinds as rows, not squeezed side by side
    assert figs["split"].data[0].orientation == "h" and figs["activities"].data[0].orientation == "h"
    # every count readable: outside its bar (inside a thin bar plotly shrank it away)
    assert figs["activities"].data[0].textposition == "outside"


def test_without_chromium_the_document_builds_and_says_so(
    demo_db_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(png, "chromium_path", lambda: None)
    with connection.opened(demo_db_template, read_only=True) as con:
        raw = report.build_docx(con, periods.Params(year=2023))
    document = docx.Document(io.BytesIO(raw))
    assert len(document.inline_shapes) == 0
    assert part_of(raw, "一、总体情况")[3] == report.CHARTS_MISSING
    assert "党员1715人" in text_of(raw)


def test_the_progress_is_told_each_step(demo_db_template: Path) -> None:
    told: list[tuple[float, str]] = []
    with connection.opened(demo_db_template, read_only=True) as con:
        report.build_docx(
            con, periods.Params(year=2023), render=lambda figs: {}, progress=lambda f, t: told.append((f, t))
        )
    assert told == [(0.0, "读取数据…"), (0.4, "绘制图表…"), (0.85, "写入文档…"), (1.0, "已生成")]


def test_filters_name_the_scope(demo_db_template: Path) -> None:
    with connection.opened(demo_db_template, read_only=True) as con:
        raw = report.build_docx(con, periods.Params(year=2023, town="城关街道"), render=lambda figs: {})
    text = text_of(raw)
    assert text.startswith("城关街道2023年党组织领导的校长负责制\n落实情况总结")
    assert "城关街道共有一级党组织" in text


def test_empty_database_reads_as_no_data_not_an_error(tmp_path: Path) -> None:
    with connection.opened(tmp_path / "empty.duckdb") as con:
        raw = report.build_docx(con, periods.Params(year=2023))
    text = text_of(raw)
    assert "全区共有一级党组织0个，党员0人。" in text
    assert "无数据" in text
    # no activity, no staffing row, no org: said as no data, never as 0 次 / 缺口0名（达标） / 0%
    assert "本年度尚无活动开展的记录（无数据），待各校报送活动台账后统计。" in text
    assert "本期尚无统编三科教师缺口的记录（无数据），待各校报送后统计，不计为未达标。" in text
    assert "全区尚无一级党组织的记录，党建品牌创建情况无数据。" in text
    assert "全区尚无学校书记、校长任职的记录，分设比例无数据。" in text
    assert "全区尚无学校的记录，章程修订情况无数据。" in text
    assert "缺口0名" not in text and "占无数据" not in text
    # nothing is judged, so nothing is said to be 达标; no chart, and no claim that chromium failed
    assert part_of(raw, "三、存在问题") == [
        "数据尚未报送。本期9项考核指标均无数据，无法判断落实情况，待各校报送后统计。"
    ]
    assert part_of(raw, "四、下一步工作") == [
        "抓好数据报送。督促各学校按时、完整报送各项数据，尽快形成完整统计。"
    ]
    assert report.CHARTS_MISSING not in text
    assert len(docx.Document(io.BytesIO(raw)).inline_shapes) == 0


@pytest.mark.parametrize(
    ("value", "text"), [(0.1348, "13.5%"), (0.1, "10.0%"), (1.0, "100.0%"), (None, "无数据")]
)
def test_percentages_read_like_the_summary(value: float | None, text: str) -> None:
    assert report.pct(value) == text


def test_cli_report_writes_the_docx(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.docx"
    code = cli.main(["report", "--year", "2023", "--out", str(out), "--db", str(demo_db)])
    assert code == 0, capsys.readouterr().err
    assert "全区共有一级党组织49个" in text_of(out.read_bytes())


def test_cli_report_errors_are_sentences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(
        ["report", "--year", "2023", "--out", str(tmp_path / "x.docx"), "--db", str(tmp_path / "no.duckdb")]
    )
    assert code == 1 and "不存在" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", "--year", "2023"])
    assert exc.value.code == 2


# ---------------------------------------------------------------- chart pictures (oversight.chart_png, ui helper)


@pytest.mark.skipif(not HAS_CHROMIUM, reason="服务器未安装 /usr/bin/chromium，无法渲染图表（CI 会安装）")
def test_figure_to_png_renders_a_png_with_a_cjk_font() -> None:
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=["党总支", "党支部"], y=[8, 41]), layout_title_text="一级党组织")
    picture = png.figure_to_png(fig, width=400, height=300, scale=1)
    assert picture.startswith(b"\x89PNG\r\n\x1a\n") and len(picture) > 5_000
    assert png.with_cjk_font(fig).layout.font.family.startswith("Noto Sans CJK SC")


def test_without_chromium_rendering_raises_a_chinese_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import plotly.graph_objects as go

    monkeypatch.setattr(png, "chromium_path", lambda: None)
    with pytest.raises(png.ChartRenderError, match="未安装 chromium"):
        png.figure_to_png(go.Figure())


def test_png_button_is_a_deferred_download() -> None:
    from streamlit.testing.v1 import AppTest

    def script() -> None:
        import plotly.graph_objects as go

        from oversight.app import downloads

        downloads.png_download_button(go.Figure(go.Bar(x=["甲"], y=[1])), "图表", key="png")

    at = AppTest.from_function(script).run()
    assert not at.exception
    (button,) = at.get("download_button")
    assert button.proto.label == "下载图片 PNG"
    if HAS_CHROMIUM:
        assert button.proto.deferred_file_id  # drawn only when pressed


# ---------------------------------------------------------------- 需关注学校 (vectorised, capped for a province)

#: a value per indicator that reads as 未达标 and one that reads as 达标 (see schools._row_status)
_FAILING = {"split_roles": "一肩挑", "charter": False, "duty_reports": False}
_PASSING = {"split_roles": "分设", "charter": True, "duty_reports": True}


def school_matrix_of(failing: dict[str, tuple[str, ...]]) -> pl.DataFrame:
    """A school_matrix()-shaped frame: school code -> the indicator keys it is 未达标 on (the rest 达标)."""
    rows = []
    for n, (code, keys) in enumerate(failing.items()):
        row: dict[str, object] = {
            "school_code": code,
            "school_name": f"学校{code}",
            "town": "甲镇" if n % 2 else "乙镇",
            "stage": "小学",
            "area_type": "城区",
        }
        for key in frames.MATRIX_KEYS:
            bad = key in keys
            row[key] = (_FAILING if bad else _PASSING).get(key, 0.0 if bad else 1.0)
            row[f"{key}_status"] = catalog.STATUS_BAD if bad else catalog.STATUS_OK
        rows.append(row)
    return pl.DataFrame(rows)


def test_lagging_lists_failing_indicators_in_order_and_marks_repeats() -> None:
    now = school_matrix_of(
        {"S1": ("split_roles", "charter"), "S2": ("rotation",), "S3": (), "S4": ("rotation", "duty_reports")}
    )
    before = school_matrix_of({"S1": ("charter",), "S2": ("split_roles",), "S3": ("rotation",), "S4": ()})
    lagging = report.lagging_from(now, before)
    assert lagging.columns == ["学校", "乡镇街道", "学段", "未达标指标", "未达标项数"]
    assert lagging.rows() == [
        (
            "学校S1",
            "乙镇",
            "小学",
            "书记校长分设、章程修订（连续两期）",
            2,
        ),  # ties: by town (乙 < 甲 in code order)
        ("学校S4", "甲镇", "小学", "交流轮岗比例、双向述职", 2),
        ("学校S2", "甲镇", "小学", "交流轮岗比例", 1),
    ]
    assert report.lagging_intro(lagging, 100) == (
        "本期有3所学校存在未达标指标，其中1所学校有指标连续两期未达标，建议列为重点督导对象。名单如下："
    )


def test_no_lagging_school_gives_an_empty_frame() -> None:
    now = school_matrix_of({"S1": (), "S2": ()})
    assert report.lagging_from(now, now).is_empty()


def test_more_lagging_schools_than_the_cap_list_the_worst_and_say_where_the_rest_are() -> None:
    keys = frames.MATRIX_KEYS
    # school i fails the first i % 8 indicators: 7, 6, ... 0 of them; 130 schools, 113 lagging
    failing = {f"S{i:03d}": keys[: i % 8] for i in range(130)}
    lagging = report.lagging_from(school_matrix_of(failing), school_matrix_of(dict.fromkeys(failing, ())))
    assert lagging.height == 113
    shown = lagging.head(report.LAGGING_ROWS)
    assert report.LAGGING_ROWS == 100 and shown.height == 100
    assert (
        shown["未达标项数"].to_list()
        == [7] * 16 + [6] * 16 + [5] * 16 + [4] * 16 + [3] * 16 + [2] * 16 + [1] * 4
    )
    assert report.lagging_intro(lagging, report.LAGGING_ROWS) == (
        "本期有113所学校存在未达标指标，其中0所学校有指标连续两期未达标，建议列为重点督导对象。"
        "下表列出未达标项数最多的100所学校；全部113所学校的名单请在监督看板“总览”页"
        "“各校指标达标情况”表格下方点击“下载 Excel”获取（按未达标项数从多到少排列）。"
    )


def lagging_table(raw: bytes) -> list[list[str]]:
    return tables_by_header(raw)["序号/学校"]


def test_document_caps_the_lagging_table(demo_db_template: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report.lagging, "LAGGING_ROWS", 10)
    with connection.opened(demo_db_template, read_only=True) as con:
        raw = report.build_docx(con, periods.Params(year=2023), render=lambda figs: {})
    rows = lagging_table(raw)
    assert len(rows) == 11  # header and the 10 schools with most indicators 未达标
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(1, 11)]
    counts = [int(r[5]) for r in rows[1:]]
    assert counts == [3, 3, 3, 3, 3, 2, 2, 2, 2, 2]
    assert all(r[4].count("\n") == int(r[5]) - 1 for r in rows[1:])
    assert rows[1][:4] == ["1", "城关第五小学", "城关街道", "小学"]
    assert (
        "本期有37所学校存在未达标指标，其中32所学校有指标连续两期未达标，建议列为重点督导对象。"
        "下表列出未达标项数最多的10所学校；全部37所学校的名单请在监督看板“总览”页"
        "“各校指标达标情况”表格下方点击“下载 Excel”获取（按未达标项数从多到少排列）。"
    ) in text_of(raw)


def test_district_lists_every_lagging_school_as_before(demo_db_template: Path) -> None:
    # 2024: the sample district has no 三重一大, 三会一课 or 双向述职 record that year. Those read 无数据 /
    # 未报送, never 未达标 (they once made all 54 schools lag); 29 schools lag on what was reported (the
    # leadership as of 2024-12-31, the charter, 2022-2023's rotation), still under the cap: all are listed
    with connection.opened(demo_db_template, read_only=True) as con:
        raw = report.build_docx(con, periods.Params(year=2024), render=lambda figs: {})
    rows = lagging_table(raw)
    assert len(rows) == 30
    assert rows[1] == ["1", "区实验高级中学", "东城街道", "高中", "交叉任职（连续两期）\n交流轮岗比例", "2"]
    assert all("三会一课" not in r[4] and "双向述职" not in r[4] for r in rows[1:])
    text = text_of(raw)
    assert (
        "本期有29所学校存在未达标指标，其中28所学校有指标连续两期未达标，建议列为重点督导对象。名单如下："
        in text
    )
    assert "本期尚无双向述职的记录（无数据），待各校报送后统计，不计为未达标。" in text
    assert "下载 Excel" not in text
    # the 存在问题 of a year with three tables unreported says so, naming no school on them
    problems = "".join(part_of(raw, "三、存在问题"))
    assert "三会一课方面" not in problems and "双向述职方面" not in problems


def test_threshold_cells_cut_the_dashboards_sentence_at_its_statuses() -> None:
    assert report.threshold_cells("rotation") == ("≥ 10.0%", "8.0%～10.0%", "< 8.0%")
    assert report.threshold_cells("unified_subjects") == ("0 名", "1～2 名", "≥ 3 名")


# ---------------------------------------------------------------- the shared chromium (present.png)


@pytest.mark.skipif(not HAS_CHROMIUM, reason="服务器未安装 /usr/bin/chromium，无法渲染图表（CI 会安装）")
def test_one_browser_draws_many_figures_and_closes_at_once() -> None:
    import plotly.graph_objects as go

    figs = [go.Figure(go.Bar(x=["甲", "乙"], y=[n, n + 1])) for n in range(3)]
    first = png.figures_to_png(figs, width=300, height=200, scale=1)
    browser = png._shared
    again = png.figures_to_png(figs[:1], width=300, height=200, scale=1)
    assert png._shared is browser  # the same chromium, not a new one per call
    assert len(first) == 3 and all(p.startswith(b"\x89PNG") for p in first + again)
    # closing returns at once (it once waited 15 s on a stopped event loop: the CLI's exit took 18 s)
    started = time.perf_counter()
    png.close()
    assert time.perf_counter() - started < 5
    assert png._shared is None and browser.closed


# ---------------------------------------------------------------- the 总览 button (app.downloads)


def test_the_report_button_builds_with_a_progress_bar_then_downloads(demo_db: Path) -> None:
    from streamlit.testing.v1 import AppTest

    def script(db: str) -> None:
        from types import SimpleNamespace

        from oversight.app import downloads
        from oversight.contract import roles
        from oversight.metrics import periods

        user = roles.User("领导甲", roles.ROLE_LEADER)
        ctx = SimpleNamespace(db=db, user=user, version="v1", params=periods.Params(year=2023))
        downloads.report_download_button(ctx)  # type: ignore[arg-type]

    at = AppTest.from_function(script, args=(str(demo_db),), default_timeout=120).run()
    assert not at.exception
    (button,) = at.button
    assert button.label == "生成情况总结（Word）" and not at.get("download_button")
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.button  # the pressed button gives its place to the status box and the download
    (status,) = at.status
    assert re.fullmatch(r"情况总结已生成（用时 \d+\.\d 秒）", status.label) and status.state == "complete"
    (download,) = at.get("download_button")
    assert download.proto.label == "下载情况总结（Word）"
    built = at.session_state["report_docx_built"]
    assert "全区共有一级党组织49个" in text_of(built["raw"])
    # a rerun keeps the document: no second build
    at.run()
    assert not at.status and len(at.get("download_button")) == 1
    # a second leader's build gets the page memo's copies of the figures (app.memo), which have no
    # make_subplots grid: it once failed there on the 最强党支部 chart's second axis
    other = AppTest.from_function(script, args=(str(demo_db),), default_timeout=120).run()
    other.button[0].click().run()
    assert not other.error and other.status[0].state == "complete"
    document = docx.Document(io.BytesIO(other.session_state["report_docx_built"]["raw"]))
    assert len(document.inline_shapes) == (len(report.CHARTS) if HAS_CHROMIUM else 0)
