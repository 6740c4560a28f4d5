"""Building the audit context of a request: the user, the client address, the purpose."""

from __future__ import annotations

from django.http import HttpRequest

from shouhu.web.accounts.models import User
from shouhu.web.audit.services import RequestContext


def client_ip(request: HttpRequest) -> str:
    # Behind a reverse proxy, configure it to set REMOTE_ADDR (we do not trust X-Forwarded-For).
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def request_context(request: HttpRequest, purpose: str) -> RequestContext:
    user = request.user if isinstance(request.user, User) else None
    return RequestContext(user=user, client_ip=client_ip(request), purpose=purpose)
