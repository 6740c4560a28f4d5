"""本人修改密码；演示和测试用的部门、用户也在这里直接建立（密码同样须合规则）。

登录在 `accounts.signin`，动态验证码在 `accounts.second_factor`；系统管理员开设、变更账户走
`accounts.users`（生成临时密码、记审计），部门走 `accounts.agencies`。
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.web.accounts.models import Agency, User
from shouhu.web.accounts.users import password_problems
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.registry.models import Division


def agency_create(*, name: str, agency_type: str, division: Division) -> Agency:
    agency, _ = Agency.objects.get_or_create(
        agency_type=agency_type, division=division, defaults={"name": name}
    )
    return agency


def user_create(
    *,
    username: str,
    password: str,
    role: str,
    division: Division,
    agency: Agency | None,
    full_name: str = "",
) -> User:
    user = User(username=username, role=role, division=division, agency=agency, full_name=full_name)
    problems = password_problems(password, user)
    if problems:
        raise InvalidInput(f"密码不合要求：{problems}")
    user.set_password(password)
    user.save()
    return user


def password_change(
    *, ctx: RequestContext, user: User, current: str, new: str, repeat: str
) -> User:
    """本人修改密码：须输对当前密码，新密码合规则、两次一致、与当前的不同。

    改好后“须修改密码”解除；审计只记这件事，不记密码。本人在别处（别的浏览器、别的电脑）
    的会话随即失效（会话里的认证哈希随密码变了）；调用方须为本会话刷新它
    （`update_session_auth_hash`），否则本人在这里也会被登出。
    """
    if not user.check_password(current):
        raise InvalidInput("当前密码不对。")
    if new != repeat:
        raise InvalidInput("两次输入的新密码不一致。")
    if new == current:
        raise InvalidInput("新密码不能与当前密码相同。")
    problems = password_problems(new, user)
    if problems:
        raise InvalidInput(f"新密码不合要求：{problems}")
    forced = user.must_change_password
    with transaction.atomic():
        user.set_password(new)
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.USER,
            object_id=user.pk,
            detail={"change": "password", "forced": forced},
        )
    return user
