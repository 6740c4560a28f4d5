"""Pages. Views parse input, fetch through `access_*`, call one service or selector, render."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from shouhu.web.accounts.services import login_attempt
from shouhu.web.audit.models import Action, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.ui.context import request_context


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "ui/login.html", {})
    username = request.POST.get("username", "").strip()[:150]
    outcome = login_attempt(
        ctx=request_context(request, Purpose.AUTHENTICATION),
        username=username,
        password=request.POST.get("password", ""),
    )
    if outcome.user is None:
        return render(
            request, "ui/login.html", {"error": outcome.message, "username": username}, status=200
        )
    login(request, outcome.user)
    return redirect("dashboard")


@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(ctx=request_context(request, Purpose.AUTHENTICATION), action=Action.LOGOUT)
    logout(request)
    return redirect("login")


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/dashboard.html", {})


@login_required
def person_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/person_list.html", {})


@login_required
def person_detail_view(request: HttpRequest, person_id: int) -> HttpResponse:
    return render(request, "ui/person_detail.html", {})
