"""探访频次（docs/rules.md §6，bayannur §5(三)）和重大变故。

风险等级由经办人员设定，规则不推导；默认“一般”。风险评估只提出建议，经办人员确认后生效。
发生重大变故时，儿童在经办人员复核之前临时按“高风险”对待，24小时内须走访到位。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Final

from shouhu.core.policy.dates import add_months

RISK_LEVELS: Final = ("high", "key", "general")
RISK_LABELS: Final = MappingProxyType({"high": "高风险", "key": "重点", "general": "一般"})
DEFAULT_RISK: Final = "general"
VISIT_CLAUSE: Final = "bayannur §5(三)"
MAJOR_CHANGE_HOURS: Final = 24  # 重大变故发生后24小时内走访到位

# 重大变故（docs/rules.md §6）。“照料人”含正在照料儿童的父母一方。
MAJOR_CHANGES: Final = (
    "mandatory_report",
    "carer_deceased",
    "carer_detained",
    "carer_imprisoned",
    "carer_lost_contact",
    "carer_unable",
    "child_hospitalised",
    "child_injured",
    "child_missing",
)
MAJOR_CHANGE_LABELS: Final = MappingProxyType(
    dict(
        zip(
            MAJOR_CHANGES,
            (
                "收到关于该儿童的强制报告",
                "照料人（或照料儿童的父母）死亡",
                "照料人（或照料儿童的父母）被羁押",
                "照料人（或照料儿童的父母）服刑",
                "照料人（或照料儿童的父母）失联",
                "照料人无法继续照料",
                "儿童住院",
                "儿童受伤",
                "儿童走失",
            ),
            strict=True,
        )
    )
)


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
            "high",
            "week",
            MAJOR_CHANGE_HOURS,
            f"重大变故发生后{MAJOR_CHANGE_HOURS}小时内走访到位，平时每周走访不少于1次",
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


def effective_risk(*, confirmed: str | None, unreviewed_major_change: bool) -> str:
    """当前按哪个风险等级走访：有未经复核的重大变故时临时为“高风险”，否则为经办人员确认的
    等级（风险评估的建议不算，确认后才生效），都没有时为“一般”。"""
    if unreviewed_major_change:
        return "high"
    return visit_requirement(confirmed).risk


def next_visit_due(*, risk: str | None, opened: date, last_visit: date | None) -> date:
    """下一次例行走访的最晚日期：从立案或最近一次走访（较晚者）起，每周 / 每月 / 每季度。"""
    since = opened if last_visit is None else max(opened, last_visit)
    every = visit_requirement(risk).every
    if every == "week":
        return since + timedelta(days=7)
    return add_months(since, 1 if every == "month" else 3)


def major_change_visit_due(change: str, occurred_at: datetime) -> datetime:
    """重大变故后走访到位的最晚时刻。未知的变故代码是编程错误。"""
    if change not in MAJOR_CHANGE_LABELS:
        raise ValueError(f"未知的重大变故 {change!r}，应为 {'、'.join(MAJOR_CHANGES)} 之一")
    return occurred_at + timedelta(hours=MAJOR_CHANGE_HOURS)
