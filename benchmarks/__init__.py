"""The province-scale benchmark of the product (issue 5), kept outside the `oversight` package: `make bench`
or `python -m benchmarks [args]` writes docs/benchmarks.md.

It is not shipped (pyproject packages `oversight*` only) and the product never imports it; it imports
the product. One module per job:

- `generate`: the synthetic province data set, written as the upload files an analyst would bring;
- `baselines`: the two neighbours the load is compared with, raw DuckDB `read_csv` and a pandas pipeline;
- `harness`: the workers, each run in its own measured subprocess, page record/replay, `run_benchmark`;
- `render`: the results as docs/benchmarks.md and as the console summary;
- `__main__`: the command line (and the hidden `_worker TASK JSON` entry the subprocesses use).

Why it is built this way:
- The data set is generated as *upload files* (CSV with Chinese headers, mostly UTF-8, the schools file
  in GBK as Excel writes it, one file with a BOM), so the load measured is the one an analyst triggers.
  The generator is vectorised (numpy + polars, fixed seed) and every reference is valid, so the batch
  loads; it reads every column, header and enum from `oversight.schema`, never retypes them.
- Every measurement runs in its own subprocess (`python -m benchmarks _worker ...`), so peak RSS
  (`ru_maxrss`) belongs to that measurement alone and "cold" really means a fresh process and a fresh
  connection.
- The load is compared with two neighbours: the limit (DuckDB `create table as select * from
  read_csv(...)` of the same files into plain tables) and what an analyst would write instead (pandas
  `read_csv`, a per-row Python check of types and references, insert into DuckDB). The pandas pipeline
  is measured on a per-table sample at large scale and extrapolated linearly; the report says so.
- The dashboard pages are not timed through a browser: each page is run once with Streamlit's AppTest
  while the query functions of `oversight.indicators` are wrapped to record the calls the page makes;
  those calls are then replayed cold (fresh process) and warm (same connection, repeated), and once more
  "app style" (a fresh connection per call, which is what `oversight.ui` does on a cache miss).

Every module keeps its top-level imports to the standard library, numpy, polars and
`oversight.contract.schema`: each worker process imports them all, and anything heavier there would
show in every measured peak RSS. duckdb, pandas and streamlit are imported inside the workers that use
them.

Nothing here is a timed test: tests/test_bench.py runs the tiny scale end to end and checks the report's
shape only.
"""
