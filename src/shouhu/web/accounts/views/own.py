"""系统管理的首页、本人修改密码。"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from shouhu.core.errors import DomainError
from shouhu.web import access
from shouhu.web.accounts.selectors import admin_overview
from shouhu.web.accounts.services import password_change
from shouhu.web.accounts.views._common import admin_ctx, admin_of, current_user, page
from shouhu.web.audit.context import request_context
from shouhu.web.audit.models import Purpose


@login_required
@require_GET
def admin_home_view(request: HttpRequest) -> HttpResponse:
    """系统管理员的首页：辖区的账户、部门、名册、区划和凭证，各有几个、哪些要处理。"""
    admin = admin_of(admin_ctx(request))
    overview = admin_overview(root=admin.division, accounts=access.accounts_visible_to(admin))
    return page(request, "accounts/home.html", {"overview": overview, "root": admin.division})


@login_required
@require_http_methods(["GET", "POST"])
def password_view(request: HttpRequest) -> HttpResponse:
    """本人修改密码；管理员开设账户或重置密码后，改好之前其他页面都转到这里。"""
    user = current_user(request)
    error = ""
    if request.method == "POST":
        try:
            password_change(
                ctx=request_context(request, Purpose.AUTHENTICATION),
                user=user,
                current=request.POST.get("current", ""),
                new=request.POST.get("new", ""),
                repeat=request.POST.get("repeat", ""),
            )
        except DomainError as exc:
            error = exc.message
        else:
            update_session_auth_hash(request, user)  # 改了密码，本会话仍然有效
            messages.success(request, "密码已修改。")
            return redirect("account")
    context = {"error": error, "forced": user.must_change_password}
    return render(request, "accounts/password.html", context, status=400 if error else 200)
