"""脏数据基准的打分：对照 synth 真值，按（种类, 儿童）计 enrol / exit 的查全、查准与误判。

    .venv/bin/python bench/dirty/score.py --data DIR --findings DIR/out/findings.parquet

- false_exits：判了 exit、真值里这个儿童不是 exit 的（最坏的错，必须为 0）；
- recall：严格（种类与儿童都对）；recall_with_review：真值为 enrol / exit 而发现是 review 的也算
  找到（儿童连同决定它的记录送到了核查）；
- added_reviews_share：因未关联记录（unresolved_record）改成 review 的发现占全部发现的比例。
输出一行 JSON。
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq


def by_child(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["child_id_number"]: r for r in rows if r["child_id_number"]}


def score(truth: list[dict[str, Any]], found: list[dict[str, Any]]) -> dict[str, Any]:
    want, got = by_child(truth), by_child(found)
    result: dict[str, Any] = {}
    for kind in ("enrol", "exit", "change"):
        t = {c for c, r in want.items() if r["kind"] == kind}
        f = {c for c, r in got.items() if r["kind"] == kind}
        reviewed = {c for c in t - f if got.get(c, {}).get("kind") == "review"}
        result[kind] = {
            "truth": len(t),
            "found": len(f),
            "hits": len(t & f),
            "false": len(f - t),
            "recall": round(len(t & f) / len(t), 5) if t else None,
            "recall_with_review": round(len((t & f) | reviewed) / len(t), 5) if t else None,
            "precision": round(len(t & f) / len(f), 5) if f else None,
        }
    added = sum(1 for r in found if "unresolved_record" in (r["reasons"] or ""))
    result["false_exits"] = result["exit"]["false"]
    result["findings"] = len(found)
    result["added_reviews"] = added
    result["added_reviews_share"] = round(added / len(found), 5) if found else None
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--findings", type=Path, required=True)
    args = parser.parse_args()
    truth = pq.read_table(args.data / "truth_findings.parquet").to_pylist()
    found = pq.read_table(args.findings).to_pylist()
    print(json.dumps(score(truth, found), ensure_ascii=False))


if __name__ == "__main__":
    main()
