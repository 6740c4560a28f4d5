#!/usr/bin/env bash
# 脏数据基准：几个种子、每个约 7.5 万人，synth（含 docs/dirty-data.md 的全部错法）+ compare + 打分。
# BASE=<另一份源码的 src 目录> 时，同一份数据再用那份代码比对一次（对照改动前后）。
#   bash bench/dirty/run.sh                       # 种子 1–4，默认错误比例
#   SEEDS="1 2" DIRTY=3 bash bench/dirty/run.sh   # 错误比例 ×3
set -euo pipefail
cd "$(dirname "$0")/../.."
SEEDS=${SEEDS:-"1 2 3 4"}
PERSONS=${PERSONS:-75000}
DIRTY=${DIRTY:-1}
AS_OF=${AS_OF:-2026-11-01}
ROOT=${ROOT:-/tmp/shouhu-bench/dirty}
for seed in $SEEDS; do
  data="$ROOT/s$seed-d$DIRTY"
  if [ ! -f "$data/facts.parquet" ]; then
    .venv/bin/shouhu synth --persons "$PERSONS" --seed "$seed" --as-of "$AS_OF" \
      --dirty "$DIRTY" --out "$data" > /dev/null
  fi
  start=$(date +%s.%N)
  .venv/bin/shouhu compare --input "$data" --as-of "$AS_OF" --out "$data/out" > /dev/null
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  echo -n "seed $seed dirty $DIRTY (${secs%???????} s): "
  .venv/bin/python bench/dirty/score.py --data "$data" --findings "$data/out/findings.parquet"
  if [ -n "${BASE:-}" ]; then
    PYTHONPATH="$BASE" .venv/bin/python -m shouhu.cli compare --input "$data" --as-of "$AS_OF" \
      --out "$data/base" > /dev/null
    echo -n "  base: "
    .venv/bin/python bench/dirty/score.py --data "$data" --findings "$data/base/findings.parquet"
  fi
done
