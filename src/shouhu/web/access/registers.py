"""困境儿童和留守儿童名册：谁能看到登记、谁能登记和结束、谁能记帮扶和探访。

- 看到：辖区子树内的登记（按儿童登记时的区划），个案工作的三个角色（经办、督导员、儿童主任）；
- 登记和结束：县级经办人员、乡镇督导员（sixian §2(一)6、§2(二)7：乡镇核实、向乡镇报告）；
- 帮扶措施和探访：三个角色都能记（儿童主任上门走访）；
- 规则提出的登记：县级经办人员确认或不予登记。

辖区外的登记答 404，辖区内而角色不能做的答 403，两种拒绝都记入审计。
"""

from __future__ import annotations

from typing import Final

from django.db.models import QuerySet

from shouhu.core.errors import PermissionDenied
from shouhu.web.access._gate import acting_user, deny, fetch_or_deny, require
from shouhu.web.access.persons import access_person, subtree
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, Role, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.cases.register_models import RegisterEntry, RegisterProposal
from shouhu.web.registry.models import Person

ENTERERS: Final = frozenset({Role.CASEWORKER, Role.SUPERVISOR})
NOT_FOUND_ENTRY: Final = "未找到该名册登记，或您无权查看。"
NOT_FOUND_PROPOSAL: Final = "未找到该登记建议，或您无权查看。"


def register_entries_visible_to(user: User) -> QuerySet[RegisterEntry]:
    if not may(user, Right.READ_PERSONS):
        return RegisterEntry.objects.none()
    return RegisterEntry.objects.filter(division__path__startswith=subtree(user))


def register_proposals_visible_to(user: User) -> QuerySet[RegisterProposal]:
    """规则提出的登记：县级经办人员办理（其他角色看不到）。"""
    if not may(user, Right.WRITE_CASES):
        return RegisterProposal.objects.none()
    return RegisterProposal.objects.filter(division__path__startswith=subtree(user))


def may_enter_register(user: User) -> bool:
    return user.role in ENTERERS


def access_register_list(ctx: RequestContext) -> QuerySet[RegisterEntry]:
    user = require(ctx, Right.READ_PERSONS, ObjectType.CHILD_REGISTER, "您的角色不能查看儿童名册。")
    return register_entries_visible_to(user)


def access_register_entry(
    ctx: RequestContext, entry_id: object, *, right: Right | None = None
) -> RegisterEntry:
    """辖区内的登记；`right` 给出时角色还须有这项权限（记探访、帮扶：RECORD_VISITS）。"""
    user = acting_user(ctx)
    entry = fetch_or_deny(
        ctx,
        queryset=RegisterEntry.objects.select_related("child", "division", "case"),
        visible=register_entries_visible_to(user),
        pk=entry_id,
        object_type=ObjectType.CHILD_REGISTER,
        message=NOT_FOUND_ENTRY,
    )
    if right is not None and not may(user, right):
        deny(ctx, ObjectType.CHILD_REGISTER, entry.pk, f"role:{right.value}")
        raise PermissionDenied("您的角色不能办理这项名册工作。")
    return entry


def access_register_entry_end(ctx: RequestContext, entry_id: object) -> RegisterEntry:
    """结束登记：辖区内，且是县级经办或乡镇督导员。"""
    entry = access_register_entry(ctx, entry_id)
    if not may_enter_register(acting_user(ctx)):
        deny(ctx, ObjectType.CHILD_REGISTER, entry.pk, "role:register")
        raise PermissionDenied("只有县级经办人员和乡镇督导员能结束名册登记。")
    return entry


def access_register_add(ctx: RequestContext, person_id: object) -> Person:
    """手工登记：辖区内能看到的儿童，且是县级经办或乡镇督导员。"""
    person = access_person(ctx, person_id)
    if not may_enter_register(acting_user(ctx)):
        deny(ctx, ObjectType.PERSON, person.pk, "role:register")
        raise PermissionDenied("只有县级经办人员和乡镇督导员能登记困境儿童和留守儿童。")
    return person


def access_register_proposals(ctx: RequestContext) -> QuerySet[RegisterProposal]:
    """规则提出的待登记：只有县级经办人员办理。"""
    user = require(
        ctx, Right.WRITE_CASES, ObjectType.CHILD_REGISTER, "只有县级经办人员办理规则提出的登记。"
    )
    return register_proposals_visible_to(user)


def access_register_proposal(ctx: RequestContext, proposal_id: object) -> RegisterProposal:
    user = acting_user(ctx)
    return fetch_or_deny(
        ctx,
        queryset=RegisterProposal.objects.select_related("child", "division"),
        visible=register_proposals_visible_to(user),
        pk=proposal_id,
        object_type=ObjectType.CHILD_REGISTER,
        message=NOT_FOUND_PROPOSAL,
    )


def access_child_report(ctx: RequestContext, person_id: object) -> Person:
    """强制报告一名儿童（有没有个案、在不在名册上都行）：能打开这名儿童，且角色能报告。"""
    child = access_person(ctx, person_id)
    if not may(acting_user(ctx), Right.REPORT_CHILD):
        deny(ctx, ObjectType.PERSON, child.pk, f"role:{Right.REPORT_CHILD.value}")
        raise PermissionDenied("您的角色不能填报强制报告。")
    return child
