"""运行中看得见：每个请求一个请求号、一行 JSON 日志、计入 Prometheus 指标。

日志和指标里没有个人信息：记的是视图名（路由名，不是路径，路径里有人员编号）、方法、状态码、
用时、用户编号（不是姓名）；不记查询串（搜索的身份证号、姓名都在查询串里），不记请求体。
请求号取自请求头 X-Request-ID（只收字母、数字和 -_.，最长 64），没有就生成一个，随响应带回，
同一请求里打的每一行日志都带着它（logging 的 JsonFormatter 从 contextvar 取）。
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

request_id_var: ContextVar[str] = ContextVar("shouhu_request_id", default="")
logger = logging.getLogger("shouhu.request")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

REQUESTS = Counter(
    "shouhu_http_requests", "HTTP 请求数（按视图、方法、状态码）", ["view", "method", "status"]
)
LATENCY = Histogram(
    "shouhu_http_request_duration_seconds",
    "HTTP 请求用时（按视图）",
    ["view"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0),
)


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "static" if request.path.startswith("/static/") else "unmatched"
    return str(match.view_name or match.route or "unnamed")[:80]


class RequestObserveMiddleware:
    """最外层中间件：请求号、用时、JSON 访问日志、指标。"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META["SHOUHU_PEER_ADDR"] = request.META.get("REMOTE_ADDR", "")  # 代理改写之前
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _VALID_ID.match(offered) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            view = _view_name(request)
            response.headers["X-Request-ID"] = request_id
            REQUESTS.labels(view, request.method or "", str(response.status_code)).inc()
            LATENCY.labels(view).observe(seconds)
            user = getattr(request, "user", None)
            logger.info(
                "request",
                extra={
                    "request_id": request_id,
                    "view": view,
                    "method": request.method,
                    "status": response.status_code,
                    "ms": round(seconds * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            request_id_var.reset(token)


_EXTRA_FIELDS = ("view", "method", "status", "ms", "user_id", "job_id", "kind")


class JsonFormatter(logging.Formatter):
    """一行一个 JSON 对象：时间、级别、记录器、消息、请求号和少数约定的附加字段。

    异常只记类型和代码位置，不记消息（可能含个人信息；见 errors.ExceptionTextFilter）。
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "") or request_id_var.get()
        if request_id:
            line["request_id"] = request_id
        for name in _EXTRA_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_text:  # errors.ExceptionTextFilter 已换成类型和代码位置
            line["exception"] = record.exc_text
        elif record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__  # 消息可能含数据，不记
        return json.dumps(line, ensure_ascii=False, default=str)
