"""平台的外壳：登录、退出、我的账户。各业务页面在各自的应用里（registry、statistics……）。"""

from __future__ import annotations

from typing import cast

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from shouhu.web.accounts.models import User
from shouhu.web.accounts.services import login_attempt
from shouhu.web.audit.context import request_context
from shouhu.web.audit.models import Action, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.ui.context import landing_url_name


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # behind @login_required


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else ""


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if request.user.is_authenticated:
            return redirect(landing_url_name(_user(request)))
        return render(request, "ui/login.html", {"next": _safe_next(request)})
    username = request.POST.get("username", "").strip()[:150]
    outcome = login_attempt(
        ctx=request_context(request, Purpose.AUTHENTICATION),
        username=username,
        password=request.POST.get("password", ""),
    )
    if outcome.user is None:
        context = {"error": outcome.message, "username": username, "next": _safe_next(request)}
        return render(request, "ui/login.html", context, status=200)
    login(request, outcome.user)
    return redirect(_safe_next(request) or landing_url_name(outcome.user))


@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    """GET（书签、手输网址、出错页面上的链接）只显示确认按钮；退出本身须 POST（防跨站伪造）。"""
    if request.method == "GET":
        if not request.user.is_authenticated:
            return redirect("login")
        return render(request, "ui/logout.html", {})
    if request.user.is_authenticated:
        audit_record(ctx=request_context(request, Purpose.AUTHENTICATION), action=Action.LOGOUT)
    logout(request)
    return redirect("login")


@login_required
@require_GET
def account_view(request: HttpRequest) -> HttpResponse:
    """Who I am and what my role may do: no protected data, so nothing to audit."""
    return render(request, "ui/account.html", {})
