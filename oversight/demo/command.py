"""`python -m oversight.demo`: regenerate the committed sample files, or write the district to a store."""

from __future__ import annotations

import argparse

from oversight.demo.district import DEFAULT_SEED, build_district, load_demo
from oversight.demo.files import write_sample_files
from oversight.engine import connection


def main(argv: list[str] | None = None) -> int:
    """`python -m oversight.demo --write-sample data/sample` regenerates the committed sample files."""
    parser = argparse.ArgumentParser(prog="python -m oversight.demo", description="示例区县数据")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--write-sample", metavar="DIR", help="写出示例上传文件的目录")
    parser.add_argument("--db", metavar="PATH", help="把示例区县写入此数据库")
    args = parser.parse_args(argv)
    if not args.write_sample and not args.db:
        parser.error("请指定 --write-sample DIR 或 --db PATH")
    frames = build_district(args.seed)
    if args.write_sample:
        for path in write_sample_files(frames, args.write_sample):
            print(path)
    if args.db:
        with connection.opened(args.db) as con:
            outcome = load_demo(con, seed=args.seed)
        print(f"已写入示例区县，批次 {outcome.batch_id}")
    return 0
