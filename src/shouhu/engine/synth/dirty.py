"""部门记录里的常见错误：身份证号录错一位、相邻两位颠倒、缺号、15 位旧号、全角数字、
多余空格、小写 x；姓名写错字、写成繁体、带空格。

比例可配置（DirtyRates），默认值接近 issue 中描述的实际情况。每条记录的“错法”记在
`truth_links` 的 id_noise / name_noise 列，测试据此检查比例，关联算法据此统计召回。
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from shouhu.engine.synth.ids import to_15_digits
from shouhu.engine.synth.names import name_traditional, name_with_spaces, name_wrong_char

FULL_WIDTH_OFFSET = 0xFEE0  # '0' → '０'


@dataclass(frozen=True)
class DirtyRates:
    """每种错误占部门记录的比例（id_15_digit 只在 2000 年以前出生者中计，
    id_lowercase_x 只在末位为 X 的号码中计）。"""

    id_typo: float = 0.015
    id_swap: float = 0.015
    id_missing: float = 0.02
    id_15_digit: float = 0.03
    id_full_width: float = 0.01
    id_spaces: float = 0.01
    id_lowercase_x: float = 0.3
    name_wrong_char: float = 0.01
    name_traditional: float = 0.01
    name_spaces: float = 0.01

    def scaled(self, factor: float) -> DirtyRates:
        """所有比例乘以 factor（0 得到完全干净的记录），不超过 1。"""
        return replace(
            self, **{f.name: min(1.0, getattr(self, f.name) * factor) for f in fields(self)}
        )


def dirty_rates_of(value: DirtyRates | float) -> DirtyRates:
    return value if isinstance(value, DirtyRates) else DirtyRates().scaled(float(value))


@dataclass(frozen=True)
class Written:
    """一条记录的主体，照部门写的样子。"""

    id_number: str
    name: str
    id_noise: (
        str  # typo / swap / missing / 15_digit / ""（格式噪声另计：+full_width +spaces +lower_x）
    )
    name_noise: str  # wrong_char / traditional / spaces / ""


def _typo(rng: np.random.Generator, number: str) -> str:
    pos = int(rng.integers(0, 18))
    alphabet = "0123456789X" if pos == 17 else "0123456789"
    choices = [c for c in alphabet if c != number[pos]]
    return number[:pos] + choices[int(rng.integers(0, len(choices)))] + number[pos + 1 :]


def _swap(rng: np.random.Generator, number: str) -> str:
    candidates = [i for i in range(17) if number[i] != number[i + 1]]
    if not candidates:
        return _typo(rng, number)
    i = candidates[int(rng.integers(0, len(candidates)))]
    return number[:i] + number[i + 1] + number[i] + number[i + 2 :]


def _with_spaces(rng: np.random.Generator, number: str) -> str:
    kind = int(rng.integers(0, 3))
    if kind == 0 and len(number) == 18:
        return f"{number[:6]} {number[6:14]} {number[14:]}"
    if kind == 1:
        return f" {number}"
    return f"{number} "


def _full_width(number: str) -> str:
    return "".join(
        chr(ord(c) + FULL_WIDTH_OFFSET) if c.isascii() and c.isalnum() else c for c in number
    )


def id_write(
    rng: np.random.Generator, rates: DirtyRates, number: str, born_before_2000: bool, u: float
) -> tuple[str, str]:
    """(照写的号码, 错法)。u 为该记录预先抽好的均匀随机数，决定主错误。"""
    noise = ""
    cuts = np.cumsum([rates.id_missing, rates.id_typo, rates.id_swap])
    if u < cuts[0]:
        return "", "missing"
    if u < cuts[1]:
        number, noise = _typo(rng, number), "typo"
    elif u < cuts[2]:
        number, noise = _swap(rng, number), "swap"
    elif born_before_2000 and rng.random() < rates.id_15_digit:
        number, noise = to_15_digits(number), "15_digit"
    if number.endswith("X") and rng.random() < rates.id_lowercase_x:
        number, noise = number[:-1] + "x", noise + "+lower_x"
    if rng.random() < rates.id_full_width:
        number, noise = _full_width(number), noise + "+full_width"
    if rng.random() < rates.id_spaces:
        number, noise = _with_spaces(rng, number), noise + "+spaces"
    return number, noise.lstrip("+")


def name_write(rng: np.random.Generator, rates: DirtyRates, name: str, u: float) -> tuple[str, str]:
    cuts = np.cumsum([rates.name_wrong_char, rates.name_traditional, rates.name_spaces])
    if u < cuts[0]:
        return name_wrong_char(rng, name), "wrong_char"
    if u < cuts[1]:
        written = name_traditional(name)
        if written != name:
            return written, "traditional"
        return name_wrong_char(rng, name), "wrong_char"
    if u < cuts[2]:
        return name_with_spaces(rng, name), "spaces"
    return name, ""


def subject_write(
    rng: np.random.Generator, rates: DirtyRates, number: str, name: str, born_before_2000: bool
) -> Written:
    u_id, u_name = rng.random(2)
    written_id, id_noise = id_write(rng, rates, number, born_before_2000, float(u_id))
    written_name, name_noise = name_write(rng, rates, name, float(u_name))
    return Written(written_id, written_name, id_noise, name_noise)
