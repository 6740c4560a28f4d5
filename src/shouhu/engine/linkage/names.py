"""姓名特征：对去重后的姓名在 Python 里算一次，再作为小表联接回 SQL。

清洗用 core 的 normalize_name（繁简转换要 OpenCC）。拼音逐字查表：每个不同的字只问一次
pypinyin（姓名里的字不过几千个），第一个字按作姓时的读音（core 的 name_syllables）。逐字
读音不看上下文，与 core 的整名拼音偶有出入（多音字词组），但两边用同一函数，比较是一致的；
而代价只有整名注音的几十分之一（百万级候选时这决定了快慢）。
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache

import pyarrow as pa

from shouhu.core.identity import NAME_DOT, name_syllables, normalize_name


@lru_cache(maxsize=65536)
def _surname_syllable(ch: str) -> str:
    found = name_syllables(ch)  # 单字作姓名时按姓的读音
    return found[0] if found else ""


@lru_cache(maxsize=65536)
def _syllable(ch: str) -> str:
    found = name_syllables("\u4e00" + ch)  # 前置一个字，使 ch 不在姓的位置上
    return found[1] if len(found) > 1 else ""


def name_syllables_fast(normalized: str) -> tuple[str, ...]:
    """清洗后姓名逐字的拼音（不含点；非汉字逐字小写）。"""
    chars = normalized.replace(NAME_DOT, "")
    if not chars:
        return ()
    found = [_surname_syllable(chars[0]), *(_syllable(c) for c in chars[1:])]
    return tuple(s for s in found if s)


def surname_key(ch: str) -> str:
    """分块用的姓键：首字作姓的拼音（同音错字、繁体姓仍落在同一块）。"""
    return _surname_syllable(normalize_name(ch)[:1]) if ch else ""


def name_features(raw_names: Iterable[str], *, standard: bool = False) -> pa.Table:
    """raw → norm（清洗后）、pinyin（逐字拼音以空格连接）、skey（姓键）、chars（去点后的字）。

    standard：户籍姓名已是规范写法（简体、无空白），不再做繁简转换，只统一“点”。
    """
    raws, norms, pinyins, skeys, chars = [], [], [], [], []
    for raw in raw_names:
        norm = _standard(raw) if standard else normalize_name(raw)
        syllables = pinyin_written(norm) or name_syllables_fast(norm)
        raws.append(raw)
        norms.append(norm or None)
        pinyins.append(" ".join(syllables) or None)
        skeys.append(syllables[0] if syllables else None)
        chars.append(norm.replace(NAME_DOT, "") or None)
    return pa.table(
        {"raw": raws, "norm": norms, "pinyin": pinyins, "skey": skeys, "chars": chars},
        schema=pa.schema([(c, pa.string()) for c in ("raw", "norm", "pinyin", "skey", "chars")]),
    )


@cache
def _pinyin_syllables() -> frozenset[str]:
    """全部无声调的拼音音节（pypinyin 的字表里出现过的），ü 写作 v。"""
    from pypinyin.constants import PINYIN_DICT

    found = set()
    for readings in PINYIN_DICT.values():
        for reading in readings.split(","):
            plain = unicodedata.normalize("NFD", reading.replace("ü", "v"))
            found.add("".join(ch for ch in plain if ch.isascii()).lower())
    return frozenset(s for s in found if s.isalpha())


def pinyin_written(norm: str) -> tuple[str, ...]:
    """写成拼音的姓名（外系统导出的 Sima Lan、ZHANG WEI）切成音节，与汉字姓名的拼音可比；
    不是纯字母或切不开时为 ()。每个大写字母开头的段分别切，段内取最长的音节。"""
    if not norm or not norm.isascii() or not norm.isalpha():
        return ()
    chunks = re.findall(r"[A-Z][a-z]*|[a-z]+", norm) if not norm.isupper() else [norm]
    syllables: list[str] = []
    for chunk in chunks:
        found = _segment(chunk.lower())
        if not found:
            return ()
        syllables.extend(found)
    return tuple(syllables)


@lru_cache(maxsize=4096)
def _segment(letters: str) -> tuple[str, ...]:
    if not letters:
        return ()
    known = _pinyin_syllables()
    for size in range(min(6, len(letters)), 0, -1):
        head = letters[:size]
        if head in known:
            rest = _segment(letters[size:])
            if rest or size == len(letters):
                return (head, *rest)
    return ()


def _standard(raw: str) -> str:
    if raw.isascii() or all("\u4e00" <= ch <= "\u9fff" for ch in raw):
        return raw  # 纯汉字（或纯 ASCII）：无点可统一
    return normalize_name(raw)


def surname_map(first_chars: Iterable[str]) -> pa.Table:
    """户籍姓名首字 → 姓键（户籍人数多，只对不同的首字做）。"""
    firsts = [c for c in first_chars if c]
    return pa.table(
        {"first": firsts, "skey": [surname_key(c) or None for c in firsts]},
        schema=pa.schema([("first", pa.string()), ("skey", pa.string())]),
    )
