"""平台的外壳：登录（密码、动态验证码或登记）、退出、我的账户。各业务页面在各自的应用里（registry、statistics……）。"""

from __future__ import annotations

import time
from typing import cast

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from shouhu.core.errors import DomainError
from shouhu.web.accounts.middleware import SEEN, SIGNED_IN
from shouhu.web.accounts.models import User
from shouhu.web.accounts.second_factor import (
    provisioning_uri,
    qr_svg,
    recovery_codes_left,
    second_factor_begin,
    second_factor_confirm,
    second_factor_enrolled,
)
from shouhu.web.accounts.signin import signin_enrolled, signin_password, signin_second_factor
from shouhu.web.audit.context import request_context
from shouhu.web.audit.models import Action, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.ui.context import landing_url_name

PENDING = "signin_pending"  # 会话里：密码已对、等待动态验证码的人
PENDING_SECONDS = 300


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
    """第一步：用户名和密码。须用动态验证码的，密码对了转到验证码（或登记）那一页。"""
    if request.method == "GET":
        if request.user.is_authenticated:
            return redirect(landing_url_name(_user(request)))
        return render(request, "ui/login.html", {"next": _safe_next(request)})
    username = request.POST.get("username", "").strip()[:150]
    outcome = signin_password(
        ctx=request_context(request, Purpose.AUTHENTICATION),
        username=username,
        password=request.POST.get("password", ""),
    )
    if outcome.user is None:
        context = {"error": outcome.message, "username": username, "next": _safe_next(request)}
        return render(request, "ui/login.html", context, status=200)
    if outcome.second_factor:
        request.session.cycle_key()  # 换掉登录前的会话号（防会话固定）
        request.session[PENDING] = {
            "user": outcome.user.pk,
            "at": int(time.time()),
            "next": _safe_next(request),
        }
        return redirect("login_enrol" if outcome.second_factor == "enrol" else "login_code")
    return _signed_in(request, outcome.user, _safe_next(request))


def _signed_in(request: HttpRequest, user: User, target: str) -> HttpResponse:
    _complete(request, user)
    return redirect(target or landing_url_name(user))


def _complete(request: HttpRequest, user: User) -> None:
    request.session.pop(PENDING, None)
    login(request, user)  # 会话号随之更换
    now = int(time.time())
    request.session[SIGNED_IN] = request.session[SEEN] = now


def _pending(request: HttpRequest) -> tuple[User | None, str]:
    """密码已对、等待第二步的人（5 分钟内有效），和登录后要去的页面。"""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, ""
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return user, str(pending.get("next", ""))


def _start_over(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:  # 已登录（书签、后退键）：直接去首页
        return redirect(landing_url_name(_user(request)))
    request.session.pop(PENDING, None)
    messages.info(request, "请重新输入用户名和密码。")
    return redirect("login")


@require_http_methods(["GET", "POST"])
def login_code_view(request: HttpRequest) -> HttpResponse:
    """第二步：身份验证器上的六位验证码，或一个恢复码。"""
    user, target = _pending(request)
    if user is None:
        return _start_over(request)
    error = ""
    if request.method == "POST":
        outcome = signin_second_factor(
            ctx=request_context(request, Purpose.AUTHENTICATION),
            user=user,
            code=request.POST.get("code", "")[:40],
        )
        if outcome.user is not None:
            return _signed_in(request, outcome.user, target)
        error = outcome.message
    return render(request, "ui/login_code.html", {"error": error})


@require_http_methods(["GET", "POST"])
def login_enrol_view(request: HttpRequest) -> HttpResponse:
    """第一次登录（或管理员重置之后）：扫码登记身份验证器，输对一个验证码即完成登录，
    并显示 10 个恢复码（只此一次）。"""
    user, target = _pending(request)
    if user is None:
        return _start_over(request)
    if second_factor_enrolled(user):
        return redirect("login_code")
    secret = second_factor_begin(user=user)
    error = ""
    if request.method == "POST":
        ctx = request_context(request, Purpose.AUTHENTICATION)
        try:
            codes = second_factor_confirm(ctx=ctx, user=user, code=request.POST.get("code", ""))
        except DomainError as exc:
            error = exc.message
        else:
            signin_enrolled(ctx=ctx, user=user)
            _complete(request, user)
            context = {"codes": codes, "target": target or reverse(landing_url_name(user))}
            return render(request, "ui/recovery_codes.html", context)
    uri = provisioning_uri(user=user, secret=secret)
    context = {
        "error": error,
        "qr": mark_safe(qr_svg(uri)),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "username": user.username,
    }
    return render(request, "ui/login_enrol.html", context, status=400 if error else 200)


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
    user = _user(request)
    enrolled = second_factor_enrolled(user)
    context = {
        "second_factor": enrolled,
        "recovery_left": recovery_codes_left(user=user) if enrolled else 0,
    }
    return render(request, "ui/account.html", context)
