"""docs/rules.md §3—§5、§8 的规则，只写这一次：`interpret` 用它解释单个儿童，引擎把它编译成 SQL。

常见情形索引：情形 → 结论：定义（本模块里的名字）。D =“死亡或失踪”（`<父母>_absent`：deceased、
declared_dead、declared_missing 之一在 as_of 有效）；C = 符合条件的情形（`<父母>_condition`，
各类型的判断是 predicates.qualifies，门槛在 thresholds.py）。每行在
tests/core/policy/test_policy_index.py 有同名的一条测试（输入 → 结论、类别、原因代码、
说明里的门槛）。

  父母双亡 → 孤儿：father_absent ∧ mother_absent（第7步）
  一方死亡另一方宣告失踪 → 孤儿：同上，宣告失踪也是 D
  查找不到生父母 → 孤儿：child_parents_unknown（第5步，不看父母）
  散居孤儿 → orphan_type scattered：孤儿且无 child_institutional_care
  集中养育 → orphan_type institutional：孤儿且 child_institutional_care
  父母一方死亡另一方重残 → 事实无人抚养儿童：D ∧ <另一方>_severe_disability（SEVERE_DISABILITY）
  父母双方重残 → 事实无人抚养儿童：father_severe_disability ∧ mother_severe_disability
  一方死亡另一方重病 → 事实无人抚养儿童：D ∧ <另一方>_severe_illness（qualifying，或在重病目录上）
  一方死亡另一方服刑 → 事实无人抚养儿童：D ∧ <另一方>_imprisoned（RESTRICTION_MONTHS 以上或无期）
  一方死亡另一方强制隔离戒毒 → 事实无人抚养儿童：D ∧ <另一方>_compulsory_rehab（同上）
  一方死亡另一方被执行其他限制人身自由的措施 → 事实无人抚养儿童：D ∧ <另一方>_other_restriction
  双方服刑 → 事实无人抚养儿童：father_imprisoned ∧ mother_imprisoned（第8步，C ∧ C）
  一方失踪另一方失联满6个月 → 事实无人抚养儿童：D ∧ <另一方>_lost_contact（LOST_CONTACT_MONTHS）
  一方死亡另一方被撤销监护资格 → 事实无人抚养儿童：D ∧ <另一方>_guardianship_revoked
  一方死亡另一方被遣送出境 → 事实无人抚养儿童：D ∧ <另一方>_deported
  一方死亡另一方三级肢体残疾 → 不符合：不是重残（SEVERE_DISABILITY），no_qualifying_condition
  一方死亡另一方服刑不足6个月 → 不符合：期限不足 RESTRICTION_MONTHS，no_qualifying_condition
  一方死亡另一方失联不满6个月 → 不符合：未满 LOST_CONTACT_MONTHS，no_qualifying_condition
  只登记了一方父母 → 需人工核实：other_parent_unknown（第9步，登记的一方为 D 或 C）
  死亡之后又有服刑记录 → 需人工核实：conflict_<父母>，<父母>_condition_start > <父母>_death_date
  服刑缺截止日期 → 需人工核实：missing_end，outcome_lo ≠ outcome_hi（第6步）
  年满18周岁 → 不符合：aged_out，as_of ≥ Birthday(birth, ADULT_AGE)（第3步）
  被收养 → 不符合：adopted（第4步）
  儿童死亡 → 不符合：child_deceased（第1步）

结构：
1. 聚合（每个主体的事实上）：如 `father_imprisoned` =“父亲有一条有效且期限6个月以上的服刑在押
   事实”，三值：真 / 假 / 未知（事实缺决定所需的字段）。
2. 变量：`father_absent`（D）、`father_condition`（C）、`child_deceased`、`eligible_age`……
3. 决定：docs/rules.md §4 的十步，写成一个 `Case`，在三个“世界”里各算一次——
   `lo`（未知一律朝不符合的方向取）、`hi`（朝符合的方向取）、`ign`（未知当作没有这条事实）。
   决定对每个变量单调，所以 lo 与 hi 的 (status, category) 相同即说明“两种情况结论一致”，
   此时按 ign 的结果（不完整的事实被忽略）；不同则 needs_review，原因为 missing_<字段>。
4. 输出：status、category、orphan_type、reviews_per_year、labels、reason_codes、补贴依据。
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Final

from shouhu.core.policy import thresholds
from shouhu.core.policy.expr import (
    Birthday,
    Case,
    CaseField,
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
    Param,
    Ref,
    and_,
    coalesce,
    eq,
    gt,
    if_,
    is_true,
    lt,
    ne,
    not_,
    or_,
)
from shouhu.core.policy.predicates import AS_OF, by_type, hiv_consented, qualifies
from shouhu.core.policy.vocabulary import (
    ABSENCE_TYPES,
    CHILD_FACT_TYPES,
    CONDITION_TYPES,
    FACT_CLAUSES,
    NEEDED_FIELDS,
    PARENT_FACT_TYPES,
    PARENTS,
)

# 决定步骤（docs/rules.md §4）→ (status, category)
STEP_OUTCOMES: Final = {
    "child_deceased": ("not_eligible", None),
    "birth_date_mismatch": ("needs_review", None),
    "aged_out": ("not_eligible", None),
    "adopted": ("not_eligible", None),
    "parents_unknown": ("eligible", "orphan"),
    "conflict": ("needs_review", None),
    "orphan": ("eligible", "orphan"),
    "de_facto_unsupported": ("eligible", "de_facto_unsupported"),
    "other_parent_unknown": ("needs_review", None),
    "no_qualifying_condition": ("not_eligible", None),
}
REVIEW_STEPS: Final = ("birth_date_mismatch", "conflict", "other_parent_unknown")
WORLDS: Final = ("lo", "hi", "ign")
CHILD_AGGREGATE_TYPES: Final = CHILD_FACT_TYPES  # 儿童本人的每类事实各有一个“有无”聚合
LABEL_SOURCES: Final = {
    "extreme_poverty": "child_extreme_poverty",
    "hiv_infected": "child_hiv_infected",
    "low_income": "child_low_income",
    "poverty_monitoring": "child_poverty_monitoring",
    "severe_disability": "child_severe_disability",
    "severe_illness": "child_severe_illness",
}
SUBSIDY_RATES: Final = ("scattered_orphan", "institutional_orphan", "de_facto_unsupported")
# 情形事实的起始日（§4 第6步）：start，没有时取 date；两者都没有的（如未注明起始日的重残）不构成矛盾
CONDITION_START: Final = coalesce(Field("start"), Field("date"))


@dataclass(frozen=True, slots=True)
class ReasonRule:
    """一个原因代码：何时适用（个案级，确定的真假）、用到哪些事实（事实级谓词，可引用个案级定义）。"""

    code: str
    evidence: Expr | None
    clause: str


@dataclass(frozen=True, slots=True)
class MissingGroup:
    """一个可能“未知”的变量，及其中缺各字段的事实（用于 missing_<字段> 原因）。"""

    variable: str
    relevant: Expr  # 个案级：该变量未知且会影响结论
    subject: str
    types: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleSet:
    definitions: tuple[tuple[str, Expr], ...]
    reasons: tuple[ReasonRule, ...]
    outputs: tuple[str, ...]

    def definition(self, name: str) -> Expr:
        return dict(self.definitions)[name]


OUTPUTS: Final = (
    "status",
    "category",
    "orphan_type",
    "reviews_per_year",
    "labels",
    "reason_codes",
    "subsidy_basis",
    "subsidy_rate",
    "subsidy_monthly_fen",
)


class _Builder:
    def __init__(self) -> None:
        self.definitions: list[tuple[str, Expr]] = []
        self.reasons: list[ReasonRule] = []
        self.names: set[str] = set()

    def define(self, name: str, expr: Expr) -> Ref:
        if name in self.names:
            raise ValueError(f"重复定义 {name}")
        self.names.add(name)
        self.definitions.append((name, expr))
        return Ref(name)


def _qualifying_by_type(types: tuple[str, ...]) -> Expr:
    return by_type({t: qualifies(t) for t in types})


def _aggregates(b: _Builder) -> None:
    for parent in PARENTS:
        for t in PARENT_FACT_TYPES:
            b.define(f"{parent}_{t}", FactsAny(parent, (t,), qualifies(t)))
        # §4 第6步：最早的死亡日期和最晚的情形起始日，不论在 as_of 是否有效
        b.define(f"{parent}_death_date", FactsMin(parent, ("deceased",), Lit(True), Field("date")))
        b.define(
            f"{parent}_condition_start",
            FactsMax(parent, CONDITION_TYPES, Lit(True), CONDITION_START),
        )
    for t in CHILD_AGGREGATE_TYPES:
        b.define(f"child_{t}", FactsAny("child", (t,), qualifies(t)))
    b.define("child_hiv_consented", FactsAny("child", ("hiv_infected",), hiv_consented()))


def _missing_aggregate(subject: str, types: tuple[str, ...], field: str) -> Expr:
    unknown = IsNull(_qualifying_by_type(types))
    return FactsAny(subject, types, and_(unknown, IsNull(Field(field))))


def _missing_groups() -> list[MissingGroup]:
    """可能“未知”的变量及其缺字段的事实分组；只依赖定义的名字。"""
    groups = [
        MissingGroup(
            "eligible_age", IsNull(Ref("eligible_age")), "child", ("in_school",), ("start", "level")
        ),
    ]
    for t in ("deceased", "adopted", "parents_unknown"):
        groups.append(
            MissingGroup(f"child_{t}", IsNull(Ref(f"child_{t}")), "child", (t,), ("date",))
        )
    c_fields = tuple(sorted({f for t in CONDITION_TYPES for f in NEEDED_FIELDS[t]}))
    for parent in PARENTS:
        absent, condition = Ref(f"{parent}_absent"), Ref(f"{parent}_condition")
        groups.append(
            MissingGroup(f"{parent}_absent", IsNull(absent), parent, ABSENCE_TYPES, ("date",))
        )
        # 已确定“死亡或失踪”的一方，情形事实缺字段也不影响结论
        relevant = and_(IsNull(condition), not_(is_true(absent)))
        groups.append(
            MissingGroup(f"{parent}_condition", relevant, parent, CONDITION_TYPES, c_fields)
        )
    return groups


def _variables(b: _Builder) -> None:
    id_birth = b.define("id_birth_date", IdBirthDate(CaseField("id_number"), AS_OF))
    given = CaseField("birth_date")
    birth = b.define("birth", coalesce(given, id_birth))
    b.define(
        "birth_date_mismatch",
        and_(not_(IsNull(given)), not_(IsNull(id_birth)), ne(given, id_birth)),
    )
    b.define("eighteenth_birthday", Birthday(birth, Lit(thresholds.ADULT_AGE)))
    school = and_(
        Param("past_18_in_school.supported"),
        Ref("child_in_school"),
        lt(AS_OF, Birthday(birth, Param("past_18_in_school.until_age"))),
    )
    b.define("eligible_age", or_(lt(AS_OF, Ref("eighteenth_birthday")), school))
    for parent in PARENTS:
        b.define(f"{parent}_absent", or_(*(Ref(f"{parent}_{t}") for t in ABSENCE_TYPES)))
        b.define(f"{parent}_condition", or_(*(Ref(f"{parent}_{t}") for t in CONDITION_TYPES)))
        b.define(
            f"conflict_{parent}",
            is_true(gt(Ref(f"{parent}_condition_start"), Ref(f"{parent}_death_date"))),
        )


def _resolve(var: str, favours_eligibility: bool, world: str) -> Expr:
    """把三值变量在某个世界里取成确定的真假。"""
    if world == "ign":
        default = False
    elif world == "hi":
        default = favours_eligibility
    else:
        default = not favours_eligibility
    return coalesce(Ref(var), Lit(default))


def _step(world: str) -> Expr:
    def up(v: str) -> Expr:
        return _resolve(v, True, world)

    def down(v: str) -> Expr:
        return _resolve(v, False, world)

    father = or_(up("father_absent"), up("father_condition"))
    mother = or_(up("mother_absent"), up("mother_condition"))
    father_known, mother_known = CaseField("father_known"), CaseField("mother_known")
    whens: tuple[tuple[Expr, Expr], ...] = (
        (down("child_deceased"), Lit("child_deceased")),
        (Ref("birth_date_mismatch"), Lit("birth_date_mismatch")),
        (not_(up("eligible_age")), Lit("aged_out")),
        (down("child_adopted"), Lit("adopted")),
        (up("child_parents_unknown"), Lit("parents_unknown")),
        (or_(Ref("conflict_father"), Ref("conflict_mother")), Lit("conflict")),
        (and_(up("father_absent"), up("mother_absent")), Lit("orphan")),
        (and_(father, mother), Lit("de_facto_unsupported")),
        (
            or_(
                and_(father_known, not_(mother_known), father),
                and_(mother_known, not_(father_known), mother),
            ),
            Lit("other_parent_unknown"),
        ),
    )
    return Case(whens, Lit("no_qualifying_condition"))


def _lookup(step: Expr, pick: Callable[[tuple[str, str | None]], str | None]) -> Expr:
    whens = tuple((eq(step, Lit(s)), Lit(pick(o))) for s, o in STEP_OUTCOMES.items())
    return Case(whens, Lit(None))


def _decision(b: _Builder) -> None:
    for world in WORLDS:
        step = b.define(f"step_{world}", _step(world))
        b.define(f"outcome_{world}", _lookup(step, lambda o: f"{o[0]}:{o[1] or ''}"))
    undecided = b.define("undecided", ne(Ref("outcome_lo"), Ref("outcome_hi")))
    step = Ref("step_ign")
    status = b.define("status", if_(undecided, Lit("needs_review"), _lookup(step, lambda o: o[0])))
    category = b.define("category", if_(undecided, Lit(None), _lookup(step, lambda o: o[1])))
    institutional = if_(
        is_true(Ref("child_institutional_care")), Lit("institutional"), Lit("scattered")
    )
    b.define("orphan_type", if_(eq(category, Lit("orphan")), institutional, Lit(None)))
    figures = tuple(
        if_(
            or_(is_true(Ref(f"father_{t}")), is_true(Ref(f"mother_{t}"))),
            Param(f"reviews_per_year.{t}"),
            Lit(0),
        )
        for t in PARENT_FACT_TYPES
    )
    b.define(
        "reviews_per_year",
        Case(
            (
                (eq(category, Lit("orphan")), Param("reviews_per_year.orphan")),
                (eq(category, Lit("de_facto_unsupported")), Greatest(figures)),
            ),
            Lit(0),
        ),
    )
    labels = {k: is_true(Ref(v)) for k, v in LABEL_SOURCES.items()}
    labels["orphan"] = eq(category, Lit("orphan"))
    labels["de_facto_unsupported"] = eq(category, Lit("de_facto_unsupported"))
    b.define(
        "labels",
        JoinNonNull(";", tuple(if_(labels[k], Lit(k), Lit(None)) for k in sorted(labels))),
    )
    _subsidy(b, status, category)


def _subsidy(b: _Builder, status: Expr, category: Expr) -> None:
    hiv = and_(
        is_true(Param("hiv_infected.subsidised")),
        is_true(Ref("child_hiv_consented")),
        not_(coalesce(Ref("child_deceased"), Lit(True))),
        is_true(Ref("eligible_age")),
        ne(status, Lit("eligible")),
    )
    basis = b.define(
        "subsidy_basis",
        Case(
            (
                (eq(Ref("orphan_type"), Lit("institutional")), Lit("institutional_orphan")),
                (eq(category, Lit("orphan")), Lit("scattered_orphan")),
                (eq(category, Lit("de_facto_unsupported")), Lit("de_facto_unsupported")),
                (hiv, Lit("hiv_infected")),
            ),
            Lit(None),
        ),
    )
    rate = b.define(
        "subsidy_rate",
        if_(eq(basis, Lit("hiv_infected")), Param("hiv_infected.rate"), basis),
    )
    b.define(
        "subsidy_monthly_fen",
        Case(
            tuple((eq(rate, Lit(r)), Param(f"subsidy_fen.{r}")) for r in SUBSIDY_RATES),
            Lit(None),
        ),
    )


# ---------------------------------------------------------------- 原因


def _fact_evidence(subject: str, types: tuple[str, ...]) -> Expr:
    return and_(FactIs(subject, types), is_true(_qualifying_by_type(types)))


def _reasons(b: _Builder, groups: list[MissingGroup]) -> None:
    undecided, step = Ref("undecided"), Ref("step_ign")
    # 结论未定时仍列出 ign 世界里需核实的原因（矛盾、出生日期不一致、另一方不明）
    shown = or_(not_(undecided), InSet(step, REVIEW_STEPS))

    def add(code: str, applies: Expr, evidence: Expr | None, clause: str) -> None:
        b.define(f"reason__{code}", is_true(applies))
        b.reasons.append(ReasonRule(code, evidence, clause))

    def at(step_name: str, *more: Expr) -> Expr:
        return and_(shown, eq(step, Lit(step_name)), *more)

    add(
        "child_deceased",
        at("child_deceased"),
        _fact_evidence("child", ("deceased",)),
        "policy §4.1",
    )
    add("birth_date_mismatch", at("birth_date_mismatch"), None, "policy §4.2")
    add("aged_out", at("aged_out"), None, "bayannur §3(一)")
    add("adopted", at("adopted"), _fact_evidence("child", ("adopted",)), "policy §4.4")
    add(
        "parents_unknown",
        at("parents_unknown"),
        _fact_evidence("child", ("parents_unknown",)),
        "bayannur §3(一)",
    )
    for parent in PARENTS:
        died = Ref(f"{parent}_death_date")
        evidence = or_(
            and_(FactIs(parent, ("deceased",)), is_true(eq(Field("date"), died))),
            and_(FactIs(parent, CONDITION_TYPES), is_true(gt(CONDITION_START, died))),
        )
        add(
            f"conflict_{parent}", at("conflict", Ref(f"conflict_{parent}")), evidence, "policy §4.6"
        )
    _missing_reasons(add, undecided, groups)
    eligible_steps = ("orphan", "de_facto_unsupported")
    for parent in PARENTS:
        for t in PARENT_FACT_TYPES:
            steps = eligible_steps if t in ABSENCE_TYPES else ("de_facto_unsupported",)
            add(
                f"{parent}_{t}",
                and_(shown, InSet(step, steps), is_true(Ref(f"{parent}_{t}"))),
                _fact_evidence(parent, (t,)),
                "bayannur §3(一)" if t in ABSENCE_TYPES else _clause(t),
            )
    add(
        "institutional_care",
        eq(Ref("orphan_type"), Lit("institutional")),
        _fact_evidence("child", ("institutional_care",)),
        "policy §4.7",
    )
    known_parent_evidence = or_(
        *(_fact_evidence(p, PARENT_FACT_TYPES) for p in PARENTS),
    )
    add("other_parent_unknown", at("other_parent_unknown"), known_parent_evidence, "policy §4.9")
    # 列出父母的全部事实，包括已结束的：终止保障时要写明是哪条事实结束了条件（§7）
    considered = or_(*(FactIs(p, PARENT_FACT_TYPES) for p in PARENTS))
    add("no_qualifying_condition", at("no_qualifying_condition"), considered, "bayannur §3(一)")


def _clause(fact_type: str) -> str:
    return FACT_CLAUSES[fact_type]


def _missing_reasons(
    add: Callable[[str, Expr, Expr | None, str], None], undecided: Expr, groups: list[MissingGroup]
) -> None:
    fields = sorted({f for g in groups for f in g.fields} | {"birth_date"})
    for field in fields:
        applies: list[Expr] = []
        evidence: list[Expr] = []
        for g in groups:
            if field not in g.fields:
                continue
            types = tuple(t for t in g.types if field in NEEDED_FIELDS[t])
            applies.append(and_(g.relevant, _missing_aggregate_ref(g, field)))
            unknown = IsNull(_qualifying_by_type(types))
            evidence.append(
                and_(g.relevant, FactIs(g.subject, types), unknown, IsNull(Field(field)))
            )
        if field == "birth_date":
            applies.append(and_(IsNull(Ref("eligible_age")), IsNull(Ref("birth"))))
        add(
            f"missing_{field}",
            and_(undecided, or_(*applies)),
            or_(*evidence) if evidence else None,
            "policy §4.6",
        )


def _missing_aggregate_ref(g: MissingGroup, field: str) -> Expr:
    return Ref(f"{g.variable}__missing_{field}")


def _missing_aggregates(b: _Builder, groups: list[MissingGroup]) -> None:
    for g in groups:
        for field in g.fields:
            types = tuple(t for t in g.types if field in NEEDED_FIELDS[t])
            b.define(f"{g.variable}__missing_{field}", _missing_aggregate(g.subject, types, field))


@cache
def ruleset() -> RuleSet:
    """构建（并缓存）规则集。定义按依赖顺序排列：聚合在前。"""
    b = _Builder()
    _aggregates(b)
    groups = _missing_groups()
    _missing_aggregates(b, groups)
    _variables(b)
    _decision(b)
    _reasons(b, groups)
    codes = sorted(r.code for r in b.reasons)
    b.define(
        "reason_codes",
        JoinNonNull(";", tuple(if_(Ref(f"reason__{c}"), Lit(c), Lit(None)) for c in codes)),
    )
    return RuleSet(tuple(b.definitions), tuple(b.reasons), OUTPUTS)
