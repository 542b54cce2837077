"""The bundled sample district: a reproducible synthetic 区县 and the files its analysts would upload.

Why it exists: leaders and testers need a district that looks like the real one on the first run,
before any school has exported anything. Its 2023 headline figures match the district summary this
product was written from (49 一级党组织 = 8 党总支 + 41 党支部, 1715 党员, 37 最强党支部, 13 new 书记 and
31 new 副书记, district rotation at or above 10% in 2022-2023, every 党总支 school with split posts;
112 教学观摩 and 蹲校教研 with over 20,000 participants, 11 统编三科结对共建, 18 统编三科 teachers assigned
in 2022-2023 with no gap), and every other indicator has a believable spread with some schools
lagging, a few two years running.

Everything random comes from `random.Random` instances seeded from the seed and a section name (string
seeds are hashed with SHA-512, not with Python's per-process string hash), and nothing iterates over a
set, so `build_district()` returns identical frames on every run and `write_sample_files()` writes
byte-identical files (the workbooks' zip timestamps and document dates are pinned).
Within a section the order of the draws is part of the output: reordering two draws, even into a
helper, changes the district (tests/test_demo.py compares it with the committed `data/sample/`).

Columns, Chinese headers and dtypes are read from `oversight.contract.schema`; nothing here retypes them.

The modules, one job each:

- `roster`: the fixed shape the generator draws from (schools, towns, groups, sizes, names, topics);
- `draws`: one seeded generator per section, and the date draws;
- `rows`: rows and typed frames in the schema's shape;
- `schools`, `orgs`, `people`, `records`, `meetings`, `activities`: the sections of the district, one
  seeded generator each (schools; Party orgs; names and leaders; honors, rotation, matters, duty
  reports; 三会一课; the 活动台账, 统编三科配备 and 党建品牌);
- `district`: `build_district` and `load_demo`;
- `files`: the upload set (`sample_file_bytes`, `write_sample_files`);
- `command`: `python -m oversight.demo`.
"""

from __future__ import annotations

from oversight.demo.command import main
from oversight.demo.district import DEFAULT_SEED, DEMO_USER, build_district, load_demo
from oversight.demo.files import SAMPLE_DIR, CsvStyle, SheetStyle, sample_file_bytes, write_sample_files
from oversight.demo.orgs import PRIMARY_MEMBERS
from oversight.demo.people import NEW_DEPUTY_SECRETARIES, NEW_SECRETARIES
from oversight.demo.records import HONOR_FIRST_YEARS, HONOR_LEVEL_COUNTS
from oversight.demo.roster import DATA_END, ROSTER, SAMPLE_YEAR, SCHOOL_YEARS, SchoolSpec
from oversight.demo.rows import POLARS_TYPES

__all__ = [
    "DATA_END",
    "DEFAULT_SEED",
    "DEMO_USER",
    "HONOR_FIRST_YEARS",
    "HONOR_LEVEL_COUNTS",
    "NEW_DEPUTY_SECRETARIES",
    "NEW_SECRETARIES",
    "POLARS_TYPES",
    "PRIMARY_MEMBERS",
    "ROSTER",
    "SAMPLE_DIR",
    "SAMPLE_YEAR",
    "SCHOOL_YEARS",
    "CsvStyle",
    "SchoolSpec",
    "SheetStyle",
    "build_district",
    "load_demo",
    "main",
    "sample_file_bytes",
    "write_sample_files",
]
