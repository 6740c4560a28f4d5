"""登录（连续失败后锁定）、本人修改密码；演示和测试用的部门、用户也在这里直接建立。

系统管理员开设、变更账户走 `accounts.users`（生成临时密码、记审计），部门走 `accounts.agencies`。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.web.accounts.models import Agency, User
from shouhu.web.accounts.users import password_problems
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.registry.models import Division


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    message: str = ""


BAD_CREDENTIALS = "用户名或密码错误。"


def login_attempt(*, ctx: RequestContext, username: str, password: str) -> LoginOutcome:
    """Check credentials; count failures; lock the account for a while after too many."""
    user = User.objects.filter(username=username).select_related("agency", "division").first()
    now = timezone.now()
    if user is not None and user.locked_until and user.locked_until > now:
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        _audit(ctx, user, Action.LOGIN_FAILED, username, {"why": "locked"})
        return LoginOutcome(None, f"登录失败次数过多，账户已锁定，请 {minutes} 分钟后再试。")
    authenticated = authenticate(username=username, password=password)
    if authenticated is None:
        return _login_failed(ctx, user, username)
    with transaction.atomic():
        User.objects.filter(pk=authenticated.pk).update(failed_logins=0, locked_until=None)
        _audit(ctx, authenticated, Action.LOGIN, username, {})
    return LoginOutcome(authenticated)  # type: ignore[arg-type]


def _login_failed(ctx: RequestContext, user: User | None, username: str) -> LoginOutcome:
    if user is None:
        _audit(ctx, None, Action.LOGIN_FAILED, username, {"why": "unknown_user"})
        return LoginOutcome(None, BAD_CREDENTIALS)
    with transaction.atomic():
        user.failed_logins += 1
        fields = ["failed_logins"]
        locked = user.failed_logins >= settings.LOGIN_FAILURE_LIMIT
        if locked:
            user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            user.failed_logins = 0
            fields.append("locked_until")
        user.save(update_fields=fields)
        _audit(ctx, user, Action.LOCKOUT if locked else Action.LOGIN_FAILED, username, {})
    if locked:
        return LoginOutcome(
            None, f"登录失败次数过多，账户已锁定 {settings.LOGIN_LOCKOUT_MINUTES} 分钟。"
        )
    return LoginOutcome(None, BAD_CREDENTIALS)


def _audit(
    ctx: RequestContext, user: User | None, action: str, username: str, detail: dict[str, str]
) -> None:
    # The actor of a failed sign-in is who was named, not who is signed in (nobody yet).
    audit_record(
        ctx=RequestContext(user=user, client_ip=ctx.client_ip, purpose=ctx.purpose),
        action=action,
        object_type=ObjectType.USER,
        object_id=user.pk if user else "",
        detail=detail,
        actor_username=username,
    )


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
    user.set_password(password)
    user.save()
    return user


def password_change(
    *, ctx: RequestContext, user: User, current: str, new: str, repeat: str
) -> User:
    """本人修改密码：须输对当前密码，新密码合规则、两次一致、与当前的不同。

    改好后“须修改密码”解除；审计只记这件事，不记密码。调用方须随即刷新会话的认证哈希
    （`update_session_auth_hash`），否则本人会被登出。
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
