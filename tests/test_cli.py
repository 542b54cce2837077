"""The command line as a script would use it: real processes, real files, every exit code, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SPEC_KEYS = {
    "schools": {"total"},
    "party_orgs": {"primary", "by_type", "members"},
    "split_roles": {"schools", "split", "combined", "vacant", "split_share"},
    "cross_appointment": {"deputies", "cross_appointed", "share"},
    "appointments": {"secretaries", "deputy_secretaries"},
    "strongest_branches": {"total", "by_level", "new_in_year"},
    "rotation": {"eligible", "rotated", "ratio", "schools_measured", "schools_below_target"},
    "two_level_review": {
        "matters",
        "compliant",
        "missing_party",
        "missing_principal",
        "implemented_before_review",
        "rate",
    },
    "three_meetings_one_lesson": {"org_quarters", "compliant", "rate"},
    "charter": {"schools", "revised", "rate"},
    "duty_reports": {"schools", "both_done", "rate"},
    "activities": {"total", "participants", "by_kind", "participants_by_kind"},
    "unified_subjects": {"needed", "assigned", "gap", "schools_short"},
    "brands": {"primary", "branded", "share"},
}
ACTIVITY_KINDS = ["教学观摩", "蹲校教研", "结对共建", "主题团队日", "培训", "宣讲", "竞赛", "其他"]

SCHOOLS_CSV = (
    "学校标识码,学校名称,学段,所属乡镇街道,城乡类型,是否公办,章程已修订\n"
    "T001,测试第一小学,小学,城关街道,城区,是,是\n"
    "T002,测试第二小学,小学,城关街道,乡村,是,否\n"
)
BAD_SCHOOLS_CSV = SCHOOLS_CSV + "T003,测试第三小学,大学,城关街道,城区,是,是\n"


def run(*args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "oversight.cli", *args]
    if db is not None:
        cmd += ["--db", str(db)]
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=300)


def assert_clean(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    good = tmp_path / "学校.csv"
    good.write_bytes(SCHOOLS_CSV.encode("gbk"))
    bad = tmp_path / "学校_有错.csv"
    bad.write_bytes(BAD_SCHOOLS_CSV.encode("utf-8-sig"))
    return {"good": good, "bad": bad}


def test_validate_exit_codes(files: dict[str, Path], tmp_path: Path) -> None:
    ok = run("validate", str(files["good"]), db=tmp_path / "none.duckdb")
    assert ok.returncode == 0, ok.stderr
    assert "识别为“学校”，2 行" in ok.stdout
    bad = run("validate", str(files["bad"]), db=tmp_path / "none.duckdb")
    assert bad.returncode == 1
    assert "取值不在范围" in bad.stdout and "学段" in bad.stdout and "4" in bad.stdout
    assert not (tmp_path / "none.duckdb").exists()
    assert_clean(bad)


def test_load_batches_rollback_roundtrip(files: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "o.duckdb"
    bad = run("load", str(files["bad"]), db=db)
    assert bad.returncode == 1 and "没有写入" in bad.stdout
    loaded = run("load", str(files["good"]), "--user", "分析员甲", db=db)
    assert loaded.returncode == 0, loaded.stderr
    assert "已导入，批次编号 1" in loaded.stdout
    again = run("load", str(files["good"]), db=db)
    assert again.returncode == 0 and "未重复导入" in again.stdout
    listed = run("batches", "--json", db=db)
    batches = json.loads(listed.stdout)
    assert len(batches) == 1
    assert {"id", "user", "loaded_at", "files", "rows", "mode", "rolled_back"} <= set(batches[0])
    assert batches[0]["user"] == "分析员甲" and batches[0]["rows"] == {"schools": 2}
    assert run("rollback", "1", db=db).returncode == 0
    assert json.loads(run("batches", "--json", db=db).stdout)[0]["rolled_back"] is True
    missing = run("rollback", "7", db=db)
    assert missing.returncode == 1 and "批次 7 不存在" in missing.stderr
    assert_clean(missing)


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("bogus",),
        ("load",),
        ("indicators", "--year", "二〇二三"),
        ("indicators", "--school-year", "2022-2024"),
        ("indicators", "--as-of", "2023-13-01"),
        ("rollback", "abc"),
        ("load", "/nonexistent/学校.csv"),
        ("users", "add"),
    ],
)
def test_usage_errors_exit_2_with_one_chinese_line(args: tuple[str, ...]) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("用法错误")
    assert_clean(proc)


def test_unreadable_database_is_a_chinese_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a database" * 100)
    proc = run("batches", db=junk)
    assert proc.returncode == 1 and "数据库" in proc.stderr
    assert_clean(proc)


def test_demo_then_indicators_json_has_spec_shape_and_district_figures(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    built = run("demo", db=db)
    assert built.returncode == 0, built.stdout + built.stderr
    proc = run("indicators", "--year", "2023", "--school-year", "2022-2023", "--json", db=db)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    for key, fields in SPEC_KEYS.items():
        assert fields <= set(result[key]), key
    assert result["party_orgs"]["primary"] == 49
    assert result["party_orgs"]["by_type"] == {
        "党委": 0,
        "党总支": 8,
        "党支部": 41,
        "联合党委": 0,
        "联合党支部": 0,
    }
    assert result["party_orgs"]["members"] == 1715
    assert result["strongest_branches"]["total"] == 37
    assert result["appointments"] == {"secretaries": 13, "deputy_secretaries": 31}
    assert result["rotation"]["ratio"] >= 0.10
    assert result["rotation"]["schools_below_target"] >= 3
    # issue 18: the summary's 教学观摩 + 蹲校教研 "110多次、两万人次", 11 结对共建, 18 统编三科 teachers, no gap
    activities = result["activities"]
    assert list(activities["by_kind"]) == list(activities["participants_by_kind"]) == ACTIVITY_KINDS
    assert activities["by_kind"]["教学观摩"] + activities["by_kind"]["蹲校教研"] >= 110
    assert (
        activities["participants_by_kind"]["教学观摩"] + activities["participants_by_kind"]["蹲校教研"]
        >= 20_000
    )
    assert activities["by_kind"]["结对共建"] == 11
    assert activities["total"] == sum(activities["by_kind"].values())
    assert result["unified_subjects"] == {"needed": 18, "assigned": 18, "gap": 0, "schools_short": 0}
    assert result["status"]["unified_subjects"] == "达标"
    brands = result["brands"]
    assert brands["primary"] == 49 and 0 < brands["branded"] < 49
    assert brands["share"] == brands["branded"] / 49
    text = run("indicators", "--year", "2023", db=db)
    assert text.returncode == 0 and "一级党组织" in text.stdout
    assert "统编三科教师缺口" in text.stdout and "教学观摩" in text.stdout
    again = run("demo", db=db)
    assert again.returncode == 0 and "无需重复" in again.stdout


def test_templates_write_one_csv_per_table_and_a_workbook(tmp_path: Path) -> None:
    proc = run("templates", str(tmp_path / "t"))
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (tmp_path / "t").iterdir())
    assert sum(n.endswith(".csv") for n in names) == 11  # one per table, 活动台账 and 统编三科配备 too
    assert {"活动台账.csv", "统编三科配备.csv"} <= set(names)
    assert sum(n.endswith(".xlsx") for n in names) == 1
    first = next((tmp_path / "t").glob("*.csv")).read_bytes()
    assert first.startswith(b"\xef\xbb\xbf")
