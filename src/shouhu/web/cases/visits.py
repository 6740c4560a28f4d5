"""探访（policy §6）：儿童主任在手机上记录一次探访，并重算下次探访的到期日。

一次探访记：时间、地点、见到的人、五项情况（安全、饮食、上学、健康、照料人，各“正常/有问题”，
有问题的须写说明）、探访记录。探访回应此前未走访的重大变故（含强制报告）：变故记下这次探访，
报告到走访的时长由此算出。照片和离线上传由离线应用另做：它带上自己的编号（`client_ref`），
同一次探访重复上传只记一次——这是留给它的接口，网页表单不用。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Final

from django.db import transaction
from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.models import Case, Visit
from shouhu.web.cases.plans import open_changes, plans_set
from shouhu.web.cases.services import REASON_MAX, case_locked

CHECKS: Final = MappingProxyType(
    {"safety": "安全", "food": "饮食", "school": "上学", "health": "健康", "carer": "照料人"}
)
CHECK_STATUS: Final = MappingProxyType({"ok": "正常", "concern": "有问题"})
NOTE_MAX: Final = 200
CLOCK_SKEW: Final = timedelta(minutes=10)  # 手机时钟略快时不误判为“将来”
EARLIEST_YEAR: Final = 1900


@dataclass(frozen=True)
class Check:
    status: str  # ok | concern
    note: str = ""


@dataclass(frozen=True)
class VisitInput:
    visited_at: datetime | None
    place: str
    seen: str
    checks: dict[str, Check]
    notes: str = ""
    client_ref: str = ""  # 离线应用的本地编号


def form_text(value: str, *, what: str, limit: int, required: bool = True) -> str:
    """表单里的一段文字：去掉首尾空白；必填的不能为空；不超过 limit 个字。"""
    text = value.strip()
    if required and not text:
        raise InvalidInput(f"请填写{what}。")
    if len(text) > limit:
        raise InvalidInput(f"{what}不能超过 {limit} 个字。")
    return text


def checks_parse(raw: dict[str, Check]) -> dict[str, dict[str, str]]:
    checked = {}
    for code, label in CHECKS.items():
        check = raw.get(code)
        if check is None or check.status not in CHECK_STATUS:
            raise InvalidInput(f"请选择“{label}”是正常还是有问题。")
        note = form_text(check.note, what=f"“{label}”的说明", limit=NOTE_MAX, required=False)
        if check.status == "concern" and not note:
            raise InvalidInput(f"“{label}”有问题，请简要写明是什么问题。")
        checked[code] = {"status": check.status, "note": note}
    return checked


def past_moment(value: datetime | None, *, what: str) -> datetime:
    """已经发生的一个时刻：必填，不晚于现在（容手机时钟略快）；没有时区的按北京时间。"""
    if value is None:
        raise InvalidInput(f"请填写{what}。")
    if value.year < EARLIEST_YEAR:  # 先拦下，免得换算时区时越界
        raise InvalidInput(f"{what}不对，请重新填写。")
    moment = timezone.make_aware(value) if timezone.is_naive(value) else value
    if moment > timezone.now() + CLOCK_SKEW:
        raise InvalidInput(f"{what}不能晚于现在。")
    return moment


def _visited_at(value: datetime | None, case: Case) -> datetime:
    value = past_moment(value, what="探访时间")
    if timezone.localdate(value) < case.opened_on:
        raise InvalidInput(f"探访时间不能早于纳入保障之日（{case.opened_on:%Y-%m-%d}）。")
    return value


def visit_record(*, ctx: RequestContext, case: Case, data: VisitInput) -> Visit:
    """记录一次探访；回应此前尚未走访的重大变故；重算下次探访到期日。同一编号只记一次。"""
    place = form_text(data.place, what="探访地点", limit=100)
    seen = form_text(data.seen, what="见到的人", limit=200)
    notes = form_text(data.notes, what="探访记录", limit=REASON_MAX, required=False)
    checks = checks_parse(data.checks)
    ref = form_text(data.client_ref, what="离线应用编号", limit=64, required=False)
    assert ctx.user is not None
    with transaction.atomic():
        locked = case_locked(case)
        at = _visited_at(data.visited_at, locked)
        earlier = locked.visits.filter(client_ref=ref).first() if ref else None
        if earlier is not None:
            return earlier  # 离线应用重复上传同一次探访
        visit = Visit.objects.create(
            case=locked, visited_at=at, place=place, seen=seen, checks=checks, notes=notes,
            client_ref=ref, recorded_by=ctx.user,
        )  # fmt: skip
        answered = list(
            open_changes(locked)
            .filter(visit__isnull=True, occurred_at__lte=at)
            .values_list("pk", flat=True)
        )
        locked.major_changes.filter(pk__in=answered).update(visit=visit)
        plans_set(locked, today=timezone.localdate(), reviews=False)
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.VISIT,
            object_id=visit.pk,
            detail={"case": locked.pk, "concerns": [c for c, v in checks.items()
                                                    if v["status"] == "concern"],
                    "answered_changes": answered, "notes_chars": len(notes),
                    "next_due": locked.visit_due_on.isoformat() if locked.visit_due_on else ""},
        )  # fmt: skip
    return visit
