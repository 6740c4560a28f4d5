"""统计概览（只有数字，没有个人信息）。"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.audit.context import request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.statistics.selectors import dashboard_counts


@login_required
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    ctx = request_context(request, Purpose.STATISTICS)
    division = access.access_dashboard(ctx)
    counts = dashboard_counts(user=cast(User, request.user))
    audit_record(
        ctx=ctx, action=Action.VIEW, object_type=ObjectType.DASHBOARD, object_id=division.code
    )
    return render(request, "statistics/dashboard.html", {"counts": counts})
