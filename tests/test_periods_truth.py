"""What a leader sees by default is true: the periods, 上期, and no data that is not failure.

Against the bundled district (its 2023 is the district summary's year) and two districts made from it:
one without any 双向述职 row for 2023, one where three schools sent none. Each figure is checked against
the command line, which a script would use, and against the Word report, which goes to a meeting.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import docx
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from oversight import cli, demo
from oversight.contract import catalog, roles
from oversight.engine import connection, ledger, users
from oversight.metrics import history, indicators, periods, schools, watch
from oversight.present import headline, report

ROOT = Path(__file__).resolve().parent.parent
LEADER = {"username": "leader", "role": roles.ROLE_LEADER}  # the districts built here
DEMO_LEADER = {"username": "领导甲", "role": roles.ROLE_LEADER}  # the bundled district's fixture
JUDGED = [i.key for i in catalog.INDICATORS]


def cli_json(db: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> dict:
    assert cli.main(["indicators", "--db", str(db), "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def doc_text(raw: bytes) -> str:
    """The document's paragraphs and table cells, without the line that says when it was generated."""
    document = docx.Document(io.BytesIO(raw))
    # the generation stamp and the note on missing pictures depend on the machine, not on the data
    lines = [
        p.text for p in document.paragraphs if "自动生成" not in p.text and p.text != report.CHARTS_MISSING
    ]
    lines += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(lines)


def build_db(path: Path, frames: dict[str, pl.DataFrame]) -> Path:
    with connection.opened(path) as con:
        ledger.load_batch(con, frames, [], user="测试")
        users.add_user(con, "leader", "leader-pass-1", roles.ROLE_LEADER)
    return path


def run_overview(
    db: Path, monkeypatch: pytest.MonkeyPatch, user: dict[str, str] = LEADER, **query: str
) -> AppTest:
    monkeypatch.setenv("OVERSIGHT_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["user"] = user
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---------------------------------------------------------------- periods and 上期


def test_a_year_is_read_as_of_its_end_with_the_school_year_ending_in_it(
    demo_db_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got = cli_json(demo_db_template, "--year", "2022", capsys=capsys)
    assert got["params"]["as_of"] == "2022-12-31" and got["params"]["school_year"] == "2021-2022"
    assert got["split_roles"]["split_share"] == pytest.approx(32 / 51)  # 62.7%, not 2023's 76.0%
    assert got["cross_appointment"]["share"] == pytest.approx(45 / 82)  # 54.9%
    explicit = cli_json(
        demo_db_template,
        "--year",
        "2022",
        "--as-of",
        "2022-12-31",
        "--school-year",
        "2021-2022",
        capsys=capsys,
    )
    assert {k: explicit[k] for k in JUDGED} == {k: got[k] for k in JUDGED}


def test_the_previous_period_on_the_overview_is_the_previous_year_of_the_command_line(
    demo_db_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    previous = cli_json(demo_db_template, "--year", "2022", capsys=capsys)
    with connection.snapshot(demo_db_template) as con:
        now = periods.resolve(con, periods.Params())  # what 总览 reads with no filter chosen
        (result, _), (before, _) = indicators.overviews(con, [now, periods.previous(now)])
    assert (now.year, now.as_of, now.school_year) == (2023, date(2023, 12, 31), "2022-2023")
    for key in JUDGED:
        assert before[key] == previous[key], key
    compared = indicators.compare_results(result, before)
    assert compared["split_roles"]["previous"] == pytest.approx(previous["split_roles"]["split_share"])
    assert compared["split_roles"]["trend"] == catalog.TREND_UP  # 62.7% -> 76.0%, no longer 持平


def test_the_overview_cards_show_2023_against_2022(
    demo_db_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_overview(demo_db_template, monkeypatch, DEMO_LEADER)
    split = next(m for m in at.metric if m.label == "书记校长分设")
    assert split.value == "76.0%" and split.delta == "↑ 较上期 +13.3 个百分点"
    cross = next(m for m in at.metric if m.label == "交叉任职")
    assert cross.value == "64.8%" and cross.delta == "↑ 较上期 +9.9 个百分点"
    caption = at.caption[0].value
    assert caption == "统计口径：2023年度（截至2023年12月31日），2022-2023学年；全部学校"


def test_the_word_file_from_the_page_and_from_the_command_line_say_the_same(
    demo_db_template: Path, tmp_path: Path
) -> None:
    with connection.snapshot(demo_db_template) as con:
        page_params = periods.resolve(con, periods.Params())  # the page's default reading
        from_page = report.build_docx(con, page_params)  # with its charts, as the button builds it
    out = tmp_path / "总结.docx"
    assert cli.main(["report", "--db", str(demo_db_template), "--year", "2023", "--out", str(out)]) == 0
    text = doc_text(out.read_bytes())
    assert doc_text(from_page) == text
    assert "数据截至2023年12月31日" in docx.Document(io.BytesIO(from_page)).paragraphs[1].text
    # the headline 总览 shows opens the document
    assert (
        "2023年度（截至2023年12月31日），2022-2023学年：9 项考核指标中达标 3 项、预警 6 项、未达标 0 项"
        in text
    )


# ---------------------------------------------------------------- no data is not failure


@pytest.fixture(scope="module")
def no_duty_2023(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled district without any 双向述职 row for 2023."""
    frames = demo.build_district()
    frames["duty_reports"] = frames["duty_reports"].filter(pl.col("year") != 2023)
    return build_db(tmp_path_factory.mktemp("no_duty") / "d.duckdb", frames)


def test_a_table_without_rows_for_the_year_reads_no_data_everywhere(
    no_duty_2023: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    got = cli_json(no_duty_2023, "--year", "2023", capsys=capsys)
    assert got["duty_reports"] == {"schools": 54, "both_done": 0, "rate": 0.0}  # the contract's counts
    assert got["coverage"]["duty_reports"] == {"expected": 54, "reported": 0}
    assert got["status"]["duty_reports"] == catalog.STATUS_NONE  # ... but 无数据, never 0% 未达标
    with connection.snapshot(no_duty_2023) as con:
        p = periods.resolve(con, periods.Params(year=2023))
        matrix = schools.school_matrix(con, p)
        trend = history.history(con, p)
        text = doc_text(report.build_docx(con, p, render=lambda figs: {}))
    assert set(matrix["duty_reports_status"]) == {catalog.STATUS_MISSING}
    duty = trend.filter(pl.col("indicator") == "duty_reports").sort("period")
    assert dict(zip(duty["period"], duty["value"], strict=True))["2023"] is None  # a gap, not a drop to 0
    assert duty.filter(pl.col("period") == "2022")["value"].item() == pytest.approx(47 / 54)
    assert "本期尚无双向述职的记录（无数据），待各校报送后统计，不计为未达标。" in text
    assert "双向述职（54 所中 0 所已报送，54 所未报送）" in text
    at = run_overview(no_duty_2023, monkeypatch, year="2023")
    card = next(m for m in at.metric if m.label == "双向述职")
    assert card.value == catalog.STATUS_NONE


@pytest.fixture(scope="module")
def three_missing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The bundled district where three schools sent no 双向述职 row for 2023."""
    frames = demo.build_district()
    duty = frames["duty_reports"]
    reported = duty.filter(pl.col("year") == 2023)["school_code"]
    codes = sorted(reported.to_list())[:3]
    # every other school reports (the bundled district has one more school without a 2023 row)
    late = frames["schools"].filter(~pl.col("school_code").is_in(reported.implode()))["school_code"]
    filled = pl.DataFrame(
        {"school_code": late, "year": 2023, "to_superior": True, "to_staff": True}, schema=duty.schema
    )
    frames["duty_reports"] = pl.concat([duty, filled]).filter(
        ~((pl.col("year") == 2023) & pl.col("school_code").is_in(codes))
    )
    names = frames["schools"].filter(pl.col("school_code").is_in(codes)).sort("school_code")["school_name"]
    return build_db(tmp_path_factory.mktemp("three") / "d.duckdb", frames), names.to_list()


def test_schools_without_a_record_are_listed_as_not_reported_not_as_failing(
    three_missing: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, names = three_missing
    with connection.snapshot(db) as con:
        p = periods.resolve(con, periods.Params())
        (result, matrix), (before, _) = indicators.overviews(con, [p, periods.previous(p)])
        watched = watch.watch_list(con, p)
    assert result["coverage"]["duty_reports"] == {"expected": 54, "reported": 51}
    missing = matrix.filter(pl.col("duty_reports_status") == catalog.STATUS_MISSING)["school_name"].to_list()
    assert sorted(missing) == sorted(names)
    assert not set(names) & set(
        matrix.filter(pl.col("duty_reports_status") == catalog.STATUS_BAD)["school_name"].to_list()
    )
    assert watched.filter(pl.col("indicator") == "duty_reports")["school_name"].is_in(names).sum() == 0
    assert "双向述职（54 所中 51 所已报送，3 所未报送）" in " ".join(
        headline.sentences(result, before, watched, p)
    )
    at = run_overview(db, monkeypatch)
    listed = [m.value for m in at.markdown if m.value.startswith("**双向述职**")]
    assert listed == [f"**双向述职**：54 所中 51 所已报送，3 所未报送：{'、'.join(names)}"]


def test_the_headline_sorts_changes_into_better_and_worse_not_up_and_down(demo_db_template: Path) -> None:
    """A smaller 统编三科 gap is good news: it stands with the gains, in words, not as a 下降 of -3."""
    with connection.snapshot(demo_db_template) as con:
        p = periods.resolve(con, periods.Params())
        (result, _), (before, _) = indicators.overviews(con, [p, periods.previous(p)])
        watched = watch.watch_list(con, p)
    better, worse = headline.changes(result, before)
    assert better == [
        "书记校长分设 +13.3 个百分点",
        "交叉任职 +9.9 个百分点",
        "三重一大两级审议 +5.8 个百分点",
        "章程修订 +48.1 个百分点",
        "双向述职 +1.9 个百分点",
        "统编三科教师缺口减少 3 名",
    ]
    assert worse == ["三会一课 -6.5 个百分点"]
    assert headline.sentences(result, before, watched, p)[1] == (
        "与上期相比，向好：" + "、".join(better) + "；下滑：三会一课 -6.5 个百分点。"
    )
