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
