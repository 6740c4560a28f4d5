"""在儿童档案里终止保障、变更类别时可选的项（与比对发现上的同一套原因和类别）。"""

from __future__ import annotations

from shouhu.core.findings import OTHER, reason_label
from shouhu.core.policy.vocabulary import CATEGORY_LABELS, ORPHAN_TYPE_LABELS

# 变更类别的选项：值为“类别:孤儿类型”
CATEGORY_OPTIONS: tuple[tuple[str, str], ...] = (
    *((f"orphan:{code}", label) for code, label in ORPHAN_TYPE_LABELS.items()),
    *((f"{code}:", label) for code, label in CATEGORY_LABELS.items() if code != "orphan"),
)


def category_option_parse(value: str) -> tuple[str, str]:
    """“orphan:scattered” → ("orphan", "scattered")；不认识的值原样交给服务去拒绝。"""
    category, _, orphan_type = value.partition(":")
    return category, orphan_type


def exit_options(status: str, reason_codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """终止原因：按今天的事实已不符合条件时，是规则给出的那些原因；另加“其他”（写明）。"""
    codes = reason_codes if status == "not_eligible" else ()
    return tuple((code, reason_label(code)) for code in (*codes, OTHER))
