"""Shared fixtures. Each block names its owner's purpose; add fixtures, do not change others'."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from oversight import demo
from oversight.contract import roles
from oversight.engine import connection, ledger, users

# `make test-fast` draws fewer examples in the property tests; `make test` keeps hypothesis' default
settings.register_profile("fast", max_examples=15, deadline=None)
if os.environ.get("OVERSIGHT_FAST_TESTS"):
    settings.load_profile("fast")

#: single tests that take seconds (a Word document with charts, a CLI subprocess round trip): outside
#: `make test-fast`, always in `make test`. Whole slow modules set `pytestmark = pytest.mark.slow`.
SLOW_TESTS = (
    "test_report.py::test_headline_sentences_match_the_district_summary",
    "test_report.py::test_cli_report_writes_the_docx",
    "test_report.py::test_figure_to_png_renders_a_png_with_a_cjk_font",
    "test_report.py::test_the_charts_are_drawn_with_their_captions_when_chromium_is_present",
    "test_report.py::test_the_report_button_builds_with_a_progress_bar_then_downloads",
    "test_report.py::test_one_browser_draws_many_figures_and_closes_at_once",
    "test_cli.py::test_demo_then_indicators_json_has_spec_shape_and_district_figures",
    "test_cli.py::test_load_batches_rollback_roundtrip",
    "test_ingest_values.py::test_fast_parse_with_suspects_equals_the_full_parser",
    "test_periods_truth.py::test_the_word_file_from_the_page_and_from_the_command_line_say_the_same",
    "test_ingest_values.py::test_no_parser_raises_on_any_text",
    "test_audit.py::test_the_word_report_is_one_download_entry",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(f"{name}[" in item.nodeid or item.nodeid.endswith(name) for name in SLOW_TESTS):
            item.add_marker(pytest.mark.slow)


# ---------------------------------------------------------------- dashboard pages (tests/test_pages.py)


@pytest.fixture(scope="session")
def dashboard_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample district in a DuckDB file with a 领导 account, built once for every page test.

    The connection is closed before the pages run: they open the file per piece of work, as in production.
    """
    path = tmp_path_factory.mktemp("dashboard") / "sample.duckdb"
    con = connection.connect(path)
    try:
        ledger.load_batch(con, demo.build_district(), [], user="测试")
        users.add_user(con, "leader", "password123", roles.ROLE_LEADER)
    finally:
        con.close()
    return path


# ---------------------------------------------------------------- uploads, report, browser (tests/test_upload_page.py,
# tests/test_report.py, tests/test_browser.py)


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample district loaded as one batch, as `oversight demo` does, plus one account per role."""
    path = tmp_path_factory.mktemp("demo_template") / "demo.duckdb"
    with connection.opened(path) as con:
        demo.load_demo(con)
        users.add_user(con, "管理员甲", "admin-pass-1", roles.ROLE_ADMIN)
        users.add_user(con, "分析员甲", "analyst-pass-1", roles.ROLE_ANALYST)
        users.add_user(con, "领导甲", "leader-pass-1", roles.ROLE_LEADER)
    return path


@pytest.fixture
def demo_db(demo_db_template: Path, tmp_path: Path) -> Path:
    """A private copy of the sample district that a test may change (uploads, rollbacks)."""
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db_template, path)
    return path
