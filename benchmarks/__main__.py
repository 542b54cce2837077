"""Benchmark of the product at district and province scale (issue 5): `make bench`.

`python -m benchmarks [args]` runs the benchmark and writes docs/benchmarks.md (see `--help`);
`python -m benchmarks _worker TASK JSON` is how the benchmark starts each measured subprocess.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks.generate import SCALES, SEED
from benchmarks.harness import WORKERS, emit, run_benchmark
from benchmarks.render import render, summary_text

#: above this many rows in a table, the pandas baseline reads a sample of that table and extrapolates
PANDAS_SAMPLE_ROWS = 100_000
WARM_REPEATS = 5
INDICATOR_RUNS = 3


def _steps(text: str) -> list[int]:
    try:
        steps = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(text) from None
    if not steps or min(steps) < 1:
        raise argparse.ArgumentTypeError(text)
    return steps


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("--scale", choices=tuple(SCALES), default="province", help="size of the largest step")
    p.add_argument("--steps", type=_steps, default=[1, 10, 100], help="growth steps, e.g. 1,10,100")
    p.add_argument("--out", default="docs/benchmarks.md", help="the Markdown report")
    p.add_argument("--workdir", default="bench_out", help="generated files, databases, logs")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--pandas-sample-rows", type=int, default=PANDAS_SAMPLE_ROWS)
    p.add_argument("--warm-repeats", type=int, default=WARM_REPEATS)
    p.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="runs of the product load and of the limit per step (fastest counts)",
    )
    p.add_argument("--indicator-runs", type=int, default=INDICATOR_RUNS)
    p.add_argument("--explain", type=int, default=3, help="EXPLAIN ANALYZE the N slowest query files")
    p.add_argument("--profile", action="store_true", help="cProfile the product load")
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run (CI): all pages replayed in one process, one warm repeat, one indicators run, no demo",
    )
    return p


#: sections of the report that other tools measure (`make loadtest`): kept, from their heading to the end
KEPT_HEADINGS = ("## Serving many leaders",)


def kept_sections(out: Path) -> str:
    """The part of the old report from the first kept heading on, so a new run does not erase it."""
    if not out.exists():
        return ""
    old = out.read_text(encoding="utf-8")
    starts = [i for h in KEPT_HEADINGS if (i := old.find("\n" + h + "\n")) >= 0]
    return "\n" + old[min(starts) + 1 :] if starts else ""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_worker"]:
        emit(WORKERS[argv[1]](json.loads(argv[2])))
        return 0
    args = build_parser().parse_args(argv)
    args.argv = argv
    if args.quick:
        args.warm_repeats, args.indicator_runs, args.repeats = 1, 1, 1
    results = run_benchmark(args)
    report = render(results)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report += kept_sections(out)
    out.write_text(report, encoding="utf-8")
    print(summary_text(results))
    print(f"\nwritten {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
