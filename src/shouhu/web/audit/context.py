"""请求的审计上下文：谁在操作、从哪里、为了什么用途。每个受审计的调用都要它。

视图、接口和命令行都在这里构造上下文；访问层和服务只接收它。
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from shouhu.web.accounts.models import User


@dataclass(frozen=True)
class RequestContext:
    """Who is acting, from where, and for what purpose: what every audited call needs."""

    user: User | None
    client_ip: str
    purpose: str


def client_ip(request: HttpRequest) -> str:
    # Behind a reverse proxy, configure it to set REMOTE_ADDR (we do not trust X-Forwarded-For).
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def request_context(request: HttpRequest, purpose: str) -> RequestContext:
    user = request.user if isinstance(request.user, User) else None
    return RequestContext(user=user, client_ip=client_ip(request), purpose=purpose)
