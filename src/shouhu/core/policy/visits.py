"""探访频次（docs/rules.md §6，bayannur §5(三)）。

风险等级由经办人员设定，规则不推导；默认“一般”。
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

RISK_LEVELS: Final = ("high", "key", "general")
RISK_LABELS: Final = MappingProxyType({"high": "高风险", "key": "重点", "general": "一般"})
DEFAULT_RISK: Final = "general"
VISIT_CLAUSE: Final = "bayannur §5(三)"


@dataclass(frozen=True, slots=True)
class VisitRequirement:
    """至少每 every（week/month/quarter）走访一次；within_hours 为重大变故后多少小时内走访到位。"""

    risk: str
    every: str  # week | month | quarter
    within_hours: int | None
    text: str


_REQUIREMENTS: Final = MappingProxyType(
    {
        "high": VisitRequirement(
            "high", "week", 24, "重大变故发生后24小时内走访到位，平时每周走访不少于1次"
        ),
        "key": VisitRequirement("key", "month", None, "每月走访不少于1次"),
        "general": VisitRequirement("general", "quarter", None, "每季度走访不少于1次"),
    }
)


def visit_requirement(risk: str | None = None) -> VisitRequirement:
    """风险等级 → 探访要求；未设定时按“一般”。未知等级是编程错误。"""
    level = risk or DEFAULT_RISK
    if level not in _REQUIREMENTS:
        raise ValueError(f"未知的风险等级 {level!r}，应为 {'、'.join(RISK_LEVELS)} 之一")
    return _REQUIREMENTS[level]
