"""写台账：纳入保障（开个案）、终止保障（书面说明理由）、变更类别。

每个操作在同一事务里写审计日志；审计只记编号、代码和字数，不记理由原文（理由可能写到
家庭情况）。个案行加锁后再检查状态，两人同时处理同一个案时只有一个成功。
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from shouhu.core.errors import DomainError, ErrorCode, InvalidInput
from shouhu.core.policy.vocabulary import category_for_log
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.models import (
    Case,
    CaseStatus,
    Category,
    OrphanType,
    Placement,
    RegisterImport,
)
from shouhu.web.cases.plans import plans_set
from shouhu.web.registry.models import Person

REASON_MAX = 2000
ALREADY_ACTIVE = "该儿童已有保障中的个案，不能重复纳入。"
NOT_ACTIVE = "该个案已不在保障中（可能已被他人终止），请刷新后再看。"


def _conflict(message: str) -> DomainError:
    return DomainError(message, code=ErrorCode.CONFLICT)


def check_category(category: str, orphan_type: str) -> None:
    if category not in Category.values:
        raise InvalidInput("保障类别应为“孤儿”或“事实无人抚养儿童”。")
    if orphan_type and (category != Category.ORPHAN or orphan_type not in OrphanType.values):
        raise InvalidInput("孤儿类型只适用于孤儿，应为“散居孤儿”或“集中养育孤儿”。")


def written_reason(text: str, *, what: str = "终止保障") -> str:
    """书面理由：去掉首尾空白后不能为空（bayannur §4(三)：应当书面说明理由）。"""
    reason = text.strip()
    if not reason:
        raise InvalidInput(f"{what}须书面说明理由，请填写。")
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"理由不能超过 {REASON_MAX} 个字。")
    return reason


def case_open(
    *,
    ctx: RequestContext,
    child: Person,
    category: str,
    orphan_type: str = "",
    opened_on: date | None = None,
    note: str = "",
    placement: str = "",
    monthly_amount_fen: int | None = None,
    register_import: RegisterImport | None = None,
    applied_on: date | None = None,
) -> Case:
    """纳入保障：为儿童开一个保障中的个案，区划取儿童户籍地。已有保障中个案时拒绝。

    安置方式、月保障标准、来自哪次台账导入可以不填（比对发现纳入时还不知道）；申请登记之日
    由申请审批（cases.approvals）给出。
    """
    check_category(category, orphan_type)
    if placement and placement not in Placement.values:
        raise InvalidInput("安置方式应为“散居”或“集中”。")
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=child.pk).first()  # 同一儿童依次办理
        if Case.objects.filter(child=child, status=CaseStatus.ACTIVE).exists():
            raise _conflict(ALREADY_ACTIVE)
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    child=child,
                    category=category,
                    orphan_type=orphan_type,
                    division_id=child.division_id,
                    opened_on=opened_on or timezone.localdate(),
                    opened_by=ctx.user,
                    placement=placement,
                    monthly_amount_fen=monthly_amount_fen,
                    register_import=register_import,
                    applied_on=applied_on,
                )
        except IntegrityError:  # 另一个事务刚为同一儿童开了个案（唯一约束兜底）
            raise _conflict(ALREADY_ACTIVE) from None
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.CASE,
            object_id=case.pk,
            detail={
                "child": child.pk,
                "category": category_for_log(category),
                "orphan_type": orphan_type,
                "note_chars": len(note.strip()),
                **({"placement": placement} if placement else {}),
                **({"register_import": register_import.pk} if register_import else {}),
                "superseded": applications_supersede(kind="enrol", child_id=child.pk),
            },
        )
        plans_set(case, today=timezone.localdate())  # 下次核查、探访的到期日
    return case


def applications_supersede(*, kind: str, child_id: int) -> list[int]:
    """这名儿童在办的同类申请（纳入或终止）标为“已另行办理”：个案已经别的途径（比对发现确认、
    台账导入、直接终止）纳入或终止，申请不能再批准，也不该留在谁的待办里。申请审批本身批准时
    也经过这里，随后把自己那份改为“已批准”。返回被标记的申请编号（记入审计）。"""
    from shouhu.web.cases.application_models import OPEN_STAGES, Application, Stage

    pending = Application.objects.filter(child_id=child_id, kind=kind, stage__in=OPEN_STAGES)
    ids = list(pending.values_list("pk", flat=True))
    pending.update(stage=Stage.SUPERSEDED, returned=False)
    return ids


def case_locked(case: Case) -> Case:
    """保障中的个案，行已加锁（在事务里调用）；已终止或不存在时答冲突。"""
    locked = Case.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None or locked.status != CaseStatus.ACTIVE:
        raise _conflict(NOT_ACTIVE)
    return locked


def case_close(
    *,
    ctx: RequestContext,
    case: Case,
    reason_code: str,
    reason: str,
    closed_on: date | None = None,
) -> Case:
    """终止保障（policy §7）：原因代码加书面理由，理由不能为空。"""
    text = written_reason(reason)
    code = reason_code.strip()
    if not code or len(code) > 40:
        raise InvalidInput("请选择终止原因。")
    with transaction.atomic():
        locked = case_locked(case)
        locked.status = CaseStatus.CLOSED
        locked.closed_on = closed_on or timezone.localdate()
        locked.closed_by = ctx.user
        locked.close_reason_code = code
        locked.close_reason = text
        locked.save(
            update_fields=["status", "closed_on", "closed_by", "close_reason_code", "close_reason"]
        )
        audit_record(
            ctx=ctx,
            action=Action.CLOSE,
            object_type=ObjectType.CASE,
            object_id=locked.pk,
            detail={"reason_code": code, "reason_chars": len(text),
                    "superseded": applications_supersede(kind="terminate",
                                                         child_id=locked.child_id)},
        )  # fmt: skip
    return locked


def case_reopen(*, ctx: RequestContext, case: Case, reason: str) -> Case:
    """错误终止的个案重新纳入保障（如模拟运行或错误关联导致的终止）：须书面说明理由；此前的
    终止原样留在个案的重新纳入记录里，审计日志记下日期和原因代码。"""
    text = written_reason(reason, what="重新纳入保障")
    with transaction.atomic():
        locked = Case.objects.select_for_update().filter(pk=case.pk).first()
        if locked is None or locked.status != CaseStatus.CLOSED:
            raise _conflict("该个案不是已终止状态，不能重新纳入。")
        if Case.objects.filter(child_id=locked.child_id, status=CaseStatus.ACTIVE).exists():
            raise _conflict(ALREADY_ACTIVE)
        closure = {
            "closed_on": locked.closed_on.isoformat() if locked.closed_on else "",
            "close_reason_code": locked.close_reason_code,
            "close_reason": locked.close_reason,
            "reopened_on": timezone.localdate().isoformat(),
            "reason": text,
        }
        locked.reopenings = [*locked.reopenings, closure]
        locked.status = CaseStatus.ACTIVE
        locked.closed_on, locked.closed_by = None, None
        locked.close_reason_code, locked.close_reason = "", ""
        locked.save(
            update_fields=["reopenings", "status", "closed_on", "closed_by",
                           "close_reason_code", "close_reason"]
        )  # fmt: skip
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.CASE,
            object_id=locked.pk,
            detail={"reopened": True, "closed_on": closure["closed_on"],
                    "close_reason_code": closure["close_reason_code"], "reason_chars": len(text)},
        )  # fmt: skip
    return locked


def case_change_category(
    *, ctx: RequestContext, case: Case, category: str, orphan_type: str = "", note: str = ""
) -> Case:
    """变更保障类别（如事实无人抚养儿童的父母双亡后成为孤儿），就地修改保障中的个案。

    选择就地修改而不是“终止再新开”：类别变更不是终止保障，不应计入“应退尽退”的终止数，
    也不应让孩子在台账上出现一天的中断；原类别和变更日期记在审计日志里。
    """
    check_category(category, orphan_type)
    with transaction.atomic():
        locked = case_locked(case)
        before = {"category": locked.category, "orphan_type": locked.orphan_type}
        if before == {"category": category, "orphan_type": orphan_type}:
            raise _conflict("个案已是该类别，无需变更。")
        after = {"category": category, "orphan_type": orphan_type}
        change = {"on": timezone.localdate().isoformat(), "from": before, "to": after}
        locked.category, locked.orphan_type = category, orphan_type
        locked.category_changes = [*locked.category_changes, change]
        locked.save(update_fields=["category", "orphan_type", "category_changes"])
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.CASE,
            object_id=locked.pk,
            detail={
                "from": {**before, "category": category_for_log(before["category"])},
                "to": {"category": category_for_log(category), "orphan_type": orphan_type},
                "on": timezone.localdate().isoformat(),
                "note_chars": len(note.strip()),
            },
        )
    return locked
