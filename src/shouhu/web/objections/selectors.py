"""疑义的读取：我提出的、本部门待校核的、一条疑义的详情。只读，建立在 access.py 的查询集上。"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from shouhu.core.catalog.facts import ValueKind, fact_fields, field_kind
from shouhu.core.errors import NotFound
from shouhu.core.policy.vocabulary import FIELD_LABELS
from shouhu.web import access
from shouhu.web.access.disclosure import NONE, disclosure_for, fact_level
from shouhu.web.access.persons import NOT_FOUND_FACT
from shouhu.web.accounts.models import Agency, User
from shouhu.web.accounts.permissions import is_submitter
from shouhu.web.exchange.models import Fact, FactType
from shouhu.web.objections.models import Objection, ObjectionStatus
from shouhu.web.objections.services import CORRECTABLE
from shouhu.web.registry.selectors import id_number_display
from shouhu.web.registry.timeline import FactEntry, fact_entry

CASE_WORK = "case_work"

LIST_LIMIT = 200


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


def _overdue(objection: Objection, today: date) -> bool:
    return objection.status == ObjectionStatus.OPEN and today > objection.due_on


@dataclass(frozen=True)
class ObjectionRow:
    pk: int
    fact_label: str
    subject_name: str
    source_record_id: str
    agency: str
    raised_by: str
    raised_at: datetime
    due_on: date
    overdue: bool
    status: str
    status_label: str
    resolved_at: datetime | None


def _row(objection: Objection, today: date) -> ObjectionRow:
    fact = objection.fact
    raiser = objection.raised_by
    return ObjectionRow(
        pk=objection.pk,
        fact_label=FactType(fact.type).label,
        subject_name=fact.subject_name or (fact.person.name if fact.person else ""),
        source_record_id=fact.source_record_id,
        agency=objection.agency.name,
        raised_by=_name(raiser),
        raised_at=timezone.localtime(objection.raised_at),
        due_on=objection.due_on,
        overdue=_overdue(objection, today),
        status=objection.status,
        status_label=ObjectionStatus(objection.status).label,
        resolved_at=_local(objection.resolved_at),
    )


def _rows(objections: QuerySet[Objection]) -> tuple[ObjectionRow, ...]:
    today = timezone.localdate()
    open_first = Case(
        When(status=ObjectionStatus.OPEN, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    ordered = objections.select_related("fact__person", "agency", "raised_by").order_by(
        open_first, "due_on", "-raised_at", "-pk"
    )
    return tuple(_row(objection, today) for objection in ordered[:LIST_LIMIT])


def objection_list_raised_by(*, user: User) -> tuple[ObjectionRow, ...]:
    """我提出的疑义：待校核的在前（按期限），然后是已办结的。"""
    return _rows(Objection.objects.filter(raised_by=user))


@dataclass(frozen=True)
class Queue:
    agency: str
    open_count: int
    overdue_count: int
    rows: tuple[ObjectionRow, ...]


def objection_queue_for(*, agency: Agency, include_closed: bool) -> Queue:
    """部门的待校核队列（`agency` 须已经过 access.access_objection_queue）。"""
    objections = Objection.objects.filter(agency=agency)
    open_ones = objections.filter(status=ObjectionStatus.OPEN)
    today = timezone.localdate()
    return Queue(
        agency=agency.name,
        open_count=open_ones.count(),
        overdue_count=open_ones.filter(due_on__lt=today).count(),
        rows=_rows(objections if include_closed else open_ones),
    )


@dataclass(frozen=True)
class CorrectionField:
    name: str
    label: str
    kind: str  # date / bool / text
    value: str  # 当前值的表单文本


@dataclass(frozen=True)
class ObjectionPage:
    pk: int
    status: str
    status_label: str
    reason: str
    reply: str
    raised_by: str
    raised_at: datetime
    due_on: date
    overdue: bool
    answered_by: str
    answered_at: datetime | None
    resolved_at: datetime | None
    agency: str
    fact: FactEntry
    fact_is_current: bool
    correction: FactEntry | None
    subject_name: str
    subject_id: str
    person_pk: int | None  # 用户可以打开此人的页面时才有
    may_answer: bool
    may_withdraw: bool
    correction_fields: tuple[CorrectionField, ...]


def fact_entry_for(*, user: User, fact: Fact) -> FactEntry:
    """疑义页面上的事实：提供部门的数据报送员看自己报送的全部；其他人按共享授权（个案办理用途），
    无权知道其存在的事实答复为“未找到”。"""
    if is_submitter(user) and user.agency_id == fact.agency_id:
        return fact_entry(fact=fact)
    level = fact_level(disclosure_for(user, purpose=CASE_WORK), fact)
    if level == NONE:
        raise NotFound(NOT_FOUND_FACT)
    return fact_entry(fact=fact, level=level)


def objection_page(*, user: User, objection: Objection) -> ObjectionPage:
    """一条疑义（`objection` 须已经过 access.access_objection）：事实、理由、答复、时间。"""
    fact = objection.fact
    is_open = objection.status == ObjectionStatus.OPEN
    answerer = objection.answered_by
    return ObjectionPage(
        pk=objection.pk,
        status=objection.status,
        status_label=ObjectionStatus(objection.status).label,
        reason=objection.reason,
        reply=objection.reply,
        raised_by=_name(objection.raised_by),
        raised_at=timezone.localtime(objection.raised_at),
        due_on=objection.due_on,
        overdue=_overdue(objection, timezone.localdate()),
        answered_by=_name(answerer) if answerer else "",
        answered_at=_local(objection.answered_at),
        resolved_at=_local(objection.resolved_at),
        agency=objection.agency.name,
        fact=fact_entry_for(user=user, fact=fact),
        fact_is_current=fact.is_current,
        correction=(
            fact_entry_for(user=user, fact=objection.correction) if objection.correction else None
        ),
        subject_name=fact.subject_name or (fact.person.name if fact.person else ""),
        subject_id=id_number_display(user=user, id_number=_subject_id(fact)),
        person_pk=_person_link(user, fact),
        may_answer=is_open and access.may_answer_objection(user, objection),
        may_withdraw=is_open and objection.raised_by_id == user.pk,
        correction_fields=_correction_fields(fact),
    )


def _subject_id(fact: Fact) -> str | None:
    return fact.subject_id_number or (fact.person.id_number if fact.person else None)


def _name(user: User) -> str:
    return user.full_name or user.username


def _person_link(user: User, fact: Fact) -> int | None:
    if fact.person_id is None:
        return None
    visible = access.persons_visible_to(user).filter(pk=fact.person_id).exists()
    return fact.person_id if visible else None


def _form_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _correction_fields(fact: Fact) -> tuple[CorrectionField, ...]:
    allowed = fact_fields(fact.type)
    return tuple(
        CorrectionField(
            name, FIELD_LABELS[name], _kind(fact.type, name), _form_value(getattr(fact, name))
        )
        for name in CORRECTABLE
        if name in allowed
    )


def _kind(fact_type: str, name: str) -> str:
    kind = field_kind(fact_type, name)
    if kind is ValueKind.DATE:
        return "date"
    if kind is ValueKind.BOOL:
        return "bool"
    return "text"
