"""站内通知的读写：只有本人的，打开一条即已读，或一次全部已读。"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from shouhu.web.accounts.models import User
from shouhu.web.notifications.models import Notification

PER_PAGE = 20


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def notification_unread_count(*, user: User) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


def notification_page(*, user: User, page: str | None) -> Page[Notification]:
    """本人的通知，新的在前，每页 PER_PAGE 条。"""
    return Paginator(notifications_of(user).order_by("-created_at", "-pk"), PER_PAGE).get_page(page)


def notification_open(*, user: User, notification_id: int) -> Notification:
    """打开本人的一条通知（记为已读）；别人的和不存在的一样是 404。"""
    notification = notifications_of(user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_read_all(*, user: User) -> int:
    return notifications_of(user).filter(read_at__isnull=True).update(read_at=timezone.now())
