"""后台任务：校验、入库网页上传的文件（十万行的文件要十几秒，不能占着请求）。

两个任务都可重复执行：已校验的不再校验；已入库的再入库一次只会得到“重复报送”。
"""

from __future__ import annotations

from typing import Any

from shouhu.core.exchange import read_table
from shouhu.web.audit.models import Purpose
from shouhu.web.audit.services import RequestContext
from shouhu.web.exchange.models import Upload, UploadStatus
from shouhu.web.exchange.services import (
    READ_SHARE,
    item_for_agency,
    rows_estimate,
    upload_check_save,
)
from shouhu.web.exchange.services import (
    upload_store as upload_store_service,
)
from shouhu.web.jobs.models import Job
from shouhu.web.jobs.registry import Progress

CHECKING = "正在校验"
STORING = "正在入库"


def _upload(job: Job) -> Upload:
    upload_id = int(job.payload["upload_id"])
    return Upload.objects.select_related("agency", "uploaded_by").get(pk=upload_id)


def _ctx(upload: Upload) -> RequestContext:
    return RequestContext(user=upload.uploaded_by, client_ip=upload.client_ip,
                          purpose=Purpose.SUBMISSION)  # fmt: skip


def _outcome(upload: Upload) -> dict[str, Any]:
    return {"upload_id": upload.pk, "submission_id": upload.submission_id,
            "status": upload.status}  # fmt: skip


def upload_check(job: Job, progress: Progress) -> dict[str, Any]:
    upload = _upload(job)
    if upload.status != UploadStatus.RECEIVED:
        return _outcome(upload)
    item = item_for_agency(upload.agency, upload.item_code)
    data = bytes(upload.content)
    estimate = rows_estimate(data, upload.filename)
    progress(1, CHECKING)
    result = read_table(
        data, filename=upload.filename, item=item,
        progress=lambda rows: progress(min(99, rows * 100 // estimate), CHECKING),
    )  # fmt: skip
    upload_check_save(ctx=_ctx(upload), upload=upload, result=result)
    return _outcome(upload)


def upload_store(job: Job, progress: Progress) -> dict[str, Any]:
    upload = _upload(job)
    if upload.status not in (UploadStatus.RECEIVED, UploadStatus.CHECKED):
        return _outcome(upload)
    progress(1, CHECKING)

    def report(percent: int) -> None:
        progress(percent, CHECKING if percent < READ_SHARE else STORING)

    upload_store_service(ctx=_ctx(upload), upload=upload, progress=report)
    return _outcome(upload)
