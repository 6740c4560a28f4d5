"""校准：Fellegi–Sunter 权重，由数据估计，再化成定点整数（1/64 比特）。

- m（是同一人时某字段落在某等级的概率）：精确联上的记录与其户籍人员是“白送的”标注配对。
- u（不是同一人时的概率）：精确联上的记录与别人随机配对。
- 精确字段（号码）本身：标注配对里它总是“相同”，学不到 m。改用残余候选里“其余字段已足以
  认定”的配对（其余字段的分数 ≥ SILVER_BITS）作为标注，数它们在号码上的等级。不用 EM：
  分块使同名的人大量成对（姓名相同、生日不同），违背独立性假设，EM 会把它们当成半个匹配，
  把“号码相差甚远”的 m 估得离谱。
- 先验 λ（候选对是同一人的概率）：其余全部固定后，在残余候选上用 EM 只估这一个数。
输入是 SQL 算出的计数（整数），两个后端计数相同，权重就逐位相同；浮点只出现在这一步，
随即取整。之后的打分、置信度、阈值判定全是整数运算。
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SCALE = 64  # 一个比特 = 64 个分数单位
SMOOTHING = 0.5  # 计数加的伪计数，免得零概率变成无穷大的权重
SILVER_BITS = 20  # 不计号码时的分数达到此值（比特）的残余配对，用作号码字段的标注
MAX_BITS = 20  # 单个字段的权重上限（绝对值）：样本再少，一个字段也定不了全局

Pattern = tuple[int, ...]


@dataclass(frozen=True)
class Model:
    """整数权重：weights[i][level]（level 0 恒为 0）、先验 prior，以及置信度分界点。"""

    weights: tuple[tuple[int, ...], ...]
    prior: int
    breakpoints: tuple[int, ...]  # breakpoints[c-1]：置信度达到 c 所需的最低分数（c = 1..100）


def level_probabilities(counts: Mapping[int, int], levels: int) -> list[float]:
    """各等级（1..levels-1）的概率，缺值等级 0 不计；加伪计数平滑。"""
    total = sum(counts.get(level, 0) for level in range(1, levels)) + SMOOTHING * (levels - 1)
    return [0.0] + [(counts.get(level, 0) + SMOOTHING) / total for level in range(1, levels)]


def marginal_counts(patterns: Mapping[Pattern, int], index: int) -> dict[int, int]:
    found: dict[int, int] = {}
    for pattern, count in patterns.items():
        found[pattern[index]] = found.get(pattern[index], 0) + count
    return found


def _likelihood(pattern: Pattern, probabilities: Sequence[Sequence[float]]) -> float:
    product = 1.0
    for level, table in zip(pattern, probabilities, strict=True):
        if level:
            product *= table[level]
    return product


def em_fit(
    patterns: Mapping[Pattern, int],
    m: list[list[float]],
    u: Sequence[Sequence[float]],
    *,
    learn: Sequence[int],
    iterations: int,
) -> tuple[list[list[float]], float]:
    """在残余候选对上估计先验 λ 与 learn 中各字段的 m（其余 m、u 不动）。按模式排序迭代，
    使结果与取数顺序无关。"""
    ordered = sorted(patterns.items())
    total = sum(patterns.values())
    lam = 0.5 if not total else min(0.5, max(1e-6, 1.0 / max(1.0, total / max(1, len(ordered)))))
    for _ in range(iterations):
        matched = 0.0
        by_level: list[dict[int, float]] = [{} for _ in m]
        for pattern, count in ordered:
            a = lam * _likelihood(pattern, m)
            b = (1.0 - lam) * _likelihood(pattern, u)
            weight = count * (a / (a + b) if a + b > 0 else 0.0)
            matched += weight
            for i in learn:
                by_level[i][pattern[i]] = by_level[i].get(pattern[i], 0.0) + weight
        lam = min(1.0 - 1e-6, max(1e-6, matched / total)) if total else lam
        for i in learn:
            levels = len(m[i])
            mass = sum(by_level[i].get(level, 0.0) for level in range(1, levels))
            denominator = mass + SMOOTHING * (levels - 1)
            m[i] = [0.0] + [
                (by_level[i].get(level, 0.0) + SMOOTHING) / denominator
                for level in range(1, levels)
            ]
    return m, lam


def _merged(
    patterns: Mapping[Pattern, int], shared: Sequence[Mapping[int, int]]
) -> dict[Pattern, int]:
    found: dict[Pattern, int] = {}
    for pattern, count in patterns.items():
        key = tuple(rule.get(level, level) for level, rule in zip(pattern, shared, strict=True))
        found[key] = found.get(key, 0) + count
    return found


def _silver_counts(
    residual: Mapping[Pattern, int],
    m: Sequence[Sequence[float]],
    u: Sequence[Sequence[float]],
    index: int,
) -> dict[int, int]:
    """其余字段已足以认定为同一人的残余配对，在第 index 个字段上的等级计数。"""
    floor = SILVER_BITS * SCALE
    found: dict[int, int] = {}
    for pattern, count in sorted(residual.items()):
        partial = sum(
            _weight(m[i][level], u[i][level])
            for i, level in enumerate(pattern)
            if level and i != index
        )
        if partial >= floor:
            found[pattern[index]] = found.get(pattern[index], 0) + count
    return found


def _weight(m: float, u: float) -> int:
    """log2(m/u)，限幅后取整。两组样本里都没出现过的等级权重为 0（没有证据，不该平滑出分数）。"""
    return to_units(max(-MAX_BITS, min(MAX_BITS, math.log2(m / u))))


def to_units(bits: float) -> int:
    return round(bits * SCALE)


def confidence_of(score: int) -> int:
    """分数 → 置信度 0–100：后验概率 1 / (1 + 2^(−score/64))，四舍五入到整数百分数。"""
    exponent = -score / SCALE
    if exponent > 60:
        return 0
    return int(100.0 / (1.0 + 2.0**exponent) + 0.5)  # 正数截断即向下取整


def breakpoints() -> tuple[int, ...]:
    """每个置信度 c 的最低分数（二分查找；confidence_of 随分数单调不减）。"""
    found = []
    for c in range(1, 101):
        low, high = -64 * SCALE, 64 * SCALE
        while low < high:
            middle = (low + high) // 2
            if confidence_of(middle) >= c:
                high = middle
            else:
                low = middle + 1
        found.append(low)
    return tuple(found)


def model_fit(
    *,
    levels: Sequence[int],
    matches: Mapping[Pattern, int],
    randoms: Mapping[Pattern, int],
    residual: Mapping[Pattern, int],
    learn: Sequence[int],
    iterations: int,
    shared: Sequence[Mapping[int, int]] = (),
) -> Model:
    """由三组模式计数（标注匹配、随机配对、残余候选）拟合模型。
    shared[i]：第 i 个字段里与另一等级共用权重的等级（计数时并入那个等级）。"""
    shared = list(shared) or [{} for _ in levels]
    matches, randoms, residual = (_merged(p, shared) for p in (matches, randoms, residual))
    m = [level_probabilities(marginal_counts(matches, i), n) for i, n in enumerate(levels)]
    u = [level_probabilities(marginal_counts(randoms, i), n) for i, n in enumerate(levels)]
    for i in learn:
        m[i] = level_probabilities(_silver_counts(residual, m, u, i), levels[i])
    m, lam = em_fit(residual, m, u, learn=(), iterations=iterations)
    seen = [
        {
            lv
            for counts in (marginal_counts(matches, i), marginal_counts(randoms, i))
            for lv, c in counts.items()
            if c
        }
        | (set(range(1, n)) if i in learn else set())
        for i, n in enumerate(levels)
    ]
    weights = tuple(
        tuple(
            _weight(m[i][lv], u[i][lv]) if lv and lv in seen[i] else 0
            for lv in (shared[i].get(level, level) for level in range(n))
        )
        for i, n in enumerate(levels)
    )
    # 先验只许压低、不许抬高置信度：λ 在第一轮候选上估计，候选几乎全是本人时趋近 1；若照搬，
    # 第二轮（同县同名）里生日、性别都对不上的人也会被先验推过阈值。
    return Model(
        weights=weights,
        prior=min(0, to_units(math.log2(lam / (1.0 - lam)))),
        breakpoints=breakpoints(),
    )
