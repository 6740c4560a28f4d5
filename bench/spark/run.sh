#!/usr/bin/env bash
# The comparison on Spark (local mode or the standalone cluster of cluster.sh), then DuckDB on the
# same data, and a byte comparison of the two findings.csv:
#   PERSONS=1000000 MODE=local bash bench/spark/run.sh
#   PERSONS=1000000 MODE=standalone bash bench/spark/run.sh     # after cluster.sh start
set -euo pipefail
cd "$(dirname "$0")/../.."
PERSONS=${PERSONS:-1000000}
MODE=${MODE:-local}
RUN=${RUN:-/tmp/shouhu-bench/spark}
DATA=${DATA:-/tmp/shouhu-bench/compare/p$((PERSONS / 1000000))m}
export SPARK_CONF_DIR=${SPARK_CONF_DIR:-$PWD/bench/spark/conf} SPARK_LOCAL_IP=127.0.0.1
mkdir -p "$RUN/events"
if [ ! -f "$DATA/registry.parquet" ]; then
  .venv/bin/shouhu synth --persons "$PERSONS" --region 370000 --as-of 2026-11-01 --seed 2026 \
    --out "$DATA"
fi
OUT=$RUN/$(basename "$DATA")-$MODE
ARGS=()
if [ "$MODE" = standalone ]; then
  ARGS=(--master spark://127.0.0.1:7077 --worker-pid "$(cat "$RUN/worker.pid")")
fi
.venv/bin/python bench/spark/bench_spark.py --input "$DATA" --out "$OUT" --events "$RUN/events" \
  --json "$OUT.json" "${ARGS[@]}" 2> "$OUT.stderr"
DUCK=$RUN/$(basename "$DATA")-duckdb
if [ ! -f "$DUCK/findings.csv" ]; then
  .venv/bin/shouhu compare --input "$DATA" --as-of 2026-11-01 --out "$DUCK" 2> /dev/null
fi
cmp "$OUT/findings.csv" "$DUCK/findings.csv" && echo "findings.csv byte-identical with DuckDB"
cmp "$OUT/findings.parquet" "$DUCK/findings.parquet" && echo "findings.parquet byte-identical with DuckDB"
