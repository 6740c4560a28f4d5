"""后台任务：校验、入库网页上传的文件（十万行的文件要十几秒，不能占着请求）；每天的报送提醒。

两个任务都可重复执行：已校验的不再校验；已入库的再入库一次只会得到“重复报送”。
"""

from __future__ import annotations

from datetime import date
from typing import Any

from shouhu.core.exchange import read_table
from shouhu.core.exchange.estimate import read_percent, rows_estimate
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Purpose
from shouhu.web.exchange.items import item_for_agency
from shouhu.web.exchange.models import Upload, UploadStatus
from shouhu.web.exchange.reminders import submission_reminders
from shouhu.web.exchange.services import READ_SHARE, upload_check_save, upload_fail, upload_store
from shouhu.web.jobs.models import Job
from shouhu.web.jobs.registry import Handler, Progress
from shouhu.web.jobs.services import MAX_ATTEMPTS
from shouhu.web.notify import notices_send

CHECKING = "正在校验"
STORING = "正在入库"


def _upload(job: Job) -> Upload:
    upload_id = int(job.payload["upload_id"])
    return Upload.objects.select_related("agency", "uploaded_by").get(pk=upload_id)


def _ctx(upload: Upload) -> RequestContext:
    return RequestContext(
        user=upload.uploaded_by, client_ip=upload.client_ip, purpose=Purpose.SUBMISSION
    )


def _outcome(upload: Upload) -> dict[str, Any]:
    return {"upload_id": upload.pk, "submission_id": upload.submission_id, "status": upload.status}


def _failing_for_good(handler: Handler) -> Handler:
    """任务最后一次尝试抛异常时，先把上传文件删掉、标为处理失败，再交给任务机制记失败。"""

    def run(job: Job, progress: Progress) -> dict[str, Any]:
        try:
            return handler(job, progress)
        except Exception:
            if job.attempts >= MAX_ATTEMPTS:
                upload = _upload(job)
                upload_fail(ctx=_ctx(upload), upload=upload)
            raise

    return run


@_failing_for_good
def handle_upload_check(job: Job, progress: Progress) -> dict[str, Any]:
    upload = _upload(job)
    if upload.status != UploadStatus.RECEIVED:
        return _outcome(upload)
    item = item_for_agency(upload.agency, upload.item_code)
    data = bytes(upload.content)
    estimate = rows_estimate(data, upload.filename)
    progress(1, CHECKING)
    result = read_table(
        data,
        filename=upload.filename,
        item=item,
        progress=lambda rows: progress(read_percent(rows, estimate), CHECKING),
    )
    upload_check_save(ctx=_ctx(upload), upload=upload, result=result)
    return _outcome(upload)


@_failing_for_good
def handle_upload_store(job: Job, progress: Progress) -> dict[str, Any]:
    upload = _upload(job)
    if upload.status not in (UploadStatus.RECEIVED, UploadStatus.CHECKED):
        return _outcome(upload)
    progress(1, CHECKING)

    def report(percent: int) -> None:
        progress(percent, CHECKING if percent < READ_SHARE else STORING)

    upload_store(ctx=_ctx(upload), upload=upload, progress=report)
    return _outcome(upload)


def handle_submission_reminders(job: Job, progress: Progress) -> dict[str, Any]:
    """每天的报送提醒和推送名单的反馈提醒（payload 的 period 是这一天，YYYY-MM-DD）。"""
    from shouhu.web.shares.reminders import share_reminders

    day = date.fromisoformat(str(job.payload["period"]))
    notices = submission_reminders(day)
    shares = share_reminders(day)
    sent = notices_send([*notices, *shares])
    message = (
        f"{len(notices)} 个部门有待报送的数据项，{len(shares)} 个部门有待反馈的推送名单，"
        f"发出提醒邮件 {sent.mail} 封、站内通知 {sent.inbox} 条、催报短信 {sent.sms} 条"
    )
    return {"period": day.isoformat(), "agencies": len(notices), "share_agencies": len(shares),
            "sent": sent.mail, "inbox": sent.inbox, "sms": sent.sms,
            "message": message}  # fmt: skip
