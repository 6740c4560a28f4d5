#!/usr/bin/env bash
# A standalone Spark cluster on loopback from the scripts that ship with pyspark:
#   bash bench/spark/cluster.sh start    # master spark://127.0.0.1:7077 (UI :18080), one worker
#   bash bench/spark/cluster.sh stop     # (2 cores, 4 GiB for executors, UI :18081)
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN=${RUN:-/tmp/shouhu-bench/spark}
CLASS=$(ls -d .venv/lib/python3*/site-packages/pyspark)/bin/spark-class
export SPARK_LOCAL_IP=127.0.0.1 SPARK_DAEMON_MEMORY=512m
mkdir -p "$RUN/work" "$RUN/events"
case "${1:-}" in
start)
  nohup "$CLASS" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7077 \
    --webui-port 18080 > "$RUN/master.log" 2>&1 &
  echo $! > "$RUN/master.pid"
  sleep 8
  nohup "$CLASS" org.apache.spark.deploy.worker.Worker spark://127.0.0.1:7077 --host 127.0.0.1 \
    --cores "${WORKER_CORES:-2}" --memory "${WORKER_MEMORY:-4g}" --webui-port 18081 \
    --work-dir "$RUN/work" > "$RUN/worker.log" 2>&1 &
  echo $! > "$RUN/worker.pid"
  sleep 8
  grep -q "Successfully registered with master" "$RUN/worker.log" && echo "worker pid $(cat "$RUN/worker.pid") registered"
  ;;
stop)
  for name in worker master; do
    [ -f "$RUN/$name.pid" ] && kill "$(cat "$RUN/$name.pid")" && rm "$RUN/$name.pid"
  done
  ;;
*) echo "usage: cluster.sh start|stop" >&2; exit 2 ;;
esac
