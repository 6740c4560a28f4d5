"""Pages. Views parse input, fetch through `access_*`, call one selector or service, render.

Every page that shows personal data writes one audit entry; every refusal is audited by the
access layer and answered by `errors.DomainErrorMiddleware` with the same page as "not found".
"""

from __future__ import annotations

from datetime import date
from typing import cast

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.accounts.services import login_attempt
from shouhu.web.audit.models import Action, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.determination.selectors import determination_view
from shouhu.web.registry.selectors import SCOPES, dashboard_counts, person_page, person_search
from shouhu.web.ui.context import landing_url_name, request_context

MAX_QUERY_LENGTH = 60


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


@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(ctx=request_context(request, Purpose.AUTHENTICATION), action=Action.LOGOUT)
    logout(request)
    return redirect("login")


@login_required
@require_GET
def account_view(request: HttpRequest) -> HttpResponse:
    """Who I am and what my role may do: no protected data, so nothing to audit."""
    return render(request, "ui/account.html", {})


@login_required
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    ctx = request_context(request, Purpose.STATISTICS)
    division = access.access_dashboard(ctx)
    counts = dashboard_counts(user=_user(request))
    audit_record(ctx=ctx, action=Action.VIEW, object_type="dashboard", object_id=division.code)
    return render(request, "ui/dashboard.html", {"counts": counts})


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 7 else 1


@login_required
@require_http_methods(["GET", "POST"])
def person_list_view(request: HttpRequest) -> HttpResponse:
    """The query travels by POST, so ID numbers and names never land in URLs or proxy logs."""
    ctx = request_context(request, Purpose.CASE_WORK)
    access.access_person_list(ctx)
    data = request.POST if request.method == "POST" else request.GET
    query = request.POST.get("q", "").strip()[:MAX_QUERY_LENGTH]
    result = person_search(
        user=_user(request), query=query, page=_page_number(data.get("page")),
        scope=data.get("scope", "all"),
    )  # fmt: skip
    # The query's kind is logged, never its text: the log must hold no personal data.
    audit_record(
        ctx=ctx, action=Action.SEARCH, object_type="person",
        detail={"kind": result.query_kind, "scope": result.scope, "page": result.page,
                "results": result.total},
    )  # fmt: skip
    context = {"result": result, "query": query, "scopes": SCOPES}
    return render(request, "ui/person_list.html", context)


@login_required
@require_GET
def person_detail_view(request: HttpRequest, person_id: int) -> HttpResponse:
    ctx = request_context(request, Purpose.CASE_WORK)
    person = access.access_person(ctx, person_id)
    page = person_page(user=_user(request), person=person)
    today = timezone.localdate()
    as_of, as_of_error = _what_if_date(request.GET.get("as_of"), today)
    decision = None
    if page.is_minor or page.cases or as_of != today:
        decision = determination_view(child=person, as_of=as_of, today=today)
    audit_record(ctx=ctx, action=Action.VIEW, object_type="person", object_id=person.pk,
                 detail={"what_if": as_of != today})  # fmt: skip
    context = {"page": page, "d": decision, "as_of_error": as_of_error}
    return render(request, "ui/person_detail.html", context)


def _what_if_date(raw: str | None, today: date) -> tuple[date, str]:
    if not raw:
        return today, ""
    try:
        return date.fromisoformat(raw), ""
    except ValueError:
        return today, "日期格式应为 年-月-日，已按今天认定。"
