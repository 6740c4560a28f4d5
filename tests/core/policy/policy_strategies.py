"""Hypothesis 生成器：随机个案，偏向边界——恰好6个月、月末截断、2月29日生日、证件到期当天、
缺字段的事实、矛盾的死亡日期、只登记一方父母。core 的性质测试和 engine 的差分测试共用。"""

from __future__ import annotations

import os
from datetime import date, timedelta

from hypothesis import strategies as st

from shouhu.core.identity import check_digit
from shouhu.core.policy import CaseInput, Fact, Person
from shouhu.core.policy.dates import add_months, birthday

AS_OFS = (
    date(2026, 2, 28),
    date(2026, 8, 31),
    date(2024, 2, 29),
    date(2026, 3, 1),
    date(2025, 12, 31),
    date(2026, 11, 1),
)
REGIONS = ("150800", "370114", "341324", "370700", "150802", "110101", None)
DISEASES = ("白血病", "恶性肿瘤", "感冒", "骨折")
MONTH_STEPS = (-30, -24, -13, -12, -7, -6, -6, -5, -1, 0, 1, 5, 6, 7, 12, 40)
DAY_STEPS = (-1, 0, 0, 0, 1)


def examples(in_suite: int) -> int:
    """差分性质测试的例子数：套件里少（每例要跑一遍整条批量查询），SHOUHU_DIFFERENTIAL_EXAMPLES
    给出足量（bench/policy/README.md）。"""
    return int(os.environ.get("SHOUHU_DIFFERENTIAL_EXAMPLES", in_suite))


@st.composite
def near(draw: st.DrawFn, anchor: date) -> date:
    """anchor 加减若干日历月、再加减一天：专门落在边界上。"""
    d = add_months(anchor, draw(st.sampled_from(MONTH_STEPS)))
    return d + timedelta(days=draw(st.sampled_from(DAY_STEPS)))


def maybe(strategy: st.SearchStrategy[object], p_none: float = 0.15) -> st.SearchStrategy[object]:
    """以约 p_none 的概率不给这个字段（造出缺字段的事实）。"""
    weight = max(1, round(p_none * 20))
    return st.one_of(*([st.none()] * weight), *([strategy] * (20 - weight)))


@st.composite
def term_end(draw: st.DrawFn, start: date | None, as_of: date) -> date | None:
    if start is None or draw(st.booleans()):
        return draw(maybe(near(as_of), 0.2))  # type: ignore[return-value]
    months = draw(st.sampled_from((5, 6, 6, 7, 24)))
    return add_months(start, months) + timedelta(days=draw(st.sampled_from(DAY_STEPS)))


@st.composite
def parent_fact(draw: st.DrawFn, as_of: date) -> Fact:
    t = draw(
        st.sampled_from(
            (
                "deceased",
                "deceased",
                "declared_dead",
                "declared_missing",
                "severe_disability",
                "severe_illness",
                "imprisoned",
                "imprisoned",
                "compulsory_rehab",
                "other_restriction",
                "lost_contact",
                "lost_contact",
                "guardianship_revoked",
                "deported",
            )
        )
    )
    return draw(_fact_of(t, as_of))


@st.composite
def _fact_of(draw: st.DrawFn, t: str, as_of: date) -> Fact:
    when = near(as_of)
    if t in ("deceased", "adopted", "parents_unknown"):
        return Fact(t, date=draw(maybe(when, 0.1)))  # type: ignore[arg-type]
    if t in ("declared_dead", "declared_missing", "guardianship_revoked", "deported"):
        return Fact(t, date=draw(maybe(when, 0.1)), end=draw(maybe(when, 0.7)))  # type: ignore[arg-type]
    if t == "severe_disability":
        return Fact(
            t,
            level=draw(maybe(st.sampled_from(("1", "2", "3", "4")), 0.1)),  # type: ignore[arg-type]
            category=draw(
                maybe(st.sampled_from(("physical", "intellectual", "mental", "visual")), 0.1)
            ),  # type: ignore[arg-type]
            start=draw(maybe(when, 0.4)),  # type: ignore[arg-type]
            valid_until=draw(maybe(when, 0.4)),  # type: ignore[arg-type]
        )
    if t == "severe_illness":
        return Fact(
            t,
            disease=draw(maybe(st.sampled_from(DISEASES), 0.15)),  # type: ignore[arg-type]
            qualifying=draw(maybe(st.booleans(), 0.6)),  # type: ignore[arg-type]
            start=draw(maybe(when, 0.5)),  # type: ignore[arg-type]
            end=draw(maybe(when, 0.7)),  # type: ignore[arg-type]
        )
    if t in ("imprisoned", "compulsory_rehab", "other_restriction"):
        start = draw(maybe(when, 0.08))
        life = (
            draw(st.sampled_from((None, None, None, None, True, False)))
            if t == "imprisoned"
            else None
        )
        end = None if life else draw(term_end(start, as_of))  # type: ignore[arg-type]
        return Fact(t, start=start, end=end, life=life)  # type: ignore[arg-type]
    if t == "lost_contact":
        start = draw(
            maybe(
                st.sampled_from((add_months(as_of, -6), add_months(as_of, -6) + timedelta(1)))
                | when,
                0.1,
            )
        )
        return Fact(t, start=start, end=draw(maybe(when, 0.7)))  # type: ignore[arg-type]
    if t == "hiv_infected":
        return Fact(t, date=draw(maybe(when, 0.4)), consent=draw(maybe(st.booleans(), 0.3)))  # type: ignore[arg-type]
    if t == "in_school":
        level = draw(maybe(st.sampled_from(("primary", "senior_secondary", "undergraduate")), 0.1))
        return Fact(t, level=level, start=draw(maybe(when, 0.1)), end=draw(maybe(when, 0.6)))  # type: ignore[arg-type]
    return Fact(t, start=draw(maybe(when, 0.1)), end=draw(maybe(when, 0.6)))  # type: ignore[arg-type]


@st.composite
def clean_parent_fact(draw: st.DrawFn, as_of: date) -> Fact:
    """完整、在 as_of 生效、多半符合条件的事实：让“符合”的结论常被走到。"""
    t = draw(
        st.sampled_from(
            (
                "deceased",
                "declared_missing",
                "severe_disability",
                "severe_illness",
                "imprisoned",
                "compulsory_rehab",
                "lost_contact",
                "guardianship_revoked",
                "deported",
            )
        )
    )
    past = add_months(as_of, -draw(st.integers(1, 40)))
    future = add_months(as_of, draw(st.integers(1, 40)))
    if t in ("deceased", "declared_missing", "guardianship_revoked", "deported"):
        return Fact(t, date=past)
    if t == "severe_disability":
        return Fact(
            t, level=draw(st.sampled_from(("1", "2", "3"))), category="mental", valid_until=future
        )
    if t == "severe_illness":
        return Fact(t, disease=draw(st.sampled_from(DISEASES)), start=past)
    if t == "lost_contact":
        return Fact(t, start=add_months(as_of, -draw(st.integers(5, 30))))
    return Fact(t, start=past, end=future)


@st.composite
def child_fact(draw: st.DrawFn, as_of: date) -> Fact:
    t = draw(
        st.sampled_from(
            (
                "deceased",
                "adopted",
                "parents_unknown",
                "institutional_care",
                "institutional_care",
                "hiv_infected",
                "severe_disability",
                "severe_illness",
                "in_school",
                "low_income",
                "extreme_poverty",
                "poverty_monitoring",
            )
        )
    )
    return draw(_fact_of(t, as_of))


def id_for(birth: date, region: str = "150802", seq: str = "002") -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq}"
    return first17 + check_digit(first17)


@st.composite
def birth_and_id(draw: st.DrawFn, as_of: date) -> tuple[date | None, str | None]:
    kind = draw(st.sampled_from(("exact18", "feb29", "old") + ("young",) * 7))
    if kind == "exact18":
        birth = add_months(as_of, -18 * 12) + timedelta(days=draw(st.sampled_from((-1, 0, 1))))
    elif kind == "feb29":
        birth = draw(
            st.sampled_from(
                (date(2008, 2, 29), date(2004, 2, 29), date(2012, 2, 29), date(2007, 3, 1))
            )
        )
    elif kind == "young":
        birth = as_of - timedelta(days=draw(st.integers(0, 17 * 365)))
    else:
        birth = as_of - timedelta(days=draw(st.integers(17 * 365, 22 * 365)))
    how = draw(st.sampled_from(("date",) * 5 + ("both", "both", "id", "id", "mismatch", "bad_id")))
    if how == "date":
        return birth, None
    if how == "both":
        return birth, id_for(birth)
    if how == "id":
        return None, id_for(birth)
    if how == "mismatch":
        return birth, id_for(birth + timedelta(days=1))
    return birth, id_for(birth)[:-1] + ("0" if id_for(birth)[-1] != "0" else "1")


@st.composite
def cases(draw: st.DrawFn, case_id: str = "c") -> CaseInput:
    as_of = draw(st.sampled_from(AS_OFS))
    birth, id_number = draw(birth_and_id(as_of))
    child_facts = draw(st.lists(child_fact(as_of), max_size=2).filter(_rare_child_end))
    parents = []
    for _ in range(2):
        if draw(st.integers(0, 9)) == 0:
            parents.append(None)
        else:
            fact = clean_parent_fact(as_of) if draw(st.booleans()) else parent_fact(as_of)
            facts = draw(st.lists(fact, min_size=draw(st.sampled_from((0, 1, 1, 1))), max_size=3))
            parents.append(Person(facts=tuple(facts)))
    region = draw(st.sampled_from(REGIONS))
    child = Person(facts=tuple(child_facts), id_number=id_number, birth_date=birth)
    return CaseInput(as_of, child, parents[0], parents[1], region, case_id)


def _rare_child_end(facts: list[Fact]) -> bool:
    """死亡、收养少一些，让父母那部分规则常被走到。"""
    return sum(f.type in ("deceased", "adopted") for f in facts) <= 1


def case_lists(min_size: int, max_size: int) -> st.SearchStrategy[list[CaseInput]]:
    return st.lists(cases(), min_size=min_size, max_size=max_size).map(
        lambda cs: [
            CaseInput(c.as_of, c.child, c.father, c.mother, c.region, f"c{i}")
            for i, c in enumerate(cs)
        ]
    )


__all__ = ["birthday", "case_lists", "cases", "id_for"]
