"""存活、就绪和指标：`/healthz`、`/readyz`、`/metrics`。不用登录，回答里没有个人信息。

- /healthz：进程在、能回答（不碰数据库），给进程监管和负载均衡判断要不要重启；
- /readyz：数据库能查、后台任务进程有心跳（心跳文件，见 jobs.worker）、数据目录所在磁盘还有
  空间；有一项不行就 503，负载均衡据此暂不派请求；
- /metrics：Prometheus 文本格式。只回答本机（回环地址、且不是经反向代理转来的）或带
  `Authorization: Bearer <SHOUHU_METRICS_TOKEN>` 的请求，其余 404。
"""

from __future__ import annotations

import hmac
import os
import shutil
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from shouhu.web.jobs.worker import heartbeat_path

HEARTBEAT_STALE_SECONDS = 120
DISK_MIN_FREE_BYTES = 1 << 30
DISK_MIN_FREE_RATIO = 0.05
_PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def heartbeat_age() -> float | None:
    """后台任务进程上次报平安到现在的秒数；从没报过为 None。"""
    try:
        return max(0.0, time.time() - heartbeat_path().stat().st_mtime)
    except OSError:
        return None


def _database_check() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # 不回显消息：可能含连接串
        return {"ok": False, "error": type(exc).__name__}


def _worker_check() -> dict[str, object]:
    age = heartbeat_age()
    if age is None:
        return {"ok": False, "error": "no_heartbeat"}
    return {"ok": age <= HEARTBEAT_STALE_SECONDS, "age_seconds": round(age)}


def _disk_check() -> dict[str, object]:
    usage = shutil.disk_usage(settings.DATA_DIR)
    ratio = usage.free / usage.total if usage.total else 0.0
    ok = usage.free >= DISK_MIN_FREE_BYTES and ratio >= DISK_MIN_FREE_RATIO
    return {"ok": ok, "free_bytes": usage.free, "free_ratio": round(ratio, 3)}


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    checks = {"database": _database_check(), "worker": _worker_check(), "disk": _disk_check()}
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ready else "fail", "checks": checks},
                        status=200 if ready else 503)  # fmt: skip


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    peer = request.META.get("SHOUHU_PEER_ADDR", request.META.get("REMOTE_ADDR", ""))
    proxied = any(request.META.get(header) for header in _PROXY_HEADERS)
    return peer in {"127.0.0.1", "::1"} and not proxied


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse(status=404)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # shouhu production：各进程的计数合起来
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(PlatformCollector())
        return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    collector_register()
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


class PlatformCollector(Collector):
    """每次抓取时从数据库数：任务（按类型、状态）、卡住的任务、比对运行用时、各部门报送批次。
    标签只有类型代码、状态和区划代码，没有个人信息。"""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from shouhu.web.ops.figures import (
            comparison_durations,
            jobs_by_state,
            jobs_stalled,
            submissions_by_agency,
        )

        jobs = GaugeMetricFamily(
            "shouhu_jobs", "后台任务数（按类型、状态）", labels=["kind", "status"]
        )
        for (kind, status), count in jobs_by_state().items():
            jobs.add_metric([kind, status], count)
        yield jobs
        stalled = GaugeMetricFamily("shouhu_jobs_stalled", "处理中但进程已无心跳的后台任务数")
        stalled.add_metric([], jobs_stalled())
        yield stalled
        age = heartbeat_age()
        beat = GaugeMetricFamily("shouhu_worker_heartbeat_age_seconds", "后台任务进程心跳距今秒数")
        beat.add_metric([], -1 if age is None else age)
        yield beat
        runs = GaugeMetricFamily(
            "shouhu_comparison_run_last_duration_seconds",
            "各辖区最近一次完成的比对运行用时",
            labels=["division"],
        )
        runs_total = GaugeMetricFamily(
            "shouhu_comparison_runs", "比对运行数（按状态）", labels=["status"]
        )
        durations, by_status = comparison_durations()
        for division, seconds in durations.items():
            runs.add_metric([division], seconds)
        for status, count in by_status.items():
            runs_total.add_metric([status], count)
        yield runs
        yield runs_total
        submissions = GaugeMetricFamily(
            "shouhu_submissions",
            "报送批次数（按部门类型、区划、接收情况）",
            labels=["agency_type", "division", "status"],
        )
        for (agency_type, division, status), count in submissions_by_agency().items():
            submissions.add_metric([agency_type, division, status], count)
        yield submissions


_registered: list[PlatformCollector] = []


def collector_register() -> None:
    """第一次抓取时登记一次。"""
    if not _registered:
        collector = PlatformCollector()
        REGISTRY.register(collector)
        _registered.append(collector)
