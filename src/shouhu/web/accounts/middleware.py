"""须修改密码的账户（管理员刚开设或重置过）：改好之前，除了改密码和退出，哪一页都打不开。

放在认证中间件之后；接口（/api/，凭 Bearer 令牌，服务账户从不须改密码）和静态文件不受影响。
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from shouhu.web.accounts.models import User

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
