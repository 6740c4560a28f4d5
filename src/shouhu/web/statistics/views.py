"""统计概览（只有数字，没有个人信息）：逐级下钻、近 12 个月走势、比对办理进度、导出统计表。"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.exports import Export, export_xlsx
from shouhu.web.statistics.progress import ProgressRow, finding_progress, monthly_trend
from shouhu.web.statistics.selectors import DivisionCountRow, dashboard_counts

if TYPE_CHECKING:
    from shouhu.web.registry.models import Division


def _home(request: HttpRequest) -> tuple[RequestContext, Division]:
    """统计的区划：本人辖区，或逐级下钻到的下级区划（?division=，须在辖区内）。"""
    ctx = request_context(request, Purpose.STATISTICS)
    home = access.access_dashboard(ctx)
    code = request.GET.get("division")
    return ctx, (access.division_in_scope(ctx, code) if code else home)


@login_required
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    ctx, home = _home(request)
    user = cast(User, request.user)
    context = {
        "counts": dashboard_counts(user=user, home=home),
        "trend": monthly_trend(home),
        "progress": finding_progress(home),
        "drilled": home.code != user.division_id,
        "up": home.parent_id if home.code != user.division_id else None,
        "home_code": home.code,
    }
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.DASHBOARD, object_id=home.code)
    return render(request, "statistics/dashboard.html", context)


@login_required
@require_GET
def dashboard_export_view(request: HttpRequest) -> HttpResponse:
    """统计表（只有数字）：各下级区划的在保数，及（县区一级）最近一次比对的办理进度。"""
    ctx, home = _home(request)
    counts = dashboard_counts(user=cast(User, request.user), home=home)
    progress = {p.code: p for p in finding_progress(home)}
    rows = [_export_row(r, progress.get(r.code)) for r in counts.by_division]
    export = Export(title=f"统计表-{home.name}", header=EXPORT_HEADER, rows=rows,
                    object_type=ObjectType.DASHBOARD, object_id=home.code)  # fmt: skip
    return export_xlsx(ctx=ctx, export=export)


EXPORT_HEADER = ("区划", "孤儿", "事实无人抚养儿童", "在保合计", "最近比对基准日", "应纳未纳待处理",
                 "已纳入", "应退未退待处理", "其中逾期", "已终止", "办结率（%）")  # fmt: skip


def _export_row(row: DivisionCountRow, p: ProgressRow | None) -> list[object]:
    counts: list[object] = [row.name, row.orphan, row.de_facto_unsupported, row.total]
    if p is None:
        return [*counts, *[""] * 7]
    return [*counts, p.run_as_of, p.enrol_open, p.enrol_done, p.exit_open, p.exit_overdue,
            p.exit_done, "" if p.done_percent is None else p.done_percent]  # fmt: skip
