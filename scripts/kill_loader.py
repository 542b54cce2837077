"""kill -9 the loader 100+ times during a large upload and print the figures docs/reliability.md quotes.

    .venv/bin/python scripts/kill_loader.py [--trials 120] [--rows 300000] [--seed 20240102]

Each trial copies a small valid database, starts `oversight load` of a large 组织生活 file as its own
process, SIGKILLs it (by its pid) at a random moment (half anywhere, half inside the write phase), then
opens the database with the product's sandboxed connection and checks: the batch is wholly present or
wholly absent, no row belongs to a batch the ledger lacks, and the current rows are exactly what the
batches in force give. Works in a temporary directory and removes it; touches nothing else. Exit code 0
when every trial passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from reliability import calibrate, corpus_base_files, kill_moments, kill_trial, meetings_csv  # noqa: E402

from oversight.engine import connection  # noqa: E402
from oversight.ingest import pipeline  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="对导入进程反复 kill -9，检查数据库是否全有或全无")
    parser.add_argument("--trials", type=int, default=120, help="试验次数（默认 120）")
    parser.add_argument("--rows", type=int, default=300_000, help="大文件行数（默认 300000）")
    parser.add_argument("--seed", type=int, default=20240102, help="随机种子")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kill_loader_") as tmp:
        work = Path(tmp)
        base = work / "base.duckdb"
        with connection.opened(base) as con:
            result = pipeline.load_files(
                con, [(p.name, p.read_bytes()) for p in corpus_base_files()], user="基础数据"
            )
        if not result.ok:
            print("基础数据未通过校验，无法开始。")
            return 1
        big = meetings_csv(work / "组织生活_大批量.csv", args.rows)
        calibration = calibrate(base, big, work)
        print(
            f"校准：{args.rows} 行，校验 {calibration.validate_seconds:.2f} s，"
            f"完整导入 {calibration.load_seconds:.2f} s（含进程启动）"
        )
        started = time.monotonic()
        trials = []
        for k, moment in enumerate(kill_moments(calibration, args.trials, args.seed), 1):
            trial = kill_trial(base, big, args.rows, work, moment)
            trials.append(trial)
            flag = "通过" if not trial.problems else "失败：" + "；".join(trial.problems)
            wal = f"WAL {trial.wal_bytes / 1024:6.0f} KB"
            print(
                f"[{k:3d}/{args.trials}] {moment:5.2f} s 后 kill -9 → {trial.outcome:8s} {wal} {flag}",
                flush=True,
            )
        elapsed = time.monotonic() - started

    outcomes = Counter(t.outcome for t in trials)
    failed = [t for t in trials if t.problems]
    leaked = sum(t.rows for t in trials if t.outcome == "partial")
    reopen = sorted(t.reopen_seconds for t in trials)
    print()
    print(f"试验 {len(trials)} 次，用时 {elapsed:.0f} s")
    print(f"  全无（批次未提交）：{outcomes['none']}")
    print(f"  全有（提交后被杀）：{outcomes['whole']}")
    print(f"  杀之前已正常结束：{outcomes['finished']}")
    late = [t for t in trials if t.moment > calibration.validate_seconds]
    print(
        f"  校验结束后（写入阶段及之后）被杀：{len(late)} 次，其中全无 "
        f"{sum(t.outcome == 'none' for t in late)}、全有 {sum(t.outcome == 'whole' for t in late)}、"
        f"已结束 {sum(t.outcome == 'finished' for t in late)}"
    )
    in_flight = [t for t in trials if t.wal_bytes and t.outcome != "finished"]
    print(
        f"  被杀时留下 WAL（写到一半）：{len(in_flight)} 次，恢复后全无 "
        f"{sum(t.outcome == 'none' for t in in_flight)}、全有 {sum(t.outcome == 'whole' for t in in_flight)}，"
        f"WAL 最大 {max((t.wal_bytes for t in trials), default=0) / 1024:.0f} KB"
    )
    print(f"  半截批次：{outcomes['partial']}，泄漏行数：{leaked}")
    print(f"  账本与数据不一致：{len(failed)}")
    print(
        f"  被杀后重新打开（含 WAL 恢复）：中位数 {statistics.median(reopen):.2f} s，最长 {reopen[-1]:.2f} s"
    )
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
