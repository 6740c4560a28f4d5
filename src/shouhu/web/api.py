"""The HTTP API (OpenAPI at /api/v1/openapi.json). Routers live beside the areas they serve."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from shouhu.core.errors import DomainError
from shouhu.web.errors import HTTP_MESSAGES, STATUS, invalid_request_body

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
    return api.create_response(
        request, {"error": "unauthenticated", "message": "请先登录。"}, status=401
    )


@api.exception_handler(ValidationError)
def _invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    body = invalid_request_body(exc.errors)
    return api.create_response(request, body, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own refusals (a body that is not JSON, …) get a Chinese message like every other.
    message = HTTP_MESSAGES.get(exc.status_code, "请求有误。")
    body = {"error": "invalid_input", "message": message}
    return api.create_response(request, body, status=exc.status_code)


def _mount_routers() -> None:
    from shouhu.web.determination.api import router as determination_router

    api.add_router("", determination_router)
    from shouhu.web.exchange.api import router as exchange_router

    api.add_router("", exchange_router)
    from shouhu.web.cases.api import router as cases_router

    api.add_router("", cases_router)
    from shouhu.web.shares.api import router as shares_router

    api.add_router("", shares_router)
    from shouhu.web.queries.api import router as queries_router

    api.add_router("", queries_router)


_mount_routers()
