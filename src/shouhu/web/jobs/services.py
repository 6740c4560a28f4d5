"""Queueing, claiming and finishing jobs.

A claim is a compare-and-swap on the row (`UPDATE … WHERE id = ? AND attempts = ?`), so two
workers can never both win the same job, on SQLite or PostgreSQL; on PostgreSQL the candidates
are also read with `SELECT … FOR UPDATE SKIP LOCKED` so that workers do not queue behind each
other. A job is started `on_commit`: a worker is woken only once the row it needs is visible.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from shouhu.web.accounts.models import User
from shouhu.web.jobs.models import Job, JobStatus

# A running job whose worker has not reported for this long is taken over by another worker.
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 3
FAILED_MESSAGE = "处理失败，请重新上传；如仍失败请联系管理员。"

_wake_callbacks: list[Callable[[], None]] = []


def job_wake_subscribe(callback: Callable[[], None]) -> None:
    """A worker in this process asks to be woken when a job is queued (no polling delay)."""
    _wake_callbacks.append(callback)


def job_wake_unsubscribe(callback: Callable[[], None]) -> None:
    if callback in _wake_callbacks:
        _wake_callbacks.remove(callback)


def _wake() -> None:
    for callback in list(_wake_callbacks):
        callback()


def job_enqueue(*, kind: str, payload: dict[str, Any], created_by: User | None) -> Job:
    """Queue a job. Call inside the transaction that created what the job works on."""
    job = Job.objects.create(kind=kind, payload=payload, created_by=created_by)
    transaction.on_commit(_wake)
    return job


def _claimable(now: datetime) -> Q:
    stale = Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - LEASE)
    return Q(status=JobStatus.QUEUED) | stale


def job_claim(*, worker: str, kinds: tuple[str, ...] | None = None) -> Job | None:
    """Take the oldest claimable job for `worker`, or None. Exactly one worker wins each job."""
    now = timezone.now()
    with transaction.atomic():
        candidates = Job.objects.filter(_claimable(now)).order_by("id")
        if kinds is not None:
            candidates = candidates.filter(kind__in=kinds)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        for pk, attempts in candidates.values_list("pk", "attempts")[:10]:
            won = Job.objects.filter(_claimable(now), pk=pk, attempts=attempts).update(
                status=JobStatus.RUNNING,
                claimed_at=now,
                heartbeat_at=now,
                attempts=F("attempts") + 1,
                worker=worker[:80],
            )
            if won:
                return Job.objects.get(pk=pk)
    return None


def job_progress(*, job: Job, percent: int, message: str = "") -> None:
    """Record progress (and that the worker is alive). Skipped inside a transaction: the row
    would not be visible until commit, and on SQLite a second writer would have to wait."""
    if connection.in_atomic_block:
        return
    fields: dict[str, Any] = {"progress": max(0, min(100, percent)), "heartbeat_at": timezone.now()}
    if message:
        fields["message"] = message[:200]
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(**fields)


def job_finish(*, job: Job, result: dict[str, Any], message: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        progress=100,
        result=result,
        message=message[:200],
        finished_at=timezone.now(),
    )


def job_fail(*, job: Job, message: str = FAILED_MESSAGE, retry: bool = True) -> None:
    """A failed attempt: queued again until MAX_ATTEMPTS, then failed for good."""
    again = retry and job.attempts < MAX_ATTEMPTS
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.QUEUED if again else JobStatus.FAILED,
        message="" if again else message[:200],
        finished_at=None if again else timezone.now(),
    )


RETRY_REFUSED = "只有失败的任务和进程已无心跳的任务可以重试。"


def job_stalled(job: Job, now: datetime | None = None) -> bool:
    """处理中，但执行它的进程已超过租期没有报平安（进程死了；别的进程会在租期后接手）。"""
    moment = now or timezone.now()
    return job.status == JobStatus.RUNNING and (
        job.heartbeat_at is None or job.heartbeat_at < moment - LEASE
    )


def job_retry(*, ctx: Any, job: Job) -> None:
    """系统管理员重试一个失败或卡住的任务：重新排队、尝试次数归零，记入审计。处理函数是
    幂等的，已做了一半的任务再做一遍无害。"""
    from shouhu.core.errors import InvalidInput
    from shouhu.web.audit.models import Action, ObjectType
    from shouhu.web.audit.services import audit_record

    if job.status != JobStatus.FAILED and not job_stalled(job):
        raise InvalidInput(RETRY_REFUSED)
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.QUEUED, attempts=0, message="", finished_at=None, worker=""
        )
        audit_record(ctx=ctx, action=Action.UPDATE, object_type=ObjectType.JOB, object_id=job.pk,
                     detail={"retry": job.kind, "was": job.status})  # fmt: skip
        transaction.on_commit(_wake)
