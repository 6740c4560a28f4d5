"""校准：Fellegi–Sunter 权重，由数据估计，再化成定点整数（1/64 比特）。

- m（是同一人时某字段落在某等级的概率）：精确联上的记录与其户籍人员是“白送的”标注配对。
- u（不是同一人时的概率）：精确联上的记录与别人随机配对。
- 精确字段（号码）本身：标注配对里它总是“相同”，学不到 m；残余候选对上用 EM 估计它的 m
  与先验 λ（其余字段的 m、u 固定）。
输入是 SQL 算出的计数（整数），两个后端计数相同，权重就逐位相同；浮点只出现在这一步，
随即取整。之后的打分、置信度、阈值判定全是整数运算。
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SCALE = 64  # 一个比特 = 64 个分数单位
SMOOTHING = 0.5  # 计数加的伪计数，免得零概率变成无穷大的权重

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
                (by_level[i].get(level, 0.0) + SMOOTHING) / denominator for level in range(1, levels)
            ]
    return m, lam


def to_units(bits: float) -> int:
    return int(round(bits * SCALE))


def confidence_of(score: int) -> int:
    """分数 → 置信度 0–100：后验概率 1 / (1 + 2^(−score/64))，四舍五入到整数百分数。"""
    exponent = -score / SCALE
    if exponent > 60:
        return 0
    return int(math.floor(100.0 / (1.0 + 2.0**exponent) + 0.5))


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
) -> Model:
    """由三组模式计数（标注匹配、随机配对、残余候选）拟合模型。"""
    m = [level_probabilities(marginal_counts(matches, i), n) for i, n in enumerate(levels)]
    u = [level_probabilities(marginal_counts(randoms, i), n) for i, n in enumerate(levels)]
    for i in learn:  # 标注配对学不到精确字段的 m：先给一个“越接近越可能”的起点
        n = levels[i]
        m[i] = [0.0] + [2.0 ** (-(level - 1)) for level in range(1, n)]
        m[i] = [0.0] + [p / sum(m[i][1:]) for p in m[i][1:]]
    m, lam = em_fit(residual, m, u, learn=learn, iterations=iterations)
    weights = tuple(
        tuple(0 if level == 0 else to_units(math.log2(m[i][level] / u[i][level])) for level in range(n))
        for i, n in enumerate(levels)
    )
    return Model(weights=weights, prior=to_units(math.log2(lam / (1.0 - lam))), breakpoints=breakpoints())
