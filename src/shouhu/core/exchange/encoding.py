"""CSV 的编码识别。

部门导出的 CSV 多为 UTF-8（常带 BOM）或 GBK/GB18030（Excel 中文版“另存为 CSV”的默认编码）。
先看 BOM，再严格按 UTF-8、GB18030（GBK 的超集）试解码，最后用 charset-normalizer 猜。
同一份字节可能被几种编码“解得通”，所以这里给出有序的候选，由调用方用表头是否对得上来定夺：
用错编码解出的中文表头必然对不上。
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import Final

from charset_normalizer import from_bytes

_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAMPLE_BYTES: Final = 64 * 1024
# 这些编码已在前面严格试过，或是 GB18030 的子集，charset-normalizer 再报它们没有意义。
_TRIED: Final = frozenset({"utf_8", "utf-8", "gb18030", "gbk", "gb2312", "ascii"})


def decode_candidates(data: bytes) -> Iterator[tuple[str, str]]:
    """按可能性依次给出（编码名, 解码后的文本）；只给严格解码成功的。"""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = strict_decode(data, encoding)
            if text is not None:
                yield encoding, text
            return
    for encoding in ("utf-8", "gb18030"):
        text = strict_decode(data, encoding)
        if text is not None:
            yield encoding, text
    for guess in guessed_encodings(data):
        text = strict_decode(data, guess)
        if text is not None:
            yield guess, text


def strict_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def guessed_encodings(data: bytes) -> list[str]:
    results = from_bytes(data[:_SAMPLE_BYTES])
    return [
        match.encoding
        for match in results
        if match.encoding and match.encoding.lower() not in _TRIED
    ][:3]
