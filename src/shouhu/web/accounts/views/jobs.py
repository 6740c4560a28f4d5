"""系统管理 · 后台任务：失败的和卡住的（进程已无心跳）任务看得见，可以重试。

任务行里只有类型、时间、尝试次数和一句说明（没有个人信息）；重试记入审计。
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shouhu.core.errors import DomainError
from shouhu.web import access
from shouhu.web.accounts.views._common import admin_ctx, admin_of, page
from shouhu.web.jobs.models import JobStatus
from shouhu.web.jobs.registry import JOB_LABELS
from shouhu.web.jobs.services import job_retry, job_stalled

SHOWN = 50


@login_required
@require_GET
def jobs_view(request: HttpRequest) -> HttpResponse:
    admin = admin_of(admin_ctx(request))
    now = timezone.now()
    visible = access.jobs_visible_to(admin)
    rows = []
    for job in visible.exclude(status=JobStatus.DONE).order_by("-id")[:SHOWN]:
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
    context = {"rows": rows, "done": visible.filter(status=JobStatus.DONE).count()}
    return page(request, "accounts/jobs.html", context)


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
