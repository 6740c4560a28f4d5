"""The web layer alone maps domain errors to HTTP answers and Chinese pages."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from types import TracebackType

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from shouhu.core.errors import DomainError, ErrorCode

logger = logging.getLogger(__name__)
# Exceptions Django itself turns into 4xx answers (not program errors).
DJANGO_ANSWERS = (Http404, PermissionDenied, BadRequest, SuspiciousOperation)
INTERNAL_MESSAGE = "服务器内部错误，请稍后重试；如仍出错请联系管理员。"

STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.CONFLICT: 409,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.TOO_MANY: 429,
}


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return self.unexpected(request, exception)
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

    def unexpected(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """程序错误：日志只记异常类型和出错位置。异常消息可能带着单元格里的姓名、身份证号
        （安全测试 M1），Django 默认的日志会把它连同回溯写进服务器日志。"""
        if settings.DEBUG or isinstance(exception, DJANGO_ANSWERS):
            return None  # 开发时要看完整的调试页；404、403、400 由 Django 照常答复
        logger.error(
            "未处理的异常 %s（%s %s）\n%s",
            type(exception).__name__,
            request.method,
            request.path[:200],
            frames_only(exception.__traceback__),
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"error": "internal", "message": INTERNAL_MESSAGE}, status=500)
        return render(
            request, "ui/error.html", {"message": INTERNAL_MESSAGE, "status": 500}, status=500
        )


def frames_only(tb: TracebackType | None) -> str:
    """回溯里只留文件、行号和函数名，不留异常消息和源码行之外的任何值。"""
    frames = traceback.extract_tb(tb)[-8:]
    return "\n".join(f"  {f.filename}:{f.lineno} {f.name}" for f in frames)


class ExceptionTextFilter(logging.Filter):
    """任何带异常的日志记录：把完整回溯（含异常消息）换成只有类型和位置的回溯。

    装在处理器上（见 `log_scrubber_install`），所以 Django、waitress 或第三方库记下的异常
    都经过它；平台自己的日志本来就只记异常类型。
    """

    def filter(self, record: logging.LogRecord) -> bool:
        info = record.exc_info
        if info and info[0] is not None:
            record.exc_text = f"{info[0].__name__}（消息已略去）\n{frames_only(info[2])}"
            record.exc_info = None
        return True


def log_scrubber_install() -> None:
    """给根日志和 django 日志的每个处理器装上 ExceptionTextFilter（只装一次）。"""
    for name in ("", "django", "django.request", "django.server"):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, ExceptionTextFilter) for f in handler.filters):
                handler.addFilter(ExceptionTextFilter())


# ---------------------------------------------------------------- the HTTP API's request errors

HTTP_MESSAGES = {
    400: "请求体无法解析：应为 UTF-8 编码的 JSON。",
    401: "缺少或无效的身份凭证。",
    403: "无权进行此操作。",
    404: "未找到。",
    405: "不支持该请求方法。",
}
# pydantic's error types, as a person filling in a request would say them.
_PROBLEMS = {
    "missing": "必填，不能缺少",
    "json_invalid": "不是合法的 JSON",
    "json_type": "应为 JSON",
    "string_type": "应为字符串",
    "string_too_short": "不能为空",
    "string_too_long": "太长",
    "string_pattern_mismatch": "格式不对",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为数组",
    "too_long": "元素太多",
    "too_short": "元素太少",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "extra_forbidden": "不是可用的字段",
    "date_from_datetime_parsing": "应为日期，如 2025-03-01",
    "date_parsing": "应为日期，如 2025-03-01",
    "union_tag_invalid": "类型不对",
}
_LOCATIONS = {"body": "请求体", "query": "查询参数", "path": "路径参数", "header": "请求头"}
MAX_LISTED = 5


def _where(loc: object) -> str:
    """("body", "payload", "rows", 3, "案号") → 请求体 rows[3].案号"""
    parts = list(loc) if isinstance(loc, list | tuple) else [loc]
    place = _LOCATIONS.get(str(parts[0]), "") if parts else ""
    path = ""
    for part in parts[2:] if place == "请求体" else parts[1:]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return f"{place} {path}".strip() if path else place or "请求"


def _problem(error: dict[str, object]) -> str:
    known = _PROBLEMS.get(str(error.get("type")))
    if known:
        return known
    message = str(error.get("msg", ""))  # a validator of ours that already speaks Chinese
    return message if not message.isascii() else "取值不合要求"


def invalid_request_body(errors: list[dict[str, object]]) -> dict[str, object]:
    """A request the API's schema refuses: one Chinese sentence, plus each problem by place."""
    details = [{"loc": _where(e.get("loc", ())), "message": _problem(e)} for e in errors]
    listed = "；".join(f"{d['loc']}：{d['message']}" for d in details[:MAX_LISTED])
    more = f"等 {len(details)} 处" if len(details) > MAX_LISTED else ""
    return {"error": "invalid_input", "message": f"请求有误：{listed}{more}。", "details": details}


# ---------------------------------------------------------------- CSRF refusals

CSRF_MESSAGE = "页面已过期或请求来源不对，操作未执行。请刷新页面后重试。"
# Django's reasons, as codes: the reason text can quote the request's Origin or Referer.
_CSRF_REASONS = (
    ("CSRF cookie not set", "no_cookie"),
    ("CSRF token missing", "token_missing"),
    ("CSRF token from", "token_incorrect"),
    ("CSRF token incorrect", "token_incorrect"),
    ("CSRF token has incorrect length", "token_incorrect"),
    ("Origin checking failed", "bad_origin"),
    ("Referer checking failed", "bad_referer"),
    ("Referer", "bad_referer"),
)


def csrf_reason_code(reason: str) -> str:
    return next((code for text, code in _CSRF_REASONS if reason.startswith(text)), "other")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW：拒绝并记入审计（安全测试 L6）。记原因代码和路径，不记请求内容。"""
    from shouhu.web.audit.context import request_context
    from shouhu.web.audit.models import Action, ObjectType, Purpose
    from shouhu.web.audit.services import audit_record

    ctx = request_context(request, Purpose.AUTHENTICATION)
    audit_record(
        ctx=ctx,
        action=Action.DENY,
        object_type=ObjectType.REQUEST,
        object_id=request.path[:64],
        detail={"why": "csrf", "reason": csrf_reason_code(reason), "method": request.method},
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "csrf", "message": CSRF_MESSAGE}, status=403)
    return render(request, "ui/error.html", {"message": CSRF_MESSAGE, "status": 403}, status=403)
