"""系统管理 · 后台任务：失败的和卡住的（进程已无心跳）任务看得见，可以重试。

任务行里只有类型、时间、尝试次数和一句说明（没有个人信息）；重试记入审计。
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shouhu.core.errors import DomainError
from shouhu.web import access
from shouhu.web.accounts.selectors import local_naive
from shouhu.web.accounts.views._common import admin_ctx, admin_of, page
from shouhu.web.audit.models import ObjectType
from shouhu.web.exports import Export, export_part, export_xlsx
from shouhu.web.jobs.models import Job, JobStatus
from shouhu.web.jobs.registry import JOB_LABELS
from shouhu.web.jobs.services import job_retry, job_stalled

SHOWN = 50


@login_required
@require_GET
def jobs_view(request: HttpRequest) -> HttpResponse:
    admin = admin_of(admin_ctx(request))
    visible = access.jobs_visible_to(admin)
    rows = _job_rows(_unfinished(visible)[:SHOWN])
    context = {"rows": rows, "done": visible.filter(status=JobStatus.DONE).count()}
    return page(request, "accounts/jobs.html", context)


def _unfinished(jobs: QuerySet[Job]) -> QuerySet[Job]:
    """页面和导出的同一清单：还没完成的任务，新的在前。"""
    return jobs.exclude(status=JobStatus.DONE).order_by("-id")


def _job_rows(jobs: Iterable[Job]) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for job in jobs:
        stalled = job_stalled(job, now)
        rows.append({
            "pk": job.pk,
            "kind": JOB_LABELS.get(job.kind, "其他任务"),
            "created_at": job.created_at,
            "heartbeat_at": job.heartbeat_at,
            "attempts": job.attempts,
            "message": job.message,
            "state": "stalled" if stalled else job.status,
            "state_label": "卡住（进程已无心跳）" if stalled else job.get_status_display(),
            "retry": stalled or job.status == JobStatus.FAILED,
        })  # fmt: skip
    return rows


JOB_EXPORT_HEADER = ("编号", "任务", "创建时间", "最近心跳", "尝试次数", "状态", "说明")


@login_required
@require_GET
def jobs_export_view(request: HttpRequest) -> HttpResponse:
    """还没完成的任务（不限 SHOWN 个）导出为 Excel。"""
    ctx = admin_ctx(request)
    rows = _job_rows(_unfinished(access.jobs_visible_to(admin_of(ctx))))
    export = Export("后台任务", JOB_EXPORT_HEADER, [
        (r["pk"], r["kind"], local_naive(r["created_at"]), local_naive(r["heartbeat_at"]),
         r["attempts"], r["state_label"], r["message"]) for r in rows
    ], ObjectType.JOB)  # fmt: skip
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


@login_required
@require_POST
def job_retry_view(request: HttpRequest, job_id: int) -> HttpResponse:
    ctx = admin_ctx(request)
    job = access.access_admin_job(ctx, job_id)
    try:
        job_retry(ctx=ctx, job=job)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"任务 {job.pk} 已重新排队。")
    return redirect("admin_jobs")
