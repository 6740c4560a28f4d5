"""查询记录页的视图：经访问层取可见的记录，渲染或导出；每次查看与导出都记审计。"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import ROLE_PURPOSES
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.exports import Export, export_part, export_xlsx
from shouhu.web.pages import page_number
from shouhu.web.queries.log_pages import (
    EXPORT_HEADER,
    month_of,
    query_log_page,
    query_log_rows,
)


def _ctx(request: HttpRequest) -> RequestContext:
    """报送员为数据报送，审计员为审计，民政为个案办理，领导为统计督办。"""
    user = request.user
    assert isinstance(user, User)  # behind @login_required
    allowed = ROLE_PURPOSES.get(user.role, frozenset())
    order = ("submission", "audit", "case_work", "statistics")
    return request_context(request, next((p for p in order if p in allowed), "case_work"))


@login_required
@require_GET
def query_log_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    logs = access.access_query_log(ctx)
    month = month_of(request.GET.get("month", ""))
    found = query_log_page(logs, month=month, page=page_number(request.GET.get("page")))
    detail = {"month": found.month, "page": found.page, "rows": len(found.rows)}
    audit_record(
        ctx=ctx, action=Action.VIEW, object_type=ObjectType.QUERY, object_id="log", detail=detail
    )
    return render(request, "queries/log.html", {"found": found})


@login_required
@require_GET
def query_log_export_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    month = month_of(request.GET.get("month", ""))
    rows = query_log_rows(access.access_query_log(ctx), month=month)
    title = f"查询记录-{month:%Y年%m月}" if month else "查询记录"
    export = Export(title=title, header=EXPORT_HEADER, rows=rows, object_type=ObjectType.QUERY,
                    object_id="log")  # fmt: skip
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))
