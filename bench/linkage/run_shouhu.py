"""守护的记录关联在基准数据上：计时（不含读 parquet）、峰值内存、查准率、查全率、F1。

    .venv/bin/python bench/linkage/run_shouhu.py --data /tmp/shouhu-bench/linkage [--backend spark]
输出一行 JSON，供 compare.py 汇总。
"""

from __future__ import annotations

import argparse
import collections
import json
import resource
import time
from pathlib import Path

import pyarrow.parquet as pq

from shouhu.engine.linkage import link_records


def scores(links: list[dict[str, object]], truth: dict[str, str]) -> dict[str, float | int]:
    predicted = [r for r in links if r["id_number"] is not None]
    correct = sum(1 for r in predicted if truth[str(r["record_id"])] == r["id_number"])
    precision = correct / len(predicted) if predicted else 0.0
    recall = correct / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 5),
        "recall": round(recall, 5),
        "f1": round(f1, 5),
        "linked": len(predicted),
        "wrong": len(predicted) - correct,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/tmp/shouhu-bench/linkage")
    parser.add_argument("--backend", default="duckdb")
    args = parser.parse_args()
    data = Path(args.data)
    registry = pq.read_table(data / "registry.parquet")
    facts = pq.read_table(data / "facts.parquet")
    truth_table = pq.read_table(data / "truth.parquet").to_pylist()
    truth = {r["record_id"]: r["id_number"] for r in truth_table}
    noise = {r["record_id"]: r["noise"] for r in truth_table}
    started = time.perf_counter()
    links = link_records(registry=registry, facts=facts, backend=args.backend)
    seconds = time.perf_counter() - started
    rows = links.to_pylist()
    misses = collections.Counter(
        (noise[str(r["record_id"])] or "clean", "unlinked" if r["id_number"] is None else "wrong")
        for r in rows
        if r["id_number"] != truth[str(r["record_id"])]
    )
    result = {
        "engine": f"shouhu/{args.backend}",
        "seconds": round(seconds, 2),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        **scores(rows, truth),
        "methods": dict(collections.Counter(r["method"] for r in rows)),
        "misses": {f"{k[0]}:{k[1]}": v for k, v in sorted(misses.items())},
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
