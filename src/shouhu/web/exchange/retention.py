"""保存期限：为重做错误报告而保留的原文件（含全部行和完整身份证号）只留 N 天。

`SubmissionErrors.source` 在有行被退回时保存整份原文件，错误报告要照录被退回的行。过了
`settings.SOURCE_RETENTION_DAYS` 天（默认 30）就清掉：错误清单（已脱敏）仍在，错误报告
只剩“错误清单”一页。由 `shouhu submission purge` 或后台 worker 的例行清理执行，每次清理
记一条审计（只记数量和编号范围）。长期无人确认的上传文件也在这里一并清掉（原来只在同一
部门再次上传时才清）。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shouhu.web.accounts.models import Agency
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.exchange.models import SubmissionErrors, Upload, UploadStatus
from shouhu.web.exchange.services import STALE_UPLOAD, upload_purge_stale

SYSTEM = RequestContext(user=None, client_ip="system", purpose=Purpose.SUBMISSION)


@dataclass(frozen=True)
class PurgeCounts:
    sources: int
    uploads: int


def retention_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.SOURCE_RETENTION_DAYS)


def sources_purge(*, ctx: RequestContext = SYSTEM, now: datetime | None = None) -> int:
    """清掉超过保存期限的原文件；返回清掉的份数。可重复执行。"""
    cutoff = retention_cutoff(now)
    kept = SubmissionErrors.objects.filter(submission__received_at__lt=cutoff).exclude(source=b"")
    ids = sorted(kept.values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        SubmissionErrors.objects.filter(pk__in=ids).update(source=b"")
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.SUBMISSION,
            object_id=ids[0],
            detail={
                "outcome": "source_purged",
                "count": len(ids),
                "last": ids[-1],
                "days": settings.SOURCE_RETENTION_DAYS,
            },
        )
    return len(ids)


def stale_uploads_purge(*, ctx: RequestContext = SYSTEM) -> int:
    """各部门放了一周以上、无人确认的上传文件（每个部门一条审计）。"""
    cutoff = timezone.now() - STALE_UPLOAD
    agency_ids = (
        Upload.objects.filter(
            status__in=(UploadStatus.RECEIVED, UploadStatus.CHECKED), uploaded_at__lt=cutoff
        )
        .values_list("agency_id", flat=True)
        .distinct()
    )
    return sum(
        upload_purge_stale(ctx=ctx, agency=agency)
        for agency in Agency.objects.filter(pk__in=list(agency_ids))
    )


def retention_purge(*, ctx: RequestContext = SYSTEM) -> PurgeCounts:
    """例行清理（worker 每小时一次；命令行 `shouhu submission purge`）。"""
    return PurgeCounts(sources_purge(ctx=ctx), stale_uploads_purge(ctx=ctx))
