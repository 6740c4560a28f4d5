"""Benchmark: the monthly comparison on Spark, local mode or a standalone cluster (issue 18 item 6).

    bench_spark.py --input DIR --out DIR [--master spark://127.0.0.1:7077 --worker-pid PID]
                   [--events DIR] [--json FILE]

Runs `compare_dir` with the Spark engine (the same code as `shouhu compare --engine spark`) and
reports, besides wall time and the engine's step timings (bench/compare/profile_steps.py):

- CPU seconds of this process and its descendants (Python driver + driver JVM; in local mode the
  executor threads live in the driver JVM) and, for a cluster, of the worker's descendants (the
  executor JVM started for this application), read from /proc just before the session stops;
- from the Spark event log (spark.eventLog.enabled, --events = spark.eventLog.dir): jobs, stages,
  the sum of task run time and task CPU time (what a cluster must supply), and the longest stages.

See README.md for the rerun lines and figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "compare"))
from profile_steps import TIMES, timed

from shouhu.engine.backends.spark_backend import SparkBackend, spark_session
from shouhu.engine.comparison import CompareSettings, compare_dir

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds, RSS bytes) from /proc, or None if the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICK
    return int(fields[1]), cpu, int(fields[21]) * os.sysconf("SC_PAGE_SIZE")


def tree_cpu(root: int) -> tuple[float, int]:
    """CPU seconds and RSS bytes of root's descendants (root included)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            stats[int(entry.name)] = stat
    members, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _, _) in stats.items() if ppid == parent]
        members.update(children)
        frontier.extend(children)
    cpu = sum(stats[pid][1] for pid in members if pid in stats)
    rss = sum(stats[pid][2] for pid in members if pid in stats)
    return cpu, rss


def events_summary(events: Path, app_id: str) -> dict[str, Any]:
    """Jobs, stages, task time and the longest stages of one application's event log."""
    lines: list[str] = []
    for path in sorted(events.glob(f"*{app_id}*")):  # rolling logs: a folder of events_N_… files
        parts = sorted(p for p in path.iterdir() if p.name.startswith("events_"))
        for part in parts if path.is_dir() else [path]:
            lines.extend(part.read_text().splitlines())
    jobs = 0
    task_run_ms = 0
    task_cpu_ns = 0
    stages: list[tuple[float, str]] = []
    for line in lines:
        event = json.loads(line)
        kind = event.get("Event")
        if kind == "SparkListenerJobStart":
            jobs += 1
        elif kind == "SparkListenerTaskEnd" and event.get("Task Metrics"):
            task_run_ms += event["Task Metrics"]["Executor Run Time"]
            task_cpu_ns += event["Task Metrics"]["Executor CPU Time"]
        elif kind == "SparkListenerStageCompleted":
            info = event["Stage Info"]
            seconds = (info["Completion Time"] - info["Submission Time"]) / 1000
            stages.append((seconds, info["Stage Name"].split(" at ")[0]))
    stages.sort(reverse=True)
    return {
        "jobs": jobs,
        "stages": len(stages),
        "stage_s_sum": round(sum(s for s, _ in stages), 1),
        "task_run_s": round(task_run_ms / 1000, 1),
        "task_cpu_s": round(task_cpu_ns / 1e9, 1),
        "longest_stages": [{"s": round(s, 1), "op": name} for s, name in stages[:8]],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--as-of", default="2026-11-01")
    parser.add_argument("--master", default=None, help="spark://…; default local mode")
    parser.add_argument("--worker-pid", type=int, default=None, help="the standalone worker")
    parser.add_argument("--events", type=Path, default=None, help="spark.eventLog.dir")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    for name in ("create", "fetch", "load_arrow", "load_path"):
        timed(name, SparkBackend)
    load_before = os.getloadavg()
    started = time.perf_counter()
    session = spark_session(args.master)  # the JVM start is part of the run
    session.sparkContext.setLogLevel("ERROR")
    result = compare_dir(
        args.input,
        args.out,
        as_of=date.fromisoformat(args.as_of),
        settings=CompareSettings(engine="spark", spark_master=args.master),
        session=session,
    )
    wall = time.perf_counter() - started
    driver_cpu, driver_rss = tree_cpu(os.getpid())
    executor_cpu, executor_rss = tree_cpu(args.worker_pid) if args.worker_pid else (0.0, 0)
    app_id = session.sparkContext.applicationId
    session.stop()
    steps = sorted(TIMES.items(), key=lambda kv: -kv[1])
    report: dict[str, Any] = {
        "input": str(args.input),
        "master": args.master or "local[2]",
        "wall_s": round(wall, 1),
        "driver_cpu_s": round(driver_cpu, 1),
        "executor_cpu_s": round(executor_cpu, 1),
        "driver_rss_mib_at_end": driver_rss >> 20,
        "executor_rss_mib_at_end": executor_rss >> 20,
        "load_before": [round(x, 1) for x in load_before],
        "load_after": [round(x, 1) for x in os.getloadavg()],
        "counts": {k: result.counts[k] for k in ("enrol", "exit", "change", "review", "unlinked")},
        "steps_s_sum": round(sum(TIMES.values()), 1),
        "top_steps": [{"step": s, "table": t, "s": round(v, 1)} for (s, t), v in steps[:15]],
    }
    if args.events:
        time.sleep(1)
        report["events"] = events_summary(args.events, app_id)
    text = json.dumps(report, ensure_ascii=False, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text)


if __name__ == "__main__":
    main()
