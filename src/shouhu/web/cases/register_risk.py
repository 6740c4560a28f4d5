"""没有保障个案的儿童：风险等级、重大变故和强制报告（policy §6，sixian §2(一)6），记在名册登记上。

与个案同一套规矩：重大变故（含强制报告）使儿童临时按高风险，24 小时内须走访到位；登记上的
第一次探访是响应；经办人员确认风险等级即复核，此后按确认的等级探访（一般：每季度，重点：每月，
高风险：每周）。每次变化记一行风险等级变化（`RiskChange.entry`），只增不改。

强制报告可以是关于县里任何一名儿童的（学校报告一名不在保障中的儿童）：
- 儿童有保障中的个案：记在个案上（`cases.reports.mandatory_report_create`）；
- 没有个案、在名册上：记在一条在册登记上（先取受监护人侵害、遭遇突发事件的，否则最早的一条）；
- 都没有：按报告人选的情形（受监护人侵害 / 遭遇突发事件）登记到困境儿童名册（理由“强制报告”），
  再记报告。登记立即生效而不是先提建议——24 小时的走访等不得经办人员先确认；经办人员在待办
  “重大变故待复核”里看到它、确认风险等级即复核；报告不实的，由经办人员或督导员结束这条登记
  （写明理由）。儿童主任报告时也这样登记：这是报告的后果，不是儿童主任的登记决定。
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Final

from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.core.policy.visits import (
    MAJOR_CHANGE_LABELS,
    effective_risk,
    major_change_visit_due,
    next_visit_due,
)
from shouhu.core.registers import ENTRY_KIND_LABELS
from shouhu.web.accounts.models import User
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.models import (
    CaseStatus,
    MajorChange,
    MandatoryReport,
    RiskChange,
    RiskChangeKind,
)
from shouhu.web.cases.notices import visit_due_notify
from shouhu.web.cases.register_models import RegisterEntry
from shouhu.web.cases.reports import ReportInput, mandatory_report_create, report_checked
from shouhu.web.cases.risk import change_checked, confirmation_checked
from shouhu.web.registry.models import Person

# 报告一名不在名册上的儿童时，登记成哪一类（报告人选）；已在名册上的优先记在这两类上
REPORT_KINDS: Final = ("guardian_abuse", "sudden_event")


def entry_open_changes(entry: RegisterEntry) -> QuerySet[MajorChange]:
    return entry.major_changes.filter(reviewed_at__isnull=True)


def entry_risk_in_effect(entry: RegisterEntry) -> str:
    return effective_risk(
        confirmed=entry.risk_level, unreviewed_major_change=entry_open_changes(entry).exists()
    )


def entry_plans_set(entry: RegisterEntry) -> None:
    """重算登记的下次探访到期日（按现在执行的风险等级；未走访的重大变故须 24 小时内）。"""
    last = entry.visits.aggregate(last=Max("visited_at"))["last"]
    routine = next_visit_due(risk=entry_risk_in_effect(entry), opened=entry.started_on,
                             last_visit=timezone.localdate(last) if last else None)  # fmt: skip
    urgent = entry_open_changes(entry).filter(visit__isnull=True).aggregate(due=Min("visit_due_at"))
    due = routine if urgent["due"] is None else min(routine, timezone.localdate(urgent["due"]))
    entry.visit_due_on = due
    entry.save(update_fields=["visit_due_on"])


def _history(entry: RegisterEntry, user: User, kind: str, to: str, reason: str,
             assessment: dict[str, object]) -> RiskChange:  # fmt: skip
    return RiskChange.objects.create(
        entry=entry, at=timezone.now(), by=user, kind=kind,
        from_level=entry_risk_in_effect(entry), to_level=to, reason=reason, assessment=assessment,
    )  # fmt: skip


def _locked(entry: RegisterEntry) -> RegisterEntry:
    locked = RegisterEntry.objects.select_for_update().select_related("child").get(pk=entry.pk)
    if locked.ended_on is not None:
        raise InvalidInput("该登记已经结束。")
    if locked.child.cases.filter(status=CaseStatus.ACTIVE).exists():
        raise InvalidInput("该儿童有保障中的个案，请在个案档案里办理。")
    return locked


def register_major_change_add(
    *, user: User, entry: RegisterEntry, kind: str, occurred_at: datetime, note: str
) -> MajorChange:
    """在已加锁的登记上记一项重大变故：临时按高风险（记入历史），24 小时内须走访，通知儿童主任。"""
    if entry_risk_in_effect(entry) != "high":
        _history(entry, user, RiskChangeKind.MAJOR_CHANGE, "high", MAJOR_CHANGE_LABELS[kind], {})
    change = MajorChange.objects.create(
        entry=entry, kind=kind, occurred_at=occurred_at, note=note, recorded_by=user,
        visit_due_at=major_change_visit_due(kind, occurred_at),
    )  # fmt: skip
    entry_plans_set(entry)
    visit_due_notify(change)
    return change


def register_major_change_record(
    *, ctx: RequestContext, entry: RegisterEntry, kind: str, occurred_at: datetime | None,
    note: str,
) -> MajorChange:  # fmt: skip
    """名册儿童（没有个案）发生重大变故（照料人死亡、被羁押……）：临时高风险，24 小时内须走访。"""
    occurred, text = change_checked(kind, occurred_at, note)
    assert ctx.user is not None
    with transaction.atomic():
        locked = _locked(entry)
        change = register_major_change_add(user=ctx.user, entry=locked, kind=kind,
                                           occurred_at=occurred, note=text)  # fmt: skip
        audit_record(ctx=ctx, action=Action.CREATE, object_type=ObjectType.MAJOR_CHANGE,
                     object_id=change.pk,
                     detail={"register_entry": locked.pk, "kind": kind,
                             "note_chars": len(text)})  # fmt: skip
    return change


def _report_entry(ctx: RequestContext, child: Person, kind: str, day: date) -> RegisterEntry:
    """报告记在哪条登记上：在册的（先取受监护人侵害、突发事件），没有就按报告新登记一条。"""
    from shouhu.web.cases.registers import EntryInput, entry_new  # registers 反过来用本模块

    found = child.register_entries.filter(ended_on__isnull=True, case__isnull=True)
    entry = (
        found.filter(kind__in=REPORT_KINDS).order_by("pk").first() or found.order_by("pk").first()
    )
    if entry is not None:
        return entry
    if kind not in REPORT_KINDS:
        raise InvalidInput("这名儿童还不在名册上，请选择报告的情形：受监护人侵害或遭遇突发事件。")
    entry = entry_new(ctx, child, EntryInput(kind, "强制报告", day))
    audit_record(ctx=ctx, action=Action.CREATE, object_type=ObjectType.CHILD_REGISTER,
                 object_id=entry.pk, detail={"child": child.pk, "kind": kind,
                                             "source": "mandatory_report"})  # fmt: skip
    return entry


def child_report_create(
    *, ctx: RequestContext, child: Person, data: ReportInput, kind: str = ""
) -> MandatoryReport:
    """关于任何一名儿童的强制报告：有个案的记在个案上，否则记在名册登记上（见模块说明）。
    `kind`：儿童还不在名册上时登记的情形（REPORT_KINDS）。"""
    case = child.cases.filter(status=CaseStatus.ACTIVE).first()
    if case is not None:
        return mandatory_report_create(ctx=ctx, case=case, data=data)
    clean = report_checked(data)
    assert ctx.user is not None
    assert clean.reported_at is not None
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=child.pk).first()  # 同时两份报告只登记一条
        entry = _locked(_report_entry(ctx, child, kind, timezone.localdate(clean.reported_at)))
        change = register_major_change_add(user=ctx.user, entry=entry, kind="mandatory_report",
                                           occurred_at=clean.reported_at, note="")  # fmt: skip
        report = MandatoryReport.objects.create(
            change=change, reporter_kind=clean.reporter_kind, reporter_org=clean.reporter_org,
            reporter_name=clean.reporter_name, reporter_phone=clean.reporter_phone,
            seen_at=clean.seen_at, what_seen=clean.what_seen,
        )  # fmt: skip
        audit_record(ctx=ctx, action=Action.CREATE, object_type=ObjectType.MANDATORY_REPORT,
                     object_id=report.pk,
                     detail={"register_entry": entry.pk, "change": change.pk,
                             "reporter_kind": clean.reporter_kind,
                             "what_seen_chars": len(clean.what_seen)})  # fmt: skip
    return report


def register_risk_confirm(
    *, ctx: RequestContext, entry: RegisterEntry, level: str, reason: str,
    answers: Mapping[str, str] | None = None,
) -> RiskChange:  # fmt: skip
    """经办人员确认名册儿童的风险等级（复核全部未复核的重大变故），此后按它排探访。"""
    text, assessment = confirmation_checked(level, reason, answers)
    assert ctx.user is not None
    with transaction.atomic():
        locked = _locked(entry)
        reviewed = list(entry_open_changes(locked).values_list("pk", flat=True))
        change = _history(locked, ctx.user, RiskChangeKind.CONFIRMED, level, text, assessment)
        entry_open_changes(locked).update(reviewed_at=timezone.now(), reviewed_by=ctx.user)
        locked.risk_level = level
        locked.save(update_fields=["risk_level"])
        entry_plans_set(locked)
        audit_record(ctx=ctx, action=Action.UPDATE, object_type=ObjectType.RISK_CHANGE,
                     object_id=change.pk,
                     detail={"register_entry": locked.pk, "from": change.from_level, "to": level,
                             "reviewed_changes": reviewed, "reason_chars": len(text)})  # fmt: skip
    return change


def report_kind_options() -> list[tuple[str, str]]:
    return [(k, ENTRY_KIND_LABELS[k]) for k in REPORT_KINDS]
