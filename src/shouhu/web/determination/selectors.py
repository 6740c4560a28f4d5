"""The decision for one child, from the current facts the platform holds about the family."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shouhu.core import policy
from shouhu.core.policy.vocabulary import (
    CATEGORY_LABELS,
    FACT_FIELDS,
    ORPHAN_TYPE_LABELS,
    STATUS_LABELS,
    SUPPORT_LABEL_NAMES,
)
from shouhu.web.exchange.models import Fact
from shouhu.web.registry.models import ParentLink, Person


@dataclass(frozen=True)
class Determination:
    assessment: policy.Assessment
    fact_ids: dict[str, int]  # "father.facts[0]" → Fact.pk, to show each reason's evidence


def _policy_fact(row: Fact) -> policy.Fact:
    values = {name: getattr(row, name) for name in FACT_FIELDS if name != "level"}
    return policy.Fact(type=row.type, level=row.level or None, **values)


def _policy_person(role: str, person: Person, fact_ids: dict[str, int]) -> policy.Person:
    rows = list(Fact.objects.filter(person=person, is_current=True).order_by("pk"))
    for index, row in enumerate(rows):
        fact_ids[f"{role}.facts[{index}]"] = row.pk
    return policy.Person(
        facts=tuple(_policy_fact(row) for row in rows),
        id_number=person.id_number,
        birth_date=person.birth_date,
    )


def determination_case_input(
    *, child: Person, as_of: date
) -> tuple[policy.CaseInput, dict[str, int]]:
    """The rule engine's input: the child, and each parent the registry links (else unknown)."""
    fact_ids: dict[str, int] = {}
    parents = {
        link.relation: link.parent
        for link in ParentLink.objects.filter(child=child).select_related("parent")
    }
    father, mother = parents.get("father"), parents.get("mother")
    case = policy.CaseInput(
        as_of=as_of,
        child=_policy_person("child", child, fact_ids),
        father=_policy_person("father", father, fact_ids) if father else None,
        mother=_policy_person("mother", mother, fact_ids) if mother else None,
        region=child.division_id[:6],
        case_id=child.pk,
    )
    return case, fact_ids


def determination_get(*, child: Person, as_of: date) -> Determination:
    """The decision on `as_of` (today, or any other date for a 'what if'). Read-only."""
    case, fact_ids = determination_case_input(child=child, as_of=as_of)
    return Determination(assessment=policy.assess_case(case), fact_ids=fact_ids)


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
    subsidy: policy.Subsidy | None


def _outcome_label(status: str, category: str | None) -> str:
    if status == "eligible" and category:
        return f"符合{CATEGORY_LABELS[category]}条件"
    return STATUS_LABELS[status]


def determination_view(*, child: Person, as_of: date, today: date) -> DeterminationView:
    found = determination_get(child=child, as_of=as_of)
    a = found.assessment
    nxt = a.next_change
    return DeterminationView(
        as_of=as_of,
        is_what_if=as_of != today,
        status=a.status,
        status_label=_outcome_label(a.status, a.category),
        category_label=CATEGORY_LABELS.get(a.category or "", ""),
        orphan_type_label=ORPHAN_TYPE_LABELS.get(a.orphan_type or "", ""),
        reviews_per_year=a.reviews_per_year,
        labels=tuple(SUPPORT_LABEL_NAMES[label] for label in a.labels),
        reasons=tuple(
            ReasonView(
                r.code,
                r.text,
                r.clause,
                r.documents,
                tuple(found.fact_ids[p] for p in r.facts if p in found.fact_ids),
            )
            for r in a.reasons
        ),
        next_change=nxt,
        next_change_label=_outcome_label(nxt.status, nxt.category) if nxt else "",
        subsidy=a.subsidy,
    )
