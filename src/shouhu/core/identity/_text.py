"""身份模块内部共用的文本清洗：把任意单元格值变成字符串，去掉看不见的字符。"""

from __future__ import annotations

import math
import unicodedata
from decimal import Decimal

# 导出表格时空单元格常被写成这些字样；它们不是号码也不是姓名。
_EMPTY_MARKERS = frozenset({"nan", "none", "null", "nat", "n/a", "#n/a"})


def as_text(raw: object) -> str:
    """任意单元格值 → 字符串；None、NaN、布尔值和无法转成字符串的对象得到 ""。"""
    try:
        text = _as_text(raw)
    except Exception:  # 兜底：清洗函数对任何输入都不得抛出
        return ""
    return "" if is_empty_marker(text) else text


def is_empty_marker(text: str) -> bool:
    """表格导出的空值字样（nan、None、#N/A 等），按空值处理。"""
    return text.strip().lower() in _EMPTY_MARKERS


def _as_text(raw: object) -> str:
    if raw is None or isinstance(raw, bool):
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int):
        return str(raw)  # 超长整数会抛 ValueError，由 as_text 兜底
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return ""
        # 注意：超过 2^53 的整数在 float 中已丢失精度（18位号码存成数字即如此），无法复原。
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            return ""
        return str(int(raw)) if raw == raw.to_integral_value() else str(raw)
    if isinstance(raw, bytes | bytearray):
        return bytes(raw).decode("utf-8", errors="replace")
    return str(raw)


def is_invisible(ch: str) -> bool:
    """空白（含全角空格、不间断空格、制表符）、零宽字符、BOM 和控制字符。"""
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc")
