"""The year's 情况总结 (.docx): the district summary's headline sentences from the sample district, charts
when chromium is there, a clear sentence when it is not, Chinese fonts, and `oversight report`."""

from __future__ import annotations

import io
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

HAS_CHROMIUM = png.chromium_path() is not None


def text_of(raw: bytes) -> str:
    """Every paragraph and table cell of a .docx, read back with python-docx."""
    document = docx.Document(io.BytesIO(raw))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def report_2023(demo_db_template: Path) -> bytes:
    """Built once for the module with real charts (about ten seconds with chromium)."""
    with connection.opened(demo_db_template, read_only=True) as con:
        return report.build_docx(con, periods.Params(year=2023))


def test_headline_sentences_match_the_district_summary(report_2023: bytes) -> None:
    text = text_of(report_2023)
    assert "全区共有一级党组织49个，其中党总支8个、党支部41个，党员1715人。" in text
    assert "累计创建最强党支部37个（市级" in text
    assert "今年新任命书记13人、副书记31人。" in text
    assert "2022-2023学年交流轮岗教师" in text and "占符合交流条件教师" in text
    for words in ("一肩挑", "交叉任职", "两级审议", "三会一课", "章程", "双向述职"):
        assert words in text


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


def test_the_summarys_activities_staffing_and_brands_are_written_from_the_data(
    report_2023: bytes, demo_db_template: Path
) -> None:
    text = text_of(report_2023)
    for sentence in ISSUE_18_SENTENCES:
        assert sentence in text, sentence
    headings = [
        p.text for p in docx.Document(io.BytesIO(report_2023)).paragraphs if p.style.name == "Heading 1"
    ]
    assert headings[-4:] == [
        "十一、教研、结对共建与群团活动",
        "十二、统编“三科”教师配备",
        "十三、党建品牌创建",
        report.LAGGING_HEADING,
    ]
    # the same numbers as plain SQL over the same file
    with connection.opened(demo_db_template, read_only=True) as con:
        observed = con.execute(
            """select count(*), sum(participants) from activities
               where kind in ('教学观摩', '蹲校教研') and year(held_on) = 2023"""
        ).fetchall()[0]
    assert f"活动{observed[0]}次，参加{observed[1]:,}人次" in text


def test_a_year_with_a_staffing_gap_names_the_subjects_short(demo_db_template: Path) -> None:
    with connection.opened(demo_db_template, read_only=True) as con:
        raw = report.build_docx(con, periods.Params(year=2022), render=lambda figs: {})
    text = text_of(raw)
    assert "2021-2022学年需配备统编“三科”教师17名，配备统编“三科”教师14名" in text
    assert "缺口3名（未达标）。" in text
    assert "尚有3所学校未配齐统编“三科”教师（缺道德与法治2名、语文1名）。" in text


def test_report_has_title_overview_and_lagging_school_table(report_2023: bytes) -> None:
    document = docx.Document(io.BytesIO(report_2023))
    assert document.paragraphs[0].text == "全区2023年党组织领导的校长负责制落实情况总结"
    headers = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert ["指标", "本期", "上期", "变化", "状态"] in headers
    lagging = next(t for t in document.tables if t.rows[0].cells[0].text == "学校")
    assert [c.text for c in lagging.rows[0].cells] == ["学校", "乡镇街道", "学段", "未达标指标", "未达标项数"]
    assert len(lagging.rows) > 1


def test_styles_carry_an_east_asian_font(report_2023: bytes) -> None:
    document = docx.Document(io.BytesIO(report_2023))
    for name, font in (
        ("Normal", report.BODY_FONT),
        ("Heading 1", report.HEADING_FONT),
        ("Title", report.HEADING_FONT),
    ):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == font
        assert fonts.get(qn("w:eastAsiaTheme")) is None


@pytest.mark.skipif(not HAS_CHROMIUM, reason="服务器未安装 /usr/bin/chromium，无法渲染图表（CI 会安装）")
def test_every_section_has_its_chart_when_chromium_is_present(report_2023: bytes) -> None:
    document = docx.Document(io.BytesIO(report_2023))
    assert len(document.inline_shapes) == len(report.SECTIONS)
    assert report.CHARTS_MISSING not in text_of(report_2023)


def test_without_chromium_the_document_builds_and_says_so(
    demo_db_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(png, "chromium_path", lambda: None)
    with connection.opened(demo_db_template, read_only=True) as con:
        raw = report.build_docx(con, periods.Params(year=2023))
    document = docx.Document(io.BytesIO(raw))
    assert len(document.inline_shapes) == 0
    text = text_of(raw)
    assert report.CHARTS_MISSING in text
    assert "党员1715人" in text


def test_filters_name_the_scope(demo_db_template: Path) -> None:
    with connection.opened(demo_db_template, read_only=True) as con:
        raw = report.build_docx(con, periods.Params(year=2023, town="城关街道"), render=lambda figs: {})
    text = text_of(raw)
    assert text.startswith("城关街道2023年")
    assert "城关街道共有一级党组织" in text


def test_empty_database_reads_as_no_data_not_an_error(tmp_path: Path) -> None:
    with connection.opened(tmp_path / "empty.duckdb") as con:
        raw = report.build_docx(con, periods.Params(year=2023), render=lambda figs: {})
    text = text_of(raw)
    assert "全区共有一级党组织0个，党员0人。" in text
    assert "无数据" in text
    # no activity, no staffing row, no org: said as no data, never as 0 次 / 缺口0名（达标） / 0%
    assert "本年度尚无活动开展的记录（无数据），待各校报送活动台账后统计。" in text
    assert "本期尚无统编三科教师缺口的记录（无数据），待各校报送后统计，不计为未达标。" in text
    assert "全区尚无一级党组织的记录，党建品牌创建情况无数据。" in text
    assert "缺口0名" not in text


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
    document = docx.Document(io.BytesIO(raw))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "学校")
    return [[c.text for c in row.cells] for row in table.rows]


def test_document_caps_the_lagging_table(demo_db_template: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report, "LAGGING_ROWS", 10)
    with connection.opened(demo_db_template, read_only=True) as con:
        raw = report.build_docx(con, periods.Params(year=2023), render=lambda figs: {})
    rows = lagging_table(raw)
    assert len(rows) == 11  # header and the 10 schools with most indicators 未达标
    counts = [int(r[4]) for r in rows[1:]]
    assert counts == [3, 3, 3, 3, 3, 2, 2, 2, 2, 2]
    assert rows[1][:3] == ["城关第五小学", "城关街道", "小学"]
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
    assert rows[1] == ["区实验高级中学", "东城街道", "高中", "交叉任职（连续两期）、交流轮岗比例", "2"]
    assert all("三会一课" not in r[3] and "双向述职" not in r[3] for r in rows[1:])
    text = text_of(raw)
    assert (
        "本期有29所学校存在未达标指标，其中28所学校有指标连续两期未达标，建议列为重点督导对象。名单如下："
        in text
    )
    assert "本期尚无双向述职的记录（无数据），待各校报送后统计，不计为未达标。" in text
    assert "下载 Excel" not in text
