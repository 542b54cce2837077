"""The load test's 30-second smoke (issue 16): `python -m scripts.loadtest` against real servers, two
processes behind nginx, a handful of leaders logging in and turning pages. It asserts what a load test
can promise on any machine, every session held and nothing failed, never a time: the figures themselves
are docs/benchmarks.md's, measured with `make loadtest` on a quiet machine."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def test_leaders_are_held_without_errors(tmp_path: Path) -> None:
    processes = "2" if shutil.which("nginx") or Path("/usr/sbin/nginx").exists() else "1"
    out = tmp_path / "loadtest.json"
    proc = subprocess.run(
        [sys.executable, "-m", "scripts.loadtest", "--sessions", "6", "--processes", processes,
         "--duration", "12", "--ramp", "3", "--think", "2-5", "--no-prime", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=240,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (result,) = json.loads(out.read_text("utf-8"))
    assert result["processes"] == int(processes)
    assert result["held"] == result["sessions"] == 6
    assert result["logins"] == 6 and result["errors"] == 0, result["failures"]
    assert result["turns"] >= 1
    assert "| 6/6 |" in proc.stdout
