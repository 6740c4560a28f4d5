"""在编码空间里比对：分块取候选对，numpy 求 Dice 系数，按事先定好的阈值取舍。

候选对有两个来源：
- 身份证号键相同（原号相同，或一方号码录错、近似纠错的候选与另一方相同）；
- 分块键相同（出生日期、拼音键 + 出生年份等，或 LSH 带），只看两边都有值的键。
每个候选对都算 Dice；号码相同的只需 Dice ≥ id_confirm，近似纠错的 ≥ near_confirm，其余 ≥ threshold。
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

from shouhu.core.pprl.encode import Encoded
from shouhu.core.pprl.ids import IdKeys
from shouhu.core.pprl.schema import Schema

I64 = NDArray[np.int64]
_PAIR_CHUNK = 1 << 20
MAX_BLOCK = 2000  # 一侧超过这么多条的分块键跳过（这样的键区分不了人，只会撑爆候选对）


class Basis(IntEnum):
    """认定依据，数值越大越优先。"""

    FUZZY = 1  # 姓名、出生日期、性别相似
    ID_NEAR = 2  # 一方号码录错，近似纠错后相同
    ID = 3  # 号码相同


@dataclass(frozen=True, slots=True)
class Links:
    query: I64  # 请求方（民政）记录序号
    record: I64  # 部门记录序号
    score: NDArray[np.float64]
    basis: NDArray[np.int8]

    def __len__(self) -> int:
        return int(self.query.shape[0])


def _join(left: NDArray[np.uint64], right: NDArray[np.uint64]) -> tuple[I64, I64]:
    """键相同的全部 (左序号, 右序号)；0 不算键。"""
    lidx = np.flatnonzero(left).astype(np.int64)
    order = lidx[np.argsort(left[lidx], kind="stable")]
    lkeys = left[order]
    ridx = np.flatnonzero(right).astype(np.int64)
    lo = np.searchsorted(lkeys, right[ridx], side="left")
    hi = np.searchsorted(lkeys, right[ridx], side="right")
    counts = hi - lo
    keep = (counts > 0) & (counts <= MAX_BLOCK)
    ridx, lo, counts = ridx[keep], lo[keep], counts[keep]
    total = int(counts.sum())
    starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
    offsets = np.arange(total, dtype=np.int64) + starts
    return order[offsets], np.repeat(ridx, counts)


def _id_pairs(q: IdKeys, r: IdKeys) -> tuple[I64, I64, NDArray[np.int8]]:
    qi, ri = _join(q.hashes, r.hashes)
    exact = q.exact[qi] & r.exact[ri]
    basis = np.where(exact, Basis.ID, Basis.ID_NEAR).astype(np.int8)
    return q.owners[qi], r.owners[ri], basis


def dice(a: NDArray[np.uint64], b: NDArray[np.uint64], ai: I64, bi: I64) -> NDArray[np.float64]:
    """逐对 Dice 系数 2|A∩B| / (|A|+|B|)，分段算以控制内存。"""
    count_a = np.bitwise_count(a).sum(axis=1, dtype=np.int64)
    count_b = np.bitwise_count(b).sum(axis=1, dtype=np.int64)
    out = np.empty(len(ai), dtype=np.float64)
    for s in range(0, len(ai), _PAIR_CHUNK):
        x, y = ai[s : s + _PAIR_CHUNK], bi[s : s + _PAIR_CHUNK]
        common = np.bitwise_count(a[x] & b[y]).sum(axis=1, dtype=np.int64)
        total = count_a[x] + count_b[y]
        out[s : s + _PAIR_CHUNK] = np.divide(
            2 * common, total, where=total > 0, out=np.zeros(len(x))
        )
    return out


def candidates(q: Encoded, r: Encoded) -> tuple[I64, I64, NDArray[np.int8]]:
    """去重后的候选对及其最优依据（号码相同 > 近似纠错 > 仅分块）。"""
    qi, ri, basis = _id_pairs(q.ids, r.ids)
    parts_q, parts_r, parts_b = [qi], [ri], [basis]
    for col in range(q.blocks.shape[1]):
        qi, ri = _join(q.blocks[:, col], r.blocks[:, col])
        parts_q.append(qi)
        parts_r.append(ri)
        parts_b.append(np.full(len(qi), Basis.FUZZY, dtype=np.int8))
    allq, allr, allb = np.concatenate(parts_q), np.concatenate(parts_r), np.concatenate(parts_b)
    pair = allq * np.int64(max(len(r), 1)) + allr
    order = np.lexsort((-allb, pair))  # 同一对取最优依据
    pair, allb = pair[order], allb[order]
    first = np.ones(len(pair), dtype=np.bool_)
    first[1:] = pair[1:] != pair[:-1]
    pair, allb = pair[first], allb[first]
    n_r = np.int64(max(len(r), 1))
    return pair // n_r, pair % n_r, allb


def link(q: Encoded, r: Encoded, schema: Schema, *, one_to_one: bool = False) -> Links:
    """比对并取舍。默认每条部门记录取最像的请求（同分的都取：同一人在请求里出现两次）；
    one_to_one 时按分数从高到低贪心地一对一（两边各自没有重复时用，如 FEBRL）。"""
    qi, ri, basis = candidates(q, r)
    score = dice(q.clk, r.clk, qi, ri)
    floor = np.select(
        [basis == Basis.ID, basis == Basis.ID_NEAR],
        [schema.id_confirm, schema.near_confirm],
        default=schema.threshold,
    )
    keep = score >= floor
    qi, ri, score, basis = qi[keep], ri[keep], score[keep], basis[keep]
    chosen = _one_to_one(qi, ri, score, basis) if one_to_one else _best_per_record(ri, score, basis)
    return Links(query=qi[chosen], record=ri[chosen], score=score[chosen], basis=basis[chosen])


def _best_per_record(ri: I64, score: NDArray[np.float64], basis: NDArray[np.int8]) -> I64:
    order = np.lexsort((-score, -basis, ri))
    ri_s, sc_s, b_s = ri[order], score[order], basis[order]
    head = np.ones(len(order), dtype=np.bool_)
    head[1:] = ri_s[1:] != ri_s[:-1]
    group = np.cumsum(head) - 1
    best_score, best_basis = sc_s[head][group], b_s[head][group]
    tie = (sc_s == best_score) & (b_s == best_basis)
    return np.sort(order[tie])


def _one_to_one(qi: I64, ri: I64, score: NDArray[np.float64], basis: NDArray[np.int8]) -> I64:
    order = np.lexsort((-score, -basis))
    used_q: set[int] = set()
    used_r: set[int] = set()
    chosen = []
    for i in order.tolist():
        a, b = int(qi[i]), int(ri[i])
        if a not in used_q and b not in used_r:
            used_q.add(a)
            used_r.add(b)
            chosen.append(i)
    return np.asarray(sorted(chosen), dtype=np.int64)
