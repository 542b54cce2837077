"""build_docx: the year's 情况总结 in the order a bureau sends it upward.

Title, the period, one opening sentence; 一、总体情况 (the headline 总览 shows, the indicators against
上期 and their 达标 lines, the trend chart); 二、主要工作落实情况, one （一） per part of the district's
summary, each naming its lagging schools; 三、存在问题 and 四、下一步工作 from the data; the attachments'
names, the issuing unit and the date; 附件1 the 需关注 schools, 附件2 the thresholds every status was
judged by.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import plotly.graph_objects as go

from oversight.contract import catalog
from oversight.engine import Connection
from oversight.metrics import indicators, periods
from oversight.present import formats, headline, labels
from oversight.present.report import charts, document, laggards, lagging, problems
from oversight.present.report.data import ReportData, read
from oversight.present.report.sentences import sentences
from oversight.present.report.words import NO_DATA, numeral, scope_name

#: who signs the summary: $OVERSIGHT_ISSUER, else this
ISSUER_ENV, DEFAULT_ISSUER = "OVERSIGHT_ISSUER", "区教体局"
LAGGING_HEADING = "需关注学校名单"
THRESHOLDS_HEADING = "考核指标及判定标准"
#: the date on the document is the bureau's, not the server's (a server on UTC is still on the day before
#: until 08:00 in China)
BEIJING = timezone(timedelta(hours=8), "北京时间")
#: progress(fraction done, what is being done): the page's progress bar
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Section:
    key: str
    heading: str


#: 二、主要工作落实情况, in the district summary's order
SECTIONS: tuple[Section, ...] = (
    Section("orgs", "党组织设置"),
    Section("split", "书记、校长分设与“一肩挑”"),
    Section("cross", "党员副校长交叉任职"),
    Section("appointments", "干部任免"),
    Section("honors", "最强党支部创建"),
    Section("rotation", "教师交流轮岗"),
    Section("review", "“三重一大”事项两级审议"),
    Section("meetings", "“三会一课”落实"),
    Section("charter", "学校章程修订"),
    Section("duty", "“双向述职”"),
    Section("activities", "教研、结对共建与群团活动"),
    Section("unified", "统编“三科”教师配备"),
    Section("brands", "党建品牌创建"),
)


def issuer_name(issuer: str | None = None) -> str:
    return issuer or os.environ.get(ISSUER_ENV, "").strip() or DEFAULT_ISSUER


def issue_date() -> date:
    """Today in China: the day the summary is generated is the day it is signed (a 2023 summary made in
    2025 is dated 2025 and says in its subtitle that its data are as at the end of 2023)."""
    return datetime.now(BEIJING).date()


def _quiet(fraction: float, text: str) -> None:
    return None


def build_docx(
    con: Connection,
    params: periods.Params,
    *,
    render: Callable[[dict[str, go.Figure]], dict[str, bytes]] = charts.render_charts,
    progress: Progress | None = None,
    issuer: str | None = None,
    issued: date | None = None,
) -> bytes:
    """The year's 情况总结 for `params` (year and filters) as .docx bytes, from `con` (one snapshot).

    `render` turns the figures into PNG bytes (tests pass one that draws nothing); `progress` is told
    each step; `issuer` signs it (default $OVERSIGHT_ISSUER or 区教体局), dated `issued` (default today
    in China, issue_date()).
    """
    say = progress or _quiet
    say(0.0, "读取数据…")
    default = render is charts.render_charts
    drawing = not default or charts.can_draw()
    if default and drawing:
        charts.prestart()  # chromium starts while the data is read
    data = read(con, params, with_trend=drawing)
    say(0.4, "绘制图表…")
    figs = charts.section_charts(data) if drawing else {}
    pictures = render(figs) if figs else {}
    say(0.85, "写入文档…")
    raw = write(
        data,
        pictures,
        issuer=issuer_name(issuer),
        issued=issued or issue_date(),
        charts_missing=not drawing or (bool(figs) and not pictures),
    )
    say(1.0, "已生成")
    return raw


def write(
    data: ReportData,
    pictures: dict[str, bytes],
    *,
    issuer: str,
    issued: date,
    charts_missing: bool | None = None,
) -> bytes:
    """The document from one reading and its pictures. `charts_missing` (default: no pictures) puts the
    sentence that the charts could not be drawn under 总体情况; a reading with nothing to chart has no
    pictures and needs no such sentence."""
    scope = scope_name(data.p)
    lines = document.title_lines(scope, data.p.year)
    doc = document.new_document("".join(lines), issuer)
    _front(doc, data, lines)
    figure = _Numbers()
    _overview(doc, data, pictures, figure, not pictures if charts_missing is None else charts_missing)
    _work(doc, data, pictures, figure)
    _problems(doc, data)
    document.attachments_note(doc, [LAGGING_HEADING, THRESHOLDS_HEADING])
    document.signature(doc, issuer, formats.date_text(issued))
    _lagging_appendix(doc, data)
    _thresholds_appendix(doc)
    return document.to_bytes(doc)


class _Numbers:
    """图1, 图2 …: the pictures' numbers in the order they appear."""

    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def _front(doc: Any, data: ReportData, lines: list[str]) -> None:
    p = data.p
    document.title(doc, lines)
    document.title(
        doc,
        # the year is the title's: the line says the school year and the data's date, on one line
        [f"（{p.school_year}学年，数据截至{formats.date_text(p.as_of)}）"],
        style="Subtitle",
    )
    doc.add_paragraph()
    document.body(
        doc,
        f"根据各学校报送至监督看板的数据，现将{scope_name(p)}{p.year}年"
        "党组织领导的校长负责制落实情况总结如下。",
    )


def _picture(doc: Any, pictures: dict[str, bytes], key: str, figure: _Numbers) -> None:
    if key in pictures:
        document.picture(doc, pictures[key], f"图{figure.next()}　{charts.CAPTIONS[key]}")


def _overview(
    doc: Any, data: ReportData, pictures: dict[str, bytes], figure: _Numbers, charts_missing: bool
) -> None:
    """一、总体情况: the headline 总览 shows, word for word; the indicators against 上期; the trend."""
    document.heading(doc, "一、总体情况", 1)
    for line in headline.sentences(data.result, data.before, data.watched, data.p):
        document.body(doc, line)
    if charts_missing:
        document.body(doc, charts.CHARTS_MISSING)
    document.body(doc, "主要指标本期与上期对比如下（状态按看板统一阈值判定，比例的变化以百分点计）。")
    document.caption(doc, "表1　主要指标完成情况")
    header, rows = overview_rows(data.result, data.before)
    document.table(doc, header, rows, (4.0, 2.4, 2.2, 2.2, 2.4, 2.4), keep_together=True)
    _picture(doc, pictures, "overview", figure)


def _threshold_cell(ind: catalog.Indicator) -> str:
    if ind.ok_at is None:
        return "—"
    if ind.lower_is_better:
        return f"{ind.ok_at:.0f}{ind.count_unit}"
    return f"≥{formats.percent(ind.ok_at)}"


def _change_cell(ind: catalog.Indicator, value: float | None, prior: float | None) -> str:
    trend = catalog.trend_of(value, prior)
    if trend is None or value is None or prior is None:
        return "—"
    if trend == catalog.TREND_FLAT:
        return trend
    diff = (value - prior) * 100 if ind.unit == "share" else value - prior
    return f"{trend}{abs(diff):.1f}" if ind.unit == "share" else f"{trend}{abs(diff):.0f}"


def overview_rows(r: dict[str, Any], before: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """表1: every indicator this period and 上期, its 达标 line, the change and the status."""
    rows = []
    for ind in catalog.INDICATORS:
        value, prior = indicators.reported_headline(r, ind.key), indicators.reported_headline(before, ind.key)
        share = ind.unit == "share"
        status = indicators.status_of_result(r, ind.key)
        rows.append(
            [
                ind.zh,
                _threshold_cell(ind),
                formats.format_value(value, share) if value is not None else NO_DATA,
                formats.format_value(prior, share) if prior is not None else NO_DATA,
                _change_cell(ind, value, prior),
                labels.status_text(status) if ind.ok_at is not None else "—",
            ]
        )
    return ["指标", "达标线", "本期", "上期", "较上期", "状态"], rows


def _work(doc: Any, data: ReportData, pictures: dict[str, bytes], figure: _Numbers) -> None:
    """二、主要工作落实情况: each part's sentences, the schools lagging on it, its chart."""
    document.heading(doc, "二、主要工作落实情况", 1)
    texts = sentences(data.result, data.p, data.frames)
    for n, section in enumerate(SECTIONS, start=1):
        document.heading(doc, f"（{numeral(n)}）{section.heading}", 2)
        for text in texts[section.key] + laggards.section_lines(section.key, data.matrix, data.frames):
            document.body(doc, text)
        _picture(doc, pictures, section.key, figure)


def _problems(doc: Any, data: ReportData) -> None:
    """三、存在问题 ("一是…") and 四、下一步工作 ("（一）…")."""
    document.heading(doc, "三、存在问题", 1)
    found = problems.problems(data)
    for n, (point, text) in enumerate(found, start=1):  # "一是" only where there is a 二是
        document.lead(doc, f"{numeral(n)}是{point}。" if len(found) > 1 else f"{point}。", text)
    document.heading(doc, "四、下一步工作", 1)
    steps = problems.next_steps(data)
    for n, (point, text) in enumerate(steps, start=1):
        lead = f"（{numeral(n)}）{point}。" if len(steps) > 1 else f"{point}。"
        document.lead(doc, lead, text, font=document.KAI_FONT, bold=False)


def _appendix_head(doc: Any, n: int, name: str) -> None:
    document.label(doc, f"附件{n}", page_break=True)
    document.title(doc, [name])


def _lagging_appendix(doc: Any, data: ReportData) -> None:
    """附件1: the schools 未达标 on at least one indicator (at most LAGGING_ROWS, the worst first)."""
    _appendix_head(doc, 1, LAGGING_HEADING)
    if data.lagging.is_empty():
        document.body(doc, f"{scope_name(data.p)}没有学校在本期有未达标指标。")
        return
    document.body(doc, lagging.lagging_intro(data.lagging, lagging.LAGGING_ROWS))
    shown = lagging.lagging_table(data.lagging, lagging.LAGGING_ROWS)
    # 五号 is 0.37 cm a character, 0.2 cm of padding: 序号 and 项数 two characters, a school eight,
    # 乡镇街道 four, 学段 six (十二年一贯制), the longest indicator with （连续两期） fourteen
    document.table(doc, shown.columns, shown.rows(), (1.0, 3.3, 1.8, 2.5, 6.0, 1.0), left=(1, 4))


def threshold_cells(key: str) -> tuple[str, str, str]:
    """The 达标, 预警 and 未达标 ranges of an indicator, one cell each ('≥ 80.0%', '60.0%～80.0%',
    '< 60.0%'): the dashboard's one threshold sentence (headline.threshold_text), cut at its statuses,
    so a long sentence never wraps inside a range. '—' where there is no such range."""
    cells = dict.fromkeys((catalog.STATUS_OK, catalog.STATUS_WARN, catalog.STATUS_BAD), "—")
    for part in headline.threshold_text(key).split("，"):
        for status in sorted(cells, key=len, reverse=True):  # 未达标 before 达标, which it ends with
            if part.endswith(status):
                cells[status] = part.removesuffix(status).strip()
                break
    return cells[catalog.STATUS_OK], cells[catalog.STATUS_WARN], cells[catalog.STATUS_BAD]


def _thresholds_appendix(doc: Any) -> None:
    """附件2: the thresholds every status in the document was judged by, from the catalog."""
    _appendix_head(doc, 2, THRESHOLDS_HEADING)
    rows = [
        [ind.zh, ind.description, *threshold_cells(ind.key)]
        for ind in catalog.INDICATORS
        if ind.ok_at is not None
    ]
    document.table(
        doc,
        ["指标", "计算口径", "达标", "预警", "未达标"],
        rows,
        (3.3, 5.4, 1.9, 3.0, 2.0),
        left=(1,),
        keep_together=True,
    )
    document.body(
        doc,
        "注：未报送的学校按“未报送”列示，不计为未达标；本材料各项数字由监督看板根据已导入数据生成，与看板一致。",
    )
