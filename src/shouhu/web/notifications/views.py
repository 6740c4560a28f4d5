"""消息通知页：本人的站内通知（新的在前、分页），打开即已读，全部标为已读。"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import purpose_of_role
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Purpose
from shouhu.web.notifications.services import (
    notification_open,
    notification_page,
    notifications_read_all,
)

# 通知是本人工作上的提醒：标为已读记在本人主要工作的用途下（都不是的，记为身份认证）
WORK_PURPOSES = ("case_work", "submission", "statistics", "audit", "administration")


def _ctx(request: HttpRequest) -> RequestContext:
    purpose = purpose_of_role(cast(User, request.user), WORK_PURPOSES)
    return request_context(request, purpose or Purpose.AUTHENTICATION)


@login_required
@require_GET
def notification_list_view(request: HttpRequest) -> HttpResponse:
    page = notification_page(user=cast(User, request.user), page=request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_GET
def notification_open_view(request: HttpRequest, notification_id: int) -> HttpResponse:
    """点开一条：记为已读，转到办理的地方（只转站内路径）。"""
    notification = notification_open(ctx=_ctx(request), notification_id=notification_id)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None) and link.startswith("/"):
        return redirect(link)
    return redirect("notification_list")


@login_required
@require_POST
def notifications_read_all_view(request: HttpRequest) -> HttpResponse:
    count = notifications_read_all(ctx=_ctx(request))
    messages.success(request, f"已将 {count} 条通知标为已读。" if count else "没有未读的通知。")
    return redirect("notification_list")
