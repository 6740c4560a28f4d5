"""表达式的解释器：为单个儿童求值，并找出每个原因用到的事实。

表达式先“编译”成 Python 闭包（每个规则集一次），再对每个个案调用，避免逐节点分派的开销。
语义与 SQL 一致：三值逻辑，None 参与比较得 None，`Case` 的条件为 None 视同假。
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, cast

from shouhu.core.identity import is_valid_id_number
from shouhu.core.policy.dates import add_months, birthday
from shouhu.core.policy.expr import (
    AddMonths,
    And,
    Birthday,
    Case,
    CaseField,
    Cmp,
    Coalesce,
    Expr,
    FactIs,
    FactsAny,
    FactsMax,
    FactsMin,
    Field,
    Greatest,
    IdBirthDate,
    InSet,
    IsNull,
    JoinNonNull,
    Lit,
    Not,
    OnList,
    Or,
    Param,
    Ref,
    Value,
    refs,
)
from shouhu.core.policy.model import CaseInput, Fact
from shouhu.core.policy.params import ResolvedParams
from shouhu.core.policy.rules import RuleSet


@dataclass(frozen=True, slots=True)
class FactRow:
    subject: str
    index: int
    fact: Fact

    @property
    def ref(self) -> str:
        return f"{self.subject}.facts[{self.index}]"


NO_FACT = FactRow("", -1, Fact(""))  # 不在事实上下文时 Ctx.fact 的值


@dataclass(slots=True)
class Ctx:
    case: CaseInput
    as_of: date
    params: ResolvedParams
    facts: dict[str, list[FactRow]]
    by_type: dict[tuple[str, str], list[FactRow]]
    env: dict[str, Value] = field(default_factory=dict)
    fact: FactRow = NO_FACT


Fn = Callable[[Ctx], Any]


def fact_rows(case: CaseInput) -> dict[str, list[FactRow]]:
    rows: dict[str, list[FactRow]] = {}
    for subject, person in (
        ("child", case.child),
        ("father", case.father),
        ("mother", case.mother),
    ):
        if person is not None:
            rows[subject] = [FactRow(subject, i, f) for i, f in enumerate(person.facts)]
    return rows


def _by_type(facts: dict[str, list[FactRow]]) -> dict[tuple[str, str], list[FactRow]]:
    grouped: dict[tuple[str, str], list[FactRow]] = {}
    for rows in facts.values():
        for row in rows:
            grouped.setdefault((row.subject, row.fact.type), []).append(row)
    return grouped


def _case_field(name: str) -> Fn:
    getters: dict[str, Fn] = {
        "as_of": lambda c: c.as_of,
        "birth_date": lambda c: c.case.child.birth_date,
        "id_number": lambda c: c.case.child.id_number,
        "father_known": lambda c: c.case.father is not None,
        "mother_known": lambda c: c.case.mother is not None,
        "region": lambda c: c.case.region,
    }
    return getters[name]


def _field(name: str) -> Fn:
    if name == "subject":
        return lambda c: c.fact.subject
    if name == "fact_index":
        return lambda c: c.fact.index
    return lambda c: getattr(c.fact.fact, name)


_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _cmp(e: Cmp) -> Fn:
    op, left, right = _CMP[e.op], compile_expr(e.left), compile_expr(e.right)

    def run(c: Ctx) -> bool | None:
        a, b = left(c), right(c)
        return None if a is None or b is None else op(a, b)

    return run


def _and(items: Sequence[Fn]) -> Fn:
    def run(c: Ctx) -> bool | None:
        result: bool | None = True
        for item in items:
            v = item(c)
            if v is False:
                return False
            if v is None:
                result = None
        return result

    return run


def _or(items: Sequence[Fn]) -> Fn:
    def run(c: Ctx) -> bool | None:
        result: bool | None = False
        for item in items:
            v = item(c)
            if v is True:
                return True
            if v is None:
                result = None
        return result

    return run


def _coalesce(items: Sequence[Fn]) -> Fn:
    if len(items) == 2:  # 规则里几乎都是两项：省掉生成器
        first, second = items

        def pair(c: Ctx) -> Any:
            v = first(c)
            return second(c) if v is None else v

        return pair

    def run(c: Ctx) -> Any:
        for item in items:
            v = item(c)
            if v is not None:
                return v
        return None

    return run


def _listed(c: Ctx, name: str) -> tuple[str, ...]:
    return cast(tuple[str, ...], c.params.values[name])


def _case(e: Case) -> Fn:
    whens = [(compile_expr(w), compile_expr(v)) for w, v in e.whens]
    default = compile_expr(e.default)

    def run(c: Ctx) -> Any:
        for cond, value in whens:
            if cond(c) is True:
                return value(c)
        return default(c)

    return run


def _facts(subject: str, types: tuple[str, ...]) -> Callable[[Ctx], list[FactRow]]:
    if len(types) == 1:
        key = (subject, types[0])
        return lambda c: c.by_type.get(key, [])
    keys = [(subject, t) for t in types]
    return lambda c: [r for k in keys for r in c.by_type.get(k, ())]


def _facts_any(e: FactsAny) -> Fn:
    rows, pred = _facts(e.subject, e.types), compile_expr(e.pred)

    def run(c: Ctx) -> bool | None:
        result: bool | None = False
        for row in rows(c):
            c.fact = row
            v = pred(c)
            if v is True:
                result = True
                break
            if v is None:
                result = None
        c.fact = NO_FACT
        return result

    return run


def _facts_extreme(e: FactsMin | FactsMax) -> Fn:
    rows, pred, value = _facts(e.subject, e.types), compile_expr(e.pred), compile_expr(e.value)
    pick = min if isinstance(e, FactsMin) else max

    def run(c: Ctx) -> Any:
        found = []
        for row in rows(c):
            c.fact = row
            if pred(c) is True:
                v = value(c)
                if v is not None:
                    found.append(v)
        c.fact = NO_FACT
        return pick(found) if found else None

    return run


def _id_birth_date(e: IdBirthDate) -> Fn:
    item, today = compile_expr(e.item), compile_expr(e.today)

    def run(c: Ctx) -> date | None:
        s = item(c)
        if not isinstance(s, str) or not is_valid_id_number(s, today=today(c)):
            return None
        return date(int(s[6:10]), int(s[10:12]), int(s[12:14]))

    return run


def _null_safe(fn: Callable[..., Any], *args: Fn) -> Fn:
    def run(c: Ctx) -> Any:
        values = [a(c) for a in args]
        return None if any(v is None for v in values) else fn(*values)

    return run


def _simple(e: Expr) -> Fn | None:
    """无需递归结构的叶子节点。"""
    if isinstance(e, Lit):
        v = e.value
        return lambda c: v
    if isinstance(e, Field):
        return _field(e.name)
    if isinstance(e, FactIs):
        subject, types = e.subject, frozenset(e.types)
        return lambda c: c.fact.subject == subject and c.fact.fact.type in types
    if isinstance(e, CaseField):
        return _case_field(e.name)
    if isinstance(e, Param):
        name = e.name
        return lambda c: c.params.values[name]
    if isinstance(e, Ref):
        ref = e.name
        return lambda c: c.env[ref]
    return None


@cache
def compile_expr(e: Expr) -> Fn:
    leaf = _simple(e)
    if leaf is not None:
        return leaf
    if isinstance(e, Cmp):
        return _cmp(e)
    if isinstance(e, And):
        return _and([compile_expr(x) for x in e.items])
    if isinstance(e, Or):
        return _or([compile_expr(x) for x in e.items])
    if isinstance(e, Not):
        inner = compile_expr(e.item)
        return lambda c: None if (v := inner(c)) is None else not v
    if isinstance(e, IsNull):
        inner = compile_expr(e.item)
        return lambda c: inner(c) is None
    if isinstance(e, Coalesce):
        return _coalesce([compile_expr(x) for x in e.items])
    if isinstance(e, InSet):
        inner, values = compile_expr(e.item), frozenset(e.values)
        return lambda c: None if (v := inner(c)) is None else v in values
    if isinstance(e, OnList):
        inner, name = compile_expr(e.item), e.list_name
        return lambda c: None if (v := inner(c)) is None else v in _listed(c, name)
    if isinstance(e, AddMonths):
        return _null_safe(lambda d: add_months(d, e.months), compile_expr(e.item))
    if isinstance(e, Birthday):
        return _null_safe(birthday, compile_expr(e.item), compile_expr(e.years))
    if isinstance(e, IdBirthDate):
        return _id_birth_date(e)
    if isinstance(e, Case):
        return _case(e)
    if isinstance(e, Greatest):
        items = [compile_expr(x) for x in e.items]
        return lambda c: max((v for v in (i(c) for i in items) if v is not None), default=None)
    if isinstance(e, JoinNonNull):
        items, sep = [compile_expr(x) for x in e.items], e.sep
        return lambda c: sep.join(v for v in (i(c) for i in items) if v is not None)
    if isinstance(e, FactsAny):
        return _facts_any(e)
    if isinstance(e, FactsMin | FactsMax):
        return _facts_extreme(e)
    raise TypeError(f"未知的表达式节点 {type(e).__name__}")


# 按对象身份缓存：对规则集或大表达式求哈希要递归整棵树，每次求值都做就太慢了。
_BY_ID: dict[int, tuple[object, Any]] = {}


def compiled(e: Expr) -> Fn:
    """compile_expr 的按身份缓存版本，供运行时反复调用。"""
    hit = _BY_ID.get(id(e))
    if hit is None or hit[0] is not e:
        hit = (e, compile_expr(e))
        _BY_ID[id(e)] = hit
    fn: Fn = hit[1]
    return fn


def _compiled(rules: RuleSet) -> tuple[tuple[str, Fn], ...]:
    hit = _BY_ID.get(id(rules))
    if hit is None or hit[0] is not rules:
        hit = (rules, tuple((name, compile_expr(e)) for name, e in rules.definitions))
        _BY_ID[id(rules)] = hit
    fns: tuple[tuple[str, Fn], ...] = hit[1]
    return fns


def _needed(rules: RuleSet, targets: tuple[str, ...]) -> tuple[tuple[str, Fn], ...]:
    """只求 targets 依赖到的定义（按原顺序）：下一次变化只要结论，不要说明。"""
    key = (id(rules), targets)
    hit = _SUBSETS.get(key)
    if hit is None or hit[0] is not rules:  # 同一 id 可能是回收后新建的规则集
        exprs = dict(rules.definitions)
        wanted: set[str] = set()
        stack = list(targets)
        while stack:
            name = stack.pop()
            if name not in wanted:
                wanted.add(name)
                stack.extend(refs(exprs[name]))
        hit = (rules, tuple((n, fn) for n, fn in _compiled(rules) if n in wanted))
        _SUBSETS[key] = hit
    return hit[1]


_SUBSETS: dict[tuple[int, tuple[str, ...]], tuple[RuleSet, tuple[tuple[str, Fn], ...]]] = {}


def evaluate(
    rules: RuleSet,
    case: CaseInput,
    as_of: date,
    params: ResolvedParams,
    *,
    only: tuple[str, ...] | None = None,
) -> Ctx:
    """按顺序求出规则集的定义（only 给出时只求它们依赖的）；返回的上下文里 env 是结果。"""
    rows = fact_rows(case)
    ctx = Ctx(case, as_of, params, rows, _by_type(rows))
    env = ctx.env
    for name, fn in _compiled(rules) if only is None else _needed(rules, only):
        env[name] = fn(ctx)
    return ctx


def evidence(ctx: Ctx, pred: Expr) -> tuple[FactRow, ...]:
    """谓词为真的事实（原因“用到的事实”）。"""
    fn = compiled(pred)
    found = []
    for rows in ctx.facts.values():
        for row in rows:
            ctx.fact = row
            if fn(ctx) is True:
                found.append(row)
    ctx.fact = NO_FACT
    order = {"child": 0, "father": 1, "mother": 2}
    return tuple(sorted(found, key=lambda r: (order[r.subject], r.index)))
