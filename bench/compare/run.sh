#!/usr/bin/env bash
# 比对基准：合成数据（没有才生成）→ /usr/bin/time -v shouhu compare → 对照真值打分。
#   bash bench/compare/run.sh                       # 省级：2500 万人，DuckDB
#   PERSONS=1000000 ENGINE=spark bash bench/compare/run.sh   # 100 万人，Spark 本地模式
set -euo pipefail
cd "$(dirname "$0")/../.."
PERSONS=${PERSONS:-25000000}
ENGINE=${ENGINE:-duckdb}
REGION=${REGION:-370000}
SYNTH_ARGS=${SYNTH_ARGS:-}  # 如 --county-only（只有县级区划，难的情形）
DATA=${DATA:-/tmp/shouhu-bench/compare/p$((PERSONS / 1000000))m${SYNTH_ARGS:+-county}}
OUT=${OUT:-$DATA-out-$ENGINE}
if [ ! -f "$DATA/registry.parquet" ]; then
  .venv/bin/shouhu synth --persons "$PERSONS" --region "$REGION" --as-of 2026-11-01 \
    --seed 2026 --out "$DATA" $SYNTH_ARGS
fi
/usr/bin/time -v .venv/bin/shouhu compare --input "$DATA" --as-of 2026-11-01 --out "$OUT" \
  --engine "$ENGINE" 2> "$OUT.stderr"
grep -E "Elapsed \(wall|Maximum resident|Percent of CPU" "$OUT.stderr"
.venv/bin/python bench/compare/score.py --data "$DATA" --findings "$OUT/findings.parquet"
