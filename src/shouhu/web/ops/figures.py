"""指标用的计数：只数行、按代码分组，不读任何个人信息。"""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from shouhu.web.comparison.models import ComparisonRun, RunStatus
from shouhu.web.exchange.models import Submission
from shouhu.web.jobs.models import Job, JobStatus
from shouhu.web.jobs.services import LEASE


def jobs_by_state() -> dict[tuple[str, str], int]:
    rows = Job.objects.values_list("kind", "status").annotate(n=Count("id")).order_by()
    return {(kind, status): n for kind, status, n in rows}


def jobs_stalled() -> int:
    stale = timezone.now() - LEASE
    return Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=stale).count()


def comparison_durations() -> tuple[dict[str, float], dict[str, int]]:
    """各辖区最近一次完成的运行用时（秒），和各状态的运行数。"""
    latest: dict[str, float] = {}
    done = (
        ComparisonRun.objects.filter(status=RunStatus.DONE, duration_ms__isnull=False)
        .order_by("division_id", "-finished_at")
        .values_list("division_id", "duration_ms")
    )
    for division, duration_ms in done.iterator():
        latest.setdefault(str(division), duration_ms / 1000)
    rows = ComparisonRun.objects.values_list("status").annotate(n=Count("id")).order_by()
    return latest, dict(rows)


def submissions_by_agency() -> dict[tuple[str, str, str], int]:
    rows = (
        Submission.objects.values_list("agency__agency_type", "agency__division_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(kind, str(division), status): n for kind, division, status, n in rows}
