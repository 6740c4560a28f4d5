"""规则引擎的输入和输出（模块边界上的冻结数据类）。"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

# 认定结论、类别的清单和中文名称在 vocabulary.py；web 仍从这里导入这两个
from shouhu.core.policy.vocabulary import CATEGORY_LABELS, STATUS_LABELS

Status = Literal["eligible", "not_eligible", "needs_review"]

__all__ = [
    "CATEGORY_LABELS",
    "STATUS_LABELS",
    "Assessment",
    "CaseInput",
    "Fact",
    "NextChange",
    "Person",
    "Reason",
    "Status",
    "Subsidy",
]


@dataclass(frozen=True, slots=True)
class Fact:
    """一条事实。字段含义见 docs/rules.md §2；没给的字段为 None。

    `level` 统一存成字符串：残疾等级 "1"—"4"，在校学段 "primary" 等（批量表里同一列）。
    """

    type: str
    date: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    valid_until: dt.date | None = None
    level: str | None = None
    category: str | None = None
    disease: str | None = None
    qualifying: bool | None = None
    life: bool | None = None
    consent: bool | None = None


@dataclass(frozen=True, slots=True)
class Person:
    facts: tuple[Fact, ...] = ()
    id_number: str | None = None
    birth_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class CaseInput:
    """一个儿童的一次认定。father/mother 为 None 表示该方父母不明（未登记）。"""

    as_of: dt.date
    child: Person
    father: Person | None = None
    mother: Person | None = None
    region: str | None = None
    case_id: str | int | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    text: str
    facts: tuple[str, ...]
    clause: str
    documents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NextChange:
    date: dt.date
    status: str
    category: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Subsidy:
    """按地区参数算出的月生活补贴。example=True 表示金额是示例值，不是官方标准。"""

    basis: str
    monthly_fen: int
    example: bool
    source: str


@dataclass(frozen=True, slots=True)
class Assessment:
    case_id: str | int | None
    as_of: dt.date
    status: str
    category: str | None
    orphan_type: str | None
    reviews_per_year: int
    labels: tuple[str, ...]
    reasons: tuple[Reason, ...]
    next_change: NextChange | None = None
    subsidy: Subsidy | None = None
    param_region: str = "000000"
