"""会话的两道关，都放在认证中间件之后；接口（/api/，凭 Bearer 令牌）和静态文件不受影响。

- 会话超时：SESSION_IDLE_SECONDS 内没有任何请求、或登录已满 SESSION_COOKIE_AGE，即退出
  （记入审计），下一页是登录页。
- 须修改密码的账户（管理员刚开设或重置过）：改好之前，除了改密码和退出，哪一页都打不开。
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from shouhu.web.accounts.models import User
from shouhu.web.audit.context import request_context
from shouhu.web.audit.models import Action, Purpose
from shouhu.web.audit.services import audit_record

SEEN = "seen"  # 会话里：最近一次请求的时间（Unix 秒）
SIGNED_IN = "signed_in"  # 会话里：登录的时间
SEEN_RESOLUTION = 60  # 最近请求时间精确到一分钟：不必每个请求都写一次会话


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User) and not request.path.startswith(PASSED_THROUGH):
            why = self._expired(request)
            if why:
                audit_record(
                    ctx=request_context(request, Purpose.AUTHENTICATION),
                    action=Action.LOGOUT,
                    detail={"why": why},
                )
                logout(request)
                messages.info(request, "长时间没有操作，已自动退出，请重新登录。")
                back = f"?next={request.path}" if request.method == "GET" else ""
                return redirect(reverse("login") + back)
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> str:
        session = request.session
        now = int(time.time())
        seen = session.get(SEEN)
        signed_in = session.setdefault(SIGNED_IN, now)  # 测试的 force_login 没有这一项
        if seen is not None and now - seen > settings.SESSION_IDLE_SECONDS:
            return "idle"
        if now - signed_in > settings.SESSION_COOKIE_AGE:
            return "session_age"
        if seen is None or now - seen >= SEEN_RESOLUTION:
            session[SEEN] = now
        return ""


ALLOWED = ("account_password", "logout", "login")
PASSED_THROUGH = ("/api/", "/static/")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._allowed: frozenset[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.must_change_password and self._blocked(request):
            return redirect("account_password")
        return self.get_response(request)

    def _blocked(self, request: HttpRequest) -> bool:
        if request.path.startswith(PASSED_THROUGH):
            return False
        if self._allowed is None:
            self._allowed = frozenset(reverse(name) for name in ALLOWED)
        return request.path not in self._allowed
