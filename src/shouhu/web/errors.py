"""The web layer alone maps domain errors to HTTP answers and Chinese pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from shouhu.core.errors import DomainError, ErrorCode

STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.CONFLICT: 409,
}


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        status = STATUS.get(exception.code, 400)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"error": exception.code.value, "message": exception.message}, status=status
            )
        return render(
            request,
            "ui/error.html",
            {"message": exception.message, "status": status},
            status=status,
        )
