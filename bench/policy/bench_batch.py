"""批量认定基准：DuckDB 上一次求值 N 个儿童（默认 1,000,000）。目标：2 核机器上 10 秒以内。

.venv/bin/python bench/policy/bench_batch.py [--children 1000000] [--threads 2]
"""

from __future__ import annotations

import argparse
import time

import duckdb
from generate import generate_tables

from shouhu.engine.batch import policy_assess_batch, policy_params_load, policy_sql
from shouhu.engine.policy_sql import PolicyTables


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
    policy_params_load(con)
    facts = con.sql("SELECT count(*) FROM policy_facts").fetchall()[0][0]
    spent = time.perf_counter() - started
    print(f"生成 {args.children:,} 个儿童、{facts:,} 条事实：{spent:.1f} 秒（不计入）")
    policy_sql(PolicyTables())  # SQL 文本只生成一次（约1秒），不计入
    timings = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        policy_assess_batch(con)
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
