"""批量认定基准：DuckDB 上经比对的同一条路（policy_step）一次求值 N 个儿童（默认 1,000,000）。
目标：2 核机器上 10 秒以内。

.venv/bin/python bench/policy/bench_batch.py [--children 1000000] [--threads 2]
"""

from __future__ import annotations

import argparse
import time

import duckdb
from generate import generate_tables

from shouhu.engine.backends import backend_open
from shouhu.engine.batch import policy_params_load, policy_query, policy_step
from shouhu.engine.steps import step_run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    started = time.perf_counter()
    generate_tables(con, args.children)
    backend = backend_open("duckdb", session=con)
    policy_params_load(backend)
    facts = con.sql("SELECT count(*) FROM policy_facts").fetchall()[0][0]
    spent = time.perf_counter() - started
    print(f"生成 {args.children:,} 个儿童、{facts:,} 条事实：{spent:.1f} 秒（不计入）")
    policy_query()  # 规则查询的表达式树只建一次（约1秒），不计入
    timings = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        step_run(backend, policy_step(label="基准"))
        timings.append(time.perf_counter() - t0)
    best = min(timings)
    runs = ", ".join(f"{t:.2f}" for t in timings)
    rate = args.children / best
    print(f"批量认定：{runs} 秒；最好 {best:.2f} 秒 = {rate:,.0f} 个/秒")
    for row in con.sql(
        "SELECT status, category, count(*) FROM policy_result GROUP BY ALL ORDER BY 3 DESC"
    ).fetchall():
        print("  ", row)


if __name__ == "__main__":
    main()
