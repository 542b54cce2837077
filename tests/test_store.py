"""The store's promises: one transaction per batch, upsert and replace, rollback of any batch with every
earlier version kept, a schema version with migrations."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from oversight.contract.errors import StoreError
from oversight.contract.schema import TABLES, table
from oversight.engine import connection, ledger, migrations, queries


def schools(rows: list[tuple[str, str, int]]) -> pl.DataFrame:
    """Schools frame typed like the schema, from (code, name, students)."""
    n = len(rows)
    return pl.DataFrame(
        {
            "school_code": [r[0] for r in rows],
            "school_name": [r[1] for r in rows],
            "stage": ["小学"] * n,
            "town": ["城关街道"] * n,
            "area_type": ["城区"] * n,
            "is_public": [True] * n,
            "education_group": [None] * n,
            "students": [r[2] for r in rows],
            "staff": [10] * n,
            "charter_revised": [True] * n,
            "charter_revised_on": [date(2023, 1, 5)] * n,
        },
        schema_overrides={"education_group": pl.Utf8},
    )


def current_students(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return dict(con.execute("select school_code, students from schools").fetchall())


@pytest.fixture
def con(tmp_path: Path):
    db_con = connection.connect(tmp_path / "t.duckdb")
    yield db_con
    db_con.close()


def test_fresh_database_has_every_table_and_version(con) -> None:
    names = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    for t in TABLES:
        assert t.name in names and f"{t.name}__history" in names
    assert migrations.schema_version(con) == migrations.SCHEMA_VERSION


def test_upsert_counts_added_changed_unchanged(con) -> None:
    first = ledger.load_batch(con, {"schools": schools([("A", "甲", 1), ("B", "乙", 2)])}, [], user="u")
    assert first.changes["schools"] == {"added": 2, "changed": 0, "unchanged": 0, "deleted": 0}
    second = ledger.load_batch(
        con, {"schools": schools([("A", "甲", 1), ("B", "乙", 20), ("C", "丙", 3)])}, [], user="u"
    )
    assert second.changes["schools"] == {"added": 1, "changed": 1, "unchanged": 1, "deleted": 0}
    assert current_students(con) == {"A": 1, "B": 20, "C": 3}
    # unchanged rows write no new version
    assert con.execute("select count(*) from schools__history").fetchall()[0][0] == 4


def test_replace_removes_rows_missing_from_the_batch(con) -> None:
    ledger.load_batch(con, {"schools": schools([("A", "甲", 1), ("B", "乙", 2)])}, [], user="u")
    outcome = ledger.load_batch(con, {"schools": schools([("B", "乙", 5)])}, [], user="u", mode="replace")
    assert outcome.changes["schools"] == {"added": 0, "changed": 1, "unchanged": 0, "deleted": 1}
    assert current_students(con) == {"B": 5}


def test_rollback_of_a_middle_batch_restores_earlier_versions_and_keeps_later_ones(con) -> None:
    ledger.load_batch(con, {"schools": schools([("A", "甲", 1), ("B", "乙", 2)])}, [], user="u")  # 1
    ledger.load_batch(con, {"schools": schools([("A", "甲", 10), ("C", "丙", 3)])}, [], user="u")  # 2
    ledger.load_batch(con, {"schools": schools([("B", "乙", 200)])}, [], user="u")  # 3
    assert current_students(con) == {"A": 10, "B": 200, "C": 3}
    assert ledger.rollback(con, 2) == ["schools"]
    assert current_students(con) == {"A": 1, "B": 200}
    # the rolled-back versions are still in history, marked by their batch
    assert con.execute("select count(*) from schools__history where _batch_id = 2").fetchall()[0][0] == 2
    batches = {b["id"]: b["rolled_back"] for b in ledger.list_batches(con)}
    assert batches == {1: False, 2: True, 3: False}


def test_rollback_of_a_replace_brings_back_deleted_rows(con) -> None:
    ledger.load_batch(con, {"schools": schools([("A", "甲", 1), ("B", "乙", 2)])}, [], user="u")
    ledger.load_batch(con, {"schools": schools([("C", "丙", 3)])}, [], user="u", mode="replace")
    assert current_students(con) == {"C": 3}
    ledger.rollback(con, 2)
    assert current_students(con) == {"A": 1, "B": 2}


def test_rollback_twice_or_unknown_batch_is_a_chinese_error(con) -> None:
    ledger.load_batch(con, {"schools": schools([("A", "甲", 1)])}, [], user="u")
    ledger.rollback(con, 1)
    with pytest.raises(StoreError, match="已经撤销"):
        ledger.rollback(con, 1)
    with pytest.raises(StoreError, match="不存在"):
        ledger.rollback(con, 99)


def test_a_failing_batch_writes_nothing(con) -> None:
    ledger.load_batch(con, {"schools": schools([("A", "甲", 1)])}, [], user="u")
    broken = schools([("B", "乙", 2)]).with_columns(pl.lit("不是日期").alias("charter_revised_on"))
    with pytest.raises(StoreError, match="未写入"):
        ledger.load_batch(con, {"schools": schools([("C", "丙", 3)]), "matters": broken}, [], user="u")
    assert current_students(con) == {"A": 1}
    assert [b["id"] for b in ledger.list_batches(con)] == [1]
    assert con.execute("select count(*) from schools__history").fetchall()[0][0] == 1


def test_ledger_records_files_user_mode_and_rows(con) -> None:
    record = ledger.FileRecord("学校.csv", "ab" * 32, "", "schools", 2)
    ledger.load_batch(con, {"schools": schools([("A", "甲", 1), ("B", "乙", 2)])}, [record], user="张三")
    (batch,) = ledger.list_batches(con)
    assert batch["user"] == "张三" and batch["mode"] == "upsert" and batch["rows"] == {"schools": 2}
    assert batch["files"] == [
        {"name": "学校.csv", "sha256": "ab" * 32, "sheet": "", "table": "schools", "rows": 2}
    ]
    assert ledger.loaded_sha(con, "ab" * 32) == 1
    ledger.rollback(con, 1)
    assert ledger.loaded_sha(con, "ab" * 32) is None


def test_data_version_changes_on_load_and_rollback(con) -> None:
    v0 = queries.data_version(con)
    ledger.load_batch(con, {"schools": schools([("A", "甲", 1)])}, [], user="u")
    v1 = queries.data_version(con)
    ledger.rollback(con, 1)
    assert len({v0, v1, queries.data_version(con)}) == 3


def test_newer_database_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    connection.connect(path).close()
    raw = duckdb.connect(str(path), config=dict(connection.CONNECTION_CONFIG))
    raw.execute("update meta set value = '99' where key = 'schema_version'")
    raw.close()
    with pytest.raises(StoreError, match="高于本程序支持的版本"):
        connection.connect(path)


def test_migration_brings_an_empty_file_to_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    duckdb.connect(str(path), config=dict(connection.CONNECTION_CONFIG)).close()
    con = connection.connect(path)
    assert migrations.schema_version(con) == migrations.SCHEMA_VERSION
    assert con.execute("select count(*) from schools").fetchall()[0][0] == 0
    con.close()


def test_sandboxed_connection_cannot_read_files(con) -> None:
    with pytest.raises(duckdb.Error):
        con.execute("select * from read_csv('/etc/passwd')").fetchall()
    with pytest.raises(duckdb.Error):
        con.execute("set enable_external_access = true")


def test_key_columns_exist_in_every_table() -> None:
    for t in TABLES:
        assert set(t.key) <= set(t.column_names)
        for ref in t.references:
            assert set(ref.target_columns) <= set(table(ref.table).column_names)


def test_version_1_file_keeps_its_data_and_rollbacks_after_migration(tmp_path: Path) -> None:
    """A file written by version 1 (history table plus a copy of the current rows) opens as version 2
    with the same current rows, and a batch loaded before the upgrade can still be rolled back."""
    path = tmp_path / "v1.duckdb"
    raw = duckdb.connect(str(path), config=dict(connection.CONNECTION_CONFIG))
    for statement in migrations.MIGRATIONS[1]:
        raw.execute(statement)
    raw.execute("insert into meta values ('schema_version', '1')")
    raw.execute("insert into batches (batch_id, user_name, loaded_at, mode) values (1, 'u', now(), 'upsert')")
    raw.execute("insert into batches (batch_id, user_name, loaded_at, mode) values (2, 'u', now(), 'upsert')")
    raw.execute("insert into batch_changes values (1, 'schools', 2, 0, 0, 0), (2, 'schools', 0, 1, 1, 0)")
    cols = ", ".join(table("schools").column_names)
    for batch_id, rows in ((1, [("A", "甲", 1), ("B", "乙", 2)]), (2, [("A", "甲", 10)])):
        raw.register("f", schools(rows).to_arrow())
        raw.execute(f"insert into schools__history select {cols}, {batch_id}, false from f")
        raw.unregister("f")
    raw.execute("insert into schools select * exclude (_batch_id, _deleted) from schools__history")
    raw.execute("delete from schools where school_code = 'A' and students = 1")
    raw.close()

    con = connection.connect(path)
    assert migrations.schema_version(con) == migrations.SCHEMA_VERSION
    assert current_students(con) == {"A": 10, "B": 2}
    assert con.execute("select year from record_years").fetchall() == [(2023,)]  # derived tables built
    assert con.execute("select count(*) from schools__history").fetchall()[0][0] == 3
    ledger.rollback(con, 2)
    assert current_students(con) == {"A": 1, "B": 2}
    con.close()


def test_derived_tables_follow_loads_and_rollbacks(con) -> None:
    """record_years (read by the 年度 picker) is rebuilt inside the load and the rollback that touch it."""
    first = schools([("A", "甲", 1)])
    ledger.load_batch(con, {"schools": first}, [], user="u")
    later = schools([("B", "乙", 2)]).with_columns(pl.lit(date(2025, 3, 1)).alias("charter_revised_on"))
    ledger.load_batch(con, {"schools": later}, [], user="u")
    years = "select year from record_years order by year"
    assert con.execute(years).fetchall() == [(2023,), (2025,)]
    ledger.rollback(con, 2)
    assert con.execute(years).fetchall() == [(2023,)]


def test_version_3_file_gets_the_per_school_review_table(tmp_path: Path) -> None:
    """Version 4 added matter_reviews_by_school: a version-3 file with matters opens with it built."""
    from tests.test_indicators import district_frames

    path = tmp_path / "v3.duckdb"
    con = connection.connect(path)
    ledger.load_batch(con, district_frames(), [], user="u")
    con.execute("drop table matter_reviews_by_school")
    con.execute("update meta set value = '3' where key = 'schema_version'")
    con.close()

    con = connection.connect(path)
    assert migrations.schema_version(con) == migrations.SCHEMA_VERSION >= 9
    per_school = "select school_code, year, matters_count, compliant_count from matter_reviews_by_school"
    summed = """select school_code, year, sum(matters_count)::bigint, sum(compliant_count)::bigint
                from matter_reviews group by school_code, year"""
    assert sorted(con.execute(per_school).fetchall()) == sorted(con.execute(summed).fetchall())
    assert con.execute(
        "select sum(matters_count) from matter_reviews_by_school where year = 2024"
    ).fetchall() == [(7,)]
    con.close()


def test_version_6_file_gets_the_activity_tables_and_the_brand_column(tmp_path: Path) -> None:
    """Version 7 added 活动台账, 统编三科配备 and 党组织's 党建品牌: a version-6 file (without them, its rules
    and summaries from before) opens with the tables, the column, the rule that reads activities and a
    record_years that counts them, and keeps its data and its batches' rollbacks."""
    from tests.test_indicators import district_frames

    path = tmp_path / "v6.duckdb"
    con = connection.connect(path)
    ledger.load_batch(con, district_frames(), [], user="u")
    for name in ("activities", "unified_subject_staffing"):
        con.execute(f"drop view {name}")
        con.execute(f"drop table {name}__history")
    con.execute("drop macro table filtered_activities")
    con.execute("drop view party_orgs")
    con.execute("alter table party_orgs__history drop column brand")
    old_columns = ", ".join(c for c in table("party_orgs").column_names if c != "brand")
    con.execute(f"create view party_orgs as select {old_columns} from party_orgs__history where _current")
    con.execute("update meta set value = '6' where key = 'schema_version'")
    con.execute("delete from meta where key = 'rules_sha'")
    con.close()

    con = connection.connect(path)
    assert migrations.schema_version(con) == migrations.SCHEMA_VERSION >= 9
    assert con.execute("select count(*), count(brand) from party_orgs").fetchall() == [(7, 0)]
    frames = {
        "party_orgs": pl.DataFrame(
            {
                "org_code": ["O1"],
                "org_name": ["城关一小党支部"],
                "org_type": ["党支部"],
                "school_code": ["S1"],
            }
            | {"parent_org_code": [None], "members": [20], "founded_on": [None], "brand": ["红烛先锋"]},
            schema_overrides={"parent_org_code": pl.Utf8, "founded_on": pl.Date},
        ),
        "activities": pl.DataFrame(
            {"activity_id": ["A1"], "school_code": [None], "organiser": ["区教研中心"], "kind": ["蹲校教研"]}
            | {
                "area": ["统编三科"],
                "title": ["蹲校教研"],
                "held_on": [date(2031, 5, 1)],
                "participants": [40],
            },
            schema_overrides={"school_code": pl.Utf8},
        ),
    }
    outcome = ledger.load_batch(con, frames, [], user="u")
    assert con.execute("select brand from party_orgs where org_code = 'O1'").fetchall() == [("红烛先锋",)]
    assert con.execute("select count(*) from filtered_activities(null, null, null)").fetchall() == [(1,)]
    assert con.execute("select max(year) from record_years").fetchall() == [(2031,)]
    ledger.rollback(con, outcome.batch_id)
    assert con.execute("select count(*), count(brand) from party_orgs").fetchall() == [(7, 0)]
    assert con.execute("select max(year) from record_years").fetchall() != [(2031,)]
    con.close()
