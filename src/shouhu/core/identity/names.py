"""姓名：清洗、拼音键和相似度（供记录关联在身份证号缺失或有误时使用）。

相似度只用整数运算（见 name_similarity），同样的输入在任何机器上得到同样的分数。
"""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache
from typing import Any

from shouhu.core.identity._text import as_text, is_empty_marker, is_invisible

NAME_DOT = "·"  # 少数民族姓名分隔的规范写法（U+00B7）
# 录入时见到的各种“点”：间隔号、着重号、片假名中点、全角句点、拉丁 ꞏ、句号等
_DOT_VARIANTS = frozenset(
    "\u00b7\u0387\u2022\u2024\u2027\u2219\u22c5\u2e31\u30fb\uff65"
    ".\uff0e\ufe52\ua78f\u3002\uff61\u318d"
)

# pypinyin 没有姓氏模式（mozillazg/python-pinyin#297），这里给出作姓时读音与默认读音不同的字。
_SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "区": "ou", "仇": "qiu", "解": "xie", "朴": "piao",
    "查": "zha", "盖": "ge", "乐": "yue", "缪": "miao", "翟": "zhai", "秘": "bi",
    "覃": "qin", "种": "chong", "召": "shao", "员": "yun", "贠": "yun", "繁": "po",
    "洗": "xian", "薄": "bo", "藏": "zang", "重": "chong", "都": "du", "隗": "wei",
    "阚": "kan", "句": "gou", "能": "nai", "折": "she", "祭": "zhai", "卜": "bu",
    "佴": "nai", "粘": "nian",
}  # fmt: skip
# 复姓整体定读音，须先于单字表匹配（“单于”不读 shan yu）。
_COMPOUND_SURNAME_READINGS = {
    "万俟": ("mo", "qi"), "尉迟": ("yu", "chi"), "单于": ("chan", "yu"),
    "长孙": ("zhang", "sun"), "澹台": ("tan", "tai"), "乐正": ("yue", "zheng"),
    "令狐": ("ling", "hu"), "欧阳": ("ou", "yang"),
}  # fmt: skip


def normalize_name(raw: object) -> str:
    """清洗姓名：NFKC（全角转半角）、去掉所有空白（“张 伟”→“张伟”）、繁体转简体（OpenCC t2s）、
    各种点统一为“·”（如 阿卜杜·热合曼）。幂等，从不抛异常；None、NaN 得到 ""。"""
    text = as_text(raw)
    normalized = _normalize_text(text) if text else ""
    return "" if is_empty_marker(normalized) else normalized


@lru_cache(maxsize=65536)
def _normalize_text(text: str) -> str:
    for _ in range(5):  # 繁简转换、NFKC、删字符之间可能互相影响，做到不再变化为止
        cleaned = _unify_dots(_t2s(_strip_invisible(unicodedata.normalize("NFKC", text))))
        if cleaned == text:
            break
        text = cleaned
    return text


def _strip_invisible(text: str) -> str:
    return "".join(ch for ch in text if not is_invisible(ch))


def _unify_dots(text: str) -> str:
    parts = "".join(NAME_DOT if ch in _DOT_VARIANTS else ch for ch in text).split(NAME_DOT)
    return NAME_DOT.join(p for p in parts if p)  # 连续的点合一，首尾的点去掉


@cache
def _converter() -> Any:
    import opencc  # 延迟导入：只在真正清洗姓名时加载词典

    return opencc.OpenCC("t2s")


def _t2s(text: str) -> str:
    if text.isascii():
        return text
    return str(_converter().convert(text))


# ---------------------------------------------------------------- 拼音


def name_syllables(name: str) -> tuple[str, ...]:
    """清洗后姓名逐字的拼音（小写、无声调；ü 写作 v）；非汉字逐字小写保留，点和标点丢弃。
    姓按作姓时的读音（如 单 shan、曾 zeng、区 ou）。"""
    return _syllables(normalize_name(name))


def name_pinyin_key(name: str) -> str:
    """姓名的拼音键，如 张伟 → "zhangwei"、单田芳 → "shantianfang"。"""
    return "".join(name_syllables(name))


@lru_cache(maxsize=65536)
def _syllables(normalized: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin  # 延迟导入：词典较大

    core = normalized.replace(NAME_DOT, "")
    if not _has_phrase(core):
        # pypinyin 只在分出词库中的词时按词注音，否则逐字取默认读音：没有词时逐字查表，
        # 结果相同而快得多（省级名单有几百万个不同姓名）
        return name_syllables_by_char(normalized)
    # errors=list：非汉字逐字成项，使各项与各字一一对应，便于替换姓的读音
    items = [s.lower() for s in lazy_pinyin(core, style=Style.NORMAL, errors=list)]  # type: ignore[arg-type]
    compound = _COMPOUND_SURNAME_READINGS.get(core[:2])
    if compound is not None and len(items) >= 2:
        items[:2] = compound
    elif items and core[:1] in _SURNAME_READINGS:
        items[0] = _SURNAME_READINGS[core[0]]
    return tuple(s for s in items if s.isalnum())


def _has_phrase(core: str) -> bool:
    """姓名中有没有 pypinyin 词库里的词（两字以上的连续片段）。"""
    phrases = _phrases()
    return any(
        core[start:end] in phrases
        for start in range(len(core) - 1)
        for end in range(start + 2, len(core) + 1)
    )


@cache
def _phrases() -> Any:
    from pypinyin.constants import PHRASES_DICT

    return PHRASES_DICT


def name_syllables_by_char(normalized: str) -> tuple[str, ...]:
    """逐字读音，不看上下文（姓仍按作姓的读音）；normalized 须是 normalize_name 的结果。

    供隐私保护比对用：两边对同一个字总得到同一读音，且逐字查表比整名注音快得多
    （百万个不同姓名时，整名注音要十几秒）。多音字的读音可能与 name_syllables 不同。
    """
    core = normalized.replace(NAME_DOT, "")
    items = [_char_reading(ch) for ch in core]
    compound = _COMPOUND_SURNAME_READINGS.get(core[:2])
    if compound is not None and len(items) >= 2:
        items[:2] = compound
    elif items and core[:1] in _SURNAME_READINGS:
        items[0] = _SURNAME_READINGS[core[0]]
    return tuple(s for s in items if s.isalnum())


@lru_cache(maxsize=65536)
def _char_reading(ch: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(ch, style=Style.NORMAL, errors=list)).lower()  # type: ignore[arg-type]


# ---------------------------------------------------------------- 相似度


def name_similarity(a: str, b: str) -> int:
    """两个姓名的相似度，0–100 的整数；清洗后相同（忽略“·”和大小写）才是 100。

    取三项中的最高分（都用整数除法向下取整）：
    - 字：按最长公共子序列的 Dice 系数，200 × LCS // (长度和)；
    - 逐字拼音：同上，再 × 95 // 100——同音错字（张伟/张玮）得 95；
    - 拼音键：按编辑距离，100 × (较长者长度 − 距离) // 较长者长度，再 × 90 // 100——
      读音相近（zh/z、n/l、en/eng）也有分。
    任一方为空得 0。
    """
    na, nb = normalize_name(a), normalize_name(b)
    ca, cb = na.replace(NAME_DOT, "").casefold(), nb.replace(NAME_DOT, "").casefold()
    if not ca or not cb:
        return 0
    if ca == cb:
        return 100
    sa, sb = _syllables(na), _syllables(nb)
    return max(
        _lcs_dice(ca, cb),
        _lcs_dice(sa, sb) * 95 // 100,
        _levenshtein_ratio("".join(sa), "".join(sb)) * 90 // 100,
    )


def _lcs_dice(a: str | tuple[str, ...], b: str | tuple[str, ...]) -> int:
    if not a or not b:
        return 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return 200 * previous[-1] // (len(a) + len(b))


def _levenshtein_ratio(a: str, b: str) -> int:
    longest = max(len(a), len(b))
    if longest == 0:
        return 0
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return 100 * (longest - previous[-1]) // longest
