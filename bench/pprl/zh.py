"""中文合成数据上的部门内比对：民政 N 人（默认 100 万父母）× 部门 M 条记录（默认 20 万，有错）。

数据沿用 bench/linkage/make_data.py（号码录错一位、相邻颠倒、缺失、15 位旧号、格式噪声，
姓名错一个同音或形近字）；这里再给部门记录加两种错（固定种子）：1% 出生日期错一处（日或月），
1% 姓名中间加空格或写成繁体。民政一侧是户籍的干净记录。

    .venv/bin/python bench/pprl/zh.py --data /tmp/shouhu-bench/linkage [--limit-persons N]
计时分三段：民政编码、部门编码、比对；合计即“部门收到请求到得出答复”再加上民政编码。
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from shouhu.core.pprl import SCHEMAS, Person, link, linkage_key_generate, persons_encode

TRADITIONAL = str.maketrans(
    "张刘陈杨黄赵吴孙马胡郭何罗梁宋郑谢韩冯邓", "張劉陳楊黃趙吳孫馬胡郭何羅梁宋鄭謝韓馮鄧"
)


def dirty_birth(rng: np.random.Generator, iso: str) -> str:
    y, m, d = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    if rng.random() < 0.5:
        d = d % 28 + 1
    else:
        m = m % 12 + 1
        d = min(d, 28)
    return date(y, m, d).isoformat()


def dirty_name(rng: np.random.Generator, name: str) -> str:
    if rng.random() < 0.5 and len(name) > 1:
        return name[0] + " " + name[1:]
    return name.translate(TRADITIONAL)


def persons_of(table: dict[str, list[str]], rng: np.random.Generator | None) -> list[Person]:
    out = []
    for number, name, birth, gender in zip(
        table["id_number"], table["name"], table["birth_date"], table["gender"], strict=True
    ):
        if rng is not None and rng.random() < 0.01:
            birth = dirty_birth(rng, birth)
        if rng is not None and rng.random() < 0.01:
            name = dirty_name(rng, name)
        out.append(Person(name, number or "", date.fromisoformat(birth), gender))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/tmp/shouhu-bench/linkage")
    parser.add_argument("--limit-persons", type=int, default=0)
    parser.add_argument("--schema", default="person_zh_v2", choices=sorted(SCHEMAS))
    args = parser.parse_args()
    cols = ["id_number", "name", "birth_date", "gender"]
    registry = pq.read_table(Path(args.data) / "registry.parquet", columns=cols).to_pydict()
    facts = pq.read_table(Path(args.data) / "facts.parquet", columns=cols).to_pydict()
    truth = pq.read_table(Path(args.data) / "truth.parquet").column("id_number").to_pylist()
    if args.limit_persons:  # 小规模试跑：只留这些人及指向他们的记录
        registry = {k: v[: args.limit_persons] for k, v in registry.items()}
        keep_ids = set(registry["id_number"])
        keep = [i for i, t in enumerate(truth) if t in keep_ids]
        facts = {k: [v[i] for i in keep] for k, v in facts.items()}
        truth = [truth[i] for i in keep]
    queries = persons_of(registry, None)
    records = persons_of(facts, np.random.default_rng(7))
    key = linkage_key_generate()
    t0 = time.perf_counter()
    schema = SCHEMAS[args.schema]
    q = persons_encode(queries, key, schema)
    t1 = time.perf_counter()
    r = persons_encode(records, key, schema)
    t2 = time.perf_counter()
    links = link(q, r, schema)
    t3 = time.perf_counter()
    row_of = {number: i for i, number in enumerate(registry["id_number"])}
    expected = np.array([row_of[t] for t in truth])
    correct = int((expected[links.record] == links.query).sum())
    linked_records = len(set(links.record.tolist()))
    precision = correct / len(links) if len(links) else 0.0
    recall = correct / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if correct else 0.0
    basis = np.bincount(links.basis, minlength=4).tolist()
    print(
        json.dumps(
            {
                "schema": schema.name,
                "persons": len(queries),
                "records": len(records),
                "encode_persons_s": round(t1 - t0, 2),
                "encode_records_s": round(t2 - t1, 2),
                "match_s": round(t3 - t2, 2),
                "total_s": round(t3 - t0, 2),
                "links": len(links),
                "records_linked": linked_records,
                "by_basis": {"id": basis[3], "id_near": basis[2], "fuzzy": basis[1]},
                "precision": round(precision, 5),
                "recall": round(recall, 5),
                "f1": round(f1, 5),
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
