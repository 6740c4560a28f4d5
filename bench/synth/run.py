"""基准：合成一个省级规模的地区并写成 parquet，报告墙钟时间和峰值内存（RSS）。

    .venv/bin/python bench/synth/run.py --persons 25000000 --out /tmp/synth-25m

各县在子进程中生成，峰值内存取本进程与子进程中最大的一个（resource.getrusage）。
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from datetime import date
from pathlib import Path

from shouhu.engine.synth import synth_write


def _peak_rss_mb() -> dict[str, float]:
    # Linux 上 ru_maxrss 的单位是 KiB；子进程一项是已结束子进程中最大的一个。
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"main": round(own, 1), "largest_worker": round(children, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=25_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--region", default="370000", help="默认山东省（表中济南、潍坊两市 24 个县）"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--as-of", default="2026-11-01")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    args = parser.parse_args()

    done = 0

    def progress(persons: int) -> None:
        nonlocal done
        done += persons
        print(f"  {done:>12,} / {args.persons:,}", file=sys.stderr, flush=True)

    summary = synth_write(
        args.out, persons=args.persons, seed=args.seed, division_codes=[args.region],
        as_of=date.fromisoformat(args.as_of), fmt=args.format, progress=progress,
        workers=args.workers,
    )  # fmt: skip
    sizes = {Path(f).name: round(Path(f).stat().st_size / 2**20, 1) for f in summary.files}
    print(json.dumps({
        "persons": args.persons, "counties": len(summary.counties), "rows": summary.rows,
        "seconds": round(summary.seconds, 1), "peak_rss_mb": _peak_rss_mb(), "file_mb": sizes,
    }, ensure_ascii=False, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
