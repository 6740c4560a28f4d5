"""Signing in, with lockout after repeated failures; users and agencies are created here too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from shouhu.web.accounts.models import Agency, User
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
