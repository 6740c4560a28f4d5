"""比对发现对照合成真值：每种发现的真值数、找到数、对上数、查全率、查准率（一行 JSON）。

    .venv/bin/python bench/compare/score.py --data DIR --findings DIR/out/findings.parquet

“对上”= 种类与儿童相同（unlinked 为记录号相同）；enrol 另要求类别相同，exit 另要求个案号相同。

enrol / exit 另报“送核查算找到”的查全率（recall_with_review）：真值为 enrol / exit 的儿童没对上，
但有一条这个儿童的 review 发现，原因里有 unresolved_record（挂上未关联记录后结论可能不同），
且用到的记录里有真值认定用到的记录（决定这个孩子的那条记录）——核查人员拿着这条记录就能判对。
reviewed_with_record 是这样算找到的个数。

unresolved_reviews：因未关联记录改为 review 的发现（原因 unresolved_record）数、其真值种类，
以及占全部发现的比例——share 以儿童的发现（enrol、exit、change、review）为分母，
share_all 以全部发现（另加 unlinked 行）为分母；目标 < 5%。
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

KINDS = ("enrol", "exit", "change", "review", "unlinked")
UNRESOLVED = "unresolved_record"


def keys(rows: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    out = {}
    for row in rows:
        kind = row["kind"]
        detail = {"enrol": row["category"], "exit": row["case_id"]}.get(kind) or ""
        out[(kind, row["child_id_number"] or row["record_ids"], detail)] = row
    return out


def records(row: dict[str, Any]) -> set[str]:
    return set(filter(None, (row["record_ids"] or "").split(";")))


def reviewed_with_record(
    want: dict[tuple[str, str, str], dict[str, Any]],
    got: dict[tuple[str, str, str], dict[str, Any]],
) -> set[tuple[str, str, str]]:
    """真值 enrol / exit 里没对上、但送了核查且核查带着决定它的记录的（见模块说明）。"""
    review = {k[1]: r for k, r in got.items() if k[0] == "review"}
    out = set()
    for key, row in want.items():
        if key[0] not in ("enrol", "exit") or key in got:
            continue
        found = review.get(key[1])
        if found and UNRESOLVED in (found["reasons"] or "") and records(found) & records(row):
            out.add(key)
    return out


def score(
    want: dict[tuple[str, str, str], dict[str, Any]],
    got: dict[tuple[str, str, str], dict[str, Any]],
) -> dict[str, Any]:
    hits = set(want) & set(got)
    reviewed = reviewed_with_record(want, got)
    result: dict[str, Any] = {}
    for kind in KINDS:
        t = sum(1 for k in want if k[0] == kind)
        f = sum(1 for k in got if k[0] == kind)
        h = sum(1 for k in hits if k[0] == kind)
        result[kind] = {
            "truth": t,
            "found": f,
            "hits": h,
            "recall": round(h / t, 5) if t else None,
            "precision": round(h / f, 5) if f else None,
        }
        if kind in ("enrol", "exit"):
            r = sum(1 for k in reviewed if k[0] == kind)
            result[kind]["reviewed_with_record"] = r
            result[kind]["recall_with_review"] = round((h + r) / t, 5) if t else None
    unresolved = [k for k, r in got.items() if UNRESOLVED in (r["reasons"] or "")]
    truth_kind = {k[1]: k[0] for k in want}
    children = sum(1 for k in got if k[0] != "unlinked")
    result["unresolved_reviews"] = {
        "total": len(unresolved),
        "truth": dict(Counter(truth_kind.get(k[1], "none") for k in unresolved)),
        "share": round(len(unresolved) / children, 5) if children else None,
        "share_all": round(len(unresolved) / len(got), 5) if got else None,
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--findings", type=Path, required=True)
    args = parser.parse_args()
    want = keys(pq.read_table(args.data / "truth_findings.parquet").to_pylist())
    got = keys(pq.read_table(args.findings).to_pylist())
    print(json.dumps(score(want, got), ensure_ascii=False))


if __name__ == "__main__":
    main()
