"""Response headers every page carries, and the client address behind a trusted proxy.

- Content-Security-Policy (settings.CONTENT_SECURITY_POLICY): every asset is local, no inline
  script; a page cannot be framed.
- Cache-Control: no-store on every response the application makes (pages, downloads, the API):
  nearly all of them carry personal data, and a shared or back-button cache must keep none.
  Static files are served by WhiteNoise before this middleware and keep their own caching.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

CSP_EXEMPT = ("/api/",)  # JSON, not rendered by a browser


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)  # no-store, no-cache, must-revalidate, private
        if not request.path.startswith(CSP_EXEMPT):
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class ClientAddressMiddleware:
    """Behind a reverse proxy REMOTE_ADDR is the proxy's: with SHOUHU_CLIENT_IP_HEADER set, the
    address the proxy reports (the last one it appended) becomes REMOTE_ADDR, so that the audit
    log and the sign-in limits see the client. Only set it when a proxy that overwrites the
    header is the sole way in; otherwise a client could choose its own address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        header = settings.CLIENT_IP_HEADER
        self.meta_key = "HTTP_" + header.upper().replace("-", "_") if header else ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.meta_key:
            reported = request.META.get(self.meta_key, "").split(",")[-1].strip()
            if reported:
                request.META["REMOTE_ADDR"] = reported[:45]
        return self.get_response(request)
