"""The HTTP API (OpenAPI at /api/v1/openapi.json). Routers live beside the areas they serve."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import django_auth

from shouhu.core.errors import DomainError
from shouhu.web.errors import STATUS

# No interactive docs page: it would load Swagger UI from a CDN, and government networks are closed.
api = NinjaAPI(
    title="守护 API",
    version="1",
    urls_namespace="api",
    docs_url=None,
    auth=django_auth,
    description="孤儿和事实无人抚养儿童数据共享、比对与协同保障平台的接口。",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request, {"error": exc.code.value, "message": exc.message}, status=STATUS.get(exc.code, 400)
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"error": "unauthenticated", "message": "请先登录。"}, status=401)
