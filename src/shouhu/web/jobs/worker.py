"""The worker: claims jobs and runs them. `shouhu serve` runs one in a thread; `shouhu worker`
runs one in its own process. Any number may run at once: each job is claimed by exactly one."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.module_loading import import_string

from shouhu.web.jobs.models import Job
from shouhu.web.jobs.registry import HANDLERS, HOUSEKEEPING, handler_for
from shouhu.web.jobs.services import (
    job_claim,
    job_fail,
    job_finish,
    job_progress,
    job_wake_subscribe,
    job_wake_unsubscribe,
)

logger = logging.getLogger(__name__)
POLL_SECONDS = 2.0
SCHEDULE_SECONDS = 60.0  # 每分钟看一次有没有到期的定时任务
HOUSEKEEPING_SECONDS = 3600.0
HEARTBEAT_SECONDS = 15.0  # 心跳文件（/readyz 看它）：进程在就每 15 秒碰一下，长任务运行中也碰
HEARTBEAT_FILE = "worker.heartbeat"


def heartbeat_path() -> Path:
    return Path(settings.DATA_DIR) / HEARTBEAT_FILE


def heartbeat_touch() -> None:
    try:
        heartbeat_path().touch()
    except OSError as exc:  # 数据目录不可写时 /readyz 自会报告
        logger.warning("后台任务心跳文件写不了：%s", type(exc).__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def job_run(job: Job) -> None:
    """Run one claimed job to its end; an unexpected error queues it again (up to the limit)."""
    last = [-1]

    def progress(percent: int, message: str = "") -> None:
        if percent != last[0] or message:
            last[0] = percent
            job_progress(job=job, percent=percent, message=message)

    try:
        result: dict[str, Any] = handler_for(job.kind)(job, progress)
    except Exception as exc:  # 日志只记任务号和异常类型，不记内容（可能含个人信息）
        logger.error("后台任务 %s（%s）失败：%s", job.pk, job.kind, type(exc).__name__)
        job_fail(job=job)
        return
    job_finish(job=job, result=result, message=str(result.get("message", "")))


def housekeeping_run() -> None:
    """例行清理（过期原文件、无人确认的上传、进程已不在的比对运行）；一项出错不影响其他项。"""
    for path in HOUSEKEEPING:
        try:
            import_string(path)()
        except Exception as exc:
            logger.error("例行清理 %s 失败：%s", path.rsplit(".", 1)[-1], type(exc).__name__)


def job_run_next(*, worker: str | None = None) -> bool:
    """Claim and run one job. False when there was nothing to do."""
    job = job_claim(worker=worker or worker_name(), kinds=tuple(HANDLERS))
    if job is None:
        return False
    job_run(job)
    return True


class Worker:
    """A loop that runs jobs until stopped; woken at once when this process queues a job; once a
    minute it enqueues the schedules that have come due (`jobs.schedule`)."""

    @staticmethod
    def tick() -> None:
        from shouhu.web.jobs.schedule import schedules_tick

        try:
            schedules_tick()
        except Exception as exc:  # 定时任务出错不能让工作线程停下
            logger.error("定时任务检查失败：%s", type(exc).__name__)

    def __init__(self, poll_seconds: float = POLL_SECONDS) -> None:
        self.poll_seconds = poll_seconds
        self.wake = threading.Event()
        self.stop = threading.Event()
        job_wake_subscribe(self.wake.set)

    def beat(self) -> None:
        while not self.stop.is_set():
            heartbeat_touch()
            self.stop.wait(HEARTBEAT_SECONDS)

    def run(self) -> None:
        name = worker_name()
        threading.Thread(target=self.beat, name="shouhu-worker-heartbeat", daemon=True).start()
        next_tick = next_housekeeping = 0.0
        while not self.stop.is_set():
            close_old_connections()
            if time.monotonic() >= next_tick:
                next_tick = time.monotonic() + SCHEDULE_SECONDS
                self.tick()
            if time.monotonic() >= next_housekeeping:
                housekeeping_run()
                next_housekeeping = time.monotonic() + HOUSEKEEPING_SECONDS
            try:
                busy = job_run_next(worker=name)
            except Exception as exc:  # a database hiccup must not kill the worker
                logger.error("后台任务领取失败：%s", type(exc).__name__)  # 不记消息：可能含数据
                busy = False
            if not busy:
                self.wake.wait(self.poll_seconds)
                self.wake.clear()
        connection.close()


def worker_thread_start(poll_seconds: float = POLL_SECONDS) -> Worker:
    """Start a worker in a daemon thread of this process (used by `shouhu serve` and tests)."""
    worker = Worker(poll_seconds)
    threading.Thread(target=worker.run, name="shouhu-worker", daemon=True).start()
    return worker


def worker_thread_stop(worker: Worker) -> None:
    job_wake_unsubscribe(worker.wake.set)
    worker.stop.set()
    worker.wake.set()
