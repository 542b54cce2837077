"""Shared fixtures. Each block names its owner's purpose; add fixtures, do not change others'."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from oversight import demo
from oversight.contract import roles
from oversight.engine import connection, ledger, users

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
