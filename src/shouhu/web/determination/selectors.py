"""儿童的资格认定：按平台掌握的全家当前事实。

认定用到每一条事实（包括不在用户辖区内的父母的）；页面显示多少按访问层的 disclosure：
只能看概况的事实，原因读作概况（“父亲处于限制人身自由状态，至2027年2月”）；无权知道其存在的
事实不留痕迹；“按其他日期认定”和下一次变化的确切日期，要每条事实都能看详情才给（否则可以
试出页面上没有显示的日期）。
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from shouhu.core import policy
from shouhu.core.policy.dates import birthday
from shouhu.core.policy.thresholds import ADULT_AGE
from shouhu.core.policy.vocabulary import (
    CATEGORY_LABELS,
    FACT_FIELDS,
    ORPHAN_TYPE_LABELS,
    STATUS_LABELS,
    SUPPORT_LABEL_NAMES,
)
from shouhu.core.policy.wording import fact_summary, month_text
from shouhu.web import access
from shouhu.web.access.disclosure import (
    DETAIL,
    EXISTS,
    IN_CARE_OUTCOME,
    NONE,
    Disclosure,
    fact_level,
    outcome_withheld,
)
from shouhu.web.cases.models import Case, CaseStatus
from shouhu.web.exchange.choices import UNUSABLE_ACCEPTANCE
from shouhu.web.exchange.models import Fact
from shouhu.web.registry.models import ParentLink, Person


@dataclass(frozen=True)
class Determination:
    assessment: policy.Assessment
    fact_ids: dict[str, int]  # "father.facts[0]" → Fact.pk, to show each reason's evidence
    facts: dict[int, Fact]  # Fact.pk → the row


def _policy_fact(row: Fact) -> policy.Fact:
    values = {name: getattr(row, name) for name in FACT_FIELDS if name != "level"}
    return policy.Fact(type=row.type, level=row.level or None, **values)


def _current_facts(persons: list[Person]) -> dict[int, list[Fact]]:
    """The usable current facts of the family, in one query: person pk → rows in pk order."""
    found: dict[int, list[Fact]] = {person.pk: [] for person in persons}
    rows = (
        Fact.objects.filter(person__in=list(found), is_current=True)
        .exclude(acceptance__in=UNUSABLE_ACCEPTANCE)
        .select_related("agency__division", "submission")
        .order_by("pk")
    )
    for row in rows:
        found[row.person_id].append(row)
    return found


def _policy_person(
    role: str,
    person: Person,
    rows: list[Fact],
    fact_ids: dict[str, int],
    facts: dict[int, Fact] | None = None,
) -> policy.Person:
    for index, row in enumerate(rows):
        fact_ids[f"{role}.facts[{index}]"] = row.pk
        if facts is not None:
            facts[row.pk] = row
    return policy.Person(
        facts=tuple(_policy_fact(row) for row in rows),
        id_number=person.id_number,
        birth_date=person.birth_date,
    )


def _parents(child: Person) -> dict[str, Person]:
    return {
        link.relation: link.parent
        for link in ParentLink.objects.filter(child=child).select_related("parent")
    }


def determination_case_input(
    *, child: Person, as_of: date, facts: dict[int, Fact] | None = None
) -> tuple[policy.CaseInput, dict[str, int]]:
    """The rule engine's input: the child, and each parent the registry links (else unknown)."""
    fact_ids: dict[str, int] = {}
    parents = _parents(child)
    father, mother = parents.get("father"), parents.get("mother")
    rows = _current_facts([p for p in (child, father, mother) if p is not None])

    def person(role: str, who: Person | None) -> policy.Person | None:
        return None if who is None else _policy_person(role, who, rows[who.pk], fact_ids, facts)

    case = policy.CaseInput(
        as_of=as_of,
        child=_policy_person("child", child, rows[child.pk], fact_ids, facts),
        father=person("father", father),
        mother=person("mother", mother),
        region=child.division_id[:6],
        case_id=child.pk,
    )
    return case, fact_ids


def determination_get(*, child: Person, as_of: date) -> Determination:
    """The decision on `as_of` (today, or any other date for a 'what if'). Read-only."""
    facts: dict[int, Fact] = {}
    case, fact_ids = determination_case_input(child=child, as_of=as_of, facts=facts)
    return Determination(assessment=policy.assess_case(case), fact_ids=fact_ids, facts=facts)


@dataclass(frozen=True)
class ReasonView:
    code: str
    text: str
    clause: str
    documents: tuple[str, ...]
    evidence: tuple[int, ...]  # Fact.pk of the facts the reason used


@dataclass(frozen=True)
class DeterminationView:
    """What the child page shows: the decision on a date, its reasons, and the next change."""

    as_of: date
    is_what_if: bool
    status: str
    status_label: str
    category_label: str
    orphan_type_label: str
    reviews_per_year: int
    labels: tuple[str, ...]
    reasons: tuple[ReasonView, ...]
    next_change: policy.NextChange | None
    next_change_label: str
    next_change_text: str  # 只能看概况时日期只到月，不说是哪条事实
    subsidy: policy.Subsidy | None
    what_if_allowed: bool  # 每条事实都能看详情才可以按其他日期认定（否则可以试出未公开的日期）
    withheld: bool = False  # 在保儿童的结论对这个用户读作 IN_CARE_OUTCOME（`_in_care_view`）


def _outcome_label(status: str, category: str | None) -> str:
    if status == "eligible" and category:
        return f"符合{CATEGORY_LABELS[category]}条件"
    return STATUS_LABELS[status]


def _levels(found: Determination, child: Person, disclosure: Disclosure) -> dict[int, str]:
    """每条用到的事实能看到多少：儿童本人的按授权；不在用户辖区内的父母的，最多概况。

    父母是否在辖区内只对有事实的父母有意义：按事实的 person_id 问（不再读一遍亲子关系）。"""
    parents = {fact.person_id for fact in found.facts.values()} - {child.pk}
    visible = (
        set(
            access.persons_visible_to(disclosure.user)
            .filter(pk__in=parents)
            .values_list("pk", flat=True)
        )
        if parents
        else set()
    )
    return {
        pk: fact_level(disclosure, fact, in_scope=fact.person_id in visible | {child.pk})
        for pk, fact in found.facts.items()
    }


def _subject(fact_id: int, found: Determination) -> str:
    path = next(p for p, pk in found.fact_ids.items() if pk == fact_id)
    return path.split(".", 1)[0]


def _reason(r: policy.Reason, found: Determination, levels: dict[int, str]) -> ReasonView | None:
    evidence = tuple(found.fact_ids[p] for p in r.facts if p in found.fact_ids)
    shown = [levels[pk] for pk in evidence]
    if NONE in shown:
        return None  # 用到了用户无权知道其存在的事实：这一条不列出
    text = r.text
    if EXISTS in shown:
        facts = [found.facts[pk] for pk in evidence]
        text = "；".join(dict.fromkeys(
            fact_summary(_subject(f.pk, found), f.type, until=f.end or f.valid_until)
            for f in facts
        ))  # fmt: skip
    return ReasonView(r.code, text, r.clause, r.documents, evidence)


def _next_change_text(nxt: policy.NextChange, outline_only: bool) -> str:
    if not outline_only:
        return nxt.text
    return f"自{month_text(nxt.date)}起，结论将变为“{_outcome_label(nxt.status, nxt.category)}”"


def _labels_shown(a: policy.Assessment, found: Determination, levels: dict[int, str]) -> list[str]:
    hidden = {found.facts[pk].type for pk, level in levels.items() if level == NONE}
    return [SUPPORT_LABEL_NAMES[label] for label in a.labels if label not in hidden]


def determination_view(
    *, child: Person, as_of: date, today: date, disclosure: Disclosure
) -> DeterminationView:
    """What the page shows of the decision, for this user and this stated purpose."""
    found = determination_get(child=child, as_of=as_of)
    a, nxt = found.assessment, found.assessment.next_change
    levels = _levels(found, child, disclosure)
    outline_only = any(level != DETAIL for level in levels.values())
    subsidy_hidden = a.subsidy is not None and a.subsidy.basis in {
        found.facts[pk].type for pk, level in levels.items() if level == NONE
    }
    view = DeterminationView(
        as_of=as_of,
        is_what_if=as_of != today,
        status=a.status,
        status_label=_outcome_label(a.status, a.category),
        category_label=CATEGORY_LABELS.get(a.category or "", ""),
        orphan_type_label=ORPHAN_TYPE_LABELS.get(a.orphan_type or "", ""),
        reviews_per_year=a.reviews_per_year,
        labels=tuple(_labels_shown(a, found, levels)),
        reasons=tuple(v for r in a.reasons if (v := _reason(r, found, levels)) is not None),
        next_change=nxt,
        next_change_label=_outcome_label(nxt.status, nxt.category) if nxt else "",
        next_change_text=_next_change_text(nxt, outline_only) if nxt else "",
        subsidy=None if subsidy_hidden else a.subsidy,
        what_if_allowed=not outline_only,
    )
    in_care = Case.objects.filter(child=child, status=CaseStatus.ACTIVE).exists()
    if outcome_withheld(disclosure, in_care=in_care):
        return _in_care_view(view, child)
    return view


# 只在不符合时出现、说的就是“不符合”的原因：在保的感染儿童几乎总是这一条（父母都没有情形）
_VERDICT_REASONS = frozenset({"no_qualifying_condition"})
_CATEGORY_NAMES = frozenset(CATEGORY_LABELS.values())


def _in_care_view(view: DeterminationView, child: Person) -> DeterminationView:
    """看不到真实类别的人（`access.outcome_withheld`）看在保儿童的认定：每个在保儿童读起来都一样。

    感染儿童按规则“不符合”（他们按地区参数领补贴，不是规则的两类），页面上的类别又是“保障对象”，
    结论、颜色、每年核查、补贴、“按其他日期认定”、下一次变化和“父母均无符合条件的情形”这一条
    原因都会把他们和孤儿、事实无人抚养儿童分开。所以对每个在保儿童：结论读作“在保（保障对象）”，
    不列类别名称的标签、补贴和每年核查，不能按其他日期认定，不列“父母均无符合条件的情形”，
    下一次变化只说月份（规则的下一次变化，没有时是年满18周岁的那个月）。父母的情形照常说明
    （按各自事实的授权，issue 11 第2项）。"""
    nxt = view.next_change
    when = nxt.date if nxt else None
    if when is None and child.birth_date is not None:
        when = birthday(child.birth_date, ADULT_AGE)
    return replace(
        view,
        status_label=IN_CARE_OUTCOME,
        category_label="",
        orphan_type_label="",
        labels=tuple(label for label in view.labels if label not in _CATEGORY_NAMES),
        reasons=tuple(r for r in view.reasons if r.code not in _VERDICT_REASONS),
        next_change=None,
        next_change_label="",
        next_change_text=f"{month_text(when)}起须重新认定" if when and when > view.as_of else "",
        subsidy=None,
        what_if_allowed=False,
        withheld=True,
    )
