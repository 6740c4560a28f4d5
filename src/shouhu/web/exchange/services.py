"""Writes of the exchange: storing a submission (the ingest), nil returns, staged uploads.

`submission_ingest` / `submission_store` are the one way data enters the platform, whatever the
channel (web upload, CLI, API, offline package): one transaction per file, audited in it, so a
crash part-way stores nothing; the same file for the same item and month (or the same
idempotency key) stores once; the same record adds nothing; a corrected record supersedes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from shouhu.core.catalog import DataItem
from shouhu.core.errors import InvalidInput
from shouhu.core.exchange import CellError, ReadResult, ValidRecord, read_table
from shouhu.core.exchange.estimate import read_percent, rows_estimate
from shouhu.core.exchange.messages import mask_id
from shouhu.core.identity.registry import REGISTRY_ITEM
from shouhu.web.accounts.models import Agency
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.transfers import transfers_from_registry
from shouhu.web.exchange.errorlists import errors_pack, mask_ids
from shouhu.web.exchange.factstore import FactCounts, facts_store
from shouhu.web.exchange.items import item_for_agency, month_of, query_only_refusal
from shouhu.web.exchange.models import (
    FactType,
    Submission,
    SubmissionErrors,
    SubmissionStatus,
    Upload,
    UploadStatus,
)
from shouhu.web.jobs.models import Job
from shouhu.web.jobs.registry import JobKind
from shouhu.web.jobs.services import job_enqueue
from shouhu.web.registry.baseline import registry_load_apply, registry_rows_within

Progress = Callable[[int], None]
READ_SHARE = 70  # 进度条：读取校验占 0–70%，入库占 70–100%
NIL_RETURN_CONTENT = b"shouhu:nil-return"


@dataclass(frozen=True)
class IngestResult:
    submission: Submission | None  # None when the file was rejected whole
    duplicate: bool  # same content already imported by this agency: nothing new stored
    rows_total: int
    rows_accepted: int
    rows_rejected: int
    facts_created: int
    facts_superseded: int  # corrections: new version, old one kept with is_current=False
    facts_unchanged: int  # the same record (same record_sha256) seen before
    errors: list[CellError]
    rejected_whole: str | None


# ---------------------------------------------------------------- ingest


def submission_ingest(
    *,
    ctx: RequestContext,
    agency: Agency,
    item_code: str,
    period: date,
    channel: str,
    filename: str,
    data: bytes,
    progress: Progress | None = None,
    idempotency_key: str = "",
    submitted_at: datetime | None = None,
    full_snapshot: bool = False,
) -> IngestResult:
    """Read and check a file (`read_table`), then store it (`submission_store`).

    progress(percent 0–100): reading reports up to 70, storing the rest.
    """
    item = item_for_agency(agency, item_code)
    estimate = rows_estimate(data, filename)

    def read_progress(rows: int) -> None:
        if progress is not None:
            progress(read_percent(rows, estimate, READ_SHARE))

    result = read_table(data, filename=filename, item=item, progress=read_progress)
    return submission_store(
        ctx=ctx,
        agency=agency,
        item_code=item_code,
        period=period,
        channel=channel,
        filename=filename,
        result=result,
        idempotency_key=idempotency_key,
        source=data if result.errors else b"",
        submitted_at=submitted_at,
        progress=progress,
        full_snapshot=full_snapshot,
    )


def submission_store(
    *,
    ctx: RequestContext,
    agency: Agency,
    item_code: str,
    period: date,
    channel: str,
    filename: str,
    result: ReadResult,
    idempotency_key: str = "",
    source: bytes = b"",
    submitted_at: datetime | None = None,
    progress: Progress | None = None,
    full_snapshot: bool = False,
    comparison_answer: bool = False,
) -> IngestResult:
    """Store an already-read file: one transaction, audited, atomic, idempotent.

    `comparison_answer`: the rows are a department's answer to an in-department comparison
    (`shouhu query import-pprl`), accepted even where the item is query-only (pushes refused).

    `source` (the file's bytes) is kept only if rows were rejected, to rebuild the error report.
    A household-registry file also loads the registry (`registry.baseline`); `full_snapshot`
    says it lists everyone registered in the sender's area, so whoever is missing has left.
    """
    item = item_for_agency(agency, item_code)
    refusal = None if comparison_answer else query_only_refusal(item)
    if refusal is not None:
        raise InvalidInput(refusal)
    month = month_of(period)
    if item.code == REGISTRY_ITEM:
        result = registry_rows_within(agency.division_id, filename, result)
    if result.rejected_whole is not None:
        _audit_rejected(ctx, agency, item_code, month, channel, result)
        return _rejected_result(result)
    store = _Store(
        ctx,
        agency,
        item,
        month,
        channel,
        filename,
        result,
        idempotency_key,
        source,
        submitted_at or timezone.now(),
        progress,
        full_snapshot,
    )
    try:
        return store.run()
    except IntegrityError:
        # Another transaction stored the same file (or a version of the same record) meanwhile:
        # now that it has committed, this file is either a duplicate or can be stored after it.
        return store.run()


def submission_nil_return(
    *,
    ctx: RequestContext,
    agency: Agency,
    item_code: str,
    period: date,
    channel: str = "upload",
    submitted_at: datetime | None = None,
) -> IngestResult:
    """零报告: the agency declares it has no records for this item and month."""
    empty = ReadResult(hashlib.sha256(NIL_RETURN_CONTENT).hexdigest(), 0, [], [], None)
    return submission_store(
        ctx=ctx,
        agency=agency,
        item_code=item_code,
        period=period,
        channel=channel,
        filename="",
        result=empty,
        submitted_at=submitted_at,
    )


@dataclass
class _Store:
    ctx: RequestContext
    agency: Agency
    item: DataItem
    period: date
    channel: str
    filename: str
    result: ReadResult
    idempotency_key: str
    source: bytes
    submitted_at: datetime
    progress: Progress | None
    full_snapshot: bool

    def run(self) -> IngestResult:
        if self.progress is not None:
            self.progress(READ_SHARE)  # 入库在一个事务里进行，事务中的进度别人看不到
        with transaction.atomic():
            existing = self.existing()
            if existing is not None:
                self.audit(existing, "duplicate", FactCounts())
                return _duplicate_result(existing, self.result)
            submission = self.submission_create()
            counts = facts_store(
                submission=submission,
                item=self.item,
                records=self.result.records,
                progress=self.store_progress,
            )
            loaded: dict[str, Any] = {}
            if self.item.code == REGISTRY_ITEM:
                load = registry_load_apply(
                    submission=submission, records=self.result.records, full=self.full_snapshot
                )
                loaded = {"registry": load.counts, "registry_status": load.status}
                # 户籍已迁出个案所在地的保障儿童：提出迁移，由接收方办理（不悄悄改个案）
                transfers_from_registry(ctx=self.ctx, load=load)
            self.finish(submission, counts)
            self.audit(submission, "stored", counts, loaded)
        if self.progress is not None:
            self.progress(100)
        return _stored_result(submission, self.result, counts)

    def existing(self) -> Submission | None:
        same = Q(
            item_code=self.item.code, period=self.period, content_sha256=self.result.file_sha256
        )
        if self.idempotency_key:
            same |= Q(idempotency_key=self.idempotency_key)
        return Submission.objects.filter(same, agency=self.agency).order_by("pk").first()

    def submission_create(self) -> Submission:
        result = self.result
        accepted = len(result.records)
        return Submission.objects.create(
            agency=self.agency,
            item_code=self.item.code,
            period=self.period,
            channel=self.channel,
            filename=self.filename[:255],
            content_sha256=result.file_sha256,
            received_by=self.ctx.user,
            submitted_at=self.submitted_at,
            idempotency_key=self.idempotency_key[:100],
            encoding=(result.encoding or "")[:20],
            rows_total=result.rows_total,
            rows_accepted=accepted,
            rows_rejected=result.rows_rejected,
            status=_status(accepted, result.rows_rejected),
            nil_return=result.rows_total == 0,
            error_count=len(result.errors),
            warning_count=len(result.warnings),
            invalid_ids=result.invalid_ids,
        )

    def store_progress(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(READ_SHARE + (100 - READ_SHARE) * done // max(total, 1))

    def finish(self, submission: Submission, counts: FactCounts) -> None:
        """The counts and the receipt number, known only now; the row is final from here on."""
        submission.receipt_number = receipt_number(submission)
        submission.facts_created = counts.created
        submission.facts_superseded = counts.superseded
        submission.facts_unchanged = counts.unchanged
        submission.facts_held = counts.held
        submission.save(
            update_fields=[
                "receipt_number",
                "facts_created",
                "facts_superseded",
                "facts_unchanged",
                "facts_held",
            ]
        )
        if self.result.errors or self.result.warnings:
            SubmissionErrors.objects.create(
                submission=submission,
                errors=errors_pack(self.result.errors),
                warnings=errors_pack(self.result.warnings),
                source=self.source if self.result.errors else b"",
            )

    def audit(
        self,
        submission: Submission,
        outcome: str,
        counts: FactCounts,
        loaded: dict[str, Any] | None = None,
    ) -> None:
        detail = (loaded or {}) | _detail(self.item.code, self.period, self.channel, self.result)
        detail |= {
            "outcome": outcome,
            "receipt": submission.receipt_number,
            "created": counts.created,
            "superseded": counts.superseded,
            "unchanged": counts.unchanged,
        }
        audit_record(
            ctx=self.ctx,
            action=Action.CREATE,
            object_type=ObjectType.SUBMISSION,
            object_id=submission.pk,
            detail=detail,
        )


def receipt_number(submission: Submission) -> str:
    """HZ-20261105-000123: the day it was received (Beijing time) and its number."""
    day = timezone.localtime(submission.received_at).strftime("%Y%m%d")
    return f"HZ-{day}-{submission.pk:06d}"


def _status(accepted: int, rejected: int) -> str:
    if rejected == 0:
        return SubmissionStatus.ACCEPTED
    return SubmissionStatus.PARTIAL if accepted else SubmissionStatus.REJECTED


def _detail(item_code: str, period: date, channel: str, result: ReadResult) -> dict[str, Any]:
    """Audit detail: what and how much, never whose (no names, IDs or file names)."""
    return {
        "item": item_code,
        "period": period.strftime("%Y-%m"),
        "channel": channel,
        "sha256": result.file_sha256,
        "rows": result.rows_total,
        "accepted": len(result.records),
        "rejected": result.rows_rejected,
    }


def _audit_rejected(
    ctx: RequestContext,
    agency: Agency,
    item_code: str,
    period: date,
    channel: str,
    result: ReadResult,
) -> None:
    detail = _detail(item_code, period, channel, result) | {"outcome": "rejected_whole"}
    audit_record(
        ctx=ctx,
        action=Action.CREATE,
        object_type=ObjectType.SUBMISSION_ATTEMPT,
        object_id=agency.pk,
        detail=detail,
    )


def _rejected_result(result: ReadResult) -> IngestResult:
    return IngestResult(
        None,
        False,
        result.rows_total,
        0,
        result.rows_total,
        0,
        0,
        0,
        list(result.errors),
        result.rejected_whole,
    )


def _duplicate_result(existing: Submission, result: ReadResult) -> IngestResult:
    return IngestResult(
        existing,
        True,
        existing.rows_total,
        existing.rows_accepted,
        existing.rows_rejected,
        0,
        0,
        0,
        list(result.errors),
        None,
    )


def _stored_result(submission: Submission, result: ReadResult, counts: FactCounts) -> IngestResult:
    return IngestResult(
        submission,
        False,
        result.rows_total,
        len(result.records),
        result.rows_rejected,
        counts.created,
        counts.superseded,
        counts.unchanged,
        list(result.errors),
        None,
    )


# ---------------------------------------------------------------- staged web uploads

SAMPLE_ROWS = 10
SHOWN_ERRORS = 200
STALE_UPLOAD = timedelta(days=7)


def upload_create(
    *,
    ctx: RequestContext,
    agency: Agency,
    item_code: str,
    period: date,
    filename: str,
    data: bytes,
    store_at_once: bool = False,
    full_snapshot: bool = False,
) -> Job:
    """Hold an uploaded file and queue its check (or, in one step, its storing)."""
    item_for_agency(agency, item_code)
    month = month_of(period)
    if not data:
        raise InvalidInput("文件是空的，请重新选择。")
    if len(data) > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        raise InvalidInput(f"文件超过 {limit} MB 的上限，请拆分成几个文件分别上传。")
    assert ctx.user is not None
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        upload_purge_stale(ctx=ctx, agency=agency)
        upload = Upload.objects.create(
            agency=agency,
            uploaded_by=ctx.user,
            item_code=item_code,
            period=month,
            filename=filename[:255] or "upload",
            content=data,
            content_sha256=digest,
            size=len(data),
            client_ip=ctx.client_ip,
            full_snapshot=full_snapshot and item_code == REGISTRY_ITEM,
        )
        job = job_enqueue(
            kind=JobKind.UPLOAD_STORE if store_at_once else JobKind.UPLOAD_CHECK,
            payload={"upload_id": upload.pk},
            created_by=ctx.user,
        )
        detail = {
            "item": item_code,
            "period": month.strftime("%Y-%m"),
            "sha256": digest,
            "bytes": len(data),
            "then": "store" if store_at_once else "check",
        }
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.UPLOAD,
            object_id=upload.pk,
            detail=detail,
        )
    return job


def upload_purge_stale(*, ctx: RequestContext, agency: Agency) -> int:
    """Drop the files of this agency's uploads left unconfirmed for a week: a checked file that
    nobody stores should not keep personal data on the platform (no scheduler needed)."""
    stale = Upload.objects.filter(
        agency=agency,
        status__in=(UploadStatus.RECEIVED, UploadStatus.CHECKED),
        uploaded_at__lt=timezone.now() - STALE_UPLOAD,
    )
    ids = list(stale.values_list("pk", flat=True))
    if ids:
        Upload.objects.filter(pk__in=ids).update(
            status=UploadStatus.DISCARDED, content=b"", errors=b"", summary={}
        )
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.UPLOAD,
            object_id=ids[0],
            detail={"outcome": "purged_stale", "count": len(ids)},
        )
    return len(ids)


def upload_check_save(*, ctx: RequestContext, upload: Upload, result: ReadResult) -> None:
    """The check's outcome, for the preview page; a file rejected whole is dropped at once."""
    if result.rejected_whole is not None:
        _upload_close(ctx, upload, UploadStatus.REJECTED, result)
        return
    upload.status = UploadStatus.CHECKED
    upload.summary = _summary(result)
    upload.errors = errors_pack(result.errors)
    upload.save(update_fields=["status", "summary", "errors"])


def upload_confirm(*, ctx: RequestContext, upload: Upload) -> Job:
    """The submitter confirms a checked file: queue its storing."""
    if upload.status != UploadStatus.CHECKED:
        raise InvalidInput("该文件已处理，不能再次确认。")
    with transaction.atomic():
        job = job_enqueue(
            kind=JobKind.UPLOAD_STORE, payload={"upload_id": upload.pk}, created_by=ctx.user
        )
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.UPLOAD,
            object_id=upload.pk,
            detail={"outcome": "confirmed"},
        )
    return job


def upload_discard(*, ctx: RequestContext, upload: Upload) -> None:
    if upload.status not in (UploadStatus.RECEIVED, UploadStatus.CHECKED):
        raise InvalidInput("该文件已处理，不能放弃。")
    with transaction.atomic():
        _upload_close(ctx, upload, UploadStatus.DISCARDED, None)


def upload_store(
    *, ctx: RequestContext, upload: Upload, progress: Progress | None = None
) -> IngestResult:
    """Store a held file through the ingest; safe to run twice (the second is a duplicate)."""
    ingest = submission_ingest(
        ctx=ctx,
        agency=upload.agency,
        item_code=upload.item_code,
        period=upload.period,
        channel="upload",
        filename=upload.filename,
        data=bytes(upload.content),
        progress=progress,
        submitted_at=upload.uploaded_at,
        full_snapshot=upload.full_snapshot,
    )
    upload.submission = ingest.submission
    upload.status = UploadStatus.STORED if ingest.submission else UploadStatus.REJECTED
    upload.summary = {"rejected_whole": ingest.rejected_whole} if ingest.rejected_whole else {}
    upload.content, upload.errors = b"", b""
    upload.save(update_fields=["submission", "status", "summary", "content", "errors"])
    return ingest


UPLOAD_FAILED = (
    "处理失败，文件已删除，未导入任何数据。请检查文件能否在 Excel 中正常打开后重新上传。"
)


def upload_fail(*, ctx: RequestContext, upload: Upload) -> None:
    """后台任务最后一次尝试也失败了：文件不再留在平台上（安全测试 M2），记入审计。"""
    upload.refresh_from_db(fields=["status"])
    if upload.status in (UploadStatus.RECEIVED, UploadStatus.CHECKED):
        message = f"文件「{upload.filename}」{UPLOAD_FAILED}"
        _upload_close(ctx, upload, UploadStatus.REJECTED, None, failed=message)


def _upload_close(
    ctx: RequestContext,
    upload: Upload,
    status: str,
    result: ReadResult | None,
    *,
    failed: str = "",
) -> None:
    """Drop the file's bytes: only the outcome (and the audit entry) stays. `failed` is the
    message of an upload whose job failed for good (audited as outcome "failed")."""
    with transaction.atomic():
        if result is not None:
            _audit_rejected(ctx, upload.agency, upload.item_code, upload.period, "upload", result)
        else:
            audit_record(
                ctx=ctx,
                action=Action.UPDATE,
                object_type=ObjectType.UPLOAD,
                object_id=upload.pk,
                detail={"outcome": "failed" if failed else status},
            )
        upload.status = status
        shown = result.rejected_whole if result else failed
        upload.summary = {"rejected_whole": shown} if shown else {}
        upload.content, upload.errors = b"", b""
        upload.save(update_fields=["status", "summary", "content", "errors"])


def _summary(result: ReadResult) -> dict[str, Any]:
    """Counts, the first errors and a few accepted rows (ID numbers masked) for the preview."""
    errors = [[e.row, e.column, e.value, mask_ids(e.message)] for e in result.errors]
    warnings = [[e.row, e.column, e.value, mask_ids(e.message)] for e in result.warnings]
    return {
        "rows_total": result.rows_total,
        "rows_accepted": len(result.records),
        "rows_rejected": result.rows_rejected,
        "error_count": len(result.errors),
        "errors": errors[:SHOWN_ERRORS],
        "warning_count": len(result.warnings),
        "warnings": warnings[:SHOWN_ERRORS],
        "encoding": result.encoding or "",
        "sample": [_sample(record) for record in result.records[:SAMPLE_ROWS]],
    }


def _sample(record: ValidRecord) -> dict[str, Any]:
    fact = record.fact
    key_date = fact.get("date") or fact.get("start") or fact.get("valid_until") or ""
    fact_type = str(fact.get("type", ""))
    return {
        "row": record.row,
        "record_id": "" if record.record_id_derived else mask_ids(record.record_id),
        "id_number": mask_id(str(record.subject.get("id_number") or "")),
        "name": str(record.subject.get("name", "")),
        "type": FactType(fact_type).label if fact_type in FactType.values else "",
        "date": str(key_date),
    }
