"""困境儿童和留守儿童名册的办理：规则提出、登记、结束、帮扶措施、名册儿童的探访。

规则提出（`register_proposals_refresh`，随每日的个案排期任务运行）：未满 18 周岁、有重残、重病、
低保等事实的儿童，按今天的事实认定，§8 标签（`core.registers.kinds_from_labels`）给出名册上
还没有的登记类型时，提出一条建议；经办人员登记（理由为规则标签）或写明理由不予登记，同样的
标签不再提出。手工登记：受监护人侵害、流浪、突发事件、留守（写明父母去向和委托照护人）。

探访：儿童有保障中的个案时在个案上记（`visits.visit_record`）；没有个案的，记在登记上，
下次探访按“一般”对象每季度（sixian §2(一)6）。审计只记编号、代码和字数，不记理由原文。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from shouhu.core.errors import InvalidInput, PermissionDenied
from shouhu.core.policy.dates import adult_cutoff
from shouhu.core.policy.visits import next_visit_due
from shouhu.core.policy.vocabulary import (
    SENSITIVE_CASE_CATEGORIES,
    SUPPORT_LABEL_NAMES,
    category_for_log,
)
from shouhu.core.registers import (
    END_REASONS,
    ENTRY_KIND_LABELS,
    ENTRY_KINDS,
    KIND_REGISTER,
    LABEL_KINDS,
    PARENT_WHEREABOUTS,
    REGISTER_VISIT_RISK,
    SUPPORT_MEASURES,
    kinds_from_labels,
)
from shouhu.web.access.disclosure import categories_shown, disclosure_for
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.models import Case, CaseStatus, Visit
from shouhu.web.cases.register_models import RegisterEntry, RegisterProposal, SupportMeasure
from shouhu.web.cases.register_risk import entry_open_changes, entry_plans_set
from shouhu.web.cases.services import REASON_MAX
from shouhu.web.cases.visits import VisitInput, checks_parse, form_text, past_moment, visit_record
from shouhu.web.determination.selectors import determination_get
from shouhu.web.exchange.models import Fact
from shouhu.web.registry.models import Person

ENDED = "该登记已经结束。"
SYSTEM = RequestContext(user=None, client_ip="system", purpose=Purpose.CASE_WORK)


@dataclass(frozen=True)
class EntryInput:
    kind: str
    reason: str
    started_on: date | None
    father_whereabouts: str = ""
    mother_whereabouts: str = ""
    carer_name: str = ""
    carer_relation: str = ""
    carer_phone: str = ""


def _audit(ctx: RequestContext, action: str, pk: int, detail: dict[str, object]) -> None:
    audit_record(ctx=ctx, action=action, object_type=ObjectType.CHILD_REGISTER, object_id=pk,
                 detail=detail)  # fmt: skip


def _day(value: date | None, *, what: str, not_before: date | None = None) -> date:
    if value is None:
        raise InvalidInput(f"请填写{what}（年-月-日）。")
    if value > timezone.localdate():
        raise InvalidInput(f"{what}不能晚于今天。")
    if not_before is not None and value < not_before:
        raise InvalidInput(f"{what}不能早于登记日期（{not_before:%Y-%m-%d}）。")
    return value


def _active_case(child: Person) -> Case | None:
    return child.cases.filter(status=CaseStatus.ACTIVE).first()


def entry_new(
    ctx: RequestContext, child: Person, data: EntryInput, **more: object
) -> RegisterEntry:
    """在事务里新建一条登记；同一类型已在名册上的答“已登记”。"""
    assert ctx.user is not None
    case = _active_case(child)
    day = data.started_on or timezone.localdate()
    visit_due = None if case else next_visit_due(risk=REGISTER_VISIT_RISK, opened=day,
                                                 last_visit=None)  # fmt: skip
    try:
        with transaction.atomic():
            return RegisterEntry.objects.create(
                child=child, division=child.division, register=KIND_REGISTER[data.kind],
                kind=data.kind, reason=data.reason, case=case, started_on=day,
                entered_by=ctx.user, visit_due_on=visit_due,
                father_whereabouts=data.father_whereabouts,
                mother_whereabouts=data.mother_whereabouts, carer_name=data.carer_name,
                carer_relation=data.carer_relation, carer_phone=data.carer_phone, **more,
            )  # fmt: skip
    except IntegrityError:
        label = ENTRY_KIND_LABELS[data.kind]
        raise InvalidInput(f"该儿童已在名册上登记为“{label}”。") from None


# ------------------------------------------------------------------------------ 手工登记


def _left_behind(data: EntryInput) -> None:
    for value, who in ((data.father_whereabouts, "父亲"), (data.mother_whereabouts, "母亲")):
        if value not in PARENT_WHEREABOUTS:
            raise InvalidInput(f"请选择{who}的去向。")
    form_text(data.carer_name, what="委托照护人姓名", limit=50)
    form_text(data.carer_relation, what="委托照护人与儿童的关系", limit=20)
    form_text(data.carer_phone, what="委托照护人电话", limit=30, required=False)


def _hand_input(data: EntryInput) -> EntryInput:
    if data.kind not in ENTRY_KINDS:
        raise InvalidInput("请选择登记类型。")
    reason = form_text(data.reason, what="登记理由", limit=REASON_MAX)
    day = _day(data.started_on, what="登记日期")
    if data.kind == "left_behind":
        _left_behind(data)
        return EntryInput(data.kind, reason, day, data.father_whereabouts,
                          data.mother_whereabouts, data.carer_name.strip(),
                          data.carer_relation.strip(), data.carer_phone.strip())  # fmt: skip
    return EntryInput(data.kind, reason, day)


def register_entry_create(*, ctx: RequestContext, child: Person, data: EntryInput) -> RegisterEntry:
    """手工登记一名儿童（任何类型；规则能算出的类型也可以先手工登记，规则就不再提出）。看不到
    感染情况的人不能登记感染儿童（登记了自己也看不到类型，审计里也只记“敏感类别”）。"""
    clean = _hand_input(data)
    assert ctx.user is not None
    if clean.kind in SENSITIVE_CASE_CATEGORIES and not categories_shown(disclosure_for(ctx.user)):
        raise PermissionDenied("这一登记类型只能由县级民政经办人员登记。")
    with transaction.atomic():
        entry = entry_new(ctx, child, clean)
        _audit(ctx, Action.CREATE, entry.pk,
               {"child": child.pk, "kind": category_for_log(clean.kind), "source": "hand",
                "reason_chars": len(clean.reason), "case": entry.case_id})  # fmt: skip
    return entry


def register_entry_end(
    *, ctx: RequestContext, entry: RegisterEntry, reason_code: str, reason: str,
    ended_on: date | None,
) -> RegisterEntry:  # fmt: skip
    """结束一条登记：原因和书面理由必填；结束后不再排探访。"""
    if reason_code not in END_REASONS:
        raise InvalidInput("请选择结束原因。")
    text = form_text(reason, what="结束理由", limit=REASON_MAX)
    assert ctx.user is not None
    with transaction.atomic():
        locked = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.ended_on is not None:
            raise InvalidInput(ENDED)
        locked.ended_on = _day(ended_on, what="结束日期", not_before=locked.started_on)
        locked.end_reason_code, locked.end_reason = reason_code, text
        locked.ended_by, locked.visit_due_on = ctx.user, None
        locked.save(update_fields=["ended_on", "end_reason_code", "end_reason", "ended_by",
                                   "visit_due_on"])  # fmt: skip
        _audit(ctx, Action.UPDATE, locked.pk,
               {"ended": reason_code, "reason_chars": len(text)})  # fmt: skip
    return locked


def support_measure_record(
    *, ctx: RequestContext, entry: RegisterEntry, kind: str, on: date | None, note: str
) -> SupportMeasure:
    """记一项帮扶措施（类型、日期、说明；谁记的由登录的人定）。"""
    if kind not in SUPPORT_MEASURES:
        raise InvalidInput("请选择帮扶措施的类型。")
    text = form_text(note, what="措施说明", limit=REASON_MAX, required=kind == "other")
    if entry.ended_on is not None:
        raise InvalidInput(ENDED)
    day = _day(on, what="措施日期", not_before=entry.started_on)
    assert ctx.user is not None
    with transaction.atomic():
        measure = SupportMeasure.objects.create(entry=entry, kind=kind, on=day, note=text,
                                                recorded_by=ctx.user)  # fmt: skip
        _audit(ctx, Action.UPDATE, entry.pk,
               {"measure": measure.pk, "kind": kind, "note_chars": len(text)})  # fmt: skip
    return measure


def register_visit_record(*, ctx: RequestContext, entry: RegisterEntry, data: VisitInput) -> Visit:
    """名册儿童的一次探访：有个案的记在个案上；没有的记在登记上，重算下次（每季度）到期日。"""
    if entry.ended_on is not None:
        raise InvalidInput(ENDED)
    if entry.case is not None and entry.case.status == CaseStatus.ACTIVE:
        return visit_record(ctx=ctx, case=entry.case, data=data)
    place = form_text(data.place, what="探访地点", limit=100)
    seen = form_text(data.seen, what="见到的人", limit=200)
    notes = form_text(data.notes, what="探访记录", limit=REASON_MAX, required=False)
    checks = checks_parse(data.checks)
    at = past_moment(data.visited_at, what="探访时间")
    if timezone.localdate(at) < entry.started_on:
        raise InvalidInput(f"探访时间不能早于登记日期（{entry.started_on:%Y-%m-%d}）。")
    ref = form_text(data.client_ref, what="离线应用编号", limit=64, required=False)
    assert ctx.user is not None
    with transaction.atomic():
        locked = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
        earlier = locked.visits.filter(client_ref=ref).first() if ref else None
        if earlier is not None:
            return earlier  # 离线应用重复上传同一次探访
        visit = Visit.objects.create(entry=locked, visited_at=at, place=place, seen=seen,
                                     checks=checks, notes=notes, client_ref=ref,
                                     recorded_by=ctx.user)  # fmt: skip
        # 回应此前未走访的重大变故（强制报告）；下次探访按现在执行的风险等级
        answered = list(entry_open_changes(locked).filter(visit__isnull=True, occurred_at__lte=at)
                        .values_list("pk", flat=True))  # fmt: skip
        locked.major_changes.filter(pk__in=answered).update(visit=visit)
        entry_plans_set(locked)
        assert locked.visit_due_on is not None
        audit_record(ctx=ctx, action=Action.CREATE, object_type=ObjectType.VISIT,
                     object_id=visit.pk,
                     detail={"register_entry": locked.pk, "notes_chars": len(notes),
                             "answered_changes": answered,
                             "concerns": [c for c, v in checks.items() if v["status"] != "ok"],
                             "next_due": locked.visit_due_on.isoformat()})  # fmt: skip
    return visit


# ------------------------------------------------------------------------------ 规则提出


def _label_text(labels: list[str]) -> str:
    return "、".join(SUPPORT_LABEL_NAMES[label] for label in labels)


def register_proposal_accept(
    *, ctx: RequestContext, proposal: RegisterProposal
) -> list[RegisterEntry]:
    """登记规则提出的儿童：每个提出的类型一条登记，理由为规则标签。"""
    assert ctx.user is not None
    with transaction.atomic():
        locked = RegisterProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != "open":
            raise InvalidInput("这条建议已经办理过了。")
        open_kinds = set(locked.child.register_entries.filter(ended_on__isnull=True)
                         .values_list("kind", flat=True))  # fmt: skip
        reason = f"认定规则标签：{_label_text(locked.labels)}"
        today = timezone.localdate()
        entries = [entry_new(ctx, locked.child, EntryInput(kind, reason, today), proposal=locked)
                   for kind in locked.kinds if kind not in open_kinds]  # fmt: skip
        locked.status, locked.decided_by, locked.decided_at = "accepted", ctx.user, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        _audit(ctx, Action.CREATE, locked.pk,
               {"proposal": locked.pk, "accepted": [e.pk for e in entries]})  # fmt: skip
    return entries


def register_proposal_dismiss(
    *, ctx: RequestContext, proposal: RegisterProposal, reason: str
) -> RegisterProposal:
    text = form_text(reason, what="不予登记的理由", limit=REASON_MAX)
    assert ctx.user is not None
    with transaction.atomic():
        locked = RegisterProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != "open":
            raise InvalidInput("这条建议已经办理过了。")
        locked.status, locked.dismiss_reason = "dismissed", text
        locked.decided_by, locked.decided_at = ctx.user, timezone.now()
        locked.save(update_fields=["status", "dismiss_reason", "decided_by", "decided_at"])
        _audit(ctx, Action.UPDATE, locked.pk,
               {"proposal": locked.pk, "dismissed": True, "reason_chars": len(text)})  # fmt: skip
    return locked


def _candidates(today: date) -> list[Person]:
    """有规则能提出类型的事实的未成年人（只是缩小范围，是否提出由认定的标签定）。"""
    with_facts = Fact.objects.filter(is_current=True, type__in=tuple(LABEL_KINDS)).values(
        "person_id"
    )
    return list(
        Person.objects.filter(pk__in=with_facts, merged_into__isnull=True,
                              birth_date__gt=adult_cutoff(today)).select_related("division")
    )  # fmt: skip


def _propose(child: Person, today: date) -> bool:
    labels = sorted(determination_get(child=child, as_of=today).assessment.labels)
    # 已在名册上的类型，和保障个案的类别（艾滋病病毒感染儿童按个案领补贴时不再提出）
    entered = set(
        child.register_entries.filter(ended_on__isnull=True).values_list("kind", flat=True)
    )
    entered |= set(child.cases.filter(status=CaseStatus.ACTIVE).values_list("category", flat=True))
    kinds = [k for k in kinds_from_labels(labels) if k not in entered]
    earlier = RegisterProposal.objects.filter(child=child).order_by("-pk").first()
    if not kinds and earlier is not None and earlier.status == "open":
        _withdraw(earlier, labels)
        return False
    same = earlier is not None and earlier.labels == labels and earlier.kinds == kinds
    if not kinds or (same and earlier is not None and earlier.status != "withdrawn"):
        return False  # 撤下的建议不算办理过：标签回来就再提出
    if earlier is not None and earlier.status == "open":
        earlier.labels, earlier.kinds = labels, kinds
        earlier.save(update_fields=["labels", "kinds"])
    else:
        RegisterProposal.objects.create(child=child, division=child.division, labels=labels,
                                        kinds=kinds)  # fmt: skip
    return True


def _withdraw(proposal: RegisterProposal, labels: list[str]) -> None:
    """规则不再提出（标签没了：低保停发、病愈、年满 18 周岁，或已另行登记、纳入保障）：建议撤下，
    离开经办人员的待办；审计记下撤下时的标签（只有代码）。"""
    proposal.status, proposal.decided_at = "withdrawn", timezone.now()
    proposal.save(update_fields=["status", "decided_at"])
    audit_record(ctx=SYSTEM, action=Action.UPDATE, object_type=ObjectType.CHILD_REGISTER,
                 object_id=proposal.pk,
                 detail={"proposal": proposal.pk, "withdrawn": True, "labels": labels})  # fmt: skip


def register_schedules_refresh(*, today: date | None = None) -> int:
    """每日：个案已终止的名册儿童（登记还在）改由登记排探访，从终止之日或最近一次探访起每季度。"""
    day = today or timezone.localdate()
    orphaned = RegisterEntry.objects.filter(
        ended_on__isnull=True, visit_due_on__isnull=True, case__status=CaseStatus.CLOSED
    ).select_related("case")
    count = 0
    for entry in orphaned:
        assert entry.case is not None
        since = max(entry.started_on, entry.case.closed_on or day)
        last = entry.visits.aggregate(last=Max("visited_at"))["last"]
        last_day = timezone.localdate(last) if last else None
        entry.visit_due_on = next_visit_due(risk=REGISTER_VISIT_RISK, opened=since,
                                            last_visit=last_day)  # fmt: skip
        entry.save(update_fields=["visit_due_on"])
        count += 1
    return count


def register_proposals_refresh(*, today: date | None = None) -> dict[str, int]:
    """每日：按今天的事实提出名册登记（随 cases.plans 的每日任务运行）。"""
    day = today or timezone.localdate()
    children = _candidates(day)
    # 待确认的建议，儿童已不在候选之中（事实结束、年满 18 周岁）的也要重新看一遍，好撤下
    waiting = RegisterProposal.objects.filter(status="open").exclude(
        child__in=[c.pk for c in children]
    )
    children += [p.child for p in waiting.select_related("child__division")]
    proposed = 0
    for child in children:
        with transaction.atomic():
            proposed += _propose(child, day)
    return {"children": len(children), "proposed": proposed,
            "rescheduled": register_schedules_refresh(today=day)}  # fmt: skip
