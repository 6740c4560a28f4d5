"""对照：anonlink + clkhash 在同一台机器上跑 FEBRL4（issue 中的锚点）。只在基准虚拟环境里运行：
    /tmp/pprl-bench-venv/bin/python bench/pprl/febrl_anonlink.py --dir <febrl 数据目录>
方案参数取 clkhash 文档中 FEBRL 示例方案（v3 "final"）的公开数值：名、姓、出生日期各 200 位，
其余各 100 位，数字字段按位置的单字符，soc_sec_id 不用；Dice 阈值 0.75，不分块，贪心一对一。
输出一行 JSON：编码耗时（锚点不计）与比对耗时分开列出。
"""

from __future__ import annotations

import argparse
import io
import json
import time
from pathlib import Path

import anonlink
from clkhash import clk
from clkhash.schema import from_json_dict

BIGRAM = {"type": "ngram", "n": 2}
UNIGRAM = {"type": "ngram", "n": 1, "positional": True}
TEXT = {"type": "string", "encoding": "utf-8"}


def _feature(name: str, comparison: dict, bits: int, fmt: dict | None = None) -> dict:
    return {
        "identifier": name,
        "format": fmt or TEXT,
        "hashing": {"comparison": comparison, "strategy": {"bitsPerFeature": bits},
                    "missingValue": {"sentinel": ""}},
    }  # fmt: skip


SCHEMA = {
    "version": 3,
    "clkConfig": {"l": 1024, "kdf": {"type": "HKDF", "hash": "SHA256", "keySize": 64}},
    "features": [
        {"identifier": "rec_id", "ignored": True},
        _feature("given_name", BIGRAM, 200),
        _feature("surname", BIGRAM, 200),
        _feature("street_number", UNIGRAM, 100),
        _feature("address_1", BIGRAM, 100),
        _feature("address_2", BIGRAM, 100),
        _feature("suburb", BIGRAM, 100),
        _feature("postcode", UNIGRAM, 100),
        _feature("state", BIGRAM, 100),
        _feature("date_of_birth", UNIGRAM, 200),
        {"identifier": "soc_sec_id", "ignored": True},
    ],
}


def clks(path: Path) -> tuple[list[str], list]:
    text = path.read_text(encoding="utf-8")
    lines = [",".join(c.strip() for c in line.split(",")) for line in text.splitlines()]
    ids = [line.split(",")[0] for line in lines[1:]]
    encoded = clk.generate_clk_from_csv(
        io.StringIO("\n".join(lines)), "secret", from_json_dict(SCHEMA), validate=False,
        progress_bar=False,
    )  # fmt: skip
    return ids, encoded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    ids_a, a = clks(args.dir / "dataset4a.csv")
    ids_b, b = clks(args.dir / "dataset4b.csv")
    encoded = time.perf_counter()
    candidates = anonlink.candidate_generation.find_candidate_pairs(
        [a, b], anonlink.similarities.dice_coefficient_accelerated, 0.75
    )
    groups = anonlink.solving.greedy_solve(candidates)
    finished = time.perf_counter()
    pairs = [sorted(g) for g in groups]
    person_a = [i.split("-")[1] for i in ids_a]
    person_b = [i.split("-")[1] for i in ids_b]
    correct = sum(person_a[x[1]] == person_b[y[1]] for x, y in pairs)
    truth = len(set(person_a) & set(person_b))
    precision, recall = correct / len(pairs), correct / truth
    print(json.dumps({
        "engine": "anonlink+clkhash", "links": len(pairs), "precision": round(precision, 5),
        "recall": round(recall, 5), "f1": round(2 * precision * recall / (precision + recall), 5),
        "encode_s": round(encoded - started, 3), "match_s": round(finished - encoded, 3),
        "total_s": round(finished - started, 3),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
