"""访问层的共同形状：按主键取对象，不在可见范围内就拒绝——“不存在”和“不是你的”同一个答复，
每次拒绝都记入审计日志（Zulip 的 access_*_common）。"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone

from shouhu.core.errors import DomainError, ErrorCode, NotFound, PermissionDenied
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, AuditEntry
from shouhu.web.audit.services import audit_record
from shouhu.web.registry.models import DivisionLevel

# 一个限额：时间段、次数、时间段的中文（“每分钟”）。
Limit = tuple[timedelta, int, str]

M = TypeVar("M", bound=Model)


def deny(ctx: RequestContext, object_type: str, object_id: object, why: str) -> None:
    """记一次被拒绝的访问；对象编号截断到日志列宽（可能是用户在网址里随手写的）。"""
    audit_record(
        ctx=ctx,
        action=Action.DENY,
        object_type=object_type,
        object_id=str(object_id)[:64],
        detail={"why": why},
    )


def as_int(value: object) -> int:
    """网址或表单里的编号；不是整数、或大得不像编号时为 −1（查不到，也不会让数据库报错）。"""
    text = str(value)
    if not text.isdigit() or len(text) > 18:
        return -1
    return int(text)


def acting_user(ctx: RequestContext) -> User:
    if ctx.user is None:
        raise PermissionDenied("请先登录。")
    return ctx.user


def require(ctx: RequestContext, right: Right, object_type: str, message: str) -> User:
    """角色须有这项权限；否则拒绝（记入审计）。"""
    user = acting_user(ctx)
    if not may(user, right):
        deny(ctx, object_type, user.division_id, "role")
        raise PermissionDenied(message)
    return user


def require_county(ctx: RequestContext, right: Right, object_type: str, message: str) -> User:
    """角色须有这项权限，且在县级（台账、补贴由县级民政部门管理）；否则拒绝（记入审计）。"""
    user = require(ctx, right, object_type, message)
    if user.division.level != DivisionLevel.COUNTY:
        deny(ctx, object_type, user.division_id, "level")
        raise PermissionDenied(message)
    return user


def fetch_or_deny(
    ctx: RequestContext,
    *,
    queryset: QuerySet[M],
    visible: QuerySet[M],
    pk: object,
    object_type: str,
    message: str,
) -> M:
    """`queryset` 里主键为 pk 的对象，须在 `visible` 之内；否则 NotFound（两种情形同一答复）。"""
    found = queryset.filter(pk=as_int(pk)).first()
    if found is None or not visible.filter(pk=found.pk).exists():
        deny(ctx, object_type, pk, "not_found" if found is None else "out_of_scope")
        raise NotFound(message)
    return found


def limit_check(
    ctx: RequestContext,
    user: User,
    *,
    limits: tuple[Limit, ...],
    counted: tuple[str, str],
    refused: str,
    what: str,
) -> None:
    """批量查看的次数限额（防批量采集）：数审计日志里本人的 `counted`（操作, 对象类型）记录，
    一次查询数出各个时段；超过的拒绝（记入审计，对象类型 `refused`），答 429。计数取自审计
    日志，多个服务进程共用同一限额，不需要另外的缓存服务。"""
    now = timezone.now()
    action, object_type = counted
    counts = AuditEntry.objects.filter(
        actor_id=user.pk,
        action=action,
        object_type=object_type,
        at__gte=now - max(window for window, _, _ in limits),
    ).aggregate(
        **{str(i): Count("pk", filter=Q(at__gte=now - w)) for i, (w, _, _) in enumerate(limits)}
    )
    for i, (_, limit, words) in enumerate(limits):
        if counts[str(i)] >= limit:
            deny(ctx, refused, user.division_id, "search_limit")
            raise DomainError(
                f"{what}太频繁：{words}最多{what} {limit} 次，请稍后再试。", code=ErrorCode.TOO_MANY
            )
