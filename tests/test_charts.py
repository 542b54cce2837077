"""Figure builders and the .xlsx exporter on handmade frames: titles, traces, status colours and symbols."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import plotly.graph_objects as go
import polars as pl
import pytest

from oversight.contract.catalog import (
    INDICATORS_BY_KEY,
    ROTATION_TARGET,
    STATUS_BAD,
    STATUS_NONE,
    STATUS_OK,
    STATUS_STYLE,
    STATUS_WARN,
)
from oversight.metrics import schools
from oversight.present import figures, labels, tables, xlsx
from oversight.present.figures import base as figure_base

ok_color, ok_symbol = STATUS_STYLE[STATUS_OK]
bad_color, bad_symbol = STATUS_STYLE[STATUS_BAD]
warn_color, warn_symbol = STATUS_STYLE[STATUS_WARN]


def _title(fig: go.Figure) -> str:
    return fig.layout.title.text


def _font_ok(fig: go.Figure) -> None:
    assert fig.layout.font.family == figure_base.FONT_FAMILY


# ---------------------------------------------------------------- labels


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("school_name", "学校名称"),  # schema / query columns
        ("amount_yuan", "金额（元）"),
        ("rotated_share", "交流轮岗比例"),
        ("rotation", INDICATORS_BY_KEY["rotation"].zh),  # indicator keys
        ("rotation_status", INDICATORS_BY_KEY["rotation"].zh + "状态"),
        ("gap", labels.DERIVED_LABELS["gap"]),
        ("no_such_column", "no_such_column"),
    ],
)
def test_column_label(name: str, label: str) -> None:
    assert labels.column_label(name) == label


def test_is_share_follows_suffixes_and_indicator_units() -> None:
    assert labels.is_share("rotated_share") and labels.is_share("ratio") and labels.is_share("rotation")
    assert not labels.is_share("rotated_count") and not labels.is_share("schools")


def test_status_text_has_symbol_and_word() -> None:
    assert labels.status_text(STATUS_BAD) == f"{bad_symbol} {STATUS_BAD}"
    assert labels.status_text(None) == f"{STATUS_STYLE[STATUS_NONE][1]} {STATUS_NONE}"


# ---------------------------------------------------------------- status figures


def _matrix() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "school_code": ["A", "B"],
            "school_name": ["甲小学", "乙中学"],
            "split_roles": ["分设", "一肩挑"],
            "split_roles_status": [STATUS_OK, STATUS_BAD],
            "rotation": [0.12, 0.09],
            "rotation_status": [STATUS_OK, STATUS_WARN],
            "charter": [True, None],
            "charter_status": [STATUS_OK, None],
        }
    )


def test_status_matrix_cells_carry_status_symbol_and_colour() -> None:
    fig = figures.status_matrix(_matrix())
    _font_ok(fig)
    assert _title(fig) == "各校指标达标情况"
    heat = fig.data[0]
    assert isinstance(heat, go.Heatmap)
    assert list(heat.x) == ["书记校长分设", "交流轮岗比例", "章程修订"]
    assert list(heat.y) == ["甲小学", "乙中学"]
    assert [list(r) for r in heat.text] == [
        [ok_symbol] * 3,
        [bad_symbol, warn_symbol, STATUS_STYLE[STATUS_NONE][1]],
    ]
    # the colour scale maps each status code to exactly its catalog colour
    code = {s: i for i, s in enumerate(figure_base.STATUS_ORDER)}
    n = len(figure_base.STATUS_ORDER)
    scale = {round(pos, 6): color for pos, color in heat.colorscale}
    assert scale[round(code[STATUS_BAD] / n, 6)] == bad_color
    assert heat.z[1][0] == code[STATUS_BAD]
    # a legend entry per status, colour plus symbol (the marker), and the word once, not "● ● 达标"
    legend = {t.name: (t.marker.color, t.marker.symbol) for t in fig.data[1:]}
    assert legend[STATUS_OK] == (ok_color, figure_base.STATUS_MARKERS[STATUS_OK])
    assert "乙中学<br>书记校长分设：一肩挑<br>状态：未达标" in heat.customdata[1][0]


def test_status_matrix_empty_frame_says_so() -> None:
    fig = figures.status_matrix(_matrix().clear())
    assert _title(fig) == "各校指标达标情况"
    assert fig.layout.annotations[0].text == "当前筛选条件下没有数据"


def test_status_bars_one_trace_per_status_with_target_line() -> None:
    df = pl.DataFrame(
        {
            "school_name": ["甲", "乙", "丙"],
            "rotated_share": [0.05, 0.12, 0.15],
            "status": [STATUS_BAD, STATUS_OK, STATUS_OK],
        }
    )
    fig = figures.status_bars(
        df, "school_name", "rotated_share", title="各校交流轮岗比例", target=ROTATION_TARGET
    )
    _font_ok(fig)
    assert _title(fig) == "各校交流轮岗比例"
    # the target is a legend entry, not an annotation that ran into the legend or the bars
    assert [t.name for t in fig.data] == [
        labels.status_text(STATUS_OK),
        labels.status_text(STATUS_BAD),
        "目标 10.0%",
    ]
    ok, bad, _ = fig.data
    assert ok.marker.color == ok_color and bad.marker.color == bad_color
    assert list(bad.text) == [f"{bad_symbol} 5.0%"] and bad.cliponaxis is False
    assert fig.layout.xaxis.tickformat == ".0%"
    assert fig.layout.xaxis.title.text == "交流轮岗比例"
    assert fig.layout.shapes[0].x0 == ROTATION_TARGET
    assert not fig.layout.annotations


def test_add_status_and_rotation_gap() -> None:
    df = pl.DataFrame({"rotated_share": [0.05, 0.085, 0.2, None], "eligible_teachers": [40, 20, 10, 0]})
    df = schools.add_status(df, "rotation", "rotated_share").with_columns(
        pl.Series("rotated_count", [2, 1, 2, 0])
    )
    assert df["status"].to_list() == [STATUS_BAD, STATUS_WARN, STATUS_OK, STATUS_NONE]
    # 40 × 10% = 4 needed, 2 rotated → 2 to go; 20 × 10% = 2 → 1; already above → 0
    assert schools.rotation_gap(df)["gap"].to_list() == [2, 1, 0, 0]


def test_status_heatmap_quarters() -> None:
    df = schools.quarter_status(
        pl.DataFrame(
            {
                "org_name": ["一支部", "一支部", "二支部"],
                "quarter_no": [1, 2, 1],
                "is_due": [True, False, True],
                "is_compliant": [True, None, False],
            }
        )
    )
    assert df["status"].to_list() == [STATUS_OK, STATUS_NONE, STATUS_BAD]
    fig = figures.status_heatmap(df, "quarter", "org_name", title="三会一课")
    heat = fig.data[0]
    assert list(heat.x) == ["第1季度", "第2季度"]
    assert [list(r) for r in heat.text] == [[ok_symbol, "○"], [bad_symbol, "○"]]
    assert {t.name for t in fig.data[1:]} == {STATUS_OK, STATUS_BAD, STATUS_NONE}


# ---------------------------------------------------------------- other figures


def test_stacked_bars_titles_and_parts() -> None:
    df = pl.DataFrame({"stage": ["小学", "初中"], "split_count": [5, 3], "combined_count": [1, 0]})
    fig = figures.stacked_bars(
        df, "stage", ["split_count", "combined_count"], title="按学段", value_title="学校数"
    )
    _font_ok(fig)
    assert [t.name for t in fig.data] == ["分设", "一肩挑"]
    assert fig.layout.xaxis.title.text == "学段" and fig.layout.yaxis.title.text == "学校数"
    assert fig.layout.barmode == "stack"
    assert "学段：%{x}<br>分设：%{y}" in fig.data[0].hovertemplate


def test_grouped_by_with_cumulative_line() -> None:
    df = pl.DataFrame({"year": [2021, 2022, 2022], "level": ["市级", "区级", "市级"], "new_count": [2, 3, 1]})
    fig = figures.grouped_by(df, "year", "level", "new_count", title="最强党支部", cumulative_line=True)
    names = [t.name for t in fig.data]
    assert names == ["区级", "市级", "累计"]
    assert list(fig.data[-1].y) == [2, 6]
    assert list(fig.data[1].y) == [2, 1]  # 市级 per year


def test_lines_share_axis_and_target() -> None:
    df = pl.DataFrame({"school_year": ["2021-2022", "2022-2023"], "ratio": [0.09, 0.12]})
    fig = figures.lines(df, "school_year", "ratio", title="历年", target=ROTATION_TARGET)
    assert fig.layout.yaxis.tickformat == ".0%"
    assert list(fig.data[0].text) == ["9.0%", "12.0%"]
    assert fig.layout.shapes[0].y0 == ROTATION_TARGET


def test_flows_sankey_nodes() -> None:
    df = pl.DataFrame(
        {
            "from_area_type": ["城区", "城区", "乡村"],
            "to_area_type": ["乡村", "镇区", "城区"],
            "rotations_count": [5, 2, 1],
        }
    )
    fig = figures.flows_sankey(df, value="rotations_count")
    sankey = fig.data[0]
    assert list(sankey.node.label) == ["派出·乡村", "派出·城区", "接收·乡村", "接收·城区", "接收·镇区"]
    assert sum(sankey.link.value) == 8


def test_org_tree_root_and_remainders() -> None:
    df = pl.DataFrame(
        {
            "node_id": ["__bureau__", "Z1", "Z1-1", "B2"],
            "parent_id": ["", "__bureau__", "Z1", "__bureau__"],
            "label": ["区教体局党委", "一中党总支", "一中第一支部", "二小党支部"],
            "org_type": ["", "党总支", "党支部", "党支部"],
            "members_count": [50, 40, 15, 10],
        }
    )
    fig = figures.org_tree(df)
    sun = fig.data[0]
    assert isinstance(sun, go.Sunburst)
    # root, then one ring per org type of the primary orgs, then the orgs under their type
    assert list(sun.labels) == [
        "区教体局党委",
        "党总支（1）",
        "党支部（1）",
        "一中党总支",
        "一中第一支部",
        "二小党支部",
    ]
    assert list(sun.parents) == ["", "__bureau__", "__bureau__", "__type__党总支", "Z1", "__type__党支部"]
    assert list(sun.values) == [
        0,
        0,
        0,
        25,
        15,
        10,
    ]  # the 党总支 draws only its own 25 beyond its branch's 15
    assert "党员人数：40" in sun.customdata[3]
    assert isinstance(figures.org_tree(df, kind="treemap").data[0], go.Treemap)


def test_timeline_open_tenure_runs_to_as_of() -> None:
    df = pl.DataFrame(
        {
            "name": ["张三", "李四"],
            "post": ["书记", "校长"],
            "appointed_on": [date(2020, 1, 1), date(2021, 1, 1)],
            "left_on": [date(2020, 1, 11), None],
        }
    )
    fig = figures.timeline(df, as_of=date(2021, 1, 2))
    assert [t.name for t in fig.data] == ["书记", "校长"]
    assert list(fig.data[0].x) == [10 * 86_400_000]
    assert list(fig.data[1].x) == [86_400_000]
    assert fig.data[1].customdata[0][1] == "至今"


def test_school_vs_district() -> None:
    row = {
        "rotation": 0.05,
        "rotation_status": STATUS_BAD,
        "split_roles": "分设",
        "split_roles_status": STATUS_OK,
    }
    district = {"rotation": {"ratio": 0.12}, "split_roles": {"split_share": 0.8}}
    frame = tables.school_vs_district_frame(row, district)
    assert frame["indicator"].to_list() == ["split_roles", "rotation"]
    assert frame["district_value"].to_list() == [0.8, 0.12]
    assert frame["school_value"].to_list() == [1.0, 0.05]  # 分设 reads as 100%
    fig = figures.school_vs_district(frame)
    bars = fig.data[0]
    assert list(bars.y) == [INDICATORS_BY_KEY["split_roles"].zh, INDICATORS_BY_KEY["rotation"].zh]
    assert list(bars.marker.color) == [ok_color, bad_color]
    assert list(bars.text) == [f"{ok_symbol} 分设", f"{bad_symbol} 5.0%"]
    assert list(fig.data[1].x) == [0.8, 0.12]  # the district's marks


def test_trends_panels_and_status_markers() -> None:
    df = pl.DataFrame(
        {
            "period": ["2022", "2023", "2022", "2023"],
            "indicator": ["charter", "charter", "schools", "schools"],
            "value": [0.5, 0.96, 50.0, 54.0],
        }
    )
    fig = figures.trends(df)
    titles = [a.text for a in fig.layout.annotations]
    assert titles[:2] == [INDICATORS_BY_KEY["schools"].zh, INDICATORS_BY_KEY["charter"].zh]
    charter = next(t for t in fig.data if t.name == INDICATORS_BY_KEY["charter"].zh)
    assert list(charter.marker.color) == [bad_color, ok_color]
    assert list(charter.marker.symbol) == ["x", "circle"]


def test_matrix_cells_text() -> None:
    cells = tables.matrix_cells(_matrix())
    assert cells.columns == ["school_code", "school_name", "书记校长分设", "交流轮岗比例", "章程修订"]
    assert cells.row(1) == ("B", "乙中学", f"{bad_symbol} 一肩挑", f"{warn_symbol} 9.0%", "○ —")
    assert tables.cell_status(f"{bad_symbol} 一肩挑") == STATUS_BAD


# ---------------------------------------------------------------- xlsx


def test_frame_to_xlsx_neutralises_formulas_and_keeps_numbers() -> None:
    df = pl.DataFrame(
        {
            "学校名称": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tTAB", "\rCR", "正常"],
            "数值": [1, 2, 3, 4, 5, 6, 7],
        }
    )
    raw = xlsx.frame_to_xlsx(df, "名单:/测试?")
    ws = openpyxl.load_workbook(io.BytesIO(raw)).active
    assert ws.title == "名单__测试_"
    assert [c.value for c in ws[1]] == ["学校名称", "数值"]
    texts = [ws.cell(row=r, column=1).value for r in range(2, 9)]
    assert texts == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "'\tTAB", "'\rCR", "正常"]
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(2, 9))
    assert ws.cell(row=2, column=2).value == 1


def test_safe_sheet_name_limits() -> None:
    assert xlsx.safe_sheet_name("") == "数据"
    assert len(xlsx.safe_sheet_name("很" * 40)) == 31


def test_charts_module_does_not_import_streamlit() -> None:
    for module in (figures, xlsx):
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert "import streamlit" not in source


def test_status_bars_draw_the_first_chart_rows_of_a_province() -> None:
    n = figures.CHART_ROWS + 5
    df = pl.DataFrame(
        {"school_name": [f"学校{i}" for i in range(n)], "share": [i / n for i in range(n)]}
    ).with_columns(pl.lit(STATUS_BAD).alias("status"))
    fig = figures.status_bars(df, "school_name", "share", title="各校比例", share=True)
    drawn = [y for trace in fig.data for y in trace.y]
    assert len(drawn) == figures.CHART_ROWS and drawn[0] == "学校0" and "学校300" not in drawn
    assert _title(fig) == f"各校比例（共 {n} 项，显示排在最前的 {figures.CHART_ROWS} 项）"


def test_status_heatmap_keeps_the_rows_with_most_failures() -> None:
    n = figures.CHART_ROWS + 2
    rows = [(f"支部{i}", q, STATUS_OK) for i in range(n) for q in ("一季度", "二季度")]
    rows[-1] = (f"支部{n - 1}", "二季度", STATUS_BAD)  # the last branch fails a quarter: it must lead
    df = pl.DataFrame(rows, schema=["org_name", "quarter", "status"], orient="row")
    fig = figures.status_heatmap(df, "quarter", "org_name", title="三会一课")
    heat = next(t for t in fig.data if isinstance(t, go.Heatmap))
    assert len(heat.y) == figures.CHART_ROWS and heat.y[0] == f"支部{n - 1}" and heat.y[1] == "支部0"
    assert "共 302 行" in _title(fig)


def test_org_tree_of_a_province_keeps_the_largest_primary_orgs() -> None:
    n = figures.ORG_TREE_NODES + 10
    df = pl.DataFrame(
        {
            "node_id": ["__bureau__", *[f"O{i}" for i in range(n)]],
            "parent_id": ["", *["__bureau__"] * n],
            "label": ["局党委", *[f"支部{i}" for i in range(n)]],
            "org_type": ["", *["党支部"] * n],
            "members_count": [0, *range(n)],
        }
    )
    fig = figures.org_tree(df)
    tree = fig.data[0]
    assert f"支部{n - 1}" in tree.labels and "支部0" not in tree.labels
    assert f"党支部（{n}）" in tree.labels  # the type ring still counts every primary org
    assert len(tree.ids) == 1 + 1 + figures.CHART_ROWS
