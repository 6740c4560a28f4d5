"""儿童主任（村、居）和儿童督导员（乡镇、街道）名册：登记、修改、开通账户、离任。

名册上的人不一定有平台账户；有的与账户相连（`RosterMember.user`），账户的角色就是其职务、
辖区就是其负责区域。离任时名册记下离任时间，相连的账户一并停用。审计只记编号和代码，
不记姓名、电话。
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.web.accounts.models import Agency, RosterMember, User
from shouhu.web.accounts.permissions import LEVEL_WORDS, ROSTER_LEVELS, Role
from shouhu.web.accounts.users import IssuedPassword, account_create, account_disable
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.registry.models import Division

# 手机 11 位（1 开头），或固定电话：区号 3–4 位（0 开头）、可带“-”、号码 7–8 位。
PHONE = re.compile(r"1\d{10}|0\d{2,3}-?\d{7,8}")
NAME_MAX = 50


def _checked(duty: str, full_name: str, phone: str, division: Division) -> tuple[str, str]:
    if duty not in {role.value for role in ROSTER_LEVELS}:
        raise InvalidInput("请选择职务：儿童主任或儿童督导员。")
    level = ROSTER_LEVELS[Role(duty)]
    if division.level != level:
        raise InvalidInput(
            f"{Role(duty).label}负责的区域应为{LEVEL_WORDS[level]}一级，{division.name}不是。"
        )
    full_name = " ".join(full_name.split())
    if not full_name or len(full_name) > NAME_MAX:
        raise InvalidInput(f"请填写真实姓名（不超过 {NAME_MAX} 个字）。")
    phone = phone.strip().replace(" ", "")
    if phone and not PHONE.fullmatch(phone):
        raise InvalidInput("联系电话应为 11 位手机号，或带区号的固定电话（如 0478-1234567）。")
    return full_name, phone


def roster_add(
    *,
    ctx: RequestContext,
    duty: str,
    full_name: str,
    phone: str,
    division: Division,
    actor: str = "",
) -> RosterMember:
    full_name, phone = _checked(duty, full_name, phone, division)
    with transaction.atomic():
        member = RosterMember.objects.create(
            duty=duty, full_name=full_name, phone=phone, division=division
        )
        _audit(ctx, Action.CREATE, member, actor, duty=duty, division=division.code)
    return member


def roster_update(
    *,
    ctx: RequestContext,
    member: RosterMember,
    full_name: str,
    phone: str,
    division: Division,
    actor: str = "",
) -> RosterMember:
    """改姓名、电话或负责区域；相连的账户不随之改辖区（由管理员在账户页另改，并记审计）。"""
    _open(member)
    full_name, phone = _checked(member.duty, full_name, phone, division)
    moved = division.code != member.division_id
    if not moved and (full_name, phone) == (member.full_name, member.phone):
        return member
    with transaction.atomic():
        member.full_name, member.phone, member.division = full_name, phone, division
        member.save(update_fields=["full_name", "phone", "division"])
        _audit(ctx, Action.UPDATE, member, actor, division=division.code, moved=moved)
    return member


def roster_link(
    *, ctx: RequestContext, member: RosterMember, user: User, actor: str = ""
) -> RosterMember:
    """把名册上的人与一个已有账户相连：账户的角色须是其职务，辖区须是其负责区域。"""
    _open(member)
    if user.role != member.duty or user.division_id != member.division_id:
        raise InvalidInput(
            f"该账户的角色或辖区与名册不符：应为{Role(member.duty).label}，"
            f"辖区{member.division.name}。"
        )
    if RosterMember.objects.filter(user=user).exclude(pk=member.pk).exists():
        raise InvalidInput("该账户已与名册上的另一人相连。")
    with transaction.atomic():
        member.user = user
        member.save(update_fields=["user"])
        _audit(ctx, Action.UPDATE, member, actor, linked_user=user.pk)
    return member


def roster_account_create(
    *,
    ctx: RequestContext,
    member: RosterMember,
    username: str,
    agency: Agency | None,
    actor: str = "",
) -> IssuedPassword:
    """为名册上的人开通账户（角色即职务，辖区即负责区域），生成临时密码，并相连。"""
    _open(member)
    if member.user_id is not None:
        raise InvalidInput("此人已有平台账户。如忘记密码，请在账户页重置。")
    with transaction.atomic():
        issued = account_create(
            ctx=ctx,
            username=username,
            full_name=member.full_name,
            role=member.duty,
            division=member.division,
            agency=agency,
            actor=actor,
        )
        member.user = issued.user
        member.save(update_fields=["user"])
        _audit(ctx, Action.UPDATE, member, actor, linked_user=issued.user.pk)
    return issued


def roster_close(*, ctx: RequestContext, member: RosterMember, actor: str = "") -> RosterMember:
    """离任：名册保留此人并记下离任时间；相连的账户停用。"""
    if member.left_at is not None:
        return member
    with transaction.atomic():
        member.left_at = timezone.now()
        member.save(update_fields=["left_at"])
        _audit(ctx, Action.CLOSE, member, actor)
        if member.user is not None:
            account_disable(ctx=ctx, user=member.user, actor=actor)
    return member


def _open(member: RosterMember) -> None:
    if member.left_at is not None:
        raise InvalidInput("此人已离任，名册记录不再修改。")


def _audit(
    ctx: RequestContext, action: str, member: RosterMember, actor: str, **detail: object
) -> None:
    audit_record(
        ctx=ctx,
        action=action,
        object_type=ObjectType.ROSTER_MEMBER,
        object_id=member.pk,
        detail=detail,
        actor_username=actor,
    )
