"""docs/rules.md §2 的事实类型：每种类型可带哪些字段、字段取值的种类、关于谁（父母或儿童）。

目录加载时用它检查数据项的映射；读取文件时用它决定单元格值转换成什么类型。
这里只描述“事实长什么样”，不含任何资格判断（那是 policy 的事）。
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from shouhu.core.policy.vocabulary import CHILD_FIELDS, PARENT_FIELDS


class ValueKind(StrEnum):
    """事实字段取值的种类。"""

    DATE = "date"
    BOOL = "bool"
    INT = "int"
    CODE = "code"
    TEXT = "text"


# 每种事实字段的取值种类；in_school 的 level 是学段代码，不是残疾等级，见 FIELD_KIND_OVERRIDES。
FACT_FIELD_KINDS: Final[dict[str, ValueKind]] = {
    "date": ValueKind.DATE,
    "start": ValueKind.DATE,
    "end": ValueKind.DATE,
    "valid_until": ValueKind.DATE,
    "level": ValueKind.INT,
    "category": ValueKind.CODE,
    "disease": ValueKind.TEXT,
    "qualifying": ValueKind.BOOL,
    "life": ValueKind.BOOL,
    "consent": ValueKind.BOOL,
}

FIELD_KIND_OVERRIDES: Final[dict[tuple[str, str], ValueKind]] = {
    ("in_school", "level"): ValueKind.CODE,
}

# 父母一方、儿童本人的事实类型及其字段（docs/rules.md §2 两张表），取自规则引擎的词汇表：
# 目录和规则只认同一份定义。
PARENT_FACTS: Final[dict[str, frozenset[str]]] = {
    fact_type: frozenset(fields) for fact_type, fields in PARENT_FIELDS.items()
}
CHILD_FACTS: Final[dict[str, frozenset[str]]] = {
    fact_type: frozenset(fields) for fact_type, fields in CHILD_FIELDS.items()
}

# 数据项的主体：父母、儿童，或两者皆可（如死亡、残疾，既可能是父母也可能是儿童本人）。
ROLE_FACTS: Final[dict[str, dict[str, frozenset[str]]]] = {
    "parent": PARENT_FACTS,
    "child": CHILD_FACTS,
    "person": {**PARENT_FACTS, **CHILD_FACTS},
}

ALL_FACT_TYPES: Final[frozenset[str]] = frozenset(ROLE_FACTS["person"])

# 某字段不能早于另一字段（结束不早于开始）。读取时逐行检查。
DATE_ORDER: Final[tuple[tuple[str, str], ...]] = (
    ("start", "end"),
    ("date", "end"),
    ("start", "valid_until"),
)


def fact_fields(fact_type: str) -> frozenset[str]:
    """该事实类型可带的字段（不含 type）。"""
    return ROLE_FACTS["person"][fact_type]


def field_kind(fact_type: str, field: str) -> ValueKind:
    """事实字段的取值种类。"""
    return FIELD_KIND_OVERRIDES.get((fact_type, field), FACT_FIELD_KINDS[field])
