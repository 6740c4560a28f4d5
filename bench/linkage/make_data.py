"""基准数据：户籍 N 人、部门记录 M 条（照 issue 的错法比例），写成 parquet，两边共用同一份文件。

错法（每条记录一种号码错法 + 独立的姓名错法）：
  号码  1.5% 录错一位 · 1.5% 相邻两位颠倒 · 2% 缺失 · 2% 写成 15 位旧号（2000 年前出生者）
        另有 1% 全角、1% 带空格、末位 X 的三成写成小写 x（格式噪声，不改变号码）
  姓名  2% 错一个字（同音或形近字，沿用 synth 的写错字函数）
姓名按 synth 的姓氏与用字频率生成（重名很多，正是缺号记录难联的原因）。

    .venv/bin/python bench/linkage/make_data.py --persons 1000000 --records 200000 \
        --out /tmp/shouhu-bench/linkage
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from shouhu.core.identity import division_table
from shouhu.core.identity.id_number import CHECK_CHARS, ID_WEIGHTS
from shouhu.engine.synth.names import name_wrong_char, names_build, surnames_draw

WEIGHTS = np.array(ID_WEIGHTS[:17])
CHECK = np.array(list(CHECK_CHARS))
EPOCH = np.datetime64("1970-01-01")


def counties() -> list[str]:
    return sorted(d.code for d in division_table() if d.level == "county")


def registry_draw(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    codes = np.array(counties())
    low = (np.datetime64("1935-01-01") - EPOCH).astype(int)
    high = (np.datetime64("2024-12-31") - EPOCH).astype(int)
    division = codes[rng.integers(0, len(codes), n)]
    birth = (EPOCH + rng.integers(low, high, n).astype("timedelta64[D]")).astype("datetime64[D]")
    male = rng.random(n) < 0.5
    sequence = rng.integers(0, 100, n)
    ymd = np.char.replace(birth.astype(str), "-", "")
    gender_digit = 2 * (sequence % 5) + male
    first17 = np.char.add(
        np.char.add(division, ymd),
        np.char.add(np.char.zfill(sequence.astype(str), 2), gender_digit.astype(str)),
    )
    digits = np.frombuffer("".join(first17.tolist()).encode(), dtype=np.uint8).reshape(n, 17) - 48
    ids = np.char.add(first17, CHECK[(digits * WEIGHTS).sum(axis=1) % 11])
    _, keep = np.unique(ids, return_index=True)  # 撞号的只留一个
    keep.sort()
    return {"id": ids[keep], "division": division[keep], "birth": birth[keep], "male": male[keep]}


def names_draw(rng: np.random.Generator, male: np.ndarray) -> pa.Array:
    return names_build(rng, surnames_draw(rng, len(male)), male)


def _typo(rng: np.random.Generator, number: str) -> str:
    i = int(rng.integers(0, 18))
    alphabet = [c for c in ("0123456789X" if i == 17 else "0123456789") if c != number[i]]
    return number[:i] + alphabet[int(rng.integers(0, len(alphabet)))] + number[i + 1 :]


def _swap(rng: np.random.Generator, number: str) -> str:
    options = [i for i in range(17) if number[i] != number[i + 1] and number[i + 1] != "X"]
    i = options[int(rng.integers(0, len(options)))]
    return number[:i] + number[i + 1] + number[i] + number[i + 2 :]


FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def id_written(rng: np.random.Generator, number: str, born: int) -> tuple[str, str]:
    u = rng.random()
    if u < 0.015:
        return _typo(rng, number), "typo"
    if u < 0.03:
        return _swap(rng, number), "swap"
    if u < 0.05:
        return "", "missing"
    if u < 0.07 and born < 2000:
        return number[:6] + number[8:17], "15_digit"
    v = rng.random()
    if v < 0.01:
        return number.translate(FULL_WIDTH), ""
    if v < 0.02:
        return f"{number[:6]} {number[6:14]} {number[14:]}", ""
    if number.endswith("X") and v < 0.3:
        return number[:-1] + "x", ""
    return number, ""


def facts_draw(
    rng: np.random.Generator, reg: dict[str, np.ndarray], names: pa.Array, m: int
) -> tuple[pa.Table, pa.Table]:
    pick = rng.integers(0, len(reg["id"]), m)
    ids, noises, written_names = [], [], []
    picked_names = names.take(pa.array(pick)).to_pylist()
    years = reg["birth"].astype("datetime64[Y]").astype(int) + 1970
    for j, k in enumerate(pick.tolist()):
        number, noise = id_written(rng, str(reg["id"][k]), int(years[k]))
        name = str(picked_names[j])
        if rng.random() < 0.02:
            name, noise = name_wrong_char(rng, name), noise + "+name"
        ids.append(number)
        written_names.append(name)
        noises.append(noise)
    record_ids = [f"R{k:08d}" for k in range(m)]
    facts = pa.table(
        {
            "record_id": record_ids,
            "agency_type": pa.array(["education"] * m),
            "type": pa.array(["enrolment"] * m),
            "id_number": ids,
            "name": written_names,
            "birth_date": pa.array(reg["birth"][pick]).cast(pa.string()),
            "gender": np.where(reg["male"][pick], "M", "F"),
            "division_code": reg["division"][pick],
        }
    )
    truth = pa.table({"record_id": record_ids, "id_number": reg["id"][pick], "noise": noises})
    return facts, truth


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--out", default="/tmp/shouhu-bench/linkage")
    args = parser.parse_args()
    started = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    reg = registry_draw(rng, args.persons)
    names = names_draw(rng, reg["male"])
    registry = pa.table(
        {
            "id_number": reg["id"],
            "name": names,
            "gender": np.where(reg["male"], "M", "F"),
            "birth_date": pa.array(reg["birth"]).cast(pa.string()),
            "division_code": reg["division"],
        }
    )
    facts, truth = facts_draw(rng, reg, names, args.records)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in (("registry", registry), ("facts", facts), ("truth", truth)):
        pq.write_table(table, out / f"{name}.parquet")
    dirty = pc.sum(pc.not_equal(truth["noise"], "")).as_py()
    print(
        f"registry {registry.num_rows} · facts {facts.num_rows} (dirty {dirty})"
        f" · {time.perf_counter() - started:.1f}s · {out}"
    )


if __name__ == "__main__":
    main()
