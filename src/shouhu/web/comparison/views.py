"""数据比对的页面。视图解析输入、经 access 取对象、调用一个服务或选择器、渲染。

用途为数据比对（comparison）；查看含个人信息的页面（发现队列、一条发现）各写一条审计，
运行列表和进度只有数字，不记。拒绝由 access 层审计，由 DomainErrorMiddleware 统一答复。
"""

from __future__ import annotations

from datetime import date
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.core.errors import DomainError, InvalidInput
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.audit.models import Action, Purpose
from shouhu.web.audit.services import RequestContext, audit_record
from shouhu.web.comparison import selectors, services
from shouhu.web.comparison.models import ComparisonRun, FindingKind, RunStatus
from shouhu.web.ui.context import request_context

CONFIRMED = {
    FindingKind.ENROL: "已纳入保障，个案已建立。",
    FindingKind.EXIT: "已终止保障，理由已记入个案。",
    FindingKind.CHANGE: "已变更保障类别。",
    FindingKind.REVIEW: "已记录核查结果。",
    FindingKind.UNLINKED: "已记录核查结果。",
}


def _ctx(request: HttpRequest) -> RequestContext:
    return request_context(request, Purpose.COMPARISON)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # behind @login_required


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 7 else 1


def _as_of(raw: str | None) -> date:
    if not raw:
        return timezone.localdate()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("比对基准日格式应为 年-月-日，如 2026-11-01。") from None


@login_required
@require_http_methods(["GET", "POST"])
def home_view(request: HttpRequest) -> HttpResponse:
    """数据比对：发起一次运行，看最近的运行和进度。"""
    ctx = _ctx(request)
    runs = access.access_run_list(ctx)
    error = ""
    if request.method == "POST":
        try:
            division = access.access_run_start(ctx, request.POST.get("division", ""))
            run = services.comparison_run_start(
                ctx=ctx, division=division, as_of=_as_of(request.POST.get("as_of"))
            )
        except InvalidInput as exc:
            error = exc.message
        else:
            messages.success(request, f"比对已开始（运行 #{run.pk}），完成后即可查看比对发现。")
            return redirect("comparison_home")
    context = {
        "runs": selectors.run_list(runs=runs), "today": timezone.localdate(), "error": error,
        "divisions": selectors.division_choices(user=_user(request)),
        "may_read_findings": _user(request).role in access.FINDING_READERS,
    }  # fmt: skip
    return render(request, "comparison/home.html", context, status=400 if error else 200)


def _status(run: ComparisonRun) -> dict[str, object]:
    row = selectors.run_row(run)
    done = run.status == RunStatus.DONE
    return {
        "status": run.status, "status_label": row.status_label, "progress": run.progress,
        "message": run.message, "counts": {c.kind: c.count for c in row.counts},
        "seconds": row.seconds,
        "findings_url": f"{reverse('comparison_findings')}?run={run.pk}" if done else "",
    }  # fmt: skip


@login_required
@require_GET
def run_status_view(request: HttpRequest, run_id: int) -> JsonResponse:
    """页面每秒轮询一次：只有进度和数字，没有个人信息，不记审计。"""
    run = access.access_run(_ctx(request), run_id)
    return JsonResponse(_status(run))


def _selected_run(request: HttpRequest) -> ComparisonRun | None:
    runs = selectors.queue_runs(user=_user(request))
    raw = request.GET.get("run", "")
    if raw.isdigit():
        return runs.filter(pk=int(raw)).select_related("division", "started_by").first()
    return runs.select_related("division", "started_by").first()


@login_required
@require_GET
def findings_view(request: HttpRequest) -> HttpResponse:
    """比对发现队列：按类型、区划、处理状态筛选（查询参数里没有个人信息）。"""
    ctx = _ctx(request)
    findings = access.access_findings_queue(ctx)
    run = _selected_run(request)
    kind = request.GET.get("kind", "")
    division = request.GET.get("division", "")[:12]
    status = request.GET.get("status", "open")
    queue = selectors.finding_queue(
        user=_user(request), findings=findings, run=run, kind=kind, division=division,
        status=status, page=_page_number(request.GET.get("page")),
    )  # fmt: skip
    audit_record(
        ctx=ctx, action=Action.VIEW, object_type="finding_list", object_id=run.pk if run else "",
        detail={"kind": kind, "division": division, "status": status, "page": queue.page,
                "rows": len(queue.rows)},
    )  # fmt: skip
    context = {
        "queue": queue, "kinds": selectors.KINDS, "statuses": selectors.STATUSES,
        "divisions": selectors.division_choices(user=_user(request)),
        "runs": selectors.run_list(runs=selectors.queue_runs(user=_user(request))),
    }  # fmt: skip
    return render(request, "comparison/findings.html", context)


def _detail(request: HttpRequest, finding_id: int, error: str = "") -> HttpResponse:
    ctx = _ctx(request)
    finding = access.access_finding(ctx, finding_id)
    page = selectors.finding_page(user=_user(request), finding=finding)
    audit_record(ctx=ctx, action=Action.VIEW, object_type="finding", object_id=finding.pk)
    context = {
        "page": page, "error": error, "posted": request.POST if error else {},
        "may_act": _user(request).role in access.CASE_WRITERS,
    }  # fmt: skip
    return render(request, "comparison/finding.html", context, status=400 if error else 200)


@login_required
@require_GET
def finding_view(request: HttpRequest, finding_id: int) -> HttpResponse:
    return _detail(request, finding_id)


@login_required
@require_POST
def finding_confirm_view(request: HttpRequest, finding_id: int) -> HttpResponse:
    ctx = _ctx(request)
    finding = access.access_finding(ctx, finding_id, for_write=True)
    try:
        services.finding_confirm(
            ctx=ctx, finding=finding, reason=request.POST.get("reason", ""),
            reason_code=request.POST.get("reason_code", ""),
        )  # fmt: skip
    except DomainError as exc:
        return _detail(request, finding_id, exc.message)
    messages.success(request, CONFIRMED[FindingKind(finding.kind)])
    return redirect("comparison_finding", finding_id)


@login_required
@require_POST
def finding_dismiss_view(request: HttpRequest, finding_id: int) -> HttpResponse:
    ctx = _ctx(request)
    finding = access.access_finding(ctx, finding_id, for_write=True)
    try:
        services.finding_dismiss(ctx=ctx, finding=finding, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return _detail(request, finding_id, exc.message)
    messages.success(request, "已驳回该比对发现，理由已记录。")
    return redirect("comparison_finding", finding_id)
