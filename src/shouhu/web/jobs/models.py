"""A background job (后台任务): one row per piece of work, claimed atomically by one worker.

The row is the whole state: a worker that dies leaves its job `running` with an old heartbeat,
and another worker takes it over after the lease. Handlers are idempotent, so running a job
twice is harmless.
"""

from __future__ import annotations

from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "处理中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Job(models.Model):
    kind = models.CharField("类型", max_length=40)
    payload = models.JSONField("参数", default=dict, help_text="ids only, never personal data")
    status = models.CharField(
        "状态", max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField("进度", default=0, help_text="0–100")
    message = models.CharField("说明", max_length=200, blank=True)
    result = models.JSONField("结果", default=dict, help_text="ids and counts only")
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    claimed_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    worker = models.CharField(max_length=80, blank=True)

    class Meta:
        verbose_name = "后台任务"
        indexes = [models.Index(fields=["status", "id"])]


class ScheduleRun(models.Model):
    """A schedule enqueued for a period (e.g. the monthly comparison of 2026-12): at most once."""

    name = models.CharField("计划", max_length=40)
    period = models.CharField("期次", max_length=16)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "定时任务记录"
        constraints = [
            models.UniqueConstraint(fields=["name", "period"], name="schedule_once_per_period")
        ]
