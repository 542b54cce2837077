"""Smoke test of the benchmark (issue 5): the tiny scale end to end, as CI runs `make bench` in small.

A benchmark is not a timed test: nothing here asserts a duration, only that every section is written
and every figure is a positive number, so a broken page, query or loader fails the build instead of
silently dropping out of docs/benchmarks.md.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parent.parent
# benchmarks/ is not installed (pyproject packages oversight* only): `python -m pytest` from the root
# finds it through the working directory, a bare `pytest` through this
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import generate, render  # noqa: E402
from benchmarks.__main__ import build_parser  # noqa: E402
from oversight.contract.schema import TABLES  # noqa: E402

#: whole servers, subprocesses or long runs: outside `make test-fast`, always in `make test`
pytestmark = pytest.mark.slow

SECTIONS = (
    "## Machine",
    "## Reproduce",
    "## Targets",
    "## Data set",
    "## Load: the product against the limit and against pandas",
    "## Growth",
    "## Page queries",
    "## Indicators command",
    "## Word report",
    "## Peak memory",
)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "benchmarks.md"
    cmd = [sys.executable, "-m", "benchmarks", "--scale", "tiny", "--steps", "1,2", "--quick"]
    cmd += ["--workdir", str(tmp / "work"), "--out", str(out)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "written" in done.stdout
    return out.read_text(encoding="utf-8"), json.loads(
        (tmp / "work" / "results.json").read_text(encoding="utf-8")
    )


def test_report_has_every_section(run: tuple[str, dict]) -> None:
    text, _ = run
    positions = [text.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    assert "make bench" in text
    for t in TABLES:
        assert f"| {t.name} |" in text


def test_figures_are_positive(run: tuple[str, dict]) -> None:
    _, results = run
    assert [g["step"] for g in results["growth"]] == [1, 2]
    for g in results["growth"]:
        assert g["rows"] > 0 and g["bytes"] > 0
        for way in ("load", "raw", "pandas"):
            assert g[way]["result"]["seconds"] > 0
            assert g[way]["rss_bytes"] > 0
        assert g["load"]["result"]["ok"]
        assert g["pandas"]["result"]["errors"] == 0
        assert g["load"]["result"]["rows"] == {name: info["rows"] for name, info in g["files"].items()}
    assert results["growth"][1]["rows"] > results["growth"][0]["rows"]
    assert {"gbk", "utf-8-sig", "utf-8"} <= {f["encoding"] for f in results["growth"][0]["files"].values()}
    queries = results["queries"][-1]
    assert queries["pages"], "no dashboard page was measured"
    for page, p in queries["pages"].items():
        assert p["result"]["calls"] >= 1, page
        assert p["result"]["warm_s"] > 0 and p["result"]["cold_s"] > 0, page
        assert not queries["record"]["result"]["pages"][page]["exceptions"], page
    assert all(r["seconds"] > 0 and r["rss_bytes"] > 0 for r in queries["indicators"])
    # the Word report (issue 15): from the 总览 button, cold and warm, and from `oversight report`
    (measured,) = results["report"]
    r = measured["result"]
    assert r["cold_s"] > 0 and len(r["warm_s"]) == 3 and all(t > 0 for t in r["warm_s"])
    assert set(r["stages"]) == {"读取数据…", "绘制图表…", "写入文档…"}
    assert r["text_only_s"] > 0 and r["docx_bytes"] > 10_000 and measured["cli_s"] > 0


def test_targets_table_lists_every_target(run: tuple[str, dict]) -> None:
    text, results = run
    rows = render.targets(results)
    assert len(rows) == 5
    section = text.split("## Targets", 1)[1].split("\n## ", 1)[0]
    assert len(re.findall(r"\| (pass|\*\*miss\*\*) \|", section)) == len(rows)


def test_generated_batch_is_valid_for_the_schema() -> None:
    frames = generate.generate_tables(generate.scaled_rows(0.0))
    for t in TABLES:
        frame = frames[t.name]
        assert frame.columns == t.column_names
        assert frame.select(list(t.key)).is_duplicated().sum() == 0, t.name
        for ref in t.references:
            keys = frames[ref.table].select(
                [
                    pl.col(target).alias(col)
                    for target, col in zip(ref.target_columns, ref.columns, strict=True)
                ]
            )
            got = frame.select(list(ref.columns)).drop_nulls()
            assert got.join(keys, on=list(ref.columns), how="anti").height == 0, (t.name, ref.columns)


def test_command_line_keeps_its_options() -> None:
    """`python -m benchmarks` takes the options `python -m oversight.bench` took, with the same defaults."""
    options = {a.dest: a.default for a in build_parser()._actions if a.dest != "help"}
    assert options == {
        "scale": "province",
        "steps": [1, 10, 100],
        "out": "docs/benchmarks.md",
        "workdir": "bench_out",
        "seed": generate.SEED,
        "pandas_sample_rows": 100_000,
        "warm_repeats": 5,
        "repeats": 3,
        "indicator_runs": 3,
        "explain": 3,
        "profile": False,
        "quick": False,
    }
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "--pandas-sample-rows" in done.stdout


def test_product_does_not_import_the_benchmark() -> None:
    """The benchmark imports the product, never the other way round, and the product has no bench module."""
    assert not (ROOT / "oversight" / "bench.py").exists()
    importers = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "oversight").rglob("*.py")
        if re.search(r"^\s*(from|import)\s+benchmarks\b", p.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert importers == []
