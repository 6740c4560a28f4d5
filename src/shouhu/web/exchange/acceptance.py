"""外地数据的接收：部门报送了本部门辖区以外的人的事实（安全测试 M5：临河区法院的凭证可以写
五原县居民的事实，进而影响五原县的认定），这些事实先不用，等当地民政经办人员接收。

当地是指事实所关于的人（或记录所写的户籍地）所在的县；那里还没有平台的民政经办人员时，由报送
部门同级的民政经办人员接收。接收或不接收都写审计日志，不接收须写明理由。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.core.identity import division_prefix
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, roles_with
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.exchange.choices import Acceptance, FactType
from shouhu.web.exchange.items import item_name
from shouhu.web.exchange.models import Fact

PAGE = 100


def _local_to(user: User) -> Q:
    """关于用户辖区内的人（已联上的按其户籍地，未联上的按记录所写的区划）。"""
    path = user.division.path
    prefix = division_prefix(user.division_id)
    return Q(person__division__path__startswith=path) | Q(
        person__isnull=True, subject_division_code__startswith=prefix
    )


def _covered(code: str) -> bool:
    """这个区划所在的县（及以上）是否有平台的民政经办人员。"""
    return User.objects.filter(
        is_active=True,
        role__in=roles_with(Right.WRITE_CASES),
        division__path__contains=f"/{code[:6]}/",
    ).exists()


def pending_for(user: User) -> QuerySet[Fact]:
    """这名经办人员要接收的外地事实：关于本辖区的人的；或报送部门在本辖区、当地尚无平台的。"""
    pending = Fact.objects.filter(acceptance=Acceptance.PENDING, is_current=True)
    local = pending.filter(_local_to(user))
    ours = pending.filter(agency__division__path__startswith=user.division.path).exclude(
        _local_to(user)
    )
    orphaned = [f.pk for f in ours.select_related("person") if not _covered(_subject_code(f))]
    return Fact.objects.filter(Q(pk__in=local.values("pk")) | Q(pk__in=orphaned))


def _subject_code(fact: Fact) -> str:
    if fact.person_id is not None and fact.person is not None:
        return fact.person.division_id
    return fact.subject_division_code


@dataclass(frozen=True)
class PendingLine:
    pk: int
    recorded_at: datetime
    agency: str
    item: str
    fact_type: str
    person_id: int | None
    person_name: str


def pending_lines(facts: QuerySet[Fact]) -> list[PendingLine]:
    rows = facts.select_related("agency", "person").order_by("recorded_at", "pk")[:PAGE]
    types = dict(FactType.choices)
    return [
        PendingLine(
            pk=f.pk,
            recorded_at=timezone.localtime(f.recorded_at),
            agency=f.agency.name,
            item=item_name(f.item_code) if f.item_code else "",
            fact_type=types.get(f.type, "其他事实"),
            person_id=f.person_id,
            person_name=f.person.name if f.person is not None else f.subject_name,
        )
        for f in rows
    ]


def fact_acceptance_decide(*, ctx: RequestContext, fact: Fact, accept: bool, reason: str) -> None:
    """接收（此后用于认定和比对），或不接收（须写明理由）。"""
    reason = reason.strip()
    if fact.acceptance != Acceptance.PENDING:
        raise InvalidInput("这条记录已处理过。")
    if not accept and not reason:
        raise InvalidInput("不接收的，请写明理由（例如：此人不在本县居住，已告知报送部门）。")
    with transaction.atomic():
        fact.acceptance = Acceptance.ACCEPTED if accept else Acceptance.REFUSED
        fact.acceptance_note = reason[:200]
        fact.save(update_fields=["acceptance", "acceptance_note"])
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.FACT,
            object_id=fact.pk,
            detail={"acceptance": fact.acceptance, "reason_given": bool(reason)},
        )
