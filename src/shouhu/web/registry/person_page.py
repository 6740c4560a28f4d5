"""儿童页面（一人一页）：身份、户籍地、父母和子女、个案、事实时间线（含来源）。"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from shouhu.core.policy.thresholds import ADULT_AGE
from shouhu.core.policy.wording import date_text
from shouhu.web import access
from shouhu.web.access.disclosure import Disclosure
from shouhu.web.accounts.models import User
from shouhu.web.audit.models import Purpose
from shouhu.web.cases.models import CaseStatus
from shouhu.web.registry.loads import HistoryLine, person_registry_history
from shouhu.web.registry.models import Gender, Person, RegistryStatus, Relation
from shouhu.web.registry.selectors import (
    age_on,
    case_label,
    division_path_names,
    id_number_display,
)
from shouhu.web.registry.timeline import FactEntry, timeline

# ---------------------------------------------------------------- 儿童页面


@dataclass(frozen=True)
class Relative:
    """父母或子女。不在用户辖区内的亲属只显示关系，不显示姓名、号码，也不给链接。"""

    relation: str
    visible: bool
    pk: int | None = None
    name: str = ""
    id_display: str = ""
    age: int | None = None


@dataclass(frozen=True)
class CaseSummary:
    pk: int
    category: str
    status: str
    status_label: str
    risk_label: str
    opened_on: date
    closed_on: date | None
    close_reason: str
    reopenings: tuple[str, ...] = ()  # “2026年3月1日终止（理由），2026年3月5日重新纳入：理由”


@dataclass(frozen=True)
class PersonPage:
    pk: int
    name: str
    id_display: str
    gender: str
    birth_date: date | None
    age: int | None
    is_minor: bool
    division_path: tuple[str, ...]
    parents: tuple[Relative, ...]
    children: tuple[Relative, ...]
    cases: tuple[CaseSummary, ...]
    facts: tuple[FactEntry, ...]
    restricted_purposes: tuple[tuple[str, str], ...]  # 说明用途后可看详情的用途（代码, 名称）
    purpose: str  # 本次说明的用途（没有说明为空）
    purpose_label: str
    registry_status: str  # 户籍状态（在册时为空，不必显示）
    registry_history: tuple[HistoryLine, ...]


def person_page(*, user: User, person: Person, disclosure: Disclosure) -> PersonPage:
    """一人一页：身份、户籍地、父母和子女、个案、事实时间线（含来源）。

    `person` 须已经过 access.access_person。父母的事实只在父母也在用户辖区内时列出；每条事实
    看到多少按 `disclosure`（共享授权和本次说明的用途）。
    """
    today = timezone.localdate()
    parents = [
        (Relation(link.relation).label, link.parent)
        for link in person.parent_links.select_related("parent").order_by("relation")
    ]
    children = [
        ("子女", link.child)
        for link in person.child_links.select_related("child").order_by("child__birth_date")
    ]
    relatives = [other.pk for _, other in parents + children]
    visible = set(
        access.persons_visible_to(user).filter(pk__in=relatives).values_list("pk", flat=True)
    )

    def relative(relation: str, other: Person) -> Relative:
        return _relative(user, relation, other, other.pk in visible, today)

    subjects = [("本人", person)] + [(rel, other) for rel, other in parents if other.pk in visible]
    age = age_on(person.birth_date, today)
    found = timeline(user, subjects, disclosure)
    return PersonPage(
        pk=person.pk,
        name=person.name,
        id_display=id_number_display(user=user, id_number=person.id_number),
        gender=Gender(person.gender).label if person.gender else "",
        birth_date=person.birth_date,
        age=age,
        is_minor=age is not None and age < ADULT_AGE,
        division_path=division_path_names(person.division),
        parents=tuple(relative(*p) for p in parents),
        children=tuple(relative(*c) for c in children),
        cases=_case_summaries(user, person, disclosure),
        facts=found.entries,
        restricted_purposes=tuple(
            (code, str(Purpose(code).label))
            for code in disclosure.purposes_with_detail(found.restricted_items)
        ),
        purpose=disclosure.purpose or "",
        purpose_label=str(Purpose(disclosure.purpose).label) if disclosure.purpose else "",
        registry_status=""
        if person.registry_status == RegistryStatus.REGISTERED
        else person.get_registry_status_display(),
        registry_history=person_registry_history(user=user, person=person),
    )


def _relative(user: User, relation: str, person: Person, visible: bool, today: date) -> Relative:
    if not visible:
        return Relative(relation=relation, visible=False)
    return Relative(
        relation=relation,
        visible=True,
        pk=person.pk,
        name=person.name,
        id_display=id_number_display(user=user, id_number=person.id_number),
        age=age_on(person.birth_date, today),
    )


def _case_summaries(user: User, person: Person, disclosure: Disclosure) -> tuple[CaseSummary, ...]:
    cases = access.cases_visible_to(user).filter(child=person).order_by("status", "-opened_on")
    return tuple(
        CaseSummary(
            pk=case.pk,
            category=case_label(case, disclosure),
            status=case.status,
            status_label=CaseStatus(case.status).label,
            risk_label=case.get_risk_level_display(),
            opened_on=case.opened_on,
            closed_on=case.closed_on,
            close_reason=case.close_reason,
            reopenings=tuple(_reopening_text(r) for r in case.reopenings),
        )
        for case in cases
    )


def _reopening_text(entry: dict[str, str]) -> str:
    def day(raw: str) -> str:
        return date_text(date.fromisoformat(raw)) if raw else "日期不详"

    return (
        f"{day(entry.get('closed_on', ''))}曾终止（{entry.get('close_reason', '')}），"
        f"{day(entry.get('reopened_on', ''))}重新纳入：{entry.get('reason', '')}"
    )
