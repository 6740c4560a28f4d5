"""部门记录里的常见错误（docs/dirty-data.md 讲来历和比例）。

号码（主错误，每条记录至多一种）：录错一位、相邻两位颠倒、缺号、15 位旧号；丢一位（17 位）、
多一位（19 位，多为连按两次）、Excel 存成数字（后三位成 000，或写成 1.50802E+17）、
扫描识别把数字认成字母（0→O/D、1→l/I、2→Z、5→S、8→B）。格式噪声（可叠加）：全角、空格、
小写 x、末位 X 写成 × 或 *、Excel 文本前缀 '。
姓名：写错字、繁体、带空格；写成拼音、丢一个字、长名字被系统截断、少数民族姓名的点写成
别的点或空格、只写姓加“某”。
出生日期（有写时）：2010/1/5、2010.1.5、2010年1月5日、20100105、Excel 序列号、月日颠倒。

比例可配置（DirtyRates），默认值接近 issue 中描述的实际情况。每条记录的“错法”记在
`truth_links` 的 id_noise / name_noise 列，测试据此检查比例，关联算法据此统计召回。
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date

import numpy as np

from shouhu.core.identity import NAME_DOT, name_syllables
from shouhu.engine.synth.ids import to_15_digits
from shouhu.engine.synth.names import name_traditional, name_with_spaces, name_wrong_char

FULL_WIDTH_OFFSET = 0xFEE0  # '0' → '０'
EXCEL_EPOCH = date(1899, 12, 30)  # Excel 1900 日期系统的 0（1900-03-01 以后的日期都对）
OCR_LETTERS = {"0": "OD", "1": "lI", "2": "Z", "5": "S", "8": "B"}  # 扫描认错的字形
DOT_VARIANTS = ("•", ".", " ", "・", "")  # 少数民族姓名的点被写成别的点、空格或省去


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
    # 以下为后加的错法，默认比例小（实测来源见 docs/dirty-data.md）
    id_dropped_digit: float = 0.003
    id_added_digit: float = 0.002
    id_excel_zeroed: float = 0.003
    id_excel_scientific: float = 0.001
    id_ocr: float = 0.002
    id_apostrophe: float = 0.01
    id_star_x: float = 0.1  # 只在末位为 X 的号码中计
    name_pinyin: float = 0.001
    name_dropped_char: float = 0.002
    name_truncated: float = 0.05  # 只在 6 字以上的姓名中计
    name_dot_variant: float = 0.3  # 只在带“·”的姓名中计
    name_surname_only: float = 0.001
    date_other_format: float = 0.05
    date_swapped: float = 0.003

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
    id_noise: str  # typo / swap / missing / 15_digit / dropped / added / excel_zeroed /
    # excel_scientific / ocr / ""（格式噪声另计：+full_width +spaces +lower_x +star_x +apostrophe）
    name_noise: str  # wrong_char / traditional / spaces / pinyin / dropped_char / truncated /
    # dot_variant / surname_only / ""


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
    cuts = np.cumsum(
        [rates.id_missing, rates.id_typo, rates.id_swap, rates.id_dropped_digit,
         rates.id_added_digit, rates.id_excel_zeroed, rates.id_excel_scientific, rates.id_ocr]
    )  # fmt: skip
    if u < cuts[0]:
        return "", "missing"
    if u < cuts[1]:
        number, noise = _typo(rng, number), "typo"
    elif u < cuts[2]:
        number, noise = _swap(rng, number), "swap"
    elif u < cuts[7]:
        kind = int(np.searchsorted(cuts, u, side="right")) - 3
        number, noise = _CORRUPTIONS[kind](rng, number), _CORRUPTION_NAMES[kind]
        if noise.startswith("excel"):
            return number, noise  # 存成数字的号码没有格式噪声
    elif born_before_2000 and rng.random() < rates.id_15_digit:
        number, noise = to_15_digits(number), "15_digit"
    if number.endswith("X"):
        if rng.random() < rates.id_lowercase_x:
            number, noise = number[:-1] + "x", noise + "+lower_x"
        elif rng.random() < rates.id_star_x:
            number, noise = number[:-1] + ("×" if rng.random() < 0.5 else "*"), noise + "+star_x"
    if rng.random() < rates.id_full_width:
        number, noise = _full_width(number), noise + "+full_width"
    if rng.random() < rates.id_spaces:
        number, noise = _with_spaces(rng, number), noise + "+spaces"
    if rng.random() < rates.id_apostrophe:
        number, noise = "'" + number, noise + "+apostrophe"
    return number, noise.lstrip("+")


def name_write(rng: np.random.Generator, rates: DirtyRates, name: str, u: float) -> tuple[str, str]:
    cuts = np.cumsum(
        [rates.name_wrong_char, rates.name_traditional, rates.name_spaces, rates.name_pinyin,
         rates.name_dropped_char, rates.name_surname_only]
    )  # fmt: skip
    if cuts[2] <= u < cuts[5]:
        kind = int(np.searchsorted(cuts, u, side="right")) - 3
        return _NAME_CORRUPTIONS[kind](rng, name)
    if len(name) >= 6 and rng.random() < rates.name_truncated:
        return name[: int(rng.integers(4, len(name)))], "truncated"  # 系统字段长度不够
    if NAME_DOT in name and rng.random() < rates.name_dot_variant:
        return name.replace(NAME_DOT, DOT_VARIANTS[int(rng.integers(0, len(DOT_VARIANTS)))]), (
            "dot_variant"
        )
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


# ---------------------------------------------------------------- 后加的号码错法


def _dropped(rng: np.random.Generator, number: str) -> str:
    i = int(rng.integers(0, 18))
    return number[:i] + number[i + 1 :]


def _added(rng: np.random.Generator, number: str) -> str:
    """多一位：多半是连按两次（重复前一位），也有多按了别的键。"""
    i = int(rng.integers(0, 17))
    extra = number[i] if rng.random() < 0.7 else str(int(rng.integers(0, 10)))
    return number[: i + 1] + extra + number[i + 1 :]


def _excel_zeroed(rng: np.random.Generator, number: str) -> str:
    """Excel 只存 15 位有效数字：后三位成 000（末位 X 的号码则是文本，不受影响）。"""
    return number if number.endswith("X") else number[:15] + "000"


def _excel_scientific(rng: np.random.Generator, number: str) -> str:
    """单元格“常规”格式导出：1.50802E+17（6 位有效数字），偶尔显示更多位。"""
    if number.endswith("X"):
        return number
    digits = 6 if rng.random() < 0.8 else 12
    mantissa = number[0] + "." + number[1:digits].rstrip("0")
    return f"{mantissa.rstrip('.')}E+17"


def _ocr(rng: np.random.Generator, number: str) -> str:
    """一到两个数字被认成字形相近的字母。"""
    positions = [i for i, c in enumerate(number) if c in OCR_LETTERS]
    if not positions:
        return number
    for _ in range(1 + int(rng.random() < 0.3)):
        i = positions[int(rng.integers(0, len(positions)))]
        letters = OCR_LETTERS[number[i]] if number[i] in OCR_LETTERS else number[i]
        number = number[:i] + letters[int(rng.integers(0, len(letters)))] + number[i + 1 :]
    return number


_CORRUPTIONS = (_dropped, _added, _excel_zeroed, _excel_scientific, _ocr)
_CORRUPTION_NAMES = ("dropped", "added", "excel_zeroed", "excel_scientific", "ocr")


# ---------------------------------------------------------------- 后加的姓名错法


def _pinyin(rng: np.random.Generator, name: str) -> tuple[str, str]:
    """外系统导出的拼音姓名：姓、名各连写，首字母大写（Sima Lan）。"""
    syllables = name_syllables(name)
    if not syllables:
        return name, ""
    surname = 2 if len(syllables) > 2 and rng.random() < 0.1 else 1
    parts = ["".join(syllables[:surname]), "".join(syllables[surname:])]
    return " ".join(p.capitalize() for p in parts if p), "pinyin"


def _dropped_char(rng: np.random.Generator, name: str) -> tuple[str, str]:
    if len(name) < 3:
        return name, ""
    i = int(rng.integers(1, len(name)))
    return name[:i] + name[i + 1 :], "dropped_char"


def _surname_only(rng: np.random.Generator, name: str) -> tuple[str, str]:
    """对外公开的名单只写姓加“某”（张某、欧阳某某）。"""
    return name[:1] + "某" * (1 + int(rng.random() < 0.2)), "surname_only"


_NAME_CORRUPTIONS = (_pinyin, _dropped_char, _surname_only)


# ---------------------------------------------------------------- 出生日期的写法


def date_write(rng: np.random.Generator, rates: DirtyRates, iso: str) -> tuple[str, str]:
    """(照写的日期, 写法)。月日颠倒只在日 ≤ 12 时发生（否则一看就知道错了）。"""
    year, month, day = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    u = rng.random()
    if u < rates.date_swapped and day <= 12 and day != month:
        return f"{year:04d}-{day:02d}-{month:02d}", "swapped"
    if u < rates.date_swapped + rates.date_other_format:
        kind = int(rng.integers(0, 5))
        if kind == 0:
            return f"{year}/{month}/{day}", "slash"
        if kind == 1:
            return f"{year}.{month}.{day}", "dot"
        if kind == 2:
            return f"{year}年{month}月{day}日", "chinese"
        if kind == 3:
            return f"{year:04d}{month:02d}{day:02d}", "compact"
        serial = (date(year, month, day) - EXCEL_EPOCH).days
        return str(serial), "excel_serial"
    return iso, ""
