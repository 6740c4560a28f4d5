"""规则变更模拟的页面：发起（选一次已完成的运行、改参数）、看结果（各县对比、逐人明细、导出）。

用途为统计分析（statistics）。结果页没有任何办理按钮：模拟只供决策参考。查看逐人明细和导出
各记一条审计（只有编号、筛选和行数）；各县对比只有数字，不记。
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from shouhu.core.errors import InvalidInput
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.comparison import simulation_selectors as selectors
from shouhu.web.comparison.models import ComparisonRun
from shouhu.web.comparison.simulations import rule_simulation_start
from shouhu.web.exports import Export, export_part, export_xlsx
from shouhu.web.pages import page_number


def _ctx(request: HttpRequest) -> RequestContext:
    return request_context(request, Purpose.STATISTICS)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # behind @login_required


def _chosen_run(ctx: RequestContext, raw: str) -> ComparisonRun | None:
    """点名的运行（经访问层），没点名时是最近一次可用的。"""
    if raw:
        return access.access_simulation_run(ctx, raw)
    runs = access.simulation_runs_visible_to(cast(User, ctx.user))
    return runs.select_related("division").order_by("-created_at").first()


@login_required
@require_http_methods(["GET", "POST"])
def simulations_view(request: HttpRequest) -> HttpResponse:
    """规则变更模拟：选运行、改参数、发起；下面是最近的模拟。"""
    ctx = _ctx(request)
    simulations = access.access_simulation_list(ctx)
    source = request.POST if request.method == "POST" else request.GET
    run = _chosen_run(ctx, source.get("run", ""))
    error = ""
    if request.method == "POST":
        try:
            if run is None:
                raise InvalidInput("请选择一次已完成的比对运行。")
            simulation = rule_simulation_start(
                ctx=ctx,
                run=run,
                name=request.POST.get("name", ""),
                raw=selectors.variant_from_post(dict(request.POST.lists()), run),
            )
        except InvalidInput as exc:
            error = exc.message
        else:
            messages.success(request, f"模拟已开始（#{simulation.pk}），完成后可查看结果。")
            return redirect("comparison_simulation", simulation.pk)
    context = {
        "runs": selectors.run_choices(access.simulation_runs_visible_to(_user(request))),
        "run": run,
        "fields": selectors.param_fields(run, dict(request.POST.lists()) if error else None),
        "name": request.POST.get("name", ""),
        "error": error,
        "simulations": selectors.simulation_list(simulations),
    }
    return render(request, "comparison/simulations.html", context, status=400 if error else 200)


@login_required
@require_GET
def simulation_view(request: HttpRequest, simulation_id: int) -> HttpResponse:
    """一次模拟的结果：各县对比；民政经办另看逐人明细（分页，可导出）。"""
    ctx = _ctx(request)
    simulation = access.access_simulation(ctx, simulation_id)
    user = _user(request)
    effect = request.GET.get("effect", "")[:20]
    children = None
    if access.may_read_simulation_children(user):
        children = selectors.child_page(
            user=user,
            children=access.access_simulation_children(ctx, simulation),
            effect=effect,
            page=page_number(request.GET.get("page")),
        )
        audit_record(
            ctx=ctx,
            action=Action.VIEW,
            object_type=ObjectType.RULE_SIMULATION,
            object_id=simulation.pk,
            detail={"effect": effect, "page": children.page, "rows": len(children.rows)},
        )
    context = {
        "simulation": selectors.simulation_row(simulation),
        "kinds": selectors.KIND_COLUMNS,
        "counties": selectors.county_rows(simulation, user.division.path),
        "children": children,
        "effects": selectors.EFFECTS,
    }
    return render(request, "comparison/simulation.html", context)


@login_required
@require_GET
def simulation_export_view(request: HttpRequest, simulation_id: int) -> HttpResponse:
    """逐人明细按当前筛选导出为 Excel（经唯一的导出出口：用途、限量、水印、审计）。"""
    ctx = _ctx(request)
    simulation = access.access_simulation(ctx, simulation_id)
    rows = selectors.child_export_rows(
        user=_user(request),
        children=access.access_simulation_children(ctx, simulation),
        effect=request.GET.get("effect", "")[:20],
    )
    export = Export(
        title=f"规则变更模拟-{simulation.division.name}-{simulation.pk}",
        header=selectors.EXPORT_HEADER,
        rows=rows,
        object_type=ObjectType.RULE_SIMULATION,
        object_id=simulation.pk,
    )
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))
