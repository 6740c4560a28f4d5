"""困境家庭：按家庭安排父母的事实组合，使一个县里有成十上百的孤儿和事实无人抚养儿童，
也有差一点就符合的（刑期不足6个月、失联不满6个月、三级肢体残疾……）、条件已经消失的
（刑满释放、找到了、残疾证过期、被收养、年满18周岁）和需要人工核查的（事实矛盾、缺字段、
另一方父母不详）。

这里只安排“发生了什么”；谁符合条件由 `shouhu.core.policy` 判定（见 truth.py），不在此复写规则。
每个情形至少安排一个家庭（家庭够多时），其余按权重随机安排。
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from shouhu.engine.synth.facts import (
    DISABILITY_CATEGORIES,
    DISEASES,
    FactRows,
    add_months_one,
    school_facts,
)
from shouhu.engine.synth.population import ROLE_CHILD, Population

SAME_BIRTHDAY_CAP = 10  # 恰在 as_of 满18周岁的情形，每县最多安排的家庭数
SCENARIO_SHARE = 0.03  # 有未成年子女的家庭中，安排了困境情形的比例（为演示和测试有意偏高）

Fact = dict[str, Any]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Ctx:
    rng: np.random.Generator
    as_of: date
    since: date  # 最小的孩子的生日：父母的事件一般发生在此后

    def day(self, lo: date, hi: date) -> date:
        span = max(0, (hi - lo).days)
        return lo + timedelta(days=int(self.rng.integers(0, span + 1)))

    def past(self, *, max_days: int = 8 * 365, min_days: int = 1) -> date:
        lo = max(self.since, self.as_of - timedelta(days=max_days))
        return self.day(lo, max(lo, self.as_of - timedelta(days=min_days)))


Maker = Callable[[Ctx], list[Fact]]


def _term_in_force(ctx: Ctx, fact_type: str, months: int) -> Fact:
    """期限 `months` 个月、在 as_of 仍在执行中的限制人身自由措施。"""
    earliest = add_months_one(ctx.as_of, -months) + timedelta(days=1)
    start = ctx.day(max(earliest, ctx.since), ctx.as_of)
    return {
        "type": fact_type,
        "start": start.isoformat(),
        "end": add_months_one(start, months).isoformat(),
    }


def deceased(ctx: Ctx) -> list[Fact]:
    return [{"type": "deceased", "date": ctx.past().isoformat()}]


def dated(fact_type: str) -> Maker:
    """只有一个日期的事实（宣告死亡、宣告失踪、撤销监护资格、遣送出境），至少两个月前。"""
    return lambda ctx: [{"type": fact_type, "date": ctx.past(min_days=60).isoformat()}]


def imprisoned(ctx: Ctx) -> list[Fact]:
    if ctx.rng.random() < 0.1:
        return [{"type": "imprisoned", "start": ctx.past().isoformat(), "life": True}]
    months = int(ctx.rng.choice([6, 8, 12, 18, 24, 36, 60, 84, 120, 180]))
    return [_term_in_force(ctx, "imprisoned", months)]


def term(fact_type: str, months: tuple[int, ...]) -> Maker:
    return lambda ctx: [_term_in_force(ctx, fact_type, int(ctx.rng.choice(months)))]


def released(ctx: Ctx) -> list[Fact]:
    """刑满释放：结束日在 as_of 当天或之前（as_of 当天释放即已不在押）。"""
    end = ctx.day(ctx.as_of - timedelta(days=400), ctx.as_of)
    start = add_months_one(end, -int(ctx.rng.choice([12, 24, 36])))
    return [{"type": "imprisoned", "start": start.isoformat(), "end": end.isoformat()}]


def lost_contact(months: int, *, exact: bool = False, found: bool = False) -> Maker:
    """失联：exact 时最后联系恰在 as_of 前 `months` 个月（6个月以上含6个月）。"""

    def make(ctx: Ctx) -> list[Fact]:
        latest = add_months_one(ctx.as_of, -months)
        start = latest if exact else ctx.day(latest - timedelta(days=900), latest)
        fact: Fact = {"type": "lost_contact", "start": start.isoformat()}
        if found:
            fact["end"] = ctx.day(start + timedelta(days=200), ctx.as_of).isoformat()
        return [fact]

    return make


def lost_contact_recent(ctx: Ctx) -> list[Fact]:
    """失联不满6个月（最后联系在6个月前之后的某天）。"""
    start = ctx.day(add_months_one(ctx.as_of, -6) + timedelta(days=1), ctx.as_of)
    return [{"type": "lost_contact", "start": start.isoformat()}]


def disability(*, qualifying: bool = True, expired: bool = False) -> Maker:
    def make(ctx: Ctx) -> list[Fact]:
        rng = ctx.rng
        if qualifying and rng.random() < 0.7:
            category, level = str(rng.choice(DISABILITY_CATEGORIES)), int(rng.integers(1, 3))
        elif qualifying:
            category, level = str(rng.choice(["intellectual", "mental"])), int(rng.integers(3, 5))
        else:
            category = str(rng.choice(["physical", "visual", "hearing", "speech", "multiple"]))
            level = int(rng.integers(3, 5))
        start = ctx.past(max_days=9 * 365)
        valid = add_months_one(start, 120)
        if expired:
            valid = ctx.day(ctx.as_of - timedelta(days=700), ctx.as_of - timedelta(days=1))
        return [
            {
                "type": "severe_disability",
                "category": category,
                "level": level,
                "start": min(start, valid).isoformat(),
                "valid_until": valid.isoformat(),
            }
        ]

    return make


def illness(*, qualifying: bool) -> Maker:
    def make(ctx: Ctx) -> list[Fact]:
        disease = str(ctx.rng.choice(DISEASES[:8] if qualifying else DISEASES[8:]))
        start = ctx.past(max_days=4 * 365)
        return [
            {
                "type": "severe_illness",
                "disease": disease,
                "qualifying": qualifying,
                "start": start.isoformat(),
            }
        ]

    return make


def conflict(ctx: Ctx) -> list[Fact]:
    """死亡之后又出现服刑记录：数据矛盾，需人工核查。"""
    died = ctx.past(min_days=120)
    start = ctx.day(died + timedelta(days=1), ctx.as_of - timedelta(days=1))
    return [
        {"type": "deceased", "date": died.isoformat()},
        {
            "type": "imprisoned",
            "start": start.isoformat(),
            "end": add_months_one(start, 24).isoformat(),
        },
    ]


def missing(field_name: str) -> Maker:
    """缺少规则需要的字段：服刑无结束日也非无期、残疾无等级、失联无开始日。"""

    def make(ctx: Ctx) -> list[Fact]:
        if field_name == "end":
            return [{"type": "imprisoned", "start": ctx.past().isoformat()}]
        if field_name == "level":
            return [
                {
                    "type": "severe_disability",
                    "category": "physical",
                    "start": ctx.past().isoformat(),
                }
            ]
        return [{"type": "lost_contact"}]

    return make


def both(*makers: Maker) -> Maker:
    return lambda ctx: [f for m in makers for f in m(ctx)]


@dataclass(frozen=True)
class Scenario:
    name: str
    weight: float
    father: Maker | None = None
    mother: Maker | None = None
    pool: str = "both"  # both：父母都登记；one：只登记了一方；none：父母都不详
    child: str = ""  # 对孩子本人的安排：institutional / adopted / deceased / turns_18 / …
    former: str = ""  # 曾经符合的类别：台账里可能还挂着（应退未退）
    swap: bool = True  # 随机交换父母的角色


SCENARIOS: tuple[Scenario, ...] = (
    # 孤儿
    Scenario("both_deceased", 8, deceased, deceased, swap=False),
    Scenario("deceased_declared_dead", 2, deceased, dated("declared_dead")),
    Scenario("deceased_declared_missing", 2, deceased, dated("declared_missing")),
    Scenario("orphan_institutional", 2, deceased, deceased, child="institutional", swap=False),
    # 事实无人抚养儿童
    Scenario("deceased_imprisoned", 8, deceased, imprisoned),
    Scenario("deceased_disability", 6, deceased, disability()),
    Scenario("deceased_illness", 4, deceased, illness(qualifying=True)),
    Scenario("deceased_lost_contact", 4, deceased, lost_contact(6)),
    Scenario("deceased_lost_contact_exactly_6m", 1, deceased, lost_contact(6, exact=True)),
    Scenario("imprisoned_exactly_6m", 1, deceased, term("imprisoned", (6,))),
    Scenario("imprisoned_imprisoned", 2, imprisoned, imprisoned, swap=False),
    Scenario("imprisoned_disability", 4, imprisoned, disability()),
    Scenario("disability_disability", 3, disability(), disability(), swap=False),
    Scenario("illness_disability", 3, illness(qualifying=True), disability()),
    Scenario("deceased_rehab", 2, deceased, term("compulsory_rehab", (12, 24))),
    Scenario("deceased_other_restriction", 1, deceased, term("other_restriction", (6, 9, 12))),
    Scenario("deceased_revoked", 2, deceased, dated("guardianship_revoked")),
    Scenario("deceased_deported", 1, deceased, dated("deported")),
    Scenario("missing_imprisoned", 1, dated("declared_missing"), imprisoned),
    Scenario("lost_contact_both", 1, lost_contact(7), lost_contact(8), swap=False),
    # 不符合：差一点的、条件已消失的
    Scenario("deceased_imprisoned_short", 3, deceased, term("imprisoned", (1, 2, 3, 4, 5))),
    Scenario("deceased_lost_contact_short", 3, deceased, lost_contact_recent),
    Scenario("deceased_disability_nonqualifying", 3, deceased, disability(qualifying=False)),
    Scenario("deceased_illness_nonqualifying", 2, deceased, illness(qualifying=False)),
    Scenario(
        "deceased_disability_expired",
        2,
        deceased,
        disability(expired=True),
        former="de_facto_unsupported",
    ),
    Scenario("deceased_released", 3, deceased, released, former="de_facto_unsupported"),
    Scenario(
        "deceased_found", 1, deceased, lost_contact(8, found=True), former="de_facto_unsupported"
    ),
    Scenario("deceased_only", 10, deceased, None),
    Scenario("adopted", 1, deceased, deceased, child="adopted", former="orphan", swap=False),
    Scenario(
        "child_deceased", 1, deceased, imprisoned, child="deceased", former="de_facto_unsupported"
    ),
    Scenario(
        "turns_18_today", 2, deceased, imprisoned, child="turns_18", former="de_facto_unsupported"
    ),
    Scenario("turns_18_tomorrow", 1, deceased, imprisoned, child="turns_18_tomorrow"),
    # 需人工核查
    Scenario("conflict", 1, conflict, deceased),
    Scenario("missing_end", 2, deceased, missing("end")),
    Scenario("missing_level", 1, deceased, missing("level")),
    Scenario("missing_start", 1, deceased, missing("start")),
    Scenario("other_parent_unknown_deceased", 2, deceased, pool="one", swap=False),
    Scenario("other_parent_unknown_imprisoned", 1, imprisoned, pool="one", swap=False),
    # 儿童本人
    Scenario("parents_unknown", 2, pool="none", child="parents_unknown"),
    Scenario("hiv_consent", 1, child="hiv_consent"),
    Scenario("hiv_no_consent", 0.5, child="hiv_no_consent"),
)


@dataclass
class Assignment:
    """每个家庭安排的情形（SCENARIOS 的下标，-1 为无），供台账和测试使用。"""

    family: dict[int, int] = field(default_factory=dict)
    child: dict[int, int] = field(default_factory=dict)  # 子女下标 → 情形


def _family_ages(pop: Population, as_of: date) -> tuple[FloatArray, FloatArray, IntArray]:
    """每个家庭最小和最大孩子的周岁，以及父母是否登记（0 都不详、1 一方、2 双方）。"""
    families = int(pop.family.max()) + 1 if len(pop) else 0
    kids = np.flatnonzero(pop.role == ROLE_CHILD)
    fam = pop.family[kids]
    age = (np.datetime64(as_of, "D") - pop.birth[kids]).astype(np.int64) / 365.2425
    youngest = np.full(families, np.inf)
    eldest = np.full(families, -np.inf)
    np.minimum.at(youngest, fam, age)
    np.maximum.at(eldest, fam, age)
    known = np.zeros(families, dtype=np.int64)
    known[fam] = (pop.father[kids] >= 0).astype(np.int64) + (pop.mother[kids] >= 0)
    return youngest, eldest, known


def _pools(pop: Population, as_of: date, rng: np.random.Generator) -> dict[str, list[int]]:
    youngest, eldest, known = _family_ages(pop, as_of)
    with_minor = youngest < 18
    pools = {
        "both": with_minor & (known == 2),
        "one": with_minor & (known == 1),
        "none": with_minor & (known == 0),
        "teen": with_minor & (known == 2) & (eldest >= 14) & (eldest < 22),
    }
    return {k: rng.permutation(np.flatnonzero(v)).tolist() for k, v in pools.items()}


def _plan(rng: np.random.Generator, pools: dict[str, list[int]]) -> list[tuple[int, int]]:
    """(家庭, 情形) 的清单：每个情形先保证一个家庭，其余按权重抽取。"""
    eligible_families = len(pools["both"]) + len(pools["one"]) + len(pools["none"])
    weights = np.array([s.weight for s in SCENARIOS])
    extra = rng.choice(
        len(SCENARIOS),
        size=rng.binomial(eligible_families, SCENARIO_SHARE),
        p=weights / weights.sum(),
    )
    plan: list[tuple[int, int]] = []
    used: set[int] = set()
    planned: Counter[int] = Counter()
    for index in [*range(len(SCENARIOS)), *extra.tolist()]:
        scenario = SCENARIOS[index]
        if scenario.child.startswith("turns_18") and planned[index] >= SAME_BIRTHDAY_CAP:
            continue  # 同一天出生的人号码有限（每县每天每个性别 100 个）
        planned[index] += 1
        pool = pools["teen" if scenario.child.startswith("turns_18") else scenario.pool]
        if not pool:  # 小县可能没有父母不详的家庭：借一个父母双全的家庭，去掉亲子关系
            pool = pools["both"]
        while pool and pool[-1] in used:
            pool.pop()
        if pool:
            family = pool.pop()
            used.add(family)
            plan.append((family, index))
    return plan


def scenarios_apply(
    rng: np.random.Generator, pop: Population, as_of: date, out: FactRows
) -> Assignment:
    """为部分有未成年子女的家庭安排困境情形，写入事实；改动生日须在编号之前（见 region.py）。"""
    plan = _plan(rng, _pools(pop, as_of, rng))
    chosen = np.array(sorted(f for f, _ in plan), dtype=np.int64)
    kids = np.flatnonzero((pop.role == ROLE_CHILD) & np.isin(pop.family, chosen))
    children: dict[int, list[int]] = {}
    for kid, fam in zip(kids.tolist(), pop.family[kids].tolist(), strict=True):
        children.setdefault(fam, []).append(kid)
    assignment = Assignment()
    for family, index in plan:
        assignment.family[family] = index
        for kid in children[family]:
            assignment.child[kid] = index
        _family_apply(rng, pop, as_of, out, children[family], index)
    return assignment


def _birth(pop: Population, i: int) -> date:
    return date.fromisoformat(str(pop.birth[i]))


def _family_apply(
    rng: np.random.Generator,
    pop: Population,
    as_of: date,
    out: FactRows,
    kids: list[int],
    index: int,
) -> None:
    scenario = SCENARIOS[index]
    kids = sorted(kids, key=lambda k: pop.birth[k])  # 最大的孩子在前
    _child_birth_adjust(pop, as_of, kids, scenario.child)
    ctx = Ctx(rng, as_of, max(_birth(pop, k) for k in kids))
    _parents_detach(pop, kids, scenario.pool)
    parents = [int(pop.father[kids[0]]), int(pop.mother[kids[0]])]
    makers = [scenario.father, scenario.mother]
    if scenario.pool == "one":
        parents = [p for p in parents if p >= 0]
    elif scenario.swap and rng.random() < 0.6:  # 多数情形下服刑、失联的是父亲
        makers.reverse()
    facts_of_parents: list[Fact] = []
    for parent, maker in zip(parents, makers, strict=False):
        for fact in maker(ctx) if maker else []:
            out.add(parent, fact, index)
            facts_of_parents.append(fact)
    _child_apply(ctx, pop, out, kids, scenario.child, index, facts_of_parents)
    _household_facts(rng, pop, as_of, out, kids)


def _parents_detach(pop: Population, kids: list[int], pool: str) -> None:
    """情形要求父母不详（或只登记一方），而借来的家庭父母双全时，去掉相应的亲子关系。"""
    index = np.array(kids, dtype=np.int64)
    if pool == "none":
        pop.father[index] = -1
        pop.mother[index] = -1
    elif pool == "one" and pop.father[kids[0]] >= 0 and pop.mother[kids[0]] >= 0:
        pop.father[index] = -1


def _child_birth_adjust(pop: Population, as_of: date, kids: list[int], child: str) -> None:
    """年满18周岁的情形：最大的孩子恰在 as_of 当天（或次日）满18周岁。"""
    if child.startswith("turns_18"):
        birthday = add_months_one(as_of, -18 * 12)
        if child == "turns_18_tomorrow":
            birthday += timedelta(days=1)
        pop.birth[kids[0]] = np.datetime64(birthday, "D")


def _latest(facts: list[Fact], since: date) -> date:
    dates = [
        date.fromisoformat(f.get("date") or f.get("start") or since.isoformat()) for f in facts
    ]
    return max([since, *dates])


def _child_apply(
    ctx: Ctx,
    pop: Population,
    out: FactRows,
    kids: list[int],
    child: str,
    index: int,
    parent_facts: list[Fact],
) -> None:
    minors = [k for k in kids if (ctx.as_of - _birth(pop, k)).days < 18 * 365] or kids[-1:]
    after = _latest(parent_facts, ctx.since)
    one = minors[int(ctx.rng.integers(0, len(minors)))]
    if child == "institutional":
        for kid in minors:
            start = ctx.day(after, ctx.as_of)
            out.add(kid, {"type": "institutional_care", "start": start.isoformat()}, index)
    elif child == "adopted":
        out.add(one, {"type": "adopted", "date": ctx.day(after, ctx.as_of).isoformat()}, index)
    elif child == "deceased":
        out.add(one, {"type": "deceased", "date": ctx.day(after, ctx.as_of).isoformat()}, index)
    elif child == "parents_unknown":
        for kid in kids:
            found = _birth(pop, kid) + timedelta(days=int(ctx.rng.integers(1, 30)))
            out.add(kid, {"type": "parents_unknown", "date": found.isoformat()}, index)
            if ctx.rng.random() < 0.6:
                start = found + timedelta(days=int(ctx.rng.integers(1, 60)))
                out.add(kid, {"type": "institutional_care", "start": start.isoformat()}, index)
    elif child.startswith("hiv"):
        when = ctx.day(_birth(pop, one), ctx.as_of)
        consent = child == "hiv_consent"
        out.add(one, {"type": "hiv_infected", "date": when.isoformat(), "consent": consent}, index)


def _household_facts(
    rng: np.random.Generator, pop: Population, as_of: date, out: FactRows, kids: list[int]
) -> None:
    """困境家庭的孩子多在读书，不少家庭领低保或是监测对象。"""
    ages = [(as_of - _birth(pop, k)).days / 365.2425 for k in kids]
    school = [k for k, a in zip(kids, ages, strict=True) if 3 <= a < 22 and rng.random() < 0.9]
    school_facts(rng, pop, np.array(school, dtype=np.int64), as_of, out)
    for fact_type, share in (
        ("low_income", 0.4),
        ("extreme_poverty", 0.05),
        ("poverty_monitoring", 0.1),
    ):
        if rng.random() < share:
            start = as_of - timedelta(days=int(rng.integers(30, 4 * 365)))
            for kid in kids:
                begin = max(start, _birth(pop, kid) + timedelta(days=1))
                out.add(kid, {"type": fact_type, "start": begin.isoformat()})
