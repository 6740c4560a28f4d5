"""比对发现对照合成真值：每种发现的真值数、找到数、对上数、查全率、查准率（一行 JSON）。

    .venv/bin/python bench/compare/score.py --data DIR --findings DIR/out/findings.parquet

“对上”= 种类与儿童相同（unlinked 为记录号相同）；enrol 另要求类别相同，exit 另要求个案号相同。
另报因未关联记录改为 review 的发现数（原因 unresolved_record），以及其中真值为 enrol / exit 的。
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

KINDS = ("enrol", "exit", "change", "review", "unlinked")


def keys(rows: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    out = {}
    for row in rows:
        kind = row["kind"]
        detail = {"enrol": row["category"], "exit": row["case_id"]}.get(kind) or ""
        out[(kind, row["child_id_number"] or row["record_ids"], detail)] = row
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--findings", type=Path, required=True)
    args = parser.parse_args()
    want = keys(pq.read_table(args.data / "truth_findings.parquet").to_pylist())
    got = keys(pq.read_table(args.findings).to_pylist())
    hits = set(want) & set(got)
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
    unresolved = [k for k, r in got.items() if "unresolved_record" in (r["reasons"] or "")]
    truth_kind = {k[1]: k[0] for k in want}
    result["unresolved_reviews"] = {
        "total": len(unresolved),
        "truth": dict(Counter(truth_kind.get(k[1], "none") for k in unresolved)),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
