"""逐步计时：在 DuckDB 后端上跑一次 compare_dir，列出每一步（建表、取回）的秒数，找出大头。

.venv/bin/python bench/compare/profile_steps.py --input DIR --out DIR [--threads 2]
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from shouhu.engine.backends import duckdb_backend
from shouhu.engine.comparison import CompareSettings, compare_dir

TIMES: dict[tuple[str, str], float] = {}


def timed(name: str, backend: type = duckdb_backend.DuckDBBackend) -> None:
    """Adds the seconds of every call of backend.name to TIMES, by (step, table)."""
    original: Callable[..., Any] = getattr(backend, name)

    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            table = args[0] if args and isinstance(args[0], str) else ""
            key = (kwargs.get("step", name), table)
            TIMES[key] = TIMES.get(key, 0.0) + time.perf_counter() - started

    setattr(backend, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--as-of", default="2026-11-01")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    for name in ("create", "fetch", "load_arrow"):
        timed(name)
    started = time.perf_counter()
    result = compare_dir(
        args.input,
        args.out,
        as_of=date.fromisoformat(args.as_of),
        settings=CompareSettings(threads=args.threads),
    )
    total = time.perf_counter() - started
    for (step, table), seconds in sorted(TIMES.items(), key=lambda kv: -kv[1])[:30]:
        print(f"{seconds:7.2f}  {step}  {table}")
    print(f"{sum(TIMES.values()):7.2f}  （各步合计）")
    print(f"{total:7.2f}  （compare_dir 总计，含 Python 构建查询、读参数、写文件）")
    print(f"峰值 RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")
    print(result.counts)


if __name__ == "__main__":
    main()
