"""The bundled sample district: reproducible, schema-true, and matching the district summary for 2023.

The figures are checked with plain SQL over a DuckDB file loaded through the store, so they do not
depend on the indicator code: if the indicators disagree with these numbers, the indicators are wrong.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from oversight import demo
from oversight.contract.schema import DATE_FORMATS, FALSE_WORDS, TABLES, TRUE_WORDS, Column, Table, table
from oversight.engine import connection, ledger

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
TODAY = date(2026, 11, 25)
YEAR_END = date(2023, 12, 31)


@pytest.fixture(scope="module")
def frames() -> dict[str, pl.DataFrame]:
    return demo.build_district()


@pytest.fixture(scope="module")
def con(
    frames: dict[str, pl.DataFrame], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    db_con = connection.connect(tmp_path_factory.mktemp("demo") / "demo.duckdb")
    ledger.load_batch(db_con, frames, [], user="test", mode="replace")
    yield db_con
    db_con.close()


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> tuple:
    return con.execute(sql, params or []).fetchall()[0]


# ---------------------------------------------------------------- reproducible and schema-true


def test_build_is_reproducible(frames: dict[str, pl.DataFrame]) -> None:
    again = demo.build_district()
    assert list(again) == [t.name for t in TABLES]
    for name, frame in frames.items():
        assert frame.equals(again[name]), name


def test_another_seed_keeps_the_fixed_counts_and_changes_the_rest(frames: dict[str, pl.DataFrame]) -> None:
    other = demo.build_district(seed=7)
    primary = other["party_orgs"].filter(pl.col("parent_org_code").is_null())
    assert primary.height == 49 and primary["members"].sum() == 1715
    assert not other["meetings"].equals(frames["meetings"])


@pytest.mark.parametrize("t", TABLES, ids=lambda t: t.name)
def test_frames_conform_to_the_schema(frames: dict[str, pl.DataFrame], t: Table) -> None:
    frame = frames[t.name]
    assert frame.columns == t.column_names
    assert frame.height > 0
    for c in t.columns:
        assert frame.schema[c.name] == demo.POLARS_TYPES[c.type], c.name
        values = frame[c.name]
        if c.required:
            assert values.null_count() == 0, c.name
        if c.choices:
            assert set(values.drop_nulls().to_list()) <= set(c.choices), c.name
        if c.min_value is not None:
            assert (values.drop_nulls() >= c.min_value).all(), c.name
        if c.max_value is not None:
            assert (values.drop_nulls() <= c.max_value).all(), c.name
        if c.max_len is not None:
            assert (values.str.len_chars() <= c.max_len).all(), c.name
        if c.unique:
            assert values.n_unique() == frame.height, c.name
        if c.type == "school_year":
            first, second = values.str.split_exact("-", 1).struct.unnest()
            assert (second.cast(pl.Int64) == first.cast(pl.Int64) + 1).all()
        if c.type == "date":
            assert (values.drop_nulls() <= YEAR_END).all(), f"{c.name}: no record after 2023"
        if c.not_before:
            both = frame.filter(pl.col(c.name).is_not_null())
            assert (both[c.name] >= both[c.not_before]).all(), c.name
        if c.differs_from:
            assert (values != frame[c.differs_from]).all(), c.name
    assert frame.select(t.key).is_duplicated().sum() == 0, "key unique"
    for ref in t.references:
        target = frames[ref.table].select(
            [pl.col(tc).alias(c) for c, tc in zip(ref.columns, ref.target_columns, strict=True)]
        )
        pointing = frame.select(ref.columns).drop_nulls()
        missing = pointing.join(target.unique(), on=list(ref.columns), how="anti")
        assert missing.height == 0, f"{t.name}.{ref.columns} -> {ref.table}"


def test_codes_and_names_look_real(frames: dict[str, pl.DataFrame]) -> None:
    schools = frames["schools"]
    assert schools["school_code"].str.contains(r"^\d{10}$").all()
    assert 49 <= schools.height <= 60
    assert schools["town"].n_unique() == 6
    assert set(schools["area_type"]) == {"城区", "镇区", "乡村"}
    stages = dict(schools.group_by("stage").len().iter_rows())
    assert stages["小学"] == max(stages.values())
    assert {"幼儿园", "小学", "初中", "九年一贯制", "完全中学", "高中", "特殊教育"} <= set(stages)
    names = frames["leaders"]["name"]
    assert names.str.len_chars().is_between(2, 3).all()


# ---------------------------------------------------------------- the district summary's 2023 figures


def test_primary_party_organizations(con: duckdb.DuckDBPyConnection) -> None:
    by_type = dict(
        con.execute(
            "select org_type, count(*) from party_orgs where parent_org_code is null group by org_type"
        ).fetchall()
    )
    assert by_type == {"党总支": 8, "党支部": 41}
    assert one(con, "select sum(members)::bigint from party_orgs where parent_org_code is null") == (1715,)
    # 联合党支部 exist, but only below a 党总支
    assert (
        one(
            con,
            "select count(*) from party_orgs where org_type = '联合党支部' and parent_org_code is not null",
        )[0]
        >= 2
    )
    # a 党总支's members are its sub-branches' members
    rows = con.execute(
        """select p.org_code, p.members, sum(c.members)::bigint from party_orgs p
           join party_orgs c on c.parent_org_code = p.org_code group by all"""
    ).fetchall()
    assert len(rows) == 8 and all(total == children for _, total, children in rows)


def test_strongest_branches(con: duckdb.DuckDBPyConnection) -> None:
    assert one(
        con, "select count(*) from (select distinct org_code, level from honors where year <= 2023)"
    ) == (37,)
    assert one(con, "select min(year), max(year) from honors") == (2019, 2023)
    new = one(
        con,
        "select count(*) from (select org_code, level, min(year) y from honors group by all) where y = 2023",
    )[0]
    assert 0 < new < 37


def test_appointments(con: duckdb.DuckDBPyConnection) -> None:
    counts = dict(
        con.execute(
            """select post, count(*) from leaders
               where post in ('书记', '副书记') and year(appointed_on) = 2023 group by post"""
        ).fetchall()
    )
    assert counts == {"书记": 13, "副书记": 31}


def rotation(con: duckdb.DuckDBPyConnection, school_year: str) -> tuple[float, int]:
    return one(
        con,
        """with r as (select from_school_code as school_code, count(distinct teacher_id) as n
                      from rotations where school_year = $1 group by all)
           select sum(coalesce(n, 0)) / sum(eligible_teachers),
                  count(*) filter (where eligible_teachers > 0 and coalesce(n, 0) / eligible_teachers < 0.10)
           from rotation_quotas q left join r using (school_code) where q.school_year = $1""",
        [school_year],
    )


def test_rotation(con: duckdb.DuckDBPyConnection) -> None:
    ratio, below = rotation(con, "2022-2023")
    assert ratio >= 0.10 and below >= 3
    assert one(con, "select max(school_year) from rotation_quotas") == ("2022-2023",)
    for earlier in ("2020-2021", "2021-2022"):
        assert rotation(con, earlier)[1] > 0


SPLIT_SQL = """
with cur as (select * from leaders where appointed_on <= $1 and (left_on is null or left_on > $1)),
s as (select sc.school_code,
             (select count(*) from cur where cur.school_code = sc.school_code and post = '书记') as sec,
             (select count(*) from cur where cur.school_code = sc.school_code and post = '校长') as pri,
             (select count(*) from cur a join cur b using (person_id, school_code)
               where a.school_code = sc.school_code and a.post = '书记' and b.post = '校长') as both_
      from schools sc)
select s.school_code, case when sec = 0 or pri = 0 then 'vacant' when both_ > 0 then 'combined' else 'split' end
from s
"""


@pytest.mark.parametrize("as_of", [YEAR_END, TODAY])
def test_every_zongzhi_school_is_split_and_others_vary(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    state = dict(con.execute(SPLIT_SQL, [as_of]).fetchall())
    zongzhi = [
        r[0] for r in con.execute("select school_code from party_orgs where org_type = '党总支'").fetchall()
    ]
    assert len(zongzhi) == 8 and all(state[code] == "split" for code in zongzhi)
    kinds = list(state.values())
    assert kinds.count("combined") >= 3 and kinds.count("vacant") >= 1
    assert kinds.count("split") > kinds.count("combined")


def test_every_other_indicator_has_laggards(con: duckdb.DuckDBPyConnection) -> None:
    matters = one(
        con,
        """select count(*),
                  count(*) filter (where principal_meeting_on is not null and party_meeting_on is not null
                                   and (implemented_on is null
                                        or implemented_on >= greatest(principal_meeting_on, party_meeting_on))),
                  count(*) filter (where party_meeting_on is null),
                  count(*) filter (where principal_meeting_on is null),
                  count(*) filter (where implemented_on < least(principal_meeting_on, party_meeting_on))
           from matters where year(registered_on) = 2023""",
    )
    total, compliant, missing_party, missing_principal, early = matters
    assert 0.8 < compliant / total < 1 and missing_party and missing_principal and early
    assert one(con, "select count(distinct category) from matters")[0] == 6
    charter = one(con, "select count(*) filter (where charter_revised), count(*) from schools")
    assert 0.8 < charter[0] / charter[1] < 1
    duty = one(
        con, "select count(*) filter (where to_superior and to_staff) from duty_reports where year = 2023"
    )
    assert 0.8 < duty[0] / charter[1] < 1
    # the same schools lag two years running (the 重点关注 list)
    repeat = one(
        con,
        """select count(*) from schools s where 2 = (select count(*) from duty_reports d
           where d.school_code = s.school_code and d.year in (2022, 2023) and not (to_superior and to_staff))""",
    )
    assert repeat[0] >= 1


def test_three_meetings_one_lesson(con: duckdb.DuckDBPyConnection) -> None:
    compliant, quarters = one(
        con,
        """with oq as (
               select org_code, q from party_orgs, range(1, 5) t(q)
               where org_type in ('党支部', '联合党支部')
                 and make_date(2023, (q - 1) * 3 + 1, 1) >= coalesce(founded_on, date '1900-01-01')),
           m as (select org_code, quarter(held_on) q, month(held_on) mo, kind from meetings
                 where year(held_on) = 2023)
           select count(*) filter (where
                    exists (select 1 from m where m.org_code = oq.org_code and m.q = oq.q and kind = '支部党员大会')
                    and exists (select 1 from m where m.org_code = oq.org_code and m.q = oq.q and kind = '党课')
                    and 3 = (select count(distinct mo) from m
                             where m.org_code = oq.org_code and m.q = oq.q and kind = '支部委员会')),
                  count(*)
           from oq""",
    )
    assert 0.75 < compliant / quarters < 0.95
    branches = one(con, "select count(*) from party_orgs where org_type in ('党支部', '联合党支部')")[0]
    months_held = one(
        con,
        """select count(distinct (org_code, month(held_on))) from meetings
           where year(held_on) = 2023 and kind = '支部委员会'""",
    )[0]
    assert months_held > 0.9 * branches * 12


# ---------------------------------------------------------------- issue 18: activities, 统编三科, 党建品牌


def test_activities_reproduce_the_summary(con: duckdb.DuckDBPyConnection) -> None:
    """民族语言授课学校 教学观摩 and 蹲校教研 "110多次，参加人数达到两万人次", 结对共建 "11次", the 领航型
    principals' training and 群团 activities, in 2023; fewer in earlier years; some schools held none."""
    observed, people = one(
        con,
        """select count(*), sum(participants)::bigint from activities
           where kind in ('教学观摩', '蹲校教研') and year(held_on) = 2023""",
    )
    assert observed >= 110 and people >= 20_000
    assert one(con, "select count(*) from activities where kind = '结对共建' and year(held_on) = 2023") == (
        11,
    )
    assert one(
        con,
        "select count(*) from activities where kind = '结对共建' and area = '统编三科' and year(held_on) = 2023",
    ) == (11,)
    assert (
        one(con, "select count(*) from activities where title like '%领航型%' and year(held_on) = 2023")[0]
        >= 1
    )
    mass = one(
        con,
        """select count(*) filter (where kind = '主题团队日'), count(*) filter (where title in ('网上团课', '少先队队课'))
           from activities where area = '群团' and year(held_on) = 2023""",
    )
    assert all(n > 0 for n in mass)
    by_year = dict(con.execute("select year(held_on), count(*) from activities group by all").fetchall())
    assert sorted(by_year) == [2021, 2022, 2023] and by_year[2021] < by_year[2022] < by_year[2023]
    district_level, held_none = one(
        con,
        """select (select count(*) from activities where school_code is null and year(held_on) = 2023),
                  (select count(*) from schools s where not exists (select 1 from activities a
                   where a.school_code = s.school_code and year(a.held_on) = 2023))""",
    )
    assert district_level > 0 and 0 < held_none < 20


def test_unified_subjects_close_the_gap_by_2022_2023(con: duckdb.DuckDBPyConnection) -> None:
    """ "配备18名统编“三科”教师，补齐教师缺口": 18 assigned and no gap in 2022-2023, gaps the years before."""
    per_year = con.execute(
        """select school_year, sum(teachers_needed)::bigint, sum(teachers_assigned)::bigint,
                  sum(greatest(teachers_needed - teachers_assigned, 0))::bigint, count(distinct school_code)
           from unified_subject_staffing group by all order by 1"""
    ).fetchall()
    assert per_year[-1] == ("2022-2023", 18, 18, 0, 6)
    assert [row[0] for row in per_year] == ["2020-2021", "2021-2022", "2022-2023"]
    gaps = [row[3] for row in per_year]
    assert gaps[0] > gaps[1] > gaps[2] == 0
    # 历史 is taught from grade 7: no 小学 staffs it
    assert one(
        con,
        """select count(*) from unified_subject_staffing u join schools s using (school_code)
           where s.stage = '小学' and u.subject = '历史'""",
    ) == (0,)


def test_brands_on_most_primary_orgs(con: duckdb.DuckDBPyConnection) -> None:
    branded, primary = one(con, "select count(brand), count(*) from party_orgs where parent_org_code is null")
    assert (branded, primary) == (40, 49)
    assert one(con, "select count(distinct brand) = count(brand) from party_orgs") == (True,)


#: SHA-256 (first 16 hex digits) of each table's CSV as the generator wrote it before issue 18 added the
#: activities, the staffing and the brands (党组织 without its new 党建品牌 column)
TABLES_BEFORE_ISSUE_18 = {
    "schools": "5135b869e4da2670",
    "party_orgs": "d8a13f897248dc4b",
    "leaders": "39bb72d00e8bc430",
    "honors": "9c11d8a213d05962",
    "rotation_quotas": "ee95021a2b031492",
    "rotations": "5140d4405fb11876",
    "matters": "8831cdb870283ed1",
    "meetings": "04db8a7116e7bb4b",
    "duty_reports": "6ef1c71751d7d74d",
}


def test_new_sections_leave_the_old_tables_as_they_were(frames: dict[str, pl.DataFrame]) -> None:
    """The activities, the staffing and the brands draw from their own generators: every table drawn
    before, and every other column of 党组织, is exactly what it was before they existed."""
    for name, digest in TABLES_BEFORE_ISSUE_18.items():
        frame = frames[name].drop("brand") if name == "party_orgs" else frames[name]
        assert hashlib.sha256(frame.write_csv().encode()).hexdigest()[:16] == digest, name


# ---------------------------------------------------------------- the sample files


def parse_value(c: Column, text: object) -> object:
    """A small independent reader of the cell formats the sample uses (not the product's ingest)."""
    if text is None or text == "":
        return None
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date | int | float) and not isinstance(text, bool):
        return int(text) if c.type == "int" else text
    text = str(text).strip()
    if c.type == "bool":
        assert text.lower() in TRUE_WORDS + FALSE_WORDS, text
        return text.lower() in TRUE_WORDS
    if c.type == "int":
        return int(text)
    if c.type == "decimal":
        return Decimal(text)
    if c.type == "date":
        for layout in DATE_FORMATS:
            try:
                return datetime.strptime(text, layout).date()
            except ValueError:
                continue
        raise AssertionError(f"unparsed date {text}")
    return text


def frame_from_rows(rows: list[list[object]]) -> tuple[Table, pl.DataFrame]:
    """Find the header row and its table, map zh or English headers to columns, type the cells."""
    for at, header in enumerate(rows):
        labels = [str(h).strip() for h in header if h not in (None, "")]
        for t in TABLES:
            names = {c.zh: c.name for c in t.columns} | {c.name: c.name for c in t.columns}
            if labels and all(label in names for label in labels) and len(labels) == len(t.columns):
                columns = [t.column(names[label]) for label in labels]
                records = [
                    {c.name: parse_value(c, v) for c, v in zip(columns, row, strict=False)}
                    for row in rows[at + 1 :]
                ]
                schema = {c.name: demo.POLARS_TYPES[c.type] for c in t.columns}
                typed = pl.DataFrame(records, schema=schema, orient="row").select(t.column_names)
                return t, typed.sort(list(t.key))
    raise AssertionError("no header row")


def read_sample(path: Path) -> list[tuple[Table, pl.DataFrame, str]]:
    raw = path.read_bytes()
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
        return [(*frame_from_rows([list(r) for r in ws.iter_rows(values_only=True)]), "xlsx") for ws in wb]
    if raw.startswith(b"\xef\xbb\xbf"):
        text, encoding = raw[3:].decode("utf-8"), "utf-8-sig"
    else:
        try:
            text, encoding = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = raw.decode("gb18030"), "gb18030"
    return [(*frame_from_rows(list(csv.reader(io.StringIO(text)))), encoding)]


def test_sample_files_hold_the_district_in_mixed_export_styles(frames: dict[str, pl.DataFrame]) -> None:
    paths = sorted(SAMPLE.iterdir())
    assert sum(p.stat().st_size for p in paths) < 3_000_000
    seen: dict[str, str] = {}
    for path in paths:
        for t, frame, encoding in read_sample(path):
            assert frame.equals(frames[t.name]), path.name
            seen[t.name] = encoding
    assert sorted(seen) == sorted(t.name for t in TABLES)
    assert seen["schools"] == "gb18030" and seen["matters"] == "gb18030"
    assert seen["party_orgs"] == "utf-8-sig" and seen["meetings"] == "utf-8"
    assert seen["unified_subject_staffing"] == "gb18030" and seen["activities"] == "xlsx"
    assert (SAMPLE / "学校.csv").read_bytes().decode("gbk").startswith(table("schools").columns[0].zh)
    assert (SAMPLE / "组织生活.csv").read_bytes().decode("utf-8").split(",")[0] in table(
        "meetings"
    ).column_names
    leaders = openpyxl.load_workbook(SAMPLE / "领导班子.xlsx")
    sheet = leaders.worksheets[0]
    assert sheet.cell(1, 2).value is None and sheet.cell(2, 1).value == table("leaders").columns[0].zh
    assert isinstance(sheet.cell(3, 6).value, datetime)
    assert openpyxl.load_workbook(SAMPLE / "交流轮岗.xlsx").sheetnames == ["交流轮岗", "轮岗基数"]


def test_committed_sample_is_in_sync_with_the_generator(
    frames: dict[str, pl.DataFrame], tmp_path: Path
) -> None:
    written = demo.write_sample_files(frames, tmp_path)
    assert [p.name for p in written] == sorted(p.name for p in SAMPLE.iterdir())
    for path in written:
        assert path.read_bytes() == (SAMPLE / path.name).read_bytes(), (
            f"{path.name} differs: run `python -m oversight.demo --write-sample data/sample` and commit"
        )


def test_load_demo_commits_one_batch(tmp_path: Path) -> None:
    db_con = connection.connect(tmp_path / "d.duckdb")
    try:
        outcome = demo.load_demo(db_con)
        assert outcome.changes["meetings"]["added"] > 5000
        assert one(db_con, "select count(*) from schools")[0] == demo.build_district()["schools"].height
    finally:
        db_con.close()


def test_ingest_reads_the_sample_back_to_the_same_frames(frames: dict[str, pl.DataFrame]) -> None:
    from oversight.ingest.batch import validate_files

    files = [(p.name, p.read_bytes()) for p in sorted(SAMPLE.iterdir())]
    result = validate_files(files, con=None)
    assert result.ok, result.report
    assert result.report.height == 0, result.report  # not even a warning
    for t in TABLES:
        got = result.frames[t.name].select(t.column_names).sort(list(t.key))
        assert got.equals(frames[t.name]), t.name
