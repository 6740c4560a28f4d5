"""数据比对的页面。视图解析输入、经 access 取对象、调用一个服务或选择器、渲染。

用途为数据比对（comparison）；查看含个人信息的页面（发现队列、一条发现）各写一条审计，
运行列表和进度只有数字，不记。拒绝由 access 层审计，由 DomainErrorMiddleware 统一答复。
"""

from __future__ import annotations

from datetime import date
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.core.errors import DomainError, InvalidInput
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.comparison import selectors, services
from shouhu.web.exports import Export, export_part, export_xlsx
from shouhu.web.pages import page_number


def _ctx(request: HttpRequest) -> RequestContext:
    return request_context(request, Purpose.COMPARISON)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # behind @login_required


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
        "runs": selectors.run_list(runs=runs),
        "today": timezone.localdate(),
        "error": error,
        "divisions": selectors.division_choices(user=_user(request)),
        "may_read_findings": may(_user(request), Right.READ_FINDINGS),
        "may_simulate": may(_user(request), Right.SIMULATE_RULES),
    }
    return render(request, "comparison/home.html", context, status=400 if error else 200)


@login_required
@require_GET
def run_status_view(request: HttpRequest, run_id: int) -> JsonResponse:
    """页面每秒轮询一次：只有进度和数字，没有个人信息，不记审计。"""
    run = access.access_run(_ctx(request), run_id)
    return JsonResponse(selectors.run_status(run=run))


@login_required
@require_GET
def findings_view(request: HttpRequest) -> HttpResponse:
    """比对发现队列：按类型、区划、处理状态筛选（查询参数里没有个人信息）。"""
    ctx = _ctx(request)
    findings = access.access_findings_queue(ctx)
    run = selectors.queue_run_selected(user=_user(request), raw=request.GET.get("run", ""))
    kind = request.GET.get("kind", "")
    division = request.GET.get("division", "")[:12]
    status = request.GET.get("status", "open")
    queue = selectors.finding_queue(
        user=_user(request),
        findings=findings,
        run=run,
        kind=kind,
        division=division,
        status=status,
        page=page_number(request.GET.get("page")),
    )
    audit_record(
        ctx=ctx,
        action=Action.VIEW,
        object_type=ObjectType.FINDING_LIST,
        object_id=run.pk if run else "",
        detail={
            "kind": kind,
            "division": division,
            "status": status,
            "page": queue.page,
            "rows": len(queue.rows),
        },
    )
    context = {
        "queue": queue,
        "kinds": selectors.KINDS,
        "statuses": selectors.STATUSES,
        "divisions": selectors.division_choices(user=_user(request)),
        "runs": selectors.run_list(runs=selectors.queue_runs(user=_user(request))),
    }
    return render(request, "comparison/findings.html", context)


@login_required
@require_GET
def findings_export_view(request: HttpRequest) -> HttpResponse:
    """队列按当前筛选导出为 Excel（全部页；经唯一的导出出口：用途、限量、水印、审计）。"""
    ctx = _ctx(request)
    run = selectors.queue_run_selected(user=_user(request), raw=request.GET.get("run", ""))
    if run is None:
        raise Http404
    rows = selectors.finding_export_rows(
        user=_user(request),
        findings=access.access_findings_queue(ctx),
        run=run,
        kind=request.GET.get("kind", ""),
        division=request.GET.get("division", "")[:12],
        status=request.GET.get("status", "open"),
    )
    export = Export(
        title=f"比对发现-{run.division.name}-{run.as_of:%Y%m%d}",
        header=selectors.EXPORT_HEADER,
        rows=rows,
        object_type=ObjectType.FINDING_LIST,
        object_id=run.pk,
    )
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


def _detail(request: HttpRequest, finding_id: int, error: str = "") -> HttpResponse:
    ctx = _ctx(request)
    finding = access.access_finding(ctx, finding_id)
    page = selectors.finding_page(user=_user(request), finding=finding)
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.FINDING, object_id=finding.pk)
    context = {
        "page": page,
        "error": error,
        "posted": request.POST if error else {},
        "may_act": may(_user(request), Right.WRITE_CASES),
    }
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
            ctx=ctx,
            finding=finding,
            reason=request.POST.get("reason", ""),
            reason_code=request.POST.get("reason_code", ""),
        )
    except DomainError as exc:
        return _detail(request, finding_id, exc.message)
    messages.success(request, selectors.confirmed_message(finding=finding))
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


# ---------------------------------------------------------------- 一条记录：选人、没有此人、疑义


def _record_page(
    request: HttpRequest, finding_id: int, record_id: int, error: str = ""
) -> HttpResponse:
    ctx = _ctx(request)
    finding = access.access_finding(ctx, finding_id)
    fact = access.access_finding_record(ctx, finding, record_id)
    page = selectors.record_match_page(user=_user(request), finding=finding, fact=fact)
    audit_record(
        ctx=ctx, action=Action.VIEW, object_type=ObjectType.FACT, object_id=fact.pk,
        detail={"finding": finding.pk, "candidates": [c.person_pk for c in page.candidates]},
    )  # fmt: skip
    context = {
        "page": page,
        "error": error,
        "posted": request.POST if error else {},
        "may_act": may(_user(request), Right.WRITE_CASES),
    }
    return render(request, "comparison/record.html", context, status=400 if error else 200)


@login_required
@require_GET
def record_view(request: HttpRequest, finding_id: int, record_id: int) -> HttpResponse:
    return _record_page(request, finding_id, record_id)


@login_required
@require_POST
def record_match_view(request: HttpRequest, finding_id: int, record_id: int) -> HttpResponse:
    ctx = _ctx(request)
    finding = access.access_finding(ctx, finding_id, for_write=True)
    fact = access.access_finding_record(ctx, finding, record_id)
    try:
        choice = request.POST.get("person", "")
        if choice == "none":
            services.finding_record_none(
                ctx=ctx, finding=finding, fact=fact, reason=request.POST.get("reason", "")
            )
            messages.success(request, "已记下户籍中没有此人，并向报送部门提出了疑义。")
            return redirect("comparison_finding", finding_id)
        if not choice:
            raise InvalidInput("请选择一个人，或选“都不是”。")
        person = access.access_person(ctx, choice)
        services.finding_record_match(
            ctx=ctx, finding=finding, fact=fact, person=person,
            reason=request.POST.get("reason", ""),
        )  # fmt: skip
    except DomainError as exc:
        return _record_page(request, finding_id, record_id, exc.message)
    messages.success(request, "已把这条记录关联到所选的人，下次比对按关联后的记录重新认定。")
    return redirect("comparison_finding", finding_id)


@login_required
@require_POST
def record_object_view(request: HttpRequest, finding_id: int, record_id: int) -> HttpResponse:
    ctx = _ctx(request)
    finding = access.access_finding(ctx, finding_id, for_write=True)
    fact = access.access_finding_record(ctx, finding, record_id)
    try:
        services.finding_record_object(
            ctx=ctx, finding=finding, fact=fact, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        return _detail(request, finding_id, exc.message)
    messages.success(request, "已向报送部门提出疑义；部门答复后，您的待办里会列出。")
    return redirect("comparison_finding", finding_id)
