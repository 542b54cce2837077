"""Every dashboard page in Streamlit's AppTest against the sample district, asserting the figures shown.

The 2023 figures of the sample district come from the district summary the product was written from
(49 一级党组织 = 8 党总支 + 41 党支部, 1715 党员, 37 最强党支部, 13 新任书记, 31 新任副书记); the other
numbers are read from the same database with plain SQL, so a page that shows a wrong number fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "总览": ROOT / "app.py",
    "组织建设": ROOT / "pages" / "1_组织建设.py",
    "最强党支部": ROOT / "pages" / "2_最强党支部.py",
    "交流轮岗": ROOT / "pages" / "3_交流轮岗.py",
    "议事决策": ROOT / "pages" / "4_议事决策.py",
    "学校画像": ROOT / "pages" / "5_学校画像.py",
    "趋势": ROOT / "pages" / "6_趋势.py",
    "活动台账": ROOT / "pages" / "9_活动台账.py",
}
LEADER = {"username": "leader", "role": "领导"}


@pytest.fixture
def db(dashboard_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OVERSIGHT_DB", str(dashboard_db))
    return dashboard_db


def _sql(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _run(page: str, *, user: dict | None = LEADER, **query: str) -> AppTest:
    at = AppTest.from_file(str(PAGES[page]), default_timeout=60)
    if user is not None:
        at.session_state["user"] = user
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"没有指标卡“{label}”：{[m.label for m in at.metric]}"
    return found[0]


def _texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("caption", "markdown", "subheader") for e in getattr(at, kind))


def _figures(at: AppTest) -> list[dict]:
    """Plotly charts appear in AppTest as unknown elements whose proto carries the figure JSON."""
    return [json.loads(e.proto.spec) for e in at.get("plotly_chart")]


def _titles(at: AppTest) -> list[str]:
    return [f["layout"]["title"]["text"] for f in _figures(at)]


# ---------------------------------------------------------------- login and filters


def test_without_login_shows_the_form_and_no_data(db: Path) -> None:
    at = _run("总览", user=None, year="2023")
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert len(at.metric) == 0 and not at.get("plotly_chart")
    assert "1715" not in _texts(at)


def test_login_form_lets_a_leader_in(db: Path) -> None:
    at = _run("总览", user=None, year="2023")
    at.text_input(key="login_username").input("leader")
    at.text_input(key="login_password").input("password123")
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["user"] == LEADER
    assert _metric(at, "一级党组织") == "49"


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_needs_a_login(db: Path, page: str) -> None:
    at = _run(page, user=None)
    # the login form is the page: its two fields and the 登录 button, and nothing of the data
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert [b.label for b in at.button] == ["登录"]
    assert not at.get("plotly_chart") and not at.dataframe and not at.metric


# ---------------------------------------------------------------- 总览


def test_home_shows_the_sample_district_2023(db: Path) -> None:
    at = _run("总览", year="2023")
    assert _metric(at, "一级党组织") == "49"
    assert _metric(at, "最强党支部") == "37"
    assert _metric(at, "新任命书记") == "13"
    assert _metric(at, "学校数") == str(_sql(db, "select count(*) from schools")[0][0])
    text = _texts(at)
    for part in ("党总支 8", "党支部 41", "党员人数 1715", "新任副书记 31", "市级", "当年新增"):
        assert part in text, part
    # every indicator has a card; those with thresholds carry a status with its symbol
    assert len(at.metric) == 14
    assert any(("●" in t or "▲" in t or "✖" in t) and ("达标" in t or "预警" in t) for t in text.splitlines())
    # change against 2022, with the arrow words
    assert any(("↑" in m.delta or "↓" in m.delta or "持平" in m.delta) for m in at.metric if m.delta)
    # data freshness: the one batch of the fixture, by its user
    assert "最近一次导入为第 1 批" in text and "测试" in text
    # the matrix (table + heatmap) and the watch list
    assert "各校指标达标情况" in _titles(at)
    schools = _sql(db, "select count(*) from schools")[0][0]
    assert at.dataframe[0].value.shape[0] == schools
    assert "重点关注" in [s.value for s in at.subheader]


def test_home_matrix_of_a_large_district_shows_laggards_first_and_caps_rows(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A province has tens of thousands of schools: the screen shows the worst first, the download all."""
    from oversight.app import widgets

    monkeypatch.setattr(widgets, "MATRIX_ROWS", 10)
    at = _run("总览", year="2023")
    shown = at.dataframe[0].value
    assert shown.shape[0] == 10
    marks = [sum("✖" in str(v) for v in row) for row in shown.itertuples(index=False)]
    assert marks == sorted(marks, reverse=True) and marks[0] >= 2
    schools = _sql(db, "select count(*) from schools")[0][0]
    assert f"共 {schools} 所学校，按未达标项数从多到少显示前 10 所" in _texts(at)


def test_home_filter_from_query_params_changes_school_count(db: Path) -> None:
    town, count = _sql(db, "select town, count(*) from schools group by town order by count(*) desc limit 1")[
        0
    ]
    total = _sql(db, "select count(*) from schools")[0][0]
    assert count < total
    at = _run("总览", year="2023", town=town)
    assert _metric(at, "学校数") == str(count)
    assert at.selectbox(key="f_town").value == town
    assert at.query_params["town"] == [town] or at.query_params["town"] == town


def test_home_school_picker_opens_the_profile(db: Path) -> None:
    code, name = _sql(db, "select school_code, school_name from schools order by school_code desc limit 1")[0]
    at = _run("总览", year="2023")
    at.selectbox(key="home_school").select(code).run()
    at.button(key="open_profile").click().run()
    assert not at.exception
    assert name in [s.value for s in at.subheader]
    assert at.selectbox(key="profile_school").value == code


# ---------------------------------------------------------------- the other pages


def test_org_page(db: Path) -> None:
    at = _run("组织建设", year="2023")
    assert _metric(at, "一级党组织") == "49"
    assert _metric(at, "党员人数") == "1715"
    titles = _titles(at)
    assert titles[0].startswith("党组织体系")
    tree = _figures(at)[0]["data"][0]
    assert tree["type"] == "sunburst" and "区教体局党委" in tree["labels"]
    assert {"按学段", "按乡镇街道", "各校党员副校长交叉任职比例", "历年新任命书记、副书记人数"} <= set(titles)
    assert "新任命书记 13 人、副书记 31 人" in _texts(at)
    vacant = _sql(db, "select count(*) from schools")[0][0]
    assert vacant > 0


def test_strongest_branches_page(db: Path) -> None:
    at = _run("最强党支部", year="2023")
    assert _metric(at, "截至 2023 年累计") == "37"
    levels = dict(
        _sql(db, "select level, count(distinct org_code) from honors where year <= 2023 group by level")
    )
    for level, n in levels.items():
        assert _metric(at, level) == str(n)
    assert _metric(at, "获评党组织占比").endswith("%")
    fig = next(f for f in _figures(at) if f["layout"]["title"]["text"].startswith("历年新获评"))
    assert fig["data"][-1]["name"] == "累计" and fig["data"][-1]["y"][-1] == 37


def test_rotation_page_answers_who_is_behind_and_against_last_year(db: Path) -> None:
    at = _run("交流轮岗", year="2023", school_year="2022-2023")
    below = _sql(
        db,
        """select count(*) from rotation_quotas q
           where q.school_year = '2022-2023' and q.eligible_teachers > 0
             and (select count(distinct teacher_id) from rotations r
                  where r.school_year = q.school_year and r.from_school_code = q.school_code)
                 / q.eligible_teachers < 0.10""",
    )[0][0]
    assert _metric(at, "低于 10% 的学校") == f"{below} 所"
    prior = _sql(
        db,
        """select count(*) from rotation_quotas q
           where q.school_year = '2021-2022' and q.eligible_teachers > 0
             and (select count(distinct teacher_id) from rotations r
                  where r.school_year = q.school_year and r.from_school_code = q.school_code)
                 / q.eligible_teachers < 0.10""",
    )[0][0]
    delta = next(m.delta for m in at.metric if m.label == "低于 10% 的学校")
    word = "减少" if below < prior else "增加" if below > prior else "持平"
    assert word in delta
    assert f"上学年（2021-2022）低于 10% 的学校 {prior} 所，本学年 {below} 所" in _texts(at)
    assert f"2022-2023 学年低于 10% 的学校（{below} 所）" in [s.value for s in at.subheader]
    assert at.dataframe[0].value.shape[0] == below
    titles = _titles(at)
    assert any(t.startswith("2022-2023 学年各校交流轮岗比例") for t in titles)
    assert "2022-2023 学年城乡之间的交流流向" in titles and "历年全区交流轮岗比例" in titles
    bars = next(f for f in _figures(at) if f["layout"]["title"]["text"].startswith("2022-2023 学年各校"))
    assert bars["layout"]["shapes"][0]["x0"] == 0.1  # the 10% line


def test_decisions_page(db: Path) -> None:
    at = _run("议事决策", year="2023")
    matters = _sql(db, "select count(*) from matters where year(registered_on) = 2023")[0][0]
    assert _metric(at, "2023 年登记事项") == str(matters)
    bad = int(_metric(at, "未按程序的事项"))
    assert f"未按程序审议的事项（{bad} 项）" in _texts(at)
    titles = _titles(at)
    assert {"2023 年各类事项中未按程序审议的（件）", "2023 年各支部三会一课落实情况", "历年召开次数"} <= set(
        titles
    )
    heat = next(f for f in _figures(at) if f["layout"]["title"]["text"] == "2023 年各支部三会一课落实情况")
    assert heat["data"][0]["x"] == ["第1季度", "第2季度", "第3季度", "第4季度"]


def test_profile_page_preselects_school_from_query_param(db: Path) -> None:
    code, name, stage = _sql(
        db, "select school_code, school_name, stage from schools order by school_code limit 1 offset 3"
    )[0]
    at = _run("学校画像", year="2023", school=code)
    assert at.selectbox(key="profile_school").value == code
    assert name in [s.value for s in at.subheader]
    assert _metric(at, "学段") == stage
    titles = _titles(at)
    assert f"{name}与全区对比" in titles and "领导班子任职时间线" in titles and "历年交流轮岗比例" in titles
    assert {"活动台账", "统编三科教师配备"} <= {s.value for s in at.subheader}
    assert any(c.value.startswith("党建品牌：") for c in at.caption)
    leaders = _sql(db, "select count(*) from leaders where school_code = ?", [code])[0][0]
    timeline = next(f for f in _figures(at) if f["layout"]["title"]["text"] == "领导班子任职时间线")
    assert sum(len(t["y"]) for t in timeline["data"]) == leaders


def test_trend_page(db: Path) -> None:
    at = _run("趋势", year="2023")
    assert "各项指标历年变化" in _titles(at)
    years, rotation, staffing = (at.dataframe[i].value for i in (-3, -2, -1))
    assert "2023" in years["时期"].tolist() and "三会一课" in years.columns
    assert years.loc[years["时期"] == "2023", "最强党支部"].item() == 37
    assert rotation["学年"].tolist()[-1] == "2022-2023"
    # 统编三科 per school year like rotation; activities and 党建品牌 per year with the rest
    assert staffing["学年"].tolist() == ["2020-2021", "2021-2022", "2022-2023"]
    assert staffing["缺口教师数"].tolist()[-1] == 0 and staffing["已配备教师数"].tolist()[-1] == 18
    assert "统编三科教师缺口" not in years.columns
    assert (
        years.loc[years["时期"] == "2023", "活动开展"].item()
        == _sql(db, "select count(*) from activities where year(held_on) = 2023")[0][0]
    )


def test_activities_page_shows_the_summarys_figures_and_the_schools_without_any(db: Path) -> None:
    at = _run("活动台账", year="2023")
    total, people = _sql(db, "select count(*), sum(participants) from activities where year(held_on) = 2023")[
        0
    ]
    observed = _sql(
        db, "select count(*) from activities where kind in ('教学观摩', '蹲校教研') and year(held_on) = 2023"
    )[0][0]
    assert _metric(at, "活动开展") == str(total)
    assert _metric(at, "参加人次") == f"{people:,}"
    assert _metric(at, "教学观摩和蹲校教研") == f"{observed} 次" and observed >= 110
    assert _metric(at, "结对共建") == "11 次"
    assert _metric(at, "统编三科教师缺口") == "0"
    assert (_metric(at, "需配备教师"), _metric(at, "已配备教师")) == ("18 名", "18 名")
    assert _metric(at, "党建品牌").endswith("%")
    none = _sql(
        db,
        """select count(*) from schools s where not exists (select 1 from activities a
           where a.school_code = s.school_code and year(a.held_on) = 2023)""",
    )[0][0]
    assert none > 0 and f"2023 年尚无活动记录的学校（{none} 所）" in [s.value for s in at.subheader]
    titles = set(_titles(at))
    assert {
        "各类活动次数",
        "各类活动参加人次",
        "各月活动次数（按领域）",
        "各领域活动次数",
        "历年活动次数",
    } <= titles
    assert {"各学科需配备、已配备与缺口", "一级党组织创建党建品牌情况"} <= titles
    months = next(f for f in _figures(at) if f["layout"]["title"]["text"] == "各月活动次数（按领域）")
    assert sum(sum(trace["y"]) for trace in months["data"]) == total  # district-level ones included
    tables = [d.value for d in at.dataframe]
    assert any(t.shape[0] == none and "学校名称" in t.columns for t in tables)
    assert any(t.shape[0] == total and "活动名称" in t.columns for t in tables)
    brands = next(t for t in tables if "党建品牌" in t.columns)
    assert brands.shape[0] == 49


def test_activities_page_with_a_filter_leaves_out_district_level_activities(db: Path) -> None:
    town = "青山镇"
    at = _run("活动台账", year="2023", town=town)
    held = _sql(
        db,
        """select count(*) from activities a join schools s using (school_code)
           where s.town = ? and year(a.held_on) = 2023""",
        [town],
    )[0][0]
    assert _metric(at, "活动开展") == str(held)


def test_laggards_first_orders_by_indicators_missed() -> None:
    """The status table and the heat map cut a province to the schools missing most indicators."""
    from oversight.contract.catalog import STATUS_BAD, STATUS_OK, STATUS_WARN
    from oversight.metrics import schools

    matrix = pl.DataFrame(
        {
            "school_code": ["A", "B", "C", "D"],
            "rotation_status": [STATUS_OK, STATUS_BAD, STATUS_BAD, STATUS_WARN],
            "charter_status": [STATUS_BAD, STATUS_BAD, STATUS_OK, STATUS_OK],
        }
    )
    assert schools.laggards_first(matrix)["school_code"].to_list() == ["B", "A", "C", "D"]


def test_long_table_shows_its_first_rows_and_says_so() -> None:
    def page() -> None:
        import polars as pl

        from oversight.app import widgets

        widgets.table(
            pl.DataFrame({"school_code": [f"S{i}" for i in range(widgets.TABLE_ROWS + 7)]}), "明细", "t"
        )

    at = AppTest.from_function(page).run()
    assert not at.exception
    assert at.caption[0].value == "共 5007 行，此处显示前 5000 行；完整数据请点下方“下载 Excel”。"
    assert len(at.dataframe[0].value) == 5000
