"""The database's schema: one migration per version, the row history, and the summary tables.

Every table of the schema is stored once, as `<name>__history`: every version of every row with the batch
that wrote it, deletion markers from whole-table replaces, and a `_current` flag on the version in force.
`<name>` is a view of the flagged rows, which is what queries read. Storing the rows once (instead of a
history table plus a copy of the current rows) halves the write of a large load: at province scale the
second copy cost as much as DuckDB's whole read_csv of the same files.
"""

from __future__ import annotations

import hashlib
from functools import cache

import duckdb

from oversight.contract.errors import StoreError
from oversight.contract.schema import TABLES, TABLES_BY_NAME, Table
from oversight.engine.queries import rule_text, sql_text

SCHEMA_VERSION = 11


def _columns_ddl(t: Table) -> str:
    return ", ".join(f'"{c.name}" {c.sql_type}' for c in t.columns)


def _migration_1() -> list[str]:
    ddl = [
        "create table if not exists meta (key varchar primary key, value varchar)",
        """create table if not exists batches (
            batch_id bigint primary key, user_name varchar, loaded_at timestamp, mode varchar,
            rolled_back boolean default false, rolled_back_at timestamp, rolled_back_by varchar)""",
        """create table if not exists batch_files (
            batch_id bigint, file_name varchar, sha256 varchar, sheet varchar, table_name varchar,
            row_count bigint)""",
        """create table if not exists batch_changes (
            batch_id bigint, table_name varchar, added bigint, changed bigint, unchanged bigint,
            deleted bigint)""",
        """create table if not exists users (
            username varchar primary key, role varchar not null, password_hash varchar not null,
            failed_attempts integer not null default 0, locked_until timestamp, created_at timestamp)""",
    ]
    for t in TABLES:
        ddl.append(f"create table if not exists {t.name} ({_columns_ddl(t)})")
        ddl.append(
            f"create table if not exists {t.name}__history ({_columns_ddl(t)}, "
            "_batch_id bigint not null, _deleted boolean not null default false)"
        )
    return ddl


def in_force_versions(t: Table) -> str:
    """History rows that are current: per key, the latest version of the batches in force, unless that
    version is a deletion marker. Migrations and rollbacks compute the `_current` flags from this."""
    return f"""select rowid as _rid from (
            select rowid, _deleted,
                   row_number() over (partition by {", ".join(t.key)} order by _batch_id desc) as _rn
            from {t.name}__history
            where _batch_id in (select batch_id from batches where not rolled_back)
        ) where _rn = 1 and not _deleted"""


def current_view_ddl(t: Table) -> str:
    return f"create view {t.name} as select {', '.join(t.column_names)} from {t.name}__history where _current"


def _migration_2() -> list[str]:
    """Current rows become a view of flagged history rows (one stored copy of each row, see above)."""
    ddl: list[str] = []
    for t in TABLES:
        ddl += [
            f"alter table {t.name}__history add column _current boolean default false",
            f"update {t.name}__history set _current = true where rowid in ({in_force_versions(t)})",
            f"drop table {t.name}",
            current_view_ddl(t),
        ]
    return ddl


def _migration_7() -> list[str]:
    """活动台账 and 统编三科配备 (issue 18) as history tables with their current views, and 党组织's optional
    党建品牌 column. Idempotent: a database created by this program already has them from migrations 1
    and 2 (which read the schema as it is now), an older file gets them here."""
    ddl: list[str] = []
    for name in ("activities", "unified_subject_staffing"):
        t = TABLES_BY_NAME[name]
        ddl += [
            f"create table if not exists {t.name}__history ({_columns_ddl(t)}, _batch_id bigint not null, "
            "_deleted boolean not null default false, _current boolean default false)",
            f"drop view if exists {t.name}",
            current_view_ddl(t),
        ]
    orgs = TABLES_BY_NAME["party_orgs"]
    ddl += [
        f"alter table party_orgs__history add column if not exists brand {orgs.column('brand').sql_type}",
        "drop view if exists party_orgs",
        current_view_ddl(orgs),
    ]
    return ddl


def _migration_8() -> list[str]:
    """Accounts that last and accounts of schools: a 学校 account is bound to one school or to the schools
    of one 教育集团 (school_code / education_group, null for district roles); an account created with a
    one-time password must change it at its first login; a login lives on as a server-side session whose
    token the browser keeps in an HttpOnly cookie (only the token's SHA-256 is stored)."""
    return [
        "alter table users add column if not exists school_code varchar",
        "alter table users add column if not exists education_group varchar",
        "alter table users add column if not exists must_change_password boolean default false",
        "alter table users add column if not exists password_changed_at timestamp",
        """create table if not exists sessions (
            token_sha256 varchar primary key, username varchar not null, created_at timestamp not null,
            expires_at timestamp not null, last_seen_at timestamp)""",
    ]


def _migration_9() -> list[str]:
    """The audit log (engine/audit.py): one row per login (failed ones too), upload, rollback, account or
    role change, download and opened school profile, and whatever later features record through
    `audit.record`. Append-only: nothing in the program updates or deletes its rows, and a rollback of a
    data batch leaves them alone (it touches only the data tables' history)."""
    return [
        "create sequence if not exists audit_log_seq start 1",
        """create table if not exists audit_log (
            entry_id bigint primary key default nextval('audit_log_seq'), logged_at timestamp not null,
            username varchar, role varchar, school_scope varchar, action varchar not null,
            object varchar, detail varchar)""",
    ]


def _migration_10() -> list[str]:
    """报送任务 and 整改台账 (engine/rounds.py, engine/rectification.py). A round names the tables each
    school must report for a period and a deadline; its state is never stored but read from the data:
    rows of batches after `after_batch_id` (the newest batch when it opened), so an upsert or a rollback
    moves it by itself. A 整改 item is one per school and indicator, with its state and every change in
    rectification_events; a rollback of a data batch touches neither table."""
    return [
        """create table if not exists rounds (
            round_id bigint primary key, round_name varchar not null, year integer, school_year varchar,
            table_names varchar[] not null, deadline date not null, town varchar, stage varchar,
            area_type varchar, school_codes varchar[], opened_at timestamp not null, opened_by varchar,
            after_batch_id bigint not null, closed_at timestamp, closed_by varchar)""",
        """create table if not exists rectifications (
            item_id bigint primary key, school_code varchar not null, indicator varchar not null,
            year integer, school_year varchar, problem varchar not null, source varchar not null,
            state varchar not null, measures varchar, responsible varchar, deadline date not null,
            opened_at timestamp not null, opened_by varchar, opened_after_batch bigint not null,
            submitted_at timestamp, closed_at timestamp, closed_by varchar, close_basis varchar,
            close_reason varchar, closed_year integer, reopened_count integer not null default 0,
            updated_at timestamp, unique (school_code, indicator))""",
        """create table if not exists rectification_events (
            item_id bigint not null, happened_at timestamp not null, username varchar, action varchar not null,
            state_from varchar, state_to varchar, note varchar)""",
    ]


def _migration_11() -> list[str]:
    """What each batch brought per school and period (engine.ledger.ARRIVALS), changed rows or not: a
    school that reports the same rows again has reported, though the row history keeps no new version."""
    return [
        """create table if not exists batch_arrivals (
            batch_id bigint not null, table_name varchar not null, school_code varchar not null,
            year integer, school_year varchar, rows_count bigint not null)""",
    ]


#: Derived tables (queries/derived_<name>.sql) and the tables whose changes rebuild them. They hold the
#: per-org-quarter, per-school-year summaries of the big record tables, so a page reads a few hundred
#: thousand summary rows instead of scanning millions of meetings and matters on every view.
DERIVED_TABLES: dict[str, tuple[str, ...]] = {
    "meeting_quarters": ("meetings",),
    "matter_reviews": ("matters",),
    "matter_reviews_by_school": ("matters",),  # reads matter_reviews, so it comes after it
    "rotation_counts": ("rotations",),
    "rotation_area_flows": ("rotations", "schools"),
    "record_years": (
        *("leaders", "party_orgs", "schools", "matters", "meetings", "honors", "duty_reports"),
        "activities",
    ),
}


def _derived_ddl(name: str) -> str:
    return f"create or replace table {name} as {sql_text(f'derived_{name}')}"


def refresh_derived(con: duckdb.DuckDBPyConnection, touched: set[str]) -> None:
    """Rebuild the derived tables that read any of the `touched` tables (inside the caller's transaction)."""
    for name, sources in DERIVED_TABLES.items():
        if touched & set(sources):
            con.execute(_derived_ddl(name))


#: version -> statements that bring a database from version-1 to version. Append, never edit.
MIGRATIONS: dict[int, list[str]] = {
    1: _migration_1(),
    2: _migration_2(),
    3: [_derived_ddl(name) for name in DERIVED_TABLES],
    4: [_derived_ddl("matter_reviews_by_school")],
    5: [_derived_ddl("meeting_quarters")],  # now stored in year and org order
    6: [_derived_ddl("meeting_quarters")],  # now with the quarter's 三会一课 flags (is_compliant ...)
    7: _migration_7(),  # 活动台账, 统编三科配备, 党建品牌 (record_years follows by ensure_rules)
    8: _migration_8(),  # 学校 accounts' scope, forced password change, lasting sessions
    9: _migration_9(),  # the append-only audit log (engine/audit.py)
    10: _migration_10(),  # 报送任务 and 整改台账 (engine/rounds.py, engine/rectification.py)
    11: _migration_11(),  # what each batch brought per school and period (报送任务)
}


#: The rule macros of queries/rules/ in the order they are created: a macro after the ones it calls.
#: A rule several query files share is written once there (the school filter, the 联合-org rule, the
#: branch types, "the quarter is due", the review rule ...) and the files call it.
RULES: tuple[str, ...] = (
    "share",
    "is_in_post",
    "is_in_year",
    "is_primary_org",
    "is_branch",
    "leader_schools",
    "filtered_schools",
    "filtered_orgs",
    "filtered_activities",
    "branches",
    "year_quarters",
    "is_quarter_due",
    "is_implemented_early",
    "is_review_compliant",
    "review_problem",
    "is_charter_revised",
    "split_status",
    "is_below_target",
    "honored_pairs",
    "has_brand",
    "teacher_gap",
    "school_arrivals",
)
#: Rules that read a summary table: created after the summary tables exist (ensure_rules).
RULES_ON_SUMMARIES: tuple[str, ...] = ("branch_quarters",)
#: A macro is bound to the tables it reads when it is created, so the rules can exist only once
#: migrations 1 and 2 have made the tables and views; every later migration may use them.
RULES_FROM_VERSION = 3
#: Rules reading a table that a later migration made: created before the migrations after that one
#: (and by ensure_rules at the end), never before the table exists.
RULE_TABLES_FROM: dict[str, int] = {"filtered_activities": 7, "school_arrivals": 11}


def create_rules(con: duckdb.DuckDBPyConnection, names: tuple[str, ...] = RULES) -> None:
    """(Re)create rule macros; idempotent, inside the caller's transaction."""
    for name in names:
        con.execute(rule_text(name))


@cache
def rules_fingerprint() -> str:
    """Changes when a rule or a derived table's SQL changes: the database then gets the new rules and
    rebuilds its summary tables by itself (ensure_rules), so no upgrade can leave old rules behind."""
    texts = [rule_text(name) for name in RULES + RULES_ON_SUMMARIES]
    texts += [sql_text(f"derived_{name}") for name in DERIVED_TABLES]
    return hashlib.sha256("\0".join(texts).encode("utf-8")).hexdigest()


def ensure_rules(con: duckdb.DuckDBPyConnection) -> None:
    """Create the rules and rebuild the summary tables when the database holds other ones than this
    program's (a new database, or an upgrade that changed a rule), in one transaction."""
    stored = con.execute("select value from meta where key = 'rules_sha'").fetchall()
    if stored and stored[0][0] == rules_fingerprint():
        return
    con.execute("begin transaction")
    try:
        create_rules(con)
        for name in DERIVED_TABLES:
            con.execute(_derived_ddl(name))
        create_rules(con, RULES_ON_SUMMARIES)
        con.execute("insert or replace into meta values ('rules_sha', ?)", [rules_fingerprint()])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    has_meta = con.execute(
        "select count(*) from information_schema.tables where table_name = 'meta'"
    ).fetchall()[0][0]
    if not has_meta:
        return 0
    rows = con.execute("select value from meta where key = 'schema_version'").fetchall()
    return int(rows[0][0]) if rows else 0


def check_schema_version(con: duckdb.DuckDBPyConnection) -> int:
    version = schema_version(con)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"数据库版本为 {version}，高于本程序支持的版本 {SCHEMA_VERSION}，请升级程序后再打开。"
        )
    return version


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the database to SCHEMA_VERSION, one migration per transaction."""
    version = check_schema_version(con)
    for target in range(version + 1, SCHEMA_VERSION + 1):
        con.execute("begin transaction")
        try:
            if target >= RULES_FROM_VERSION:
                create_rules(con, tuple(n for n in RULES if RULE_TABLES_FROM.get(n, 0) < target))
            for statement in MIGRATIONS[target]:
                con.execute(statement)
            con.execute("insert or replace into meta values ('schema_version', ?)", [str(target)])
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        if schema_version(con) != target:
            raise StoreError(f"数据库升级到版本 {target} 失败，数据未改动。")
    ensure_rules(con)
