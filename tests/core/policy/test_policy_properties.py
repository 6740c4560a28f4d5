"""性质测试：结论与事实顺序无关；添加在 as_of 不生效的事实只通过“矛盾”（§4 第6步）改变结论；
下一次变化之前结论不变；输出总在契约的取值范围内。"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from policy_strategies import cases

from shouhu.core.policy import Assessment, CaseInput, Fact, Person, assess_case, decide
from shouhu.core.policy.dates import add_months, birthday
from shouhu.core.policy.vocabulary import SUPPORT_LABELS

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CODE = re.compile(r"[A-Za-z_]{3,}")


def summary(a: Assessment) -> tuple[object, ...]:
    return (
        a.status,
        a.category,
        a.orphan_type,
        a.reviews_per_year,
        a.labels,
        sorted(r.code for r in a.reasons),
    )


def _shuffled(person: Person | None, rnd: st.DataObject) -> Person | None:
    if person is None:
        return None
    facts = rnd.draw(st.permutations(person.facts))
    return replace(person, facts=tuple(facts))


@given(cases(), st.data())
def test_result_does_not_depend_on_the_order_of_facts(case: CaseInput, data: st.DataObject) -> None:
    shuffled = replace(
        case,
        child=_shuffled(case.child, data),
        father=_shuffled(case.father, data),
        mother=_shuffled(case.mother, data),
    )
    assert summary(assess_case(shuffled)) == summary(assess_case(case))


@st.composite
def dormant_fact(draw: st.DrawFn, as_of: date, subject: str) -> Fact:
    """完整、但在 as_of 不生效的事实：尚未开始，或已经结束。"""
    later = as_of + timedelta(days=draw(st.integers(1, 800)))
    earlier = as_of - timedelta(days=draw(st.integers(0, 800)))
    long_ago = earlier - timedelta(days=draw(st.integers(1, 800)))
    types = (
        (
            "deceased",
            "declared_dead",
            "severe_disability",
            "imprisoned",
            "lost_contact",
            "guardianship_revoked",
        )
        if subject != "child"
        else (
            "deceased",
            "adopted",
            "parents_unknown",
            "institutional_care",
            "low_income",
            "severe_disability",
        )
    )
    t = draw(st.sampled_from(types))
    future = draw(st.booleans())
    if t in ("deceased", "adopted", "parents_unknown"):
        return Fact(t, date=later)
    if t in ("declared_dead", "guardianship_revoked"):
        return Fact(t, date=later) if future else Fact(t, date=long_ago, end=earlier)
    if t == "severe_disability":
        return (
            Fact(t, level="1", category="physical", start=later)
            if future
            else Fact(t, level="1", category="physical", valid_until=earlier - timedelta(days=1))
        )
    if t == "imprisoned":
        return (
            Fact(t, start=later, end=later + timedelta(days=400))
            if future
            else Fact(t, start=long_ago, end=earlier)
        )
    return Fact(t, start=later) if future else Fact(t, start=long_ago, end=earlier)


# docs/rules.md §4 第1—5步先于矛盾（第6步）决定
EARLIER_STEPS = frozenset(
    {"child_deceased", "birth_date_mismatch", "aged_out", "adopted", "parents_unknown"}
)


def contradicted(facts: tuple[Fact, ...]) -> bool:
    """与规则分开写的 §4 第6步：有情形事实的起始日晚于最早的死亡日期（不论是否生效）。"""
    deaths = [f.date for f in facts if f.type == "deceased" and f.date is not None]
    starts = [
        f.start or f.date
        for f in facts
        if f.type not in ("deceased", "declared_dead", "declared_missing")
        and (f.start or f.date) is not None
    ]
    return bool(deaths) and any(s is not None and s > min(deaths) for s in starts)


@given(cases(), st.data())
def test_a_fact_not_in_force_changes_the_decision_only_through_a_contradiction(
    case: CaseInput, data: st.DataObject
) -> None:
    subjects = [s for s in ("child", "father", "mother") if getattr(case, s) is not None]
    subject = data.draw(st.sampled_from(subjects))
    fact = data.draw(dormant_fact(case.as_of, subject))
    person: Person = getattr(case, subject)
    grown = replace(case, **{subject: replace(person, facts=(*person.facts, fact))})
    before, after = assess_case(case), assess_case(grown)
    grown_facts = (*person.facts, fact)
    new_conflict = subject != "child" and contradicted(grown_facts) > contradicted(person.facts)
    if new_conflict and not EARLIER_STEPS & {r.code for r in before.reasons}:
        assert after.status == "needs_review"
        assert f"conflict_{subject}" in {r.code for r in after.reasons}
    else:
        assert summary(after)[:5] == summary(before)[:5]


def _condition(fact_type: str, begins: date, ends: date | None) -> Fact:
    if fact_type == "guardianship_revoked":
        return Fact(fact_type, date=begins, end=ends)
    if fact_type == "severe_disability":
        return Fact(fact_type, level="1", category="physical", start=begins, valid_until=ends)
    if fact_type == "lost_contact":
        return Fact(fact_type, start=begins, end=ends)
    return Fact(fact_type, start=begins, end=ends or begins + timedelta(days=400))


@given(
    st.sampled_from(("father", "mother")),
    st.integers(-800, 800),
    st.integers(1, 800),
    st.sampled_from(("imprisoned", "lost_contact", "guardianship_revoked", "severe_disability")),
    st.booleans(),
)
def test_a_condition_starting_after_the_death_is_a_contradiction_whenever_it_lies(
    parent: str, death_shift: int, gap: int, fact_type: str, ended: bool
) -> None:
    """死亡日期在 as_of 之前或之后；情形事实在 as_of 有效、已结束或尚未开始：都是矛盾。"""
    as_of = date(2026, 11, 1)
    died = as_of + timedelta(days=death_shift)
    begins = died + timedelta(days=gap)
    ends = begins + timedelta(days=30) if ended else None
    lying = Person(facts=(Fact("deceased", date=died), _condition(fact_type, begins, ends)))
    dead = Person(facts=(Fact("deceased", date=date(2020, 5, 1)),))
    parents = {"father": lying, "mother": dead}
    if parent == "mother":
        parents = {"father": dead, "mother": lying}
    a = assess_case(CaseInput(as_of, Person(birth_date=date(2015, 1, 1)), **parents))
    assert (a.status, {r.code for r in a.reasons}) == ("needs_review", {f"conflict_{parent}"})


@settings(max_examples=80)
@given(cases(), st.data())
def test_decision_holds_until_the_next_change(case: CaseInput, data: st.DataObject) -> None:
    a = assess_case(case)
    now = (a.status, a.category)
    horizon = a.next_change.date if a.next_change else add_months(case.as_of, 60)
    if a.next_change:
        assert a.next_change.date > case.as_of
        assert decide(case, a.next_change.date) == (a.next_change.status, a.next_change.category)
        assert (a.next_change.status, a.next_change.category) != now
    span = (horizon - case.as_of).days - 1
    if span > 0:
        probe = case.as_of + timedelta(days=data.draw(st.integers(1, span)))
        assert decide(case, probe) == now


@given(cases())
def test_result_stays_within_the_contract(case: CaseInput) -> None:
    a = assess_case(case)
    assert a.status in ("eligible", "not_eligible", "needs_review")
    assert (a.category is not None) == (a.status == "eligible")
    assert (a.orphan_type is not None) == (a.category == "orphan")
    assert a.reviews_per_year == 0 or a.category == "de_facto_unsupported"
    assert list(a.labels) == sorted(set(a.labels))
    assert set(a.labels) <= set(SUPPORT_LABELS)
    if a.category:
        assert a.category in a.labels
    assert a.reasons, "每个结论至少有一个原因"
    texts = [r.text for r in a.reasons] + ([a.next_change.text] if a.next_change else [])
    for text in texts:  # 念给家庭听的话：日期只有一种写法，不夹英文代码
        assert not ISO_DATE.search(text), text
        assert not CODE.search(text), text
    for r in a.reasons:
        assert r.text
        assert r.clause
        if a.status == "not_eligible":
            assert r.code in ("child_deceased", "aged_out", "adopted", "no_qualifying_condition")
        if a.status == "needs_review":
            assert r.code.startswith(("missing_", "conflict_")) or r.code in (
                "other_parent_unknown",
                "birth_date_mismatch",
            )
            assert r.documents, r.code


def test_feb29_birthday_helper() -> None:
    assert birthday(date(2008, 2, 29), 18) == date(2026, 3, 1)
    assert birthday(date(2008, 2, 29), 20) == date(2028, 2, 29)
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
