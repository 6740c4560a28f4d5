"""把规则集（shouhu.core.policy.rules）编译成一条集合式 SQL（sqlglot 表达式，DuckDB/Spark 通用）。

规则不在这里重写：每种表达式节点对应一种 SQL 写法，规则本身只在 core 里定义一次。参数（重病
目录、核查次数、补贴标准……）以连接表进入 SQL，从不拼接进字符串。

查询的结构（CTE）：
  c0    个案 + 参数地区（区县 → 地市 → 省 → 全国，连接 policy_region）
  keys  不同的 (参数地区, as_of)；kp 每个键一行标量参数（连接 policy_param 后按名透视）
  c1    c0 ⋈ kp；cf 是 c1 里事实级谓词用得到的几列
  fx    事实 ⋈ cf（⟕ 各清单）：每条事实只对自己的类型算谓词，三值记作 2/1/0（真/未知/假）
  agg   按个案聚合：各“有无”聚合按位压进两个整数（真位、未知位）后 BIT_OR，最早/最晚日期 MIN/MAX
  d0    c1 ⟕ agg，按位还原成 TRUE/NULL/FALSE
  d1…dn 个案级定义按依赖深度分层，每层 SELECT *, 新列
`build_evidence_query` 另给出每个原因用到的事实。
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlglot import exp

from shouhu.core.identity.id_number import ID_WEIGHTS
from shouhu.core.policy import expr as E  # 表达式节点写作 E.Lit、E.Ref……
from shouhu.core.policy.params import NATIONAL, PARAM_SPECS
from shouhu.core.policy.rules import RuleSet

CASE_COLUMNS = (
    "case_id",
    "as_of",
    "region",
    "birth_date",
    "id_number",
    "father_known",
    "mother_known",
)
_INT, _BOOL, _TEXT = "value_int", "value_bool", "value_text"
SCALAR_KINDS = {
    "count": _INT,
    "fen": _INT,
    "age": _INT,
    "flag": _BOOL,
    "rate": _TEXT,
    "choice": _TEXT,
}
_BITS = 62  # 每个整数放 62 个聚合，避开符号位


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


# ---------------------------------------------------------------- 小积木


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def _num(n: int) -> exp.Expr:
    return exp.Literal.number(n)


def _str(s: str) -> exp.Literal:
    return exp.Literal.string(s)


def _lit(value: object) -> exp.Expr:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return _num(value)
    if isinstance(value, date):
        return exp.cast(_str(value.isoformat()), exp.DataType.Type.DATE)
    return _str(str(value))


def _paren(e: exp.Expr) -> exp.Expr:
    simple = exp.Column | exp.Literal | exp.Boolean | exp.Null | exp.Paren | exp.Cast | exp.Case
    return e if isinstance(e, simple) else exp.Paren(this=e)


def _chain(kind: type[exp.Connector], items: Iterable[exp.Expr]) -> exp.Expr:
    parts = [_paren(i) for i in items]
    out = parts[0]
    for p in parts[1:]:
        out = kind(this=out, expression=p)
    return out


def _and(*items: exp.Expr) -> exp.Expr:
    return _chain(exp.And, items)


def _or(*items: exp.Expr) -> exp.Expr:
    return _chain(exp.Or, items)


def _is_null(e: exp.Expr) -> exp.Expr:
    return exp.Is(this=_paren(e), expression=exp.Null())


def _eq(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.EQ(this=a, expression=b)


def _in(e: exp.Expr, values: Iterable[str]) -> exp.Expr:
    items = [_str(v) for v in values]
    return _eq(e, items[0]) if len(items) == 1 else exp.In(this=e, expressions=items)


def _case(whens: Iterable[tuple[exp.Expr, exp.Expr]], default: exp.Expr) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=w, true=t) for w, t in whens], default=default)


def _sum(items: list[exp.Expr]) -> exp.Expr:
    out = items[0]
    for item in items[1:]:
        out = exp.Add(this=out, expression=item)
    return out


def _date_add(e: exp.Expr, n: exp.Expr, unit: str) -> exp.Expr:
    return exp.cast(exp.DateAdd(this=e, expression=n, unit=exp.var(unit)), exp.DataType.Type.DATE)


def _valid_on(table: str, on: exp.Expr) -> exp.Expr:
    start, end = _col("valid_from", table), _col("valid_to", table)
    return _and(
        _or(_is_null(start), exp.LTE(this=start, expression=on)),
        _or(_is_null(end), exp.LT(this=on, expression=end)),
    )


_CMP = {"=": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}


# ---------------------------------------------------------------- 表达式 → SQL


@dataclass
class Compiler:
    """表达式 → sqlglot。fact=True 时在事实上下文（f 事实、c 个案），否则在个案分层上下文。"""

    tables: PolicyTables
    fact: bool
    ref_table: str | None = None  # 事实级谓词引用个案级定义时的表别名（说明查询）
    list_joins: dict[E.OnList, str] = field(default_factory=dict)  # 已连接成表的清单 → 别名

    def case_col(self, name: str) -> exp.Column:
        return _col(name, "c" if self.fact else None)

    def __call__(self, e: E.Expr) -> exp.Expr:
        if isinstance(e, E.Lit):
            return _lit(e.value)
        if isinstance(e, E.Field):
            return _col(e.name, "f")
        if isinstance(e, E.FactIs):
            return _and(_eq(_col("subject", "f"), _str(e.subject)), _in(_col("type", "f"), e.types))
        if isinstance(e, E.CaseField):
            return self.case_col(e.name)
        if isinstance(e, E.Param):
            return self.case_col(param_column(e.name))
        if isinstance(e, E.Ref):
            return _col(e.name, self.ref_table)
        if isinstance(e, E.Cmp):
            return _CMP[e.op](this=_paren(self(e.left)), expression=_paren(self(e.right)))
        if isinstance(e, E.And):
            return _and(*(self(x) for x in e.items))
        if isinstance(e, E.Or):
            return _or(*(self(x) for x in e.items))
        if isinstance(e, E.Not):
            return exp.Not(this=_paren(self(e.item)))
        if isinstance(e, E.IsNull):
            return _is_null(self(e.item))
        if isinstance(e, E.Coalesce):
            items = [self(x) for x in e.items]
            return exp.Coalesce(this=items[0], expressions=items[1:])
        if isinstance(e, E.InSet):
            return exp.In(this=_paren(self(e.item)), expressions=[_lit(v) for v in e.values])
        if isinstance(e, E.OnList):
            return self._on_list(e)
        if isinstance(e, E.AddMonths):
            return _date_add(self(e.item), _num(e.months), "MONTH")
        if isinstance(e, E.Birthday):
            return self._birthday(e)
        if isinstance(e, E.IdBirthDate):
            return self._id_birth_date(e)
        if isinstance(e, E.Case):
            return _case(((self(w), self(v)) for w, v in e.whens), self(e.default))
        if isinstance(e, E.Greatest):
            items = [self(x) for x in e.items]
            return exp.Greatest(this=items[0], expressions=items[1:], ignore_nulls=True)
        if isinstance(e, E.JoinNonNull):
            return exp.ConcatWs(
                expressions=[_str(e.sep), *(self(x) for x in e.items)], safe=True, coalesce=True
            )
        raise TypeError(f"表达式节点 {type(e).__name__} 不能在此上下文编译")

    def list_condition(self, e: E.OnList, alias: str) -> exp.Expr:
        return _and(
            _eq(_col("region", alias), self.case_col("param_region")),
            _eq(_col("name", alias), _str(e.list_name)),
            _eq(_col("item", alias), self(e.item)),
            _valid_on(alias, self.case_col("as_of")),
        )

    def _on_list(self, e: E.OnList) -> exp.Expr:
        item = self(e.item)
        alias = self.list_joins.get(e)
        if alias is not None:  # fx 里已左连接了清单：连上即在清单上
            found: exp.Expr = exp.Not(this=_is_null(_col("item", alias)))
        else:
            sub = exp.select(_num(1)).from_(exp.to_table(self.tables.list).as_("l"))
            found = exp.Exists(this=sub.where(self.list_condition(e, "l")))
        return _case([(_is_null(item), exp.Null())], found)

    def _birthday(self, e: E.Birthday) -> exp.Expr:
        born = self(e.item)
        plain = _date_add(born, _paren(self(e.years)), "YEAR")
        feb29 = _and(
            _eq(exp.Month(this=born), _num(2)),
            _eq(exp.Day(this=born), _num(29)),
            _eq(exp.Day(this=plain), _num(28)),
        )
        # 2月29日出生、目标年份是平年（加年后被截到28日）：3月1日满周岁
        return _case([(feb29, _date_add(plain, _num(1), "DAY"))], plain)

    def _id_birth_date(self, e: E.IdBirthDate) -> exp.Expr:
        s, today = self(e.item), self(e.today)

        def char(i: int) -> exp.Expr:
            return exp.Substring(this=s, start=_num(i + 1), length=_num(1))

        def digit(i: int) -> exp.Expr:
            return exp.TryCast(this=char(i), to=exp.DataType.build("INT"))

        last = _case([(_eq(char(17), _str("X")), _num(10))], digit(17))
        terms = [exp.Mul(this=_num(w), expression=digit(i)) for i, w in enumerate(ID_WEIGHTS[:17])]
        total = _sum([*terms, exp.Mul(this=_num(ID_WEIGHTS[17]), expression=last)])
        born = exp.StrToDate(
            this=exp.Substring(this=s, start=_num(7), length=_num(8)),
            format=_str("%Y%m%d"),
            safe=True,
        )
        provinces = exp.select("prefix").from_(self.tables.province).subquery()
        ok = _and(
            _eq(exp.Length(this=s), _num(18)),
            exp.RegexpLike(this=s, expression=_str("^[0-9]{17}[0-9X]$")),
            exp.In(this=exp.Substring(this=s, start=_num(1), length=_num(2)), query=provinces),
            exp.Not(this=_is_null(born)),
            exp.GTE(this=born, expression=_lit(date(1900, 1, 1))),
            exp.LTE(this=born, expression=today),
            _eq(exp.Mod(this=_paren(total), expression=_num(11)), _num(1)),
        )
        return _case([(ok, born)], exp.Null())


def _kleene_code(p: exp.Expr) -> exp.Expr:
    """真 2、未知 1、假 0。"""
    return _case([(_paren(p), _num(2)), (exp.Not(this=_paren(p)), _num(0))], _num(1))


# ---------------------------------------------------------------- 事实 → 个案聚合


@dataclass
class _FactPlan:
    """事实级计算列（fx）、聚合（agg）和还原（d0）。相同的 (类型, 谓词) 只算一次。"""

    rules: RuleSet
    tables: PolicyTables
    anys: list[tuple[str, E.FactsAny]] = field(default_factory=list)
    extremes: list[tuple[str, E.FactsMin | E.FactsMax]] = field(default_factory=list)
    k_cols: dict[tuple[tuple[str, ...], E.Expr], str] = field(default_factory=dict)
    v_cols: dict[tuple[tuple[str, ...], E.Expr, E.Expr], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, e in self.rules.definitions:
            if isinstance(e, E.FactsAny):
                self.anys.append((name, e))
                self.k_cols.setdefault((e.types, e.pred), f"k{len(self.k_cols)}")
            elif isinstance(e, E.FactsMin | E.FactsMax):
                self.extremes.append((name, e))
                self.v_cols.setdefault((e.types, e.pred, e.value), f"v{len(self.v_cols)}")
        lists = {
            n
            for _, e in self.rules.definitions
            if isinstance(e, E.AGGREGATES)
            for n in E.walk(e)
            if isinstance(n, E.OnList)
        }
        joins = {item: f"l{i}" for i, item in enumerate(sorted(lists, key=repr))}
        self.compiler = Compiler(self.tables, fact=True, list_joins=joins)

    def fx(self) -> exp.Select:
        c = self.compiler
        cols: list[exp.Expr] = [_col(n, "f") for n in ("case_id", "subject", "type")]
        for (types, pred), name in self.k_cols.items():
            guarded = _case([(_in(_col("type", "f"), types), _kleene_code(c(pred)))], exp.Null())
            cols.append(exp.alias_(guarded, name, quoted=True))
        for (types, pred, value), name in self.v_cols.items():
            cond = _and(
                _in(_col("type", "f"), types), exp.Coalesce(this=c(pred), expressions=[exp.false()])
            )
            cols.append(exp.alias_(_case([(cond, c(value))], exp.Null()), name, quoted=True))
        on_case = _eq(_col("case_id", "f"), _col("case_id", "c"))
        query = (
            exp.select(*cols)
            .from_(exp.to_table(self.tables.facts).as_("f"))
            .join(exp.to_table("cf").as_("c"), on=on_case)
        )
        for item, alias in c.list_joins.items():
            query = query.join(
                exp.to_table(self.tables.list).as_(alias),
                on=c.list_condition(item, alias),
                join_type="left",
            )
        return query

    def cf(self) -> exp.Select:
        """fx 只需要个案的这几列：事实级谓词里出现的个案字段、参数，以及 param_region、as_of。"""
        needed = {"case_id", "as_of", "param_region"}
        for _, e in [*self.anys, *self.extremes]:
            for node in E.walk(e):
                if isinstance(node, E.CaseField):
                    needed.add(node.name)
                elif isinstance(node, E.Param):
                    needed.add(param_column(node.name))
        return exp.select(*(_col(n) for n in sorted(needed))).from_("c1")

    def _chunks(self) -> Iterator[tuple[int, list[tuple[int, str, E.FactsAny]]]]:
        indexed = [(i, name, e) for i, (name, e) in enumerate(self.anys)]
        for start in range(0, len(indexed), _BITS):
            yield start // _BITS, indexed[start : start + _BITS]

    def _bits(self, members: list[tuple[int, str, E.FactsAny]], code: int) -> exp.Expr:
        """这一块聚合里，本条事实为真（code=2）或未知（code=1）的那些位之和。

        先按主体、再按类型分支（每条事实只走一个分支）；同一 k 列的位先合并，少算几次比较。
        """
        tree: dict[str, dict[str, dict[str, int]]] = {}
        for i, _, e in members:
            k = self.k_cols[(e.types, e.pred)]
            for t in e.types:
                by_k = tree.setdefault(e.subject, {}).setdefault(t, {})
                by_k[k] = by_k.get(k, 0) | (1 << (i % _BITS))
        subjects = []
        for subject, types in tree.items():
            branches = [
                (
                    _eq(_col("type", "fx"), _str(t)),
                    _sum(
                        [
                            _case([(_eq(_col(k, "fx"), _num(code)), _num(bits))], _num(0))
                            for k, bits in by_k.items()
                        ]
                    ),
                )
                for t, by_k in types.items()
            ]
            subjects.append((_eq(_col("subject", "fx"), _str(subject)), _case(branches, _num(0))))
        return _case(subjects, _num(0))

    def agg(self) -> exp.Select:
        cols: list[exp.Expr] = [_col("case_id", "fx")]
        for chunk, members in self._chunks():
            cols.append(
                exp.alias_(
                    exp.BitwiseOrAgg(this=self._bits(members, 2)), f"t__{chunk}", quoted=True
                )
            )
            cols.append(
                exp.alias_(
                    exp.BitwiseOrAgg(this=self._bits(members, 1)), f"u__{chunk}", quoted=True
                )
            )
        for name, e in self.extremes:
            v = _col(self.v_cols[(e.types, e.pred, e.value)], "fx")
            fn = exp.Min if isinstance(e, E.FactsMin) else exp.Max
            picked = _case([(_eq(_col("subject", "fx"), _str(e.subject)), v)], exp.Null())
            cols.append(exp.alias_(fn(this=picked), f"a__{name}", quoted=True))
        return exp.select(*cols).from_(exp.to_table("fx").as_("fx")).group_by(_col("case_id", "fx"))

    def restored(self) -> list[exp.Expr]:
        out: list[exp.Expr] = []
        for chunk, members in self._chunks():
            true_bits = exp.Coalesce(this=_col(f"t__{chunk}", "fa"), expressions=[_num(0)])
            unknown_bits = exp.Coalesce(this=_col(f"u__{chunk}", "fa"), expressions=[_num(0)])
            for i, name, _ in members:
                bit = _num(1 << (i % _BITS))
                has = [
                    (
                        exp.NEQ(
                            this=exp.BitwiseAnd(this=true_bits, expression=bit), expression=_num(0)
                        ),
                        exp.true(),
                    ),
                    (
                        exp.NEQ(
                            this=exp.BitwiseAnd(this=unknown_bits, expression=bit),
                            expression=_num(0),
                        ),
                        exp.Null(),
                    ),
                ]
                out.append(exp.alias_(_case(has, exp.false()), name, quoted=True))
        out.extend(
            exp.alias_(_col(f"a__{name}", "fa"), name, quoted=True) for name, _ in self.extremes
        )
        return out


# ---------------------------------------------------------------- 查询


def _prefix_code(region: exp.Expr, digits: int) -> exp.Expr:
    head = exp.Substring(this=region, start=_num(1), length=_num(digits))
    return exp.DPipe(this=head, expression=_str("0" * (6 - digits)), safe=True)


def _case_ctes(tables: PolicyTables) -> list[tuple[str, exp.Select]]:
    region = _col("region", "k")
    # 区县 → 地市 → 省 → 全国：取第一个有参数文件的
    candidates = (("r1", region), ("r2", _prefix_code(region, 4)), ("r3", _prefix_code(region, 2)))
    picks = [_col("region", alias) for alias, _ in candidates]
    param_region = exp.Coalesce(this=picks[0], expressions=[*picks[1:], _str(NATIONAL)])
    c0 = exp.select(
        *(_col(c, "k") for c in CASE_COLUMNS), exp.alias_(param_region, "param_region")
    ).from_(exp.to_table(tables.cases).as_("k"))
    for alias, key in candidates:
        c0 = c0.join(
            exp.to_table(tables.region).as_(alias),
            on=_eq(_col("region", alias), key),
            join_type="left",
        )
    keys = exp.select(_col("param_region"), _col("as_of")).distinct().from_("c0")
    pivots = [
        exp.alias_(
            exp.Max(this=_case([(_eq(_col("name", "p"), _str(n)), _col(column, "p"))], exp.Null())),
            param_column(n),
            quoted=True,
        )
        for n, spec in PARAM_SPECS.items()
        if (column := SCALAR_KINDS.get(spec.kind))
    ]
    on_param = _and(
        _eq(_col("region", "p"), _col("param_region", "ks")), _valid_on("p", _col("as_of", "ks"))
    )
    kp = (
        exp.select(_col("param_region", "ks"), _col("as_of", "ks"), *pivots)
        .from_(exp.to_table("keys").as_("ks"))
        .join(exp.to_table(tables.param).as_("p"), on=on_param)
        .group_by(_col("param_region", "ks"), _col("as_of", "ks"))
    )
    c1 = exp.select(exp.Star()).from_("c0").join("kp", using=["param_region", "as_of"])
    return [("c0", c0), ("keys", keys), ("kp", kp), ("c1", c1)]


def _layers(rules: RuleSet) -> list[list[tuple[str, E.Expr]]]:
    depth: dict[str, int] = {}
    layers: list[list[tuple[str, E.Expr]]] = []
    for name, e in rules.definitions:
        if isinstance(e, E.AGGREGATES):
            depth[name] = 0
            continue
        d = 1 + max((depth[r] for r in E.refs(e)), default=0)
        depth[name] = d
        while len(layers) < d:
            layers.append([])
        layers[d - 1].append((name, e))
    return layers


def build_policy_query(
    rules: RuleSet, tables: PolicyTables | None = None, *, keep_all: bool = False
) -> exp.Select:
    """整条批量认定查询。keep_all=True 时保留全部中间定义列（说明查询要用）。"""
    tables = tables or PolicyTables()
    plan = _FactPlan(rules, tables)
    ctes = _case_ctes(tables)
    c1_star = exp.Column(this=exp.Star(), table=exp.to_identifier("c1"))
    on_case = _eq(_col("case_id", "c1"), _col("case_id", "fa"))
    d0 = (
        exp.select(c1_star, *plan.restored())
        .from_("c1")
        .join(exp.to_table("agg").as_("fa"), on=on_case, join_type="left")
    )
    ctes += [("cf", plan.cf()), ("fx", plan.fx()), ("agg", plan.agg()), ("d0", d0)]
    case_compiler = Compiler(tables, fact=False)
    previous = "d0"
    for i, layer in enumerate(_layers(rules), start=1):
        columns = [exp.alias_(case_compiler(e), n, quoted=True) for n, e in layer]
        ctes.append((f"d{i}", exp.select(exp.Star(), *columns).from_(previous)))
        previous = f"d{i}"
    outputs = [exp.Star()] if keep_all else [_col("case_id"), *(_col(o) for o in rules.outputs)]
    query = exp.select(*outputs).from_(previous)
    for name, body in ctes:
        query = query.with_(name, as_=body, copy=False)  # 不复制：每次复制整棵树是平方级
    return query


def build_evidence_query(
    rules: RuleSet, decisions: str, tables: PolicyTables | None = None
) -> exp.Select:
    """每个适用的原因用到了哪些事实：(case_id, subject, fact_index, code)。

    decisions 是 build_policy_query(keep_all=True) 的结果表（含全部个案级定义和参数列）。
    """
    tables = tables or PolicyTables()
    compiler = Compiler(tables, fact=True, ref_table="c")
    codes = [
        _case(
            [(_and(_col(f"reason__{r.code}", "c"), compiler(r.evidence)), _str(r.code))], exp.Null()
        )
        for r in rules.reasons
        if r.evidence is not None
    ]
    joined = exp.ConcatWs(expressions=[_str(";"), *codes], safe=True, coalesce=True)
    inner = (
        exp.select(
            _col("case_id", "f"),
            _col("subject", "f"),
            _col("fact_index", "f"),
            exp.alias_(joined, "codes"),
        )
        .from_(exp.to_table(tables.facts).as_("f"))
        .join(exp.to_table(decisions).as_("c"), on=_eq(_col("case_id", "f"), _col("case_id", "c")))
    )
    exploded = exp.Explode(this=exp.Split(this=_col("codes"), expression=_str(";")))
    middle = (
        exp.select(
            _col("case_id"), _col("subject"), _col("fact_index"), exp.alias_(exploded, "code")
        )
        .from_(inner.subquery("e"))
        .where(exp.NEQ(this=_col("codes"), expression=_str("")))
    )
    return (
        exp.select(exp.Star())
        .from_(middle.subquery("x"))
        .where(exp.NEQ(this=_col("code"), expression=_str("")))
    )
