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

from oversight import bench
from oversight.contract.schema import TABLES

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = (
    "## Machine",
    "## Reproduce",
    "## Targets",
    "## Data set",
    "## Load: the product against the limit and against pandas",
    "## Growth",
    "## Page queries",
    "## Indicators command",
    "## Peak memory",
)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "benchmarks.md"
    cmd = [sys.executable, "-m", "oversight.bench", "--scale", "tiny", "--steps", "1,2", "--quick"]
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


def test_targets_table_lists_every_target(run: tuple[str, dict]) -> None:
    text, results = run
    rows = bench.targets(results)
    assert len(rows) == 5
    section = text.split("## Targets", 1)[1].split("\n## ", 1)[0]
    assert len(re.findall(r"\| (pass|\*\*miss\*\*) \|", section)) == len(rows)


def test_generated_batch_is_valid_for_the_schema() -> None:
    frames = bench.generate_tables(bench.scaled_rows(0.0))
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
