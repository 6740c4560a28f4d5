"""平台写出的每个 CSV/XLSX 单元格都经过这里：不让控制字符弄坏文件，不让文本被当作公式执行。

- 控制字符：openpyxl 遇到 \\x00–\\x1f（制表、换行、回车除外）会抛 IllegalCharacterError，
  报告就生成不了（安全测试 M1）。这里把它们换成对应的“控制图形”字符（\\x07 → ␇），
  看得出原来那里有个不可见字符，又不会让文件损坏。
- 公式注入：以 = + - @ 或制表、回车开头的文本，在 CSV 里会被电子表格当作公式（安全测试
  L1）。CSV 前加一个单引号（OWASP 的做法）；XLSX 里文本单元格本来就不会执行，再标上
  quotePrefix，数值本身不变，改好的错误报告仍可原样再上传。
"""

from __future__ import annotations

import re
from typing import Final

_ILLEGAL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATE: Final = re.compile(r"[\ud800-\udfff]")
FORMULA_LEAD: Final = ("=", "+", "-", "@", "\t", "\r")


def cell_printable(text: str) -> str:
    """控制字符换成控制图形（U+2400 起），孤立代理项换成 U+FFFD；其余原样保留。"""
    text = _ILLEGAL.sub(lambda m: chr(0x2400 + ord(m.group(0))), text)
    return _SURROGATE.sub("\ufffd", text)


def cell_formula_like(text: str) -> bool:
    """电子表格会不会把这段文本当作公式（或其开头）。"""
    return text.startswith(FORMULA_LEAD)


def csv_cell(value: object) -> object:
    """写进 CSV 的一个值：文本去掉控制字符，像公式的前加单引号；数字等原样。"""
    if not isinstance(value, str):
        return value
    text = cell_printable(value)
    return f"'{text}" if cell_formula_like(text) else text


def csv_row(values: list[object] | tuple[object, ...]) -> list[object]:
    return [csv_cell(value) for value in values]
