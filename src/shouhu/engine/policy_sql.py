"""把规则集（shouhu.core.policy.rules）编译成一条集合式 SQL（sqlglot 表达式，DuckDB/Spark 通用）。

规则不在这里重写：每个表达式节点对应一种 SQL 写法，规则本身只在 core 里定义一次。参数（重病
目录、核查次数、补贴标准……）以连接表进入 SQL，从不拼接进字符串。

查询的结构（CTE）：
  c0    个案 + 参数地区（区县 → 地市 → 省 → 全国，连接 policy_region）
  kp    每个 (参数地区, as_of) 一行的标量参数（连接 policy_param 后按名透视）
  c1    c0 ⋈ kp
  fx    事实 ⋈ c1：每条事实上算出规则用到的每个事实级谓词（相同谓词只算一次）
  agg   按个案聚合：三值“有无”用 0/1/2 取最大（假/未知/真），最早/最晚日期用 MIN/MAX
  d0    c1 ⟕ agg，三值码还原成 TRUE/NULL/FALSE
  d1…dn 个案级定义按依赖深度分层，每层 SELECT *, 新列
最后选出 OUTPUTS。`explain=True` 时另有一条查询给出每个原因用到的事实。
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlglot import exp

from shouhu.core.policy.expr import (
    AGGREGATES,
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
    refs,
)
from shouhu.core.policy.params import NATIONAL, PARAM_SPECS
from shouhu.core.policy.rules import RuleSet

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2, 1)
CASE_COLUMNS = ("case_id", "as_of", "region", "birth_date", "id_number", "father_known", "mother_known")
FACT_COLUMNS = (
    "case_id",
    "subject",
    "fact_index",
    "type",
    "date",
    "start",
    "end",
    "valid_until",
    "level",
    "category",
    "disease",
    "qualifying",
    "life",
    "consent",
)
SCALAR_KINDS = {"count": "value_int", "fen": "value_int", "age": "value_int", "flag": "value_bool", "rate": "value_text"}


@dataclass(frozen=True, slots=True)
class PolicyTables:
    """批量求值用到的表名（标识符，不是值）。"""

    cases: str = "policy_cases"
    facts: str = "policy_facts"
    region: str = "policy_region"
    param: str = "policy_param"
    list: str = "policy_list"
    province: str = "policy_id_province"


def param_column(name: str) -> str:
    return "p__" + name.replace(".", "__")


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def _lit(value: object) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)
    return exp.Literal.string(str(value))


def _paren(e: exp.Expression) -> exp.Expression:
    return e if isinstance(e, exp.Column | exp.Literal | exp.Boolean | exp.Null | exp.Paren) else exp.Paren(this=e)


def _and(items: Iterable[exp.Expression]) -> exp.Expression:
    parts = [_paren(i) for i in items]
    out = parts[0]
    for p in parts[1:]:
        out = exp.And(this=out, expression=p)
    return out


def _or(items: Iterable[exp.Expression]) -> exp.Expression:
    parts = [_paren(i) for i in items]
    out = parts[0]
    for p in parts[1:]:
        out = exp.Or(this=out, expression=p)
    return out


def _case(whens: Iterable[tuple[exp.Expression, exp.Expression]], default: exp.Expression) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=w, true=t) for w, t in whens], default=default)


def _as_date(e: exp.Expression) -> exp.Expression:
    return exp.cast(e, exp.DataType.Type.DATE)


def _date_add(e: exp.Expression, n: exp.Expression, unit: str) -> exp.Expression:
    return _as_date(exp.DateAdd(this=e, expression=n, unit=exp.var(unit)))


def _valid_on(table: str, on: exp.Expression) -> exp.Expression:
    start, end = _col("valid_from", table), _col("valid_to", table)
    return _and(
        [
            _or([exp.Is(this=start, expression=exp.Null()), exp.LTE(this=start, expression=on)]),
            _or([exp.Is(this=end, expression=exp.Null()), exp.LT(this=on, expression=end)]),
        ]
    )


_CMP = {"=": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}


class Compiler:
    """表达式 → sqlglot。`fact=True` 时在 fx（事实 f ⋈ 个案 c）上下文，否则在个案分层上下文。"""

    def __init__(self, tables: PolicyTables, *, fact: bool, ref_table: str | None = None) -> None:
        self.tables = tables
        self.fact = fact
        self.ref_table = ref_table  # 说明查询里，事实级谓词引用个案级定义所在的表别名

    def case_col(self, name: str) -> exp.Column:
        return _col(name, "c" if self.fact else None)

    def __call__(self, e: Expr) -> exp.Expression:  # noqa: PLR0911, PLR0912 — 一个节点一个分支
        if isinstance(e, Lit):
            return _lit(e.value)
        if isinstance(e, Field):
            return _col(e.name, "f")
        if isinstance(e, FactIs):
            types = [exp.Literal.string(t) for t in e.types]
            return _and(
                [
                    exp.EQ(this=_col("subject", "f"), expression=exp.Literal.string(e.subject)),
                    exp.In(this=_col("type", "f"), expressions=types),
                ]
            )
        if isinstance(e, CaseField):
            return self.case_col(e.name)
        if isinstance(e, Param):
            return self.case_col(param_column(e.name))
        if isinstance(e, Ref):
            return _col(e.name, self.ref_table)
        if isinstance(e, Cmp):
            return _CMP[e.op](this=_paren(self(e.left)), expression=_paren(self(e.right)))
        if isinstance(e, And):
            return _and(self(x) for x in e.items)
        if isinstance(e, Or):
            return _or(self(x) for x in e.items)
        if isinstance(e, Not):
            return exp.Not(this=_paren(self(e.item)))
        if isinstance(e, IsNull):
            return exp.Is(this=_paren(self(e.item)), expression=exp.Null())
        if isinstance(e, Coalesce):
            items = [self(x) for x in e.items]
            return exp.Coalesce(this=items[0], expressions=items[1:])
        if isinstance(e, InSet):
            return exp.In(this=_paren(self(e.item)), expressions=[_lit(v) for v in e.values])
        if isinstance(e, OnList):
            return self._on_list(e)
        if isinstance(e, AddMonths):
            return _date_add(self(e.item), exp.Literal.number(e.months), "MONTH")
        if isinstance(e, Birthday):
            return self._birthday(e)
        if isinstance(e, IdBirthDate):
            return self._id_birth_date(e)
        if isinstance(e, Case):
            return _case(((self(w), self(v)) for w, v in e.whens), self(e.default))
        if isinstance(e, Greatest):
            items = [self(x) for x in e.items]
            return exp.Greatest(this=items[0], expressions=items[1:], ignore_nulls=True)
        if isinstance(e, JoinNonNull):
            parts = [exp.Literal.string(e.sep), *(self(x) for x in e.items)]
            return exp.ConcatWs(expressions=parts, safe=True, coalesce=True)
        raise TypeError(f"表达式节点 {type(e).__name__} 不能在此上下文编译")

    def _on_list(self, e: OnList) -> exp.Expression:
        item = self(e.item)
        lst = self.tables.list
        cond = _and(
            [
                exp.EQ(this=_col("region", "l"), expression=self.case_col("param_region")),
                exp.EQ(this=_col("name", "l"), expression=exp.Literal.string(e.list_name)),
                exp.EQ(this=_col("item", "l"), expression=item),
                _valid_on("l", self.case_col("as_of")),
            ]
        )
        sub = exp.select(exp.Literal.number(1)).from_(exp.to_table(lst).as_("l")).where(cond)
        return _case([(exp.Is(this=_paren(item), expression=exp.Null()), exp.Null())], exp.Exists(this=sub))

    def _birthday(self, e: Birthday) -> exp.Expression:
        born = self(e.item)
        plain = _date_add(born, _paren(self(e.years)), "YEAR")
        feb29 = _and(
            [
                exp.EQ(this=exp.Month(this=born), expression=exp.Literal.number(2)),
                exp.EQ(this=exp.Day(this=born), expression=exp.Literal.number(29)),
                exp.EQ(this=exp.Day(this=plain), expression=exp.Literal.number(28)),
            ]
        )
        # 2月29日出生、目标年份是平年（加年后被截到28日）：3月1日满周岁
        return _case([(feb29, _date_add(plain, exp.Literal.number(1), "DAY"))], plain)

    def _id_birth_date(self, e: IdBirthDate) -> exp.Expression:
        s, today = self(e.item), self(e.today)

        def char(i: int) -> exp.Expression:
            return exp.Substring(this=s, start=exp.Literal.number(i + 1), length=exp.Literal.number(1))

        def digit(i: int) -> exp.Expression:
            return exp.TryCast(this=char(i), to=exp.DataType.build("INT"))

        last = _case([(exp.EQ(this=char(17), expression=exp.Literal.string("X")), exp.Literal.number(10))], digit(17))
        terms = [exp.Mul(this=exp.Literal.number(w), expression=digit(i)) for i, w in enumerate(_ID_WEIGHTS[:17])]
        total: exp.Expression = exp.Mul(this=exp.Literal.number(_ID_WEIGHTS[17]), expression=_paren(last))
        for t in terms:
            total = exp.Add(this=total, expression=t)
        ymd = exp.Substring(this=s, start=exp.Literal.number(7), length=exp.Literal.number(8))
        born = exp.StrToDate(this=ymd, format=exp.Literal.string("%Y%m%d"), safe=True)
        prefix = exp.Substring(this=s, start=exp.Literal.number(1), length=exp.Literal.number(2))
        provinces = exp.select("prefix").from_(self.tables.province)
        ok = _and(
            [
                exp.EQ(this=exp.Length(this=s), expression=exp.Literal.number(18)),
                exp.RegexpLike(this=s, expression=exp.Literal.string("^[0-9]{17}[0-9X]$")),
                exp.In(this=prefix, query=provinces.subquery()),
                exp.Not(this=exp.Is(this=born, expression=exp.Null())),
                exp.GTE(this=born, expression=_lit(date(1900, 1, 1))),
                exp.LTE(this=born, expression=today),
                exp.EQ(this=exp.Mod(this=_paren(total), expression=exp.Literal.number(11)), expression=exp.Literal.number(1)),
            ]
        )
        return _case([(ok, born)], exp.Null())


# ---------------------------------------------------------------- 查询


def _kleene_code(p: exp.Expression) -> exp.Expression:
    """真 2、未知 1、假 0：三值“或”即取最大。"""
    return _case(
        [(_paren(p), exp.Literal.number(2)), (exp.Not(this=_paren(p)), exp.Literal.number(0))],
        exp.Literal.number(1),
    )


def _filter(subject: str, types: tuple[str, ...]) -> exp.Expression:
    """agg 里按主体和事实类型筛选（fx 的列）。"""
    return _and(
        [
            exp.EQ(this=_col("subject", "fx"), expression=exp.Literal.string(subject)),
            exp.In(this=_col("type", "fx"), expressions=[exp.Literal.string(t) for t in types]),
        ]
    )


@dataclass
class _FactColumns:
    """fx 里的事实级计算列，相同表达式只算一次。"""

    compiler: Compiler
    columns: dict[tuple[str, Expr], str]

    def get(self, kind: str, e: Expr) -> str:
        key = (kind, e)
        if key not in self.columns:
            self.columns[key] = f"{kind}{len(self.columns)}"
        return self.columns[key]

    def select_list(self) -> list[exp.Expression]:
        out: list[exp.Expression] = []
        for (kind, e), name in self.columns.items():
            body = self.compiler(e)
            out.append(exp.alias_(_kleene_code(body) if kind == "k" else body, name, quoted=True))
        return out


def _aggregate(name: str, e: Expr, cols: _FactColumns) -> tuple[exp.Expression, exp.Expression]:
    """(agg 里的聚合列, d0 里还原后的列)。"""
    assert isinstance(e, FactsAny | FactsMin | FactsMax)
    where = _filter(e.subject, e.types)
    raw = f"a__{name}"
    if isinstance(e, FactsAny):
        code = _col(cols.get("k", e.pred), "fx")
        agg = exp.Max(this=_case([(where, code)], exp.Null()))
        value = exp.Coalesce(this=_col(raw), expressions=[exp.Literal.number(0)])
        restored = _case(
            [
                (exp.EQ(this=value, expression=exp.Literal.number(2)), exp.true()),
                (exp.EQ(this=value, expression=exp.Literal.number(1)), exp.Null()),
            ],
            exp.false(),
        )
    else:
        pred = _col(cols.get("p", e.pred), "fx")
        val = _col(cols.get("v", e.value), "fx")
        fn = exp.Min if isinstance(e, FactsMin) else exp.Max
        agg = fn(this=_case([(_and([where, pred]), val)], exp.Null()))
        restored = _col(raw)
    return exp.alias_(agg, raw, quoted=True), exp.alias_(restored, name, quoted=True)


def _layers(rules: RuleSet) -> list[list[tuple[str, Expr]]]:
    depth: dict[str, int] = {}
    layers: list[list[tuple[str, Expr]]] = []
    for name, e in rules.definitions:
        if isinstance(e, AGGREGATES):
            depth[name] = 0
            continue
        d = 1 + max((depth[r] for r in refs(e)), default=0)
        depth[name] = d
        while len(layers) < d:
            layers.append([])
        layers[d - 1].append((name, e))
    return [layer for layer in layers if layer]


def _scalar_params() -> dict[str, str]:
    return {n: SCALAR_KINDS[s.kind] for n, s in PARAM_SPECS.items() if s.kind in SCALAR_KINDS}


def _prefix_code(region: exp.Expression, digits: int) -> exp.Expression:
    head = exp.Substring(this=region, start=exp.Literal.number(1), length=exp.Literal.number(digits))
    return exp.DPipe(this=head, expression=exp.Literal.string("0" * (6 - digits)), safe=True)


def _case_ctes(tables: PolicyTables) -> list[tuple[str, exp.Select]]:
    region = _col("region", "k")
    # 区县 → 地市 → 省 → 全国：取第一个有参数文件的
    candidates = (("r1", region), ("r2", _prefix_code(region, 4)), ("r3", _prefix_code(region, 2)))
    picks = [_col("region", alias) for alias, _ in candidates]
    param_region = exp.Coalesce(this=picks[0], expressions=[*picks[1:], exp.Literal.string(NATIONAL)])
    c0 = exp.select(*(_col(c, "k") for c in CASE_COLUMNS), exp.alias_(param_region, "param_region")).from_(
        exp.to_table(tables.cases).as_("k")
    )
    for alias, key in candidates:
        c0 = c0.join(
            exp.to_table(tables.region).as_(alias),
            on=exp.EQ(this=_col("region", alias), expression=key),
            join_type="left",
        )
    keys = exp.select(_col("param_region"), _col("as_of")).distinct().from_("c0")
    pivots = [
        exp.alias_(
            exp.Max(
                this=_case(
                    [(exp.EQ(this=_col("name", "p"), expression=exp.Literal.string(n)), _col(column, "p"))],
                    exp.Null(),
                )
            ),
            param_column(n),
            quoted=True,
        )
        for n, column in _scalar_params().items()
    ]
    kp = (
        exp.select(_col("param_region", "ks"), _col("as_of", "ks"), *pivots)
        .from_(exp.to_table("keys").as_("ks"))
        .join(
            exp.to_table(tables.param).as_("p"),
            on=_and(
                [
                    exp.EQ(this=_col("region", "p"), expression=_col("param_region", "ks")),
                    _valid_on("p", _col("as_of", "ks")),
                ]
            ),
        )
        .group_by(_col("param_region", "ks"), _col("as_of", "ks"))
    )
    c1 = exp.select(exp.Star()).from_("c0").join("kp", using=["param_region", "as_of"])
    return [("c0", c0), ("keys", keys), ("kp", kp), ("c1", c1)]


def build_policy_query(
    rules: RuleSet, tables: PolicyTables | None = None, *, keep_all: bool = False
) -> exp.Select:
    """整条批量认定查询。keep_all=True 时保留全部中间定义列（说明查询用）。"""
    tables = tables or PolicyTables()
    ctes = _case_ctes(tables)
    cols = _FactColumns(Compiler(tables, fact=True), {})
    agg_cols, restored = [], []
    for name, e in rules.definitions:
        if isinstance(e, AGGREGATES):
            a, r = _aggregate(name, e, cols)
            agg_cols.append(a)
            restored.append(r)
    fx = (
        exp.select(*(_col(c, "f") for c in ("case_id", "subject", "fact_index", "type")), *cols.select_list())
        .from_(exp.to_table(tables.facts).as_("f"))
        .join(exp.to_table("c1").as_("c"), on=exp.EQ(this=_col("case_id", "f"), expression=_col("case_id", "c")))
    )
    agg = exp.select(_col("case_id", "fx"), *agg_cols).from_(exp.to_table("fx").as_("fx")).group_by(_col("case_id", "fx"))
    # 只取 c1 的列和还原后的聚合列（fa 的原始聚合列和重复的 case_id 不要）
    c1_star = exp.Column(this=exp.Star(), table=exp.to_identifier("c1"))
    on_case = exp.EQ(this=_col("case_id", "c1"), expression=_col("case_id", "fa"))
    d0 = exp.select(c1_star, *restored).from_("c1").join(exp.to_table("agg").as_("fa"), on=on_case, join_type="left")
    ctes += [("fx", fx), ("agg", agg), ("d0", d0)]
    case_compiler = Compiler(tables, fact=False)
    previous = "d0"
    for i, layer in enumerate(_layers(rules), start=1):
        name = f"d{i}"
        body = exp.select(exp.Star(), *(exp.alias_(case_compiler(e), n, quoted=True) for n, e in layer)).from_(previous)
        ctes.append((name, body))
        previous = name
    outputs = [exp.Star()] if keep_all else [_col("case_id"), *(_col(o) for o in rules.outputs)]
    query = exp.select(*outputs).from_(previous)
    for name, body in ctes:
        query = query.with_(name, as_=body)
    return query


def build_evidence_query(rules: RuleSet, decisions: str, tables: PolicyTables | None = None) -> exp.Select:
    """每个适用的原因用到了哪些事实：(case_id, code, subject, fact_index)。

    decisions 是 build_policy_query(keep_all=True) 的结果表（含全部个案级定义）。
    """
    tables = tables or PolicyTables()
    compiler = Compiler(tables, fact=True, ref_table="c")
    codes = []
    for r in rules.reasons:
        if r.evidence is None:
            continue
        applies = _and([_col(f"reason__{r.code}", "c"), compiler(r.evidence)])
        codes.append(_case([(applies, exp.Literal.string(r.code))], exp.Null()))
    joined = exp.ConcatWs(expressions=[exp.Literal.string(";"), *codes], safe=True, coalesce=True)
    inner = (
        exp.select(_col("case_id", "f"), _col("subject", "f"), _col("fact_index", "f"), exp.alias_(joined, "codes"))
        .from_(exp.to_table(tables.facts).as_("f"))
        .join(exp.to_table(decisions).as_("c"), on=exp.EQ(this=_col("case_id", "f"), expression=_col("case_id", "c")))
    )
    exploded = exp.Explode(this=exp.Split(this=_col("codes"), expression=exp.Literal.string(";")))
    middle = exp.select(_col("case_id"), _col("subject"), _col("fact_index"), exp.alias_(exploded, "code")).from_(
        inner.subquery("e")
    ).where(exp.NEQ(this=_col("codes"), expression=exp.Literal.string("")))
    return exp.select(exp.Star()).from_(middle.subquery("x")).where(exp.NEQ(this=_col("code"), expression=exp.Literal.string("")))


def param_rows(segments: Iterable[object]) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """参数分段 → (policy_param 行, policy_list 行)。"""
    scalars: list[tuple[object, ...]] = []
    lists: list[tuple[object, ...]] = []
    kinds: Mapping[str, str] = {n: s.kind for n, s in PARAM_SPECS.items()}
    for seg in segments:
        region, name, value = seg.region, seg.name, seg.value  # type: ignore[attr-defined]
        start, end = seg.valid_from, seg.valid_to  # type: ignore[attr-defined]
        if kinds[name] == "names":
            lists.extend((region, name, item, start, end) for item in value)
            continue
        column = SCALAR_KINDS[kinds[name]]
        row = [region, name, None, None, None, start, end]
        row[2 + ("value_int", "value_bool", "value_text").index(column)] = value
        scalars.append(tuple(row))
    return scalars, lists
