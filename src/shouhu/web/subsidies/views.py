"""补贴发放的页面（/subsidies/）：名册列表、名册页（分类合计、审核批准、导出、发放结果、多发）。

视图只解析输入、经访问层取对象、调用一个服务或查询、渲染。用途记为“基本生活补贴发放”。
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.core.errors import DomainError, InvalidInput
from shouhu.core.policy.roster import parse_yuan
from shouhu.web import access
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import ObjectType, Purpose
from shouhu.web.exports import Export, export_part, export_text, export_xlsx
from shouhu.web.subsidies import selectors, services
from shouhu.web.subsidies.payment_files import (
    XLSX_HEADER,
    bank_layout,
    bank_rows,
    finance_sees_categories,
    xlsx_rows,
)
from shouhu.web.subsidies.results import ResultsRefused, payment_results_import


def _ctx(request: HttpRequest) -> RequestContext:
    return request_context(request, Purpose.SUBSIDY)


def _month(raw: str) -> date:
    """表单里的月份（2026-05）。"""
    try:
        year, month = raw.strip().split("-")[:2]
        return date(int(year), int(month), 1)
    except ValueError:
        raise InvalidInput("请选择月份（如 2026-05）。") from None


@login_required
@require_http_methods(["GET", "POST"])
def subsidy_home_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    division = access.access_subsidy_home(ctx)
    error, status = "", 200
    if request.method == "POST":
        try:
            month = _month(request.POST.get("month", ""))
            roster = services.roster_build(ctx=ctx, division=division, month=month)
        except DomainError as exc:
            error, status = exc.message, 400
        else:
            messages.success(request, f"已生成 {month.year}年{month.month}月的名册（草稿）。")
            return redirect("subsidy_roster", roster_id=roster.pk)
    context = {
        "division": division,
        "rosters": selectors.roster_list(division),
        "default_month": f"{selectors.last_month():%Y-%m}",
        "error": error,
    }
    return render(request, "subsidies/home.html", context, status=status)


@login_required
@require_GET
def subsidy_roster_view(request: HttpRequest, roster_id: int) -> HttpResponse:
    roster = access.access_roster(_ctx(request), roster_id)
    page = selectors.roster_page(roster, request.GET.get("page"))
    return render(request, "subsidies/roster.html", {"page": page, "layout": bank_layout()})


@login_required
@require_POST
def subsidy_roster_action_view(request: HttpRequest, roster_id: int, action: str) -> HttpResponse:
    """重算（草稿、已审核）、审核、批准。"""
    if action not in ("rebuild", "review", "approve"):
        raise Http404
    ctx = _ctx(request)
    roster = access.access_roster(ctx, roster_id)
    done = {"rebuild": "已重算名册。", "review": "已审核。", "approve": "已批准，名册已锁定。"}
    try:
        if action == "rebuild":
            services.roster_build(ctx=ctx, division=roster.division, month=roster.month)
        elif action == "review":
            services.roster_review(ctx=ctx, roster=roster)
        else:
            services.roster_approve(ctx=ctx, roster=roster)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done[action])
    return redirect("subsidy_roster", roster_id=roster.pk)


@login_required
@require_GET
def subsidy_export_view(request: HttpRequest, roster_id: int, kind: str) -> HttpResponse:
    """发放文件（XLSX 给财政，或银行代发文件），经统一的导出出口（用途、限量、水印、审计）。"""
    if kind not in ("xlsx", "bank"):
        raise Http404
    ctx = _ctx(request)
    roster = access.access_roster(ctx, roster_id)
    if roster.state != "approved":
        messages.error(request, "名册批准锁定以后才能导出发放文件。")
        return redirect("subsidy_roster", roster_id=roster.pk)
    rows = selectors.payment_rows(roster)
    title = f"{roster.division.name}{roster.month.year}年{roster.month.month}月补贴名册"
    part = export_part(request.GET.get("part"))
    if kind == "xlsx":
        shown = finance_sees_categories(roster.division)
        export = Export(title, XLSX_HEADER, xlsx_rows(roster, rows, categories_shown=shown),
                        ObjectType.SUBSIDY_ROSTER, roster.pk)  # fmt: skip
        return export_xlsx(ctx=ctx, export=export, part=part)
    layout = bank_layout()
    export = Export(f"{title}-代发", layout.header, bank_rows(roster, rows, layout),
                    ObjectType.SUBSIDY_ROSTER, roster.pk)  # fmt: skip
    return export_text(ctx=ctx, export=export, layout=layout.text, part=part)


@login_required
@require_POST
def subsidy_results_view(request: HttpRequest, roster_id: int) -> HttpResponse:
    ctx = _ctx(request)
    roster = access.access_roster(ctx, roster_id)
    file = request.FILES.get("file")
    try:
        if file is None:
            raise InvalidInput("请选择财政反馈的发放结果文件（Excel）。")
        outcome = payment_results_import(
            ctx=ctx, roster=roster, filename=file.name or "", data=file.read()
        )
    except ResultsRefused as exc:
        page = selectors.roster_page(roster, None)
        context = {"page": page, "layout": bank_layout(), "results_error": exc.message,
                   "problems": exc.problems[:200]}  # fmt: skip
        return render(request, "subsidies/roster.html", context, status=400)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("subsidy_roster", roster_id=roster.pk)
    done = outcome.result_import
    if outcome.earlier:
        messages.info(request, "这个文件已经导入过（内容完全相同），不再重复导入。")
    else:
        messages.success(request, f"已导入发放结果 {done.rows} 行。")
    return redirect("subsidy_roster", roster_id=roster.pk)


@login_required
@require_POST
def subsidy_overpayment_view(request: HttpRequest, overpayment_id: int) -> HttpResponse:
    """选定多发的追回方式：抵扣（此后名册自动扣减）或退回（记下退回金额）。"""
    ctx = _ctx(request)
    over = access.access_overpayment(ctx, overpayment_id)
    method = request.POST.get("method", "")
    try:
        fen = parse_yuan(request.POST.get("amount", "")) if method == "repayment" else None
        if method == "repayment" and fen is None:
            raise InvalidInput("请填写退回的金额（元），最多两位小数。")
        services.overpayment_recover(ctx=ctx, overpayment=over, method=method, fen=fen)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记录追回方式。")
    return redirect("subsidy_roster", roster_id=over.found_in_id)
