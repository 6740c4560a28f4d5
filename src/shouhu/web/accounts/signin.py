"""登录：先密码，须用动态验证码的角色再输验证码；按地址和账户名限流，不锁死任何人。

限流（ASVS V2.2.1；等保 8.1.4.1“登录失败处理”）在 SIGNIN_WINDOW_MINUTES 的滑动时间窗里数
`SignInFailure`（数据库里，多个服务进程共用）：

- 同一地址、同一账户名：SIGNIN_LIMIT_PAIR 次（默认 5）——猜某人的密码；
- 同一地址、任何账户名：SIGNIN_LIMIT_ADDRESS 次（默认 20）——一个地址轮着猜许多账户；
- 同一账户名、任何地址：SIGNIN_LIMIT_ACCOUNT 次（默认 50）——分散的猜测。

所以别人在一个地址上输错 5 次，本人在自己的电脑上照样能登录。被限流的尝试不检查密码、
不再计数（否则一个地址就能把第三项推满），但照样算一次密码哈希，答复的时间与其他情况相近。

答复不透露账户是否存在：未知账户与密码错误是同一句话；限流按输入的名字计数，存在与否
答复都一样。每次尝试都记入审计（审计员看得到原因，登录页上的人看不到）。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from shouhu.web.accounts.models import SignInFailure, SignInStep, User
from shouhu.web.accounts.second_factor import (
    recovery_code_use,
    second_factor_check,
    second_factor_enrolled,
    second_factor_required,
)
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record

BAD_CREDENTIALS = "用户名或密码错误。"
BAD_CODE = "验证码不对，请核对身份验证器上正在显示的六位数字，或输入一个恢复码。"


def throttled_message() -> str:
    return f"登录尝试太频繁，请 {settings.SIGNIN_WINDOW_MINUTES} 分钟后再试。"


@dataclass(frozen=True)
class SignInOutcome:
    """user 为空即失败（message 说明）；second_factor 为 verify 或 enrol 时密码已对，
    还须输验证码（或先登记），此时还没有登录。"""

    user: User | None
    message: str = ""
    second_factor: str = ""


def signin_password(*, ctx: RequestContext, username: str, password: str) -> SignInOutcome:
    """第一步：密码。"""
    name = username.lower()
    scope = _throttled(ctx.client_ip, name)
    if scope:
        User().set_password(password)  # 与检查密码同样的耗时
        _audit(ctx, None, Action.LOGIN_FAILED, username, {"why": "throttled", "scope": scope})
        return SignInOutcome(None, throttled_message())
    user = authenticate(username=username, password=password)
    if not isinstance(user, User):
        _failed(ctx, username, SignInStep.PASSWORD)
        return SignInOutcome(None, BAD_CREDENTIALS)
    if second_factor_required(user) or second_factor_enrolled(user):
        step = "verify" if second_factor_enrolled(user) else "enrol"
        _audit(ctx, user, Action.LOGIN, username, {"step": "password", "next": step})
        return SignInOutcome(user, second_factor=step)
    _succeeded(ctx, user, {})
    return SignInOutcome(user)


def signin_second_factor(*, ctx: RequestContext, user: User, code: str) -> SignInOutcome:
    """第二步：动态验证码，或一个恢复码（用过即作废）。失败与密码错误一同计入限流。"""
    if _throttled(ctx.client_ip, user.username.lower()):
        _audit(ctx, user, Action.LOGIN_FAILED, user.username, {"why": "throttled"})
        return SignInOutcome(None, throttled_message())
    if second_factor_check(user=user, code=code):
        _succeeded(ctx, user, {"second_factor": "totp"})
        return SignInOutcome(user)
    if recovery_code_use(user=user, code=code):
        _succeeded(ctx, user, {"second_factor": "recovery_code"})
        return SignInOutcome(user)
    _failed(ctx, user.username, SignInStep.SECOND_FACTOR)
    return SignInOutcome(None, BAD_CODE)


def signin_enrolled(*, ctx: RequestContext, user: User) -> None:
    """登录时登记好动态验证码：这次登录就此完成。"""
    _succeeded(ctx, user, {"second_factor": "enrolled"})


def is_throttled(*, client_ip: str, username: str) -> bool:
    return bool(_throttled(client_ip, username.lower()))


# ---------------------------------------------------------------- 计数


def _window_start() -> datetime:
    return timezone.now() - timedelta(minutes=settings.SIGNIN_WINDOW_MINUTES)


def _counts(client_ip: str, name: str) -> dict[str, int]:
    recent = SignInFailure.objects.filter(at__gte=_window_start())
    return recent.filter(Q(client_ip=client_ip) | Q(username=name)).aggregate(
        pair=Count("pk", filter=Q(client_ip=client_ip, username=name)),
        address=Count("pk", filter=Q(client_ip=client_ip)),
        account=Count("pk", filter=Q(username=name)),
    )


def _limits() -> dict[str, int]:
    return {
        "pair": settings.SIGNIN_LIMIT_PAIR,
        "address": settings.SIGNIN_LIMIT_ADDRESS,
        "account": settings.SIGNIN_LIMIT_ACCOUNT,
    }


def _throttled(client_ip: str, name: str) -> str:
    """达到的限额（pair / address / account），没有达到的为空串。"""
    counts = _counts(client_ip, name)
    return next((scope for scope, limit in _limits().items() if counts[scope] >= limit), "")


def _failed(ctx: RequestContext, username: str, step: str) -> None:
    name = username.lower()
    user = User.objects.filter(username=username).first()
    why = "unknown_user" if user is None else f"wrong_{step}"
    with transaction.atomic():
        SignInFailure.objects.create(
            at=timezone.now(), username=name[:150], client_ip=ctx.client_ip, step=step
        )
        _audit(ctx, user, Action.LOGIN_FAILED, username, {"why": why})
        scope = _throttled(ctx.client_ip, name)
        if scope:  # 这一次使限流开始：另记一条，审计员一眼看到
            _audit(ctx, user, Action.LOCKOUT, username, {"scope": scope})
        if scope == "account" and user is not None:
            user.locked_until = timezone.now() + timedelta(minutes=settings.SIGNIN_WINDOW_MINUTES)
            user.save(update_fields=["locked_until"])


def _succeeded(ctx: RequestContext, user: User, detail: dict[str, str]) -> None:
    with transaction.atomic():
        # 本人从这个地址输对了：这个地址上这个名字的失败不再算数。
        SignInFailure.objects.filter(
            username=user.username.lower(), client_ip=ctx.client_ip
        ).delete()
        _audit(ctx, user, Action.LOGIN, user.username, detail)


def _audit(
    ctx: RequestContext, user: User | None, action: str, username: str, detail: dict[str, str]
) -> None:
    # 登录失败的“操作人”是输入的名字，而不是已登录的人（还没有）。
    audit_record(
        ctx=RequestContext(user=user, client_ip=ctx.client_ip, purpose=ctx.purpose),
        action=action,
        object_type=ObjectType.USER,
        object_id=user.pk if user else "",
        detail=detail,
        actor_username=username,
    )
