"""一次小比对的固定开销（CPU 秒，取 5 次中最少）：测试套件里的比对几乎都是这种规模，
计划构建、模型估计和 DuckDB 的查询规划占了大头，与数据量无关。

    PYTHONPATH=src:. .venv/bin/python bench/compare/small_cpu.py
"""

from __future__ import annotations

import time

from tests.engine import test_compare_inputs as family

from shouhu.engine.comparison import compare_tables


def _once() -> None:
    compare_tables(
        registry=family._registry(),
        register=family._register(),
        facts=family._facts(family.MOTHER_DEAD),
        as_of=family.AS_OF,
    )


def main() -> None:
    _once()  # 预热：导入、缓存的规则查询
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        _once()
        best = min(best, time.process_time() - started)
    print(f"小比对 CPU {best:.2f} s（5 次中最少）")


if __name__ == "__main__":
    main()
