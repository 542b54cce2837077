"""The district as typed frames (`build_district`), and loading it straight into a store (`load_demo`)."""

from __future__ import annotations

import hashlib

import polars as pl

from oversight.contract.schema import TABLES
from oversight.demo.activities import draw_activities, draw_brands, draw_unified_staffing
from oversight.demo.meetings import draw_meetings
from oversight.demo.orgs import draw_party_orgs
from oversight.demo.people import draw_leaders
from oversight.demo.records import draw_duty_reports, draw_honors, draw_matters, draw_rotation
from oversight.demo.rows import Row, frame
from oversight.demo.schools import draw_schools
from oversight.engine import Connection, ledger

DEFAULT_SEED = 2023
DEMO_USER = "演示数据"


def build_district(seed: int = DEFAULT_SEED) -> dict[str, pl.DataFrame]:
    """The sample district as typed frames, one per schema table, sorted by key.

    The same seed gives the same frames on every run and in every process. The 2023 figures quoted in
    the package docstring hold for the default seed (tests/test_demo.py checks them in SQL); another seed
    keeps the counts that are fixed by construction and varies the rest.
    """
    # the order of the sections matters only where one reads another's output: the orgs set each
    # school's org_code, which the leaders' 支部委员 depend on
    schools, school_rows = draw_schools(seed)
    org_rows = draw_party_orgs(seed, schools)
    draw_brands(seed, org_rows)  # fills the rows' 党建品牌 from its own generator: the orgs stay as drawn
    quotas, moves = draw_rotation(seed, schools)
    rows: dict[str, list[Row]] = {
        "schools": school_rows,
        "party_orgs": org_rows,
        "leaders": draw_leaders(seed, schools),
        "honors": draw_honors(seed, org_rows),
        "rotation_quotas": quotas,
        "rotations": moves,
        "matters": draw_matters(seed, schools),
        "meetings": draw_meetings(seed, org_rows),
        "duty_reports": draw_duty_reports(seed, schools),
        "activities": draw_activities(seed, schools),
        "unified_subject_staffing": draw_unified_staffing(seed, schools),
    }
    return {t.name: frame(t.name, rows[t.name]) for t in TABLES}


def load_demo(
    con: Connection, *, seed: int = DEFAULT_SEED, user: str = DEMO_USER, mode: str = "replace"
) -> ledger.LoadOutcome:
    """Build the district and commit it straight through the store, as one batch.

    The fast path for fixtures and scripts: no files are parsed. (`oversight demo` instead uploads the
    sample files through the ingestion pipeline, so its ledger lists real file names and digests.)
    The ledger gets one entry per table with the digest of that table's rows.
    """
    frames = build_district(seed)
    files = []
    for t in TABLES:
        digest = hashlib.sha256(frames[t.name].write_csv().encode("utf-8")).hexdigest()
        files.append(ledger.FileRecord(f"示例数据/{t.zh}", digest, "", t.name, frames[t.name].height))
    return ledger.load_batch(con, frames, files, user=user, mode=mode)
