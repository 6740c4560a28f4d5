"""申请和审批（bayannur §5(三) 主动帮助申请；weifang §4 乡镇受理初审）：纳入保障和终止保障
走同一条链——村（居）登记 → 乡镇（街道）初审 → 县级民政审批。

谁在哪一环节办理由角色定：儿童主任（及帮助申请的督导员）在村（居），督导员在乡镇，县级经办
人员在县级；谁登记，申请就从谁的环节开始。每一环节可以报上一级，或写明理由退回上一环节
（只能退回这份申请到过的环节）。县级批准纳入时经 `services.case_open` 开个案（与比对发现纳入
同一条路），批准终止时经 `reviews.case_close_after_review` 终止（书面说明理由）并生成终止
保障告知书。申请行加锁后再看环节，两人同时办理同一份只有一个成功，批准只生效一次。

审计只记编号、代码和字数，不记陈述和理由原文（可能写到家庭情况）。
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from django.db import IntegrityError, transaction
from django.utils import timezone

from shouhu.core.errors import DomainError, ErrorCode, InvalidInput
from shouhu.core.policy.vocabulary import (
    CHILD_FIELDS,
    PARENT_FIELDS,
    SUBJECTS,
    category_for_log,
)
from shouhu.web.accounts.models import User
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.application_models import (
    OPEN_STAGES,
    Application,
    ApplicationKind,
    ApplicationStep,
    Decision,
    Stage,
    may_act,
    stage_of,
)
from shouhu.web.cases.models import Case, CaseStatus, Review
from shouhu.web.cases.services import REASON_MAX, check_category, written_reason
from shouhu.web.registry.models import Person

NEXT: Final = MappingProxyType({Stage.VILLAGE: Stage.TOWNSHIP, Stage.TOWNSHIP: Stage.COUNTY})
NOT_YOUR_STEP = "这份申请现在不在您办理的环节（可能已被他人办理），请刷新后再看。"


def conflict(message: str) -> DomainError:
    return DomainError(message, code=ErrorCode.CONFLICT)


@dataclass(frozen=True)
class EnrolInput:
    """申请纳入保障填写的内容（主动帮助申请）。"""

    category: str
    orphan_type: str = ""
    claimed: tuple[tuple[str, str], ...] = ()  # ((主体, 事实类型), …)
    statement: str = ""
    carer_name: str = ""
    carer_id_number: str = ""
    carer_relation: str = ""
    carer_phone: str = ""


def step_record(ctx: RequestContext, app: Application, decision: str, reason: str = "") -> None:
    assert ctx.user is not None
    ApplicationStep.objects.create(application=app, stage=app.stage, decision=decision,
                                   reason=reason, by=ctx.user, at=timezone.now())  # fmt: skip


def application_audit(ctx: RequestContext, app: Application, action: str, **detail: object) -> None:
    audit_record(ctx=ctx, action=action, object_type=ObjectType.APPLICATION, object_id=app.pk,
                 detail={"kind": app.kind, "stage": app.stage, **detail})  # fmt: skip


def _claimed(pairs: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    """所依据的情形：父母的重残、服刑在押、失联……，儿童本人的查找不到生父母等；至少一项。"""
    if not pairs:
        raise InvalidInput("请至少选择一项申请所依据的情形（如父亲服刑在押、母亲失联）。")
    claimed = []
    for subject, fact_type in dict.fromkeys(pairs):
        allowed = CHILD_FIELDS if subject == "child" else PARENT_FIELDS
        if subject not in SUBJECTS or fact_type not in allowed:
            raise InvalidInput("申请所依据的情形不在可选范围内，请重新选择。")
        claimed.append({"subject": subject, "type": fact_type})
    return claimed


def bounded_text(value: str, *, what: str, limit: int) -> str:
    text = value.strip()
    if len(text) > limit:
        raise InvalidInput(f"{what}不能超过 {limit} 个字。")
    return text


def _opening_stage(ctx: RequestContext) -> str:
    assert ctx.user is not None
    stage = stage_of(ctx.user)
    if not stage:
        raise conflict("您的角色不能登记申请。")
    return stage


def _create(ctx: RequestContext, **fields: object) -> Application:
    """新建一份申请并记下“登记”一步；同一儿童同一类申请在办的只能有一份。"""
    assert ctx.user is not None
    stage = _opening_stage(ctx)
    try:
        with transaction.atomic():
            app = Application.objects.create(stage=stage, created_by=ctx.user, **fields)
    except IntegrityError:
        raise conflict("该儿童已有一份同类申请正在办理，请在那份申请上继续。") from None
    step_record(ctx, app, Decision.REGISTER)
    return app


def application_create(*, ctx: RequestContext, child: Person, data: EnrolInput) -> Application:
    """登记一份纳入保障的申请（主动帮助申请），从登记人的环节开始。"""
    check_category(data.category, data.orphan_type)
    claimed = _claimed(data.claimed)
    if not data.carer_name.strip():
        raise InvalidInput("请填写监护人或照料人姓名。")
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=child.pk).first()
        if Case.objects.filter(child=child, status=CaseStatus.ACTIVE).exists():
            raise conflict("该儿童已有保障中的个案，不需要再申请纳入。")
        app = _create(
            ctx, kind=ApplicationKind.ENROL, child=child, division_id=child.division_id,
            category=data.category, orphan_type=data.orphan_type, claimed=claimed,
            statement=bounded_text(data.statement, what="情况说明", limit=REASON_MAX),
            carer_name=bounded_text(data.carer_name, what="监护人姓名", limit=50),
            carer_id_number=bounded_text(data.carer_id_number, what="身份证号", limit=18).upper(),
            carer_relation=bounded_text(data.carer_relation, what="与儿童关系", limit=20),
            carer_phone=bounded_text(data.carer_phone, what="联系电话", limit=30),
        )  # fmt: skip
        application_audit(ctx, app, Action.CREATE, child=child.pk,
                          category=category_for_log(data.category),
                          claimed=[c["type"] for c in claimed])  # fmt: skip
    return app


def termination_propose(
    *,
    ctx: RequestContext,
    case: Case,
    reason_code: str,
    reason: str,
    review: Review | None = None,
) -> Application:
    """提出终止保障：核查结论“建议终止”时随核查提出（原因由县级批准时选定），或写明原因和
    理由手工提出。"""
    from shouhu.web.cases.reviews import CLOSE_REASONS

    if reason_code not in CLOSE_REASONS and not (review and not reason_code):
        raise InvalidInput("请选择终止原因。")
    text = written_reason(reason, what="提出终止保障")
    with transaction.atomic():
        if case.status != CaseStatus.ACTIVE:
            raise conflict("该个案已不在保障中。")
        app = _create(
            ctx, kind=ApplicationKind.TERMINATE, child_id=case.child_id,
            division_id=case.division_id, case=case, reason_code=reason_code, reason=text,
            review=review,
        )  # fmt: skip
        application_audit(ctx, app, Action.CREATE, case=case.pk, reason_code=reason_code,
               reason_chars=len(text), review=review.pk if review else None)  # fmt: skip
    return app


def termination_open(case: Case) -> Application | None:
    """这个个案在办的终止申请（没有时为 None）。"""
    pending = Application.objects.filter(case=case, kind=ApplicationKind.TERMINATE)
    return pending.filter(stage__in=OPEN_STAGES).first()


def application_locked(app: Application, user: User) -> Application:
    """在办的申请，行已加锁，且正在这名用户办理的环节；否则答冲突（在事务里调用）。"""
    locked = Application.objects.select_for_update().filter(pk=app.pk).first()
    if locked is None or locked.stage not in OPEN_STAGES or not may_act(user, locked.stage):
        raise conflict(NOT_YOUR_STEP)
    return locked


def application_pass(*, ctx: RequestContext, application: Application, note: str = "") -> None:
    """本环节办完，报上一级（村→乡镇，乡镇→县级）。县级不报送，批准。"""
    assert ctx.user is not None
    text = bounded_text(note, what="意见", limit=REASON_MAX)
    with transaction.atomic():
        app = application_locked(application, ctx.user)
        if app.stage not in NEXT:
            raise conflict("县级环节请批准或退回。")
        step_record(ctx, app, Decision.PASS, text)
        app.stage, app.returned = NEXT[app.stage], False
        app.save(update_fields=["stage", "returned"])
        application_audit(ctx, app, Action.UPDATE, decision=Decision.PASS, note_chars=len(text))


def may_withdraw(app: Application, user: User) -> bool:
    """在办的申请可以撤回：登记它的人，或正在办理这一环节的人（替申请人办理）。"""
    return app.stage in OPEN_STAGES and (app.created_by_id == user.pk or may_act(user, app.stage))


def application_withdraw(*, ctx: RequestContext, application: Application, reason: str) -> None:
    """撤回在办的申请（家庭不再申请，或提出终止的一方收回），须写明理由；撤回后不再办理，
    以后可以重新登记。"""
    assert ctx.user is not None
    text = written_reason(reason, what="撤回申请")
    with transaction.atomic():
        app = Application.objects.select_for_update().filter(pk=application.pk).first()
        if app is None or not may_withdraw(app, ctx.user):
            raise conflict("这份申请已办结，或不由您办理，不能撤回。")
        step_record(ctx, app, Decision.WITHDRAW, text)
        app.stage, app.returned, app.decided_at = Stage.WITHDRAWN, False, timezone.now()
        app.save(update_fields=["stage", "returned", "decided_at"])
        application_audit(ctx, app, Action.UPDATE, decision=Decision.WITHDRAW,
                          reason_chars=len(text))  # fmt: skip


def return_target(app: Application) -> str:
    """退回到哪一环节：这份申请到过的、在本环节之前的最近一个环节；没有时为空。"""
    if app.stage not in OPEN_STAGES:
        return ""
    order = list(OPEN_STAGES)
    visited = set(app.steps.values_list("stage", flat=True))
    earlier = [s for s in order[: order.index(app.stage)] if s in visited]
    return earlier[-1] if earlier else ""


def _previous(app: Application) -> str:
    back = return_target(app)
    if not back:
        raise conflict("这份申请是在本环节登记的，没有上一环节可以退回。")
    return back


def application_return(*, ctx: RequestContext, application: Application, reason: str) -> None:
    """退回上一环节，须写明理由；退回的申请回到那一环节办理人的待办。"""
    assert ctx.user is not None
    text = written_reason(reason, what="退回申请")
    with transaction.atomic():
        app = application_locked(application, ctx.user)
        back = _previous(app)
        step_record(ctx, app, Decision.RETURN, text)
        app.stage, app.returned = back, True
        app.save(update_fields=["stage", "returned"])
        application_audit(
            ctx, app, Action.UPDATE, decision=Decision.RETURN, to=back, reason_chars=len(text)
        )
