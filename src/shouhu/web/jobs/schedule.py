"""The platform's one scheduler: recurring work enqueued as ordinary jobs, once per period, with
no Redis and no cron — any worker's loop calls `schedules_tick`, and a unique row per (schedule,
period) makes sure only one of them enqueues it (issue 13: each county's monthly run starts by
itself after the departments' due day; reminders and production services add their schedules here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shouhu.web.jobs.models import ScheduleRun
from shouhu.web.jobs.registry import JobKind
from shouhu.web.jobs.services import job_enqueue


@dataclass(frozen=True)
class Schedule:
    name: str
    label: str
    kind: str  # the job kind enqueued
    period: Callable[[datetime], str | None]  # the period due at this local time, or None

    def payload(self, period: str) -> dict[str, Any]:
        return {"period": period}


def monthly_after_due_day(now: datetime) -> str | None:
    """每月：部门报送截止日（5日）之后的那一天（SHOUHU_MONTHLY_RUN_DAY，默认 6 日）凌晨 2 点起。"""
    day = int(getattr(settings, "MONTHLY_RUN_DAY", 6))
    if (now.day, now.hour) < (day, 2):
        return None
    return f"{now:%Y-%m}"


def monthly_share_day(now: datetime) -> str | None:
    """每月：推送名单发布日（SHOUHU_SHARE_PUBLISH_DAY，默认 7 日，每月比对的次日）凌晨 3 点起；
    设为 0 则不按时发布（经办人员手动发布）。"""
    day = int(getattr(settings, "SHARE_PUBLISH_DAY", 7))
    if day <= 0 or (now.day, now.hour) < (day, 3):
        return None
    return f"{now:%Y-%m}"


def daily_morning(now: datetime) -> str | None:
    """每天早上 8 点起（提醒赶在上班时到）。"""
    return f"{now:%Y-%m-%d}" if now.hour >= 8 else None


def daily_early(now: datetime) -> str | None:
    """每天凌晨 1 点起一次。"""
    return None if now.hour < 1 else f"{now:%Y-%m-%d}"


SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        "comparison.monthly", "每月数据比对", JobKind.COMPARISON_MONTHLY, monthly_after_due_day
    ),
    Schedule("exchange.reminders", "每天的报送提醒", JobKind.SUBMISSION_REMINDERS, daily_morning),
    Schedule(
        "cases.plans",
        "每日重算核查和探访到期日、按规则提出困境儿童登记",
        JobKind.CASE_PLANS,
        daily_early,
    ),
    Schedule("shares.publish", "每月发布推送名单", JobKind.SHARE_PUBLISH, monthly_share_day),
    Schedule(
        "notifications.clean", "每日清理过期的站内通知", JobKind.NOTIFICATIONS_CLEAN, daily_early
    ),
)


def schedules_tick(now: datetime | None = None) -> list[str]:
    """Enqueue every schedule due now and not yet enqueued for its period; return their names."""
    local = timezone.localtime(now or timezone.now())
    started = []
    for schedule in SCHEDULES:
        period = schedule.period(local)
        if period is None or ScheduleRun.objects.filter(name=schedule.name, period=period).exists():
            continue
        try:
            with transaction.atomic():
                job = job_enqueue(
                    kind=schedule.kind, payload=schedule.payload(period), created_by=None
                )
                ScheduleRun.objects.create(name=schedule.name, period=period, job=job)
        except IntegrityError:  # 另一个进程刚刚排上了
            continue
        started.append(schedule.name)
    return started
