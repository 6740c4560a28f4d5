"""安全管理员的共享授权页：列出授权、新增、撤销、载入默认授权。页面上没有任何个人信息。"""

from __future__ import annotations

from datetime import date
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from shouhu.core.errors import DomainError, InvalidInput
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Purpose
from shouhu.web.grants.selectors import grant_form_choices, grant_rows, grants_visible_to
from shouhu.web.grants.services import grant_create, grant_revoke, grants_ensure_defaults


def _ctx(request: HttpRequest) -> RequestContext:
    return request_context(request, Purpose.ADMINISTRATION)


def _valid_until(raw: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise InvalidInput("有效期的格式应为 年-月-日，例如 2027-12-31。") from exc


@login_required
@require_http_methods(["GET", "POST"])
def grants_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    user = cast(User, access.access_grants(ctx))
    error = ""
    if request.method == "POST":
        # 给谁：不在管理范围内的，与“不存在”同一答复（拒绝，不当作表单错误）
        receiver = access.access_grant_receiver(ctx, request.POST.get("agency", ""))
        try:
            grant_create(
                ctx=ctx,
                agency_type=request.POST.get("agency_type", ""),
                agency=receiver,
                item_code=request.POST.get("item", ""),
                purpose=request.POST.get("purpose", ""),
                roles=request.POST.getlist("roles"),
                level=request.POST.get("level", ""),
                valid_until=_valid_until(request.POST.get("valid_until", "")),
                basis=request.POST.get("basis", ""),
                fields=request.POST.getlist("fields"),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "已新增一条授权。")
            return redirect("grants_home")
    show_revoked = request.GET.get("revoked") == "1"
    context = {
        "rows": grant_rows(user, grants_visible_to(user), show_revoked=show_revoked),
        "show_revoked": show_revoked,
        "error": error,
        "posted": request.POST if error else {},
        **grant_form_choices(user),
    }
    return render(request, "grants/grants.html", context, status=400 if error else 200)


@login_required
@require_POST
def grant_revoke_view(request: HttpRequest, grant_id: int) -> HttpResponse:
    ctx = _ctx(request)
    grant_revoke(ctx=ctx, grant=access.access_grant(ctx, grant_id))
    messages.success(request, "已撤销这条授权，立即生效。")
    return redirect("grants_home")


@login_required
@require_POST
def grants_defaults_view(request: HttpRequest) -> HttpResponse:
    """载入平台的默认授权（只补从未有过的，不恢复已撤销的）。"""
    ctx = _ctx(request)
    access.access_grant_receiver(ctx, "")  # 对一类部门的授权：省级安全管理员
    added = grants_ensure_defaults(ctx=ctx)
    messages.success(request, f"已载入 {added} 条默认授权。" if added else "默认授权都已在册。")
    return redirect("grants_home")
