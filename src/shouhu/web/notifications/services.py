"""站内通知的读写：只有本人的，打开一条即已读，或一次全部已读。

标为已读也是一次变更，和别的变更一样在同一事务里记入审计日志（只有通知编号和条数）。"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from shouhu.web.accounts.models import User
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.notifications.models import Notification

PER_PAGE = 20
READ_KEPT_DAYS = 90  # 已读的通知留 90 天
UNREAD_KEPT_DAYS = 365  # 没读的留一年：提醒的事早已过期或另有提醒


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def notification_unread_count(*, user: User) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


def notification_page(*, user: User, page: str | None) -> Page[Notification]:
    """本人的通知，新的在前，每页 PER_PAGE 条。"""
    return Paginator(notifications_of(user).order_by("-created_at", "-pk"), PER_PAGE).get_page(page)


def _owner(ctx: RequestContext) -> User:
    if ctx.user is None:
        raise Http404
    return ctx.user


@transaction.atomic
def notification_open(*, ctx: RequestContext, notification_id: int) -> Notification:
    """打开本人的一条通知（记为已读，记入审计）；别人的和不存在的一样是 404。"""
    notification = notifications_of(_owner(ctx)).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit_record(ctx=ctx, action=Action.UPDATE, object_type=ObjectType.NOTIFICATION,
                     object_id=notification.pk, detail={"read": 1})  # fmt: skip
    return notification


@transaction.atomic
def notifications_read_all(*, ctx: RequestContext) -> int:
    """本人未读的通知全部标为已读；有标记的记一条审计（条数）。"""
    unread = notifications_of(_owner(ctx)).filter(read_at__isnull=True)
    count = unread.update(read_at=timezone.now())
    if count:
        audit_record(ctx=ctx, action=Action.UPDATE, object_type=ObjectType.NOTIFICATION,
                     detail={"read": count, "all": True})  # fmt: skip
    return count


def notifications_clean(now: datetime | None = None) -> int:
    """删去已读满 READ_KEPT_DAYS 天的和发出满 UNREAD_KEPT_DAYS 天的通知；返回删去的条数。
    通知里没有个人信息（models.py），清理不记审计日志，条数记在每日任务的结果里。"""
    now = now or timezone.now()
    old = Notification.objects.filter(read_at__lt=now - timedelta(days=READ_KEPT_DAYS)) | (
        Notification.objects.filter(created_at__lt=now - timedelta(days=UNREAD_KEPT_DAYS))
    )
    deleted, _ = old.delete()
    return deleted


def handle_notifications_clean(job: Any, progress: Any) -> dict[str, Any]:
    """后台任务：每日清理过期的站内通知（jobs.registry 按名字找到这里）。"""
    deleted = notifications_clean()
    return {"deleted": deleted, "message": f"清理了 {deleted} 条过期的站内通知"}
