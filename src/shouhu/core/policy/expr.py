"""规则的表达式语言：规则只写一次，单个儿童由 `interpret` 解释执行，批量由引擎编译成 SQL。

值：`date`、`int`、`str`、`bool` 或 None。布尔运算是三值逻辑（Kleene，与 SQL 相同）：
None 表示“未知”——事实缺少决定所需的字段时，谓词的值就是未知，见 docs/rules.md §4 第6步。

三种上下文：
- 事实级：`Field`（当前事实的字段）、`FactIs`，以及个案级的 `CaseField`、`Param`；
- 聚合：`FactsAny` / `FactsMin` / `FactsMax` 在一个主体（儿童/父亲/母亲）的事实上聚合，
  只能作为 `RuleSet.definitions` 里某个定义的顶层；
- 个案级：其余节点，用 `Ref` 引用先前的定义。

节点都是冻结数据类，可哈希：编译器据此给相同的事实级谓词只算一次。
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date
from typing import Literal

Value = date | int | str | bool | None
CmpOp = Literal["=", "!=", "<", "<=", ">", ">="]


class Expr:
    """表达式节点的基类。"""

    __slots__ = ()

    def children(self) -> Iterator[Expr]:
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, Expr):
                yield value
            elif isinstance(value, tuple):
                for item in value:
                    if isinstance(item, Expr):
                        yield item
                    elif isinstance(item, tuple):
                        yield from (x for x in item if isinstance(x, Expr))


@dataclass(frozen=True, slots=True)
class Lit(Expr):
    value: Value


@dataclass(frozen=True, slots=True)
class Field(Expr):
    """当前事实的字段：docs/rules.md §2 的字段名，或 `type`、`subject`、`fact_index`。"""

    name: str


@dataclass(frozen=True, slots=True)
class FactIs(Expr):
    """当前事实属于 subject 且类型在 types 之中（确定的真假）。"""

    subject: str
    types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CaseField(Expr):
    """个案字段：as_of、birth_date、id_number、father_known、mother_known、region。"""

    name: str


@dataclass(frozen=True, slots=True)
class Param(Expr):
    """按个案的地区和 as_of 取的标量参数（params/*.toml）。"""

    name: str


@dataclass(frozen=True, slots=True)
class Ref(Expr):
    """引用先前的个案级定义（含聚合）。"""

    name: str


@dataclass(frozen=True, slots=True)
class Cmp(Expr):
    op: CmpOp
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class And(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Not(Expr):
    item: Expr


@dataclass(frozen=True, slots=True)
class IsNull(Expr):
    item: Expr


@dataclass(frozen=True, slots=True)
class Coalesce(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class InSet(Expr):
    """item 属于字面量集合；item 为 None 时未知。"""

    item: Expr
    values: tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class OnList(Expr):
    """item 在地区参数清单 list_name 上（如重病病种目录）；item 为 None 时未知。"""

    item: Expr
    list_name: str


@dataclass(frozen=True, slots=True)
class AddMonths(Expr):
    """加日历月，月末截断（docs/rules.md §1）。"""

    item: Expr
    months: int


@dataclass(frozen=True, slots=True)
class Birthday(Expr):
    """满 years 周岁之日；2月29日出生者平年3月1日满周岁。"""

    item: Expr
    years: Expr


@dataclass(frozen=True, slots=True)
class IdBirthDate(Expr):
    """合格的18位公民身份号码里的出生日期（出生日期不晚于 today）；不合格为 None。"""

    item: Expr
    today: Expr


@dataclass(frozen=True, slots=True)
class Case(Expr):
    """第一个为真的条件对应的值；条件为假或未知都看下一个。"""

    whens: tuple[tuple[Expr, Expr], ...]
    default: Expr


@dataclass(frozen=True, slots=True)
class Greatest(Expr):
    """最大值，忽略 None。"""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class JoinNonNull(Expr):
    """把非 None 的字符串用 sep 连起来（SQL 的 concat_ws）。"""

    sep: str
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class FactsAny(Expr):
    """主体的某些类型的事实中是否有谓词为真者：有真为真；否则有未知为未知；否则为假。"""

    subject: str
    types: tuple[str, ...]
    pred: Expr


@dataclass(frozen=True, slots=True)
class FactsMin(Expr):
    """谓词为真的事实上 value 的最小值；没有时为 None。"""

    subject: str
    types: tuple[str, ...]
    pred: Expr
    value: Expr


@dataclass(frozen=True, slots=True)
class FactsMax(Expr):
    subject: str
    types: tuple[str, ...]
    pred: Expr
    value: Expr


AGGREGATES = (FactsAny, FactsMin, FactsMax)


# ---------------------------------------------------------------- 构造辅助


def and_(*items: Expr) -> Expr:
    return items[0] if len(items) == 1 else And(tuple(items))


def or_(*items: Expr) -> Expr:
    return items[0] if len(items) == 1 else Or(tuple(items))


def not_(item: Expr) -> Not:
    return Not(item)


def eq(left: Expr, right: Expr) -> Cmp:
    return Cmp("=", left, right)


def ne(left: Expr, right: Expr) -> Cmp:
    return Cmp("!=", left, right)


def lt(left: Expr, right: Expr) -> Cmp:
    return Cmp("<", left, right)


def le(left: Expr, right: Expr) -> Cmp:
    return Cmp("<=", left, right)


def gt(left: Expr, right: Expr) -> Cmp:
    return Cmp(">", left, right)


def coalesce(*items: Expr) -> Coalesce:
    return Coalesce(tuple(items))


def if_(cond: Expr, then: Expr, otherwise: Expr) -> Case:
    return Case(((cond, then),), otherwise)


def is_true(item: Expr) -> Expr:
    """未知当作假：`x IS TRUE`。"""
    return Coalesce((item, Lit(False)))


def walk(expr: Expr) -> Iterator[Expr]:
    """先序遍历所有节点。"""
    yield expr
    for child in expr.children():
        yield from walk(child)


def refs(expr: Expr) -> set[str]:
    return {node.name for node in walk(expr) if isinstance(node, Ref)}
