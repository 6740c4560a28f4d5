"""单个儿童逐个认定（进程内）：每秒多少个。

    .venv/bin/python bench/policy/bench_single.py [--children 20000]

分别计时：`assess_case`（完整结果：原因说明、下一次变化、补贴）
与 `decide`（只要 status、category）。
解析 JSON（case_from_json）不计入。
"""

from __future__ import annotations

import argparse
import time

from generate import random_cases

from shouhu.core.policy import assess_case, case_from_json, decide, load_params


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=20_000)
    args = parser.parse_args()
    params = load_params()
    cases = [case_from_json(c) for c in random_cases(args.children)]
    assess_case(cases[0], params=params)  # 预热：编译规则闭包
    t0 = time.perf_counter()
    for case in cases:
        assess_case(case, params=params)
    full = time.perf_counter() - t0
    t0 = time.perf_counter()
    for case in cases:
        decide(case, case.as_of, params=params)
    quick = time.perf_counter() - t0
    n = len(cases)
    print(f"assess_case：{n:,} 个 {full:.2f} 秒 = {n / full:,.0f} 个/秒（含原因说明和下一次变化）")
    print(f"decide：     {n:,} 个 {quick:.2f} 秒 = {n / quick:,.0f} 个/秒（只算结论）")


if __name__ == "__main__":
    main()
