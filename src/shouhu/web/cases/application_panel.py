"""儿童页面的“申请和审批”一栏：这名儿童的申请及其审批经过，能否帮助申请、提出终止。"""

from __future__ import annotations

from dataclasses import dataclass

from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.cases.application_models import stage_of
from shouhu.web.cases.application_selectors import ApplicationLine, applications_of_child
from shouhu.web.cases.applications import termination_open
from shouhu.web.cases.models import CaseStatus
from shouhu.web.registry.models import Person


@dataclass(frozen=True)
class ChildApplications:
    child_pk: int
    lines: tuple[ApplicationLine, ...]
    may_apply: bool  # 没有保障中的个案、没有在办的纳入申请，角色能登记
    may_terminate: bool  # 有保障中的个案、没有在办的终止申请，角色能提出
    case_pk: int | None


def applications_for_child(
    *, user: User, child: Person, is_minor: bool
) -> ChildApplications | None:
    """不办理申请的角色（部门用户、领导……）没有这一栏。"""
    if not may(user, Right.RECORD_VISITS) or not stage_of(user):
        return None
    visible = access.applications_visible_to(user)
    lines = applications_of_child(visible, child.pk)
    active = access.cases_visible_to(user).filter(child=child, status=CaseStatus.ACTIVE).first()
    enrolling = any(line.kind == "enrol" and line.open for line in lines)
    return ChildApplications(
        child_pk=child.pk,
        lines=lines,
        may_apply=is_minor and active is None and not enrolling,
        may_terminate=bool(active and may(user, Right.RECORD_REVIEWS)
                           and termination_open(active) is None),
        case_pk=active.pk if active else None,
    )  # fmt: skip
