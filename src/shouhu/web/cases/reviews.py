"""定期核查（policy §5）：记录一次核查（日期、结论、说明），并重算下次到期日。

每年核查几次由规则给出（`cases.plans`），到期日按 §5：立案或最近一次核查（较晚者）之后 12/n 个
日历月。结论“建议终止”不直接终止个案：随即提出一份终止申请（cases.applications，乡镇初审、县级审批），
县级批准时书面说明理由终止（services.case_close）。
审计只记编号、结论代码和字数，不记说明原文（可能写到家庭情况）。
"""

from __future__ import annotations

from datetime import date
from typing import Final

from django.db import transaction
from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.models import Case, Review, ReviewOutcome
from shouhu.web.cases.plans import plans_set
from shouhu.web.cases.services import REASON_MAX, case_close, case_locked

# 核查建议终止后，县级经办人员终止保障时可选的原因（policy §7）；“其他”须在理由里写明
CLOSE_REASONS: Final = ("no_qualifying_condition", "aged_out", "adopted", "child_deceased", "other")
NEEDS_NOTE = frozenset({ReviewOutcome.CHANGE_NEEDED, ReviewOutcome.TERMINATION_PROPOSED})


def work_date(value: date | None, *, case: Case, what: str) -> date:
    """个案工作的日期：必填，不晚于今天，不早于纳入保障之日。"""
    if value is None:
        raise InvalidInput(f"请填写{what}（年-月-日）。")
    if value > timezone.localdate():
        raise InvalidInput(f"{what}不能晚于今天。")
    if value < case.opened_on:
        raise InvalidInput(f"{what}不能早于纳入保障之日（{case.opened_on:%Y-%m-%d}）。")
    return value


def _note(text: str, outcome: str) -> str:
    note = text.strip()
    if len(note) > REASON_MAX:
        raise InvalidInput(f"核查说明不能超过 {REASON_MAX} 个字。")
    if outcome in NEEDS_NOTE and not note:
        raise InvalidInput(f"结论为“{ReviewOutcome(outcome).label}”时须写明核查说明。")
    return note


def _propose_termination(ctx: RequestContext, case: Case, review: Review) -> None:
    """核查建议终止：随即提出终止申请（乡镇初审、县级审批），已有在办的就不再提。"""
    from shouhu.web.cases.applications import termination_open, termination_propose

    if not termination_open(case):
        termination_propose(ctx=ctx, case=case, reason_code="", reason=review.note, review=review)


def review_record(
    *, ctx: RequestContext, case: Case, reviewed_on: date | None, outcome: str, note: str
) -> Review:
    """记录一次核查；同一事务里重算下次核查和探访的到期日。"""
    if outcome not in ReviewOutcome.values:
        raise InvalidInput("请选择核查结论：继续保障、需变更或建议终止。")
    text = _note(note, outcome)
    assert ctx.user is not None
    with transaction.atomic():
        locked = case_locked(case)
        day = work_date(reviewed_on, case=locked, what="核查日期")
        review = Review.objects.create(
            case=locked,
            reviewed_on=day,
            outcome=outcome,
            note=text,
            due_on=locked.review_due_on,
            recorded_by=ctx.user,
        )
        plans_set(locked, today=timezone.localdate())
        if outcome == ReviewOutcome.TERMINATION_PROPOSED:
            _propose_termination(ctx, locked, review)
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.REVIEW,
            object_id=review.pk,
            detail={"case": locked.pk, "outcome": outcome, "note_chars": len(text),
                    "next_due": locked.review_due_on.isoformat() if locked.review_due_on else ""},
        )  # fmt: skip
    return review


def case_close_after_review(
    *, ctx: RequestContext, case: Case, reason_code: str, reason: str
) -> Case:
    """终止保障（核查建议终止之后，或经办人员自行发现）：原因须是 CLOSE_REASONS 之一，理由必填。"""
    if reason_code not in CLOSE_REASONS:
        raise InvalidInput("请选择终止原因。")
    return case_close(ctx=ctx, case=case, reason_code=reason_code, reason=reason)
