"""风险等级（policy §6）：结构化的风险评估提出建议，经办人员确认后生效；重大变故使儿童临时
按高风险、24 小时内须走访到位，直到经办人员复核（确认风险等级即复核）。

每次变化（或确认）记一行风险等级变化：谁、何时、为什么、从什么到什么，只增不改。
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from django.db import transaction
from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.core.policy.visits import MAJOR_CHANGE_LABELS, RISK_LABELS, major_change_visit_due
from shouhu.web.accounts.models import User
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.models import Case, MajorChange, RiskChange, RiskChangeKind
from shouhu.web.cases.notices import visit_due_notify
from shouhu.web.cases.plans import open_changes, plans_set, risk_in_effect
from shouhu.web.cases.services import case_locked, written_reason
from shouhu.web.cases.visits import past_moment


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    options: tuple[tuple[str, str, int], ...]  # (代码, 中文, 分值)；分值 3 即为高风险


HIGH: Final = 3  # 一项就到高风险的回答
RISK_QUESTIONS: Final = (
    Question("care", "照料人能否正常照料儿童？",
             (("able", "能", 0), ("strained", "勉强能", 1), ("unable", "不能或无人照料", HIGH))),
    Question("harm", "儿童有无受到伤害、虐待或被忽视的迹象？",
             (("none", "没有", 0), ("suspected", "有疑似迹象", 2), ("seen", "明显有", HIGH))),
    Question("health", "儿童的健康状况？",
             (("good", "良好", 0), ("ill", "患病，需要照顾", 1), ("serious", "重病或重残", 2))),
    Question("school", "儿童上学情况？",
             (("normal", "正常上学或未到学龄", 0), ("irregular", "经常缺课", 1),
              ("dropped", "辍学", 2))),
    Question("family", "近三个月家庭有无变故（照料人患病、离家、入狱等）？",
             (("none", "没有", 0), ("some", "有", 1))),
)  # fmt: skip
KEY_SCORE: Final = 2  # 合计到这个分就是“重点”


def risk_propose(answers: Mapping[str, str]) -> str:
    """风险评估的建议等级：有一项 3 分为高风险，合计 2 分以上为重点，否则一般。回答须齐全。"""
    points = []
    for q in RISK_QUESTIONS:
        chosen = {code: p for code, _, p in q.options}.get(answers.get(q.code, ""))
        if chosen is None:
            raise InvalidInput(f"请回答：{q.text}")
        points.append(chosen)
    if max(points) >= HIGH:
        return "high"
    return "key" if sum(points) >= KEY_SCORE else "general"


def risk_proposal(answers: Mapping[str, str]) -> str:
    """同 risk_propose，回答不全时为空（页面上先不给建议）。"""
    try:
        return risk_propose(answers)
    except InvalidInput:
        return ""


def _history(
    case: Case, user: User, kind: str, to: str, reason: str, assessment: dict[str, object]
) -> None:
    """风险等级历史的一行；“原等级”是此刻实际执行的等级（含临时的高风险）。"""
    RiskChange.objects.create(
        case=case, at=timezone.now(), by=user, kind=kind, from_level=risk_in_effect(case),
        to_level=to, reason=reason, assessment=assessment,
    )  # fmt: skip


def confirmation_checked(
    level: str, reason: str, answers: Mapping[str, str] | None
) -> tuple[str, dict[str, object]]:
    """确认风险等级的输入（个案和名册登记共用）：等级、书面理由、评估的回答和建议。"""
    if level not in RISK_LABELS:
        raise InvalidInput("请选择风险等级：高风险、重点或一般。")
    text = written_reason(reason, what="确认风险等级")
    assessment = {"answers": dict(answers), "proposed": risk_propose(answers)} if answers else {}
    return text, assessment


def risk_confirm(
    *,
    ctx: RequestContext,
    case: Case,
    level: str,
    reason: str,
    answers: Mapping[str, str] | None = None,
) -> RiskChange:
    """经办人员确认风险等级（可依风险评估的建议，也可另定，须写理由）；同时复核全部未复核的
    重大变故——临时的高风险到此结束，按确认的等级排探访。"""
    text, assessment = confirmation_checked(level, reason, answers)
    assert ctx.user is not None
    with transaction.atomic():
        locked = case_locked(case)
        reviewed = list(open_changes(locked).values_list("pk", flat=True))
        _history(locked, ctx.user, RiskChangeKind.CONFIRMED, level, text, assessment)
        open_changes(locked).update(reviewed_at=timezone.now(), reviewed_by=ctx.user)
        locked.risk_level = level
        locked.save(update_fields=["risk_level"])
        plans_set(locked, today=timezone.localdate(), reviews=False)
        change = locked.risk_changes.order_by("-pk").first()
        assert change is not None
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.RISK_CHANGE,
            object_id=change.pk,
            detail={"case": locked.pk, "from": change.from_level, "to": level,
                    "proposed": assessment.get("proposed", ""), "reviewed_changes": reviewed,
                    "reason_chars": len(text)},
        )  # fmt: skip
    return change


def major_change_add(
    *, user: User, case: Case, kind: str, occurred_at: datetime, note: str
) -> MajorChange:
    """在已加锁的个案上记一项重大变故：儿童临时按高风险（记入风险等级历史），24 小时内须走访。
    由 major_change_record 和强制报告共用，审计由调用方记。"""
    if risk_in_effect(case) != "high":  # 先记历史：原等级是变故之前的
        reason = MAJOR_CHANGE_LABELS[kind]
        _history(case, user, RiskChangeKind.MAJOR_CHANGE, "high", reason, {})
    change = MajorChange.objects.create(
        case=case, kind=kind, occurred_at=occurred_at, note=note, recorded_by=user,
        visit_due_at=major_change_visit_due(kind, occurred_at),
    )  # fmt: skip
    plans_set(case, today=timezone.localdate(), reviews=False)
    visit_due_notify(change)
    return change


def change_checked(kind: str, occurred_at: datetime | None, note: str) -> tuple[datetime, str]:
    """报告重大变故的输入（个案和名册登记共用）：哪一种、何时（已发生）、书面说明。"""
    if kind not in MAJOR_CHANGE_LABELS or kind == "mandatory_report":
        raise InvalidInput("请选择发生了哪一种重大变故。")
    return past_moment(occurred_at, what="变故发生的时间"), written_reason(
        note, what="报告重大变故"
    )


def major_change_record(
    *, ctx: RequestContext, case: Case, kind: str, occurred_at: datetime | None, note: str
) -> MajorChange:
    """报告一项重大变故（强制报告另有表单，见 cases.reports）。"""
    occurred, text = change_checked(kind, occurred_at, note)
    assert ctx.user is not None
    with transaction.atomic():
        locked = case_locked(case)
        change = major_change_add(
            user=ctx.user, case=locked, kind=kind, occurred_at=occurred, note=text
        )
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.MAJOR_CHANGE,
            object_id=change.pk,
            detail={"case": locked.pk, "kind": kind, "note_chars": len(text)},
        )
    return change
