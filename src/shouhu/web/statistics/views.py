"""统计概览（只有数字，没有个人信息）：逐级下钻、近 12 个月走势、比对办理进度、导出统计表。"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shouhu.core.errors import DomainError
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.exports import Export, export_xlsx
from shouhu.web.statistics.charts import chart_data
from shouhu.web.statistics.figures import dashboard_figures
from shouhu.web.statistics.progress import ProgressRow, finding_progress, progress_level
from shouhu.web.statistics.quality import EXPORT_HEADER as QUALITY_HEADER
from shouhu.web.statistics.quality import data_quality
from shouhu.web.statistics.report_pages import report_detail, reports_page
from shouhu.web.statistics.reports import period_of, report_decide, report_submit
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
    figures = dashboard_figures(home)
    context = {
        "counts": dashboard_counts(user=user, home=home),
        "trend": figures.trend,
        "progress": figures.progress,
        "completion": figures.completion,
        "quality": figures.quality,
        "charts": chart_data(figures.trend, figures.progress, figures.completion),
        "drilled": home.code != user.division_id,
        "up": home.parent_id if home.code != user.division_id else None,
        "home_code": home.code,
        "progress_level": progress_level(home),
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
    header = (*EXPORT_HEADER[:2], counts.de_facto_label, *EXPORT_HEADER[3:])
    export = Export(title=f"统计表-{home.name}", header=header, rows=rows,
                    object_type=ObjectType.DASHBOARD, object_id=home.code)  # fmt: skip
    return export_xlsx(ctx=ctx, export=export)


@login_required
@require_GET
def dashboard_quality_export_view(request: HttpRequest) -> HttpResponse:
    """各部门数据质量（只有数字），同样按下钻到的区划。"""
    ctx, home = _home(request)
    rows = [row.cells() for row in data_quality(home)]
    export = Export(title=f"各部门数据质量-{home.name}", header=QUALITY_HEADER, rows=rows,
                    object_type=ObjectType.DATA_QUALITY, object_id=home.code)  # fmt: skip
    return export_xlsx(ctx=ctx, export=export)


EXPORT_HEADER = ("区划", "孤儿", "事实无人抚养儿童", "在保合计", "最近比对基准日", "应纳未纳待处理",
                 "已纳入", "应退未退待处理", "其中逾期", "已终止", "办结率（%）")  # fmt: skip


def _numbers(*shown: str) -> list[object]:
    """导出里确切的数写成数字，按小数字规则显示的（“<3”“≥12”）写成文字。"""
    return [int(v) if v.isdigit() else v for v in shown]


def _export_row(row: DivisionCountRow, p: ProgressRow | None) -> list[object]:
    counts: list[object] = [
        row.name,
        *_numbers(row.orphan_shown, row.de_facto_shown, row.total_shown),
    ]
    if p is None:
        return [*counts, *[""] * 7]
    return [*counts, p.run_as_of, p.enrol_open, p.enrol_done, p.exit_open, p.exit_overdue,
            p.exit_done, "" if p.done_percent is None else p.done_percent]  # fmt: skip


# ---------------------------------------------------------------- 统计报表（上报）


def _reports_ctx(request: HttpRequest) -> RequestContext:
    return request_context(request, Purpose.STATISTICS)


@login_required
@require_GET
def reports_view(request: HttpRequest) -> HttpResponse:
    """本级的月报、季报（上报），和下级报来待审核的。"""
    ctx = _reports_ctx(request)
    visible = access.access_stat_reports(ctx)
    user = cast(User, request.user)
    context = {
        "page": reports_page(user=user, visible=visible, today=timezone.localdate()),
    }
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.STAT_REPORT,
                 object_id=user.division_id)  # fmt: skip
    return render(request, "statistics/reports.html", context)


@login_required
@require_POST
def report_submit_view(request: HttpRequest) -> HttpResponse:
    ctx = _reports_ctx(request)
    access.access_stat_reports(ctx)
    try:
        start = date.fromisoformat(request.POST.get("start", ""))
        period = period_of(request.POST.get("kind", ""), start)
        report = report_submit(ctx=ctx, period=period)
    except ValueError:
        messages.error(request, "所属期的日期不对。")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"已上报{period.label}{report.get_period_kind_display()}，待上级审核。"
        )
    return redirect("stat_reports")


@login_required
@require_GET
def report_view(request: HttpRequest, report_id: int) -> HttpResponse:
    ctx = _reports_ctx(request)
    report = access.access_stat_report(ctx, report_id)
    audit_record(
        ctx=ctx, action=Action.VIEW, object_type=ObjectType.STAT_REPORT, object_id=report.pk
    )
    context = {"r": report_detail(user=cast(User, request.user), report=report)}
    return render(request, "statistics/report.html", context)


@login_required
@require_POST
def report_decide_view(request: HttpRequest, report_id: int) -> HttpResponse:
    ctx = _reports_ctx(request)
    report = access.access_stat_report(ctx, report_id)
    approve = request.POST.get("decision") == "approve"
    try:
        report_decide(
            ctx=ctx, report=report, approve=approve, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "已审核通过，报表锁定。" if approve else "已退回，理由已告知上报单位。"
        )
    return redirect("stat_report", report.pk)


@login_required
@require_GET
def report_export_view(request: HttpRequest, report_id: int) -> HttpResponse:
    ctx = _reports_ctx(request)
    report = access.access_stat_report(ctx, report_id)
    detail = report_detail(user=cast(User, request.user), report=report)
    export = Export(title=f"统计报表-{detail.division}-{detail.period}", header=("项目", "数量"),
                    rows=[(label, value) for label, value in detail.figures],
                    object_type=ObjectType.STAT_REPORT, object_id=report.pk)  # fmt: skip
    return export_xlsx(ctx=ctx, export=export)
