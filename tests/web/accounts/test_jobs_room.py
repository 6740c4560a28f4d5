"""系统管理 · 后台任务：失败的和卡住的任务看得见、可重试（记入审计）；别的县的用户发起的任务
与不存在同一答复；已完成的不能重试。"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shouhu.web.audit.models import AuditEntry
from shouhu.web.jobs.models import Job, JobStatus
from shouhu.web.jobs.registry import JobKind


def _job(user, status: str, **fields) -> Job:
    return Job.objects.create(kind=JobKind.COMPARISON_RUN, created_by=user, status=status,
                              attempts=3, **fields)  # fmt: skip


def test_failed_and_stalled_jobs_are_shown_and_retried(admin_client, personas):
    failed = _job(personas.caseworker_a, JobStatus.FAILED, message="处理失败")
    stalled = _job(personas.caseworker_a, JobStatus.RUNNING,
                   heartbeat_at=timezone.now() - timedelta(hours=1))  # fmt: skip
    done = _job(personas.caseworker_a, JobStatus.DONE)
    other = _job(personas.caseworker_b, JobStatus.FAILED)
    html = admin_client.get("/manage/jobs/").content.decode()
    assert "比对运行" in html
    assert "卡住（进程已无心跳）" in html
    assert html.count("重试</button>") == 2  # 另一个县的任务不在这里
    for job in (failed, stalled):
        response = admin_client.post(f"/manage/jobs/{job.pk}/retry/")
        assert response.status_code == 302
        job.refresh_from_db()
        assert (job.status, job.attempts) == (JobStatus.QUEUED, 0)
    entry = AuditEntry.objects.filter(object_type="job").latest("seq")
    assert entry.detail == {"retry": JobKind.COMPARISON_RUN, "was": JobStatus.RUNNING}
    assert admin_client.post(f"/manage/jobs/{other.pk}/retry/").status_code == 404
    admin_client.post(f"/manage/jobs/{done.pk}/retry/")
    done.refresh_from_db()
    assert done.status == JobStatus.DONE


def test_only_administrators_open_the_jobs_room(personas):
    from django.test import Client

    client = Client()
    client.force_login(personas.caseworker_a)
    assert client.get("/manage/jobs/").status_code == 403
