"""建计划用的小工具：SQL 模板只写结构（按 DuckDB 方言），值和标识符一律作为表达式代入。

模板里的 `$name` 占位符由 `q(template, name=...)` 替换：Python 的 str/int/bool 变成字面量，
`exp.Expr`（列、表、子查询）原样放入。标识符用 `col`/`tbl` 构造并加引号，
所以设置里的列名再怪也不会拼出另一条语句。
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp

from shouhu.core.identity.id_number import CHECK_CHARS, ID_WEIGHTS
from shouhu.engine.backends.base import PLAN_DIALECT, table_ref

__all__ = ["CHECK_CHARS", "ID_WEIGHTS"]  # blocking.py 经这里取用

Param = exp.Expr | str | int | bool | None


@lru_cache(maxsize=512)
def _parsed(template: str) -> exp.Expr:
    parsed: exp.Expr = sqlglot.parse_one(template, read=PLAN_DIALECT)
    return parsed


def q(template: str, **params: Param) -> exp.Expr:
    """解析模板并代入参数；模板解析结果缓存，每次返回新副本。"""
    tree = _parsed(template).copy()
    missing = {n.name for n in tree.find_all(exp.Placeholder) if n.name and n.name not in params}
    if missing:
        raise KeyError(f"模板缺少参数：{sorted(missing)}")

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Placeholder) and node.name in params:
            value = as_expression(params[node.name])
            if isinstance(value, exp.Table) and isinstance(node.parent, exp.Table):
                identifier: exp.Expr = value.this  # FROM $t：占位符本身已在表节点里
                return identifier
            return value
        return node

    return tree.transform(swap, copy=False)  # tree 已是副本


def query(template: str, **params: Param) -> exp.Query:
    """同 q，但模板须是一条查询（可再 .subquery()、union）。"""
    tree = q(template, **params)
    if not isinstance(tree, exp.Query):
        raise TypeError("模板不是查询")
    return tree


def as_expression(value: Param) -> exp.Expr:
    """参数 → 可放进树里的表达式。刚建的、还不在任何树里的表达式原样放入；已在别的树里的
    （调用方复用的列等）放副本——复制整棵子树很贵，层层模板都复制就成了平方。"""
    if isinstance(value, exp.Expr):
        return value if value.parent is None else value.copy()
    if value is None:
        return exp.null()
    return exp.convert(value)


def named(value: exp.Expr, name: str) -> exp.Expr:
    """value AS "name"。刚建的表达式不复制（同 as_expression）：sqlglot 的 alias_ 默认深拷贝，
    而规范化、等级这些表达式很大，每次比对要建上百个。"""
    return exp.alias_(as_expression(value), name, quoted=True, copy=False)


def col(name: str, table: str | None = None) -> exp.Column:
    """带引号的列引用（可带表别名）。"""
    return exp.column(name, table=table, quoted=True)


def tbl(name: str) -> exp.Table:
    return table_ref(name)


def char_at(value: exp.Expr, position: int) -> exp.Expr:
    """第 position 个字符（从 1 起，按字符而非字节）。"""
    return exp.Substring(
        this=as_expression(value), start=exp.convert(position), length=exp.convert(1)
    )


def digit_at(value: exp.Expr, position: int) -> exp.Expr:
    """第 position 位的数值：'0'–'9' → 0–9，'X' → 10（调用方保证形状）。"""
    return q("CASE WHEN $c = 'X' THEN 10 ELSE TRY_CAST($c AS INT) END", c=char_at(value, position))


def weighted_sum(value: exp.Expr, positions: int) -> exp.Expr:
    """前 positions 位的 GB 11643 加权和。"""
    terms: exp.Expr = exp.Mul(this=exp.convert(ID_WEIGHTS[0]), expression=digit_at(value, 1))
    for i in range(1, positions):
        term = exp.Mul(this=exp.convert(ID_WEIGHTS[i]), expression=digit_at(value, i + 1))
        terms = exp.Add(this=terms, expression=term)
    return exp.Paren(this=terms)


def check_digit_sql(first17: exp.Expr) -> exp.Expr:
    """17 位数字串的校验码（与 core 的 check_digit 相同）。"""
    return q(
        "SUBSTRING($chars, ($sum % 11) + 1, 1)",
        chars=CHECK_CHARS,
        sum=weighted_sum(first17, 17),
    )


def mismatch_count(a: exp.Expr, b: exp.Expr, positions: int) -> exp.Expr:
    """前 positions 个字符中对应位置不同的个数（按字符；越界的位置两边都是空串，算相同）。"""
    total: exp.Expr = exp.convert(0)
    for i in range(1, positions + 1):
        differs = q("CASE WHEN $x = $y THEN 0 ELSE 1 END", x=char_at(a, i), y=char_at(b, i))
        total = exp.Add(this=total, expression=differs)
    return exp.Paren(this=total)
