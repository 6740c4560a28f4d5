"""Background jobs: claimed by exactly one worker, taken over when a worker dies, retried."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from shouhu.web.exchange.models import Fact, Submission, Upload
from shouhu.web.jobs import services as job_services
from shouhu.web.jobs.models import Job, JobStatus
from shouhu.web.jobs.services import LEASE, MAX_ATTEMPTS, job_claim, job_enqueue
from shouhu.web.jobs.worker import job_run, job_run_next, worker_thread_start, worker_thread_stop
from tests.web.exchange.conftest import judgment_rows, xlsx_of
from tests.web.factories import client_for


def _claim_in_threads(workers: int, jobs: int) -> list[tuple[str, int]]:
    """`workers` threads, started together, each claiming until every job has been claimed."""
    barrier = threading.Barrier(workers)
    won: list[tuple[str, int]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + 30

    def work(name: str) -> None:
        barrier.wait()
        try:
            while time.monotonic() < deadline:
                with lock:
                    if len(won) >= jobs:
                        return
                try:
                    job = job_claim(worker=name)
                except OperationalError:  # SQLite busy: try again, as the worker loop does
                    continue
                if job is not None:
                    with lock:
                        won.append((name, job.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_claim_the_same_job() -> None:
    job = job_enqueue(kind="exchange.upload_check", payload={"upload_id": 0}, created_by=None)
    won = _claim_in_threads(workers=2, jobs=1)
    assert [pk for _, pk in won] == [job.pk]
    assert job_claim(worker="late") is None
    job.refresh_from_db()
    assert (job.status, job.attempts, job.worker) == (JobStatus.RUNNING, 1, won[0][0])


@pytest.mark.django_db(transaction=True)
def test_many_jobs_are_shared_out_once_each() -> None:
    jobs = [
        job_enqueue(kind="exchange.upload_check", payload={"upload_id": n}, created_by=None)
        for n in range(12)
    ]
    won = _claim_in_threads(workers=3, jobs=len(jobs))
    claimed = [pk for _, pk in won]
    assert len(claimed) == len(set(claimed))  # no job twice
    assert sorted(claimed) == sorted(job.pk for job in jobs)
    assert job_claim(worker="late") is None


def test_a_dead_workers_job_is_taken_over_after_the_lease(db) -> None:
    job_enqueue(kind="exchange.upload_check", payload={"upload_id": 0}, created_by=None)
    first = job_claim(worker="dies")
    assert first is not None
    assert job_claim(worker="other") is None  # still leased
    Job.objects.filter(pk=first.pk).update(
        heartbeat_at=timezone.now() - LEASE - timedelta(seconds=1)
    )
    second = job_claim(worker="other")
    assert second is not None
    assert (second.pk, second.attempts, second.worker) == (first.pk, 2, "other")


def test_a_failing_job_is_retried_then_marked_failed(db, monkeypatch) -> None:
    def broken(job, progress):
        raise RuntimeError("boom")

    monkeypatch.setattr("shouhu.web.jobs.worker.handler_for", lambda kind: broken)
    job = job_enqueue(kind="exchange.upload_check", payload={"upload_id": 0}, created_by=None)
    for _ in range(MAX_ATTEMPTS):
        assert job_run_next(worker="w")
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, MAX_ATTEMPTS)
    assert "处理失败" in job.message
    assert not job_run_next(worker="w")


def test_running_the_store_job_twice_stores_once(courts, court_item) -> None:
    client = client_for(courts.clerk_a)
    data = xlsx_of(court_item, judgment_rows(court_item, 3))
    client.post(
        "/submissions/new/",
        {
            "item": court_item.code,
            "period": "2025-09",
            "mode": "store",
            "file": _file("a.xlsx", data),
        },
    )
    job = job_claim(worker="w")
    assert job is not None
    upload = Upload.objects.get()
    job_run(job)
    # A worker that crashed after storing but before finishing: the job runs again.
    Upload.objects.filter(pk=upload.pk).update(status="received", content=data)
    Job.objects.filter(pk=job.pk).update(status="running")
    job_run(job)
    assert (Submission.objects.count(), Fact.objects.count()) == (1, 3)
    upload.refresh_from_db()
    assert upload.submission == Submission.objects.get()


@pytest.mark.django_db(transaction=True)
def test_the_worker_thread_runs_a_job_queued_by_a_request(courts, court_item) -> None:
    woken = threading.Event()
    job_services.job_wake_subscribe(woken.set)
    worker = worker_thread_start(poll_seconds=30)  # long poll: only on_commit can wake it quickly
    try:
        client = client_for(courts.clerk_a)
        data = xlsx_of(court_item, judgment_rows(court_item, 2))
        form = {"item": court_item.code, "period": "2025-09", "mode": "store"}
        client.post("/submissions/new/", form | {"file": _file("a.xlsx", data)})
        assert woken.wait(5)
        upload_jobs = Job.objects.filter(status=JobStatus.DONE, kind__startswith="exchange.upload")
        for _ in range(600):  # up to 60 s on a loaded machine; normally under 1 s
            # 只等这次上传的任务：工作线程空闲时也会排上每日的定时任务（jobs.schedule）
            if upload_jobs.exists():
                break
            threading.Event().wait(0.1)
        assert Fact.objects.count() == 2
    finally:
        worker_thread_stop(worker)
        job_services.job_wake_unsubscribe(woken.set)


def _file(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
