"""数据报送：回执、上传、任务、报送情况、离线包，谁能看、谁能做。

- 部门的数据报送员只看本部门的回执、上传和错误报告，只报送本部门提供的数据项。
- 民政经办和领导看辖区内各部门的回执和报送情况（回执只有计数和哈希，没有个人信息）。
  错误报告里有被退回的行，只有报送部门能取。
"""

from __future__ import annotations

from django.db.models import QuerySet

from shouhu.core.catalog import DataItem
from shouhu.core.errors import NotFound, PermissionDenied
from shouhu.web.access._gate import acting_user, as_int, deny, fetch_or_deny, require
from shouhu.web.accounts.models import Agency, User
from shouhu.web.accounts.permissions import Right, is_submitter, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.exchange.acceptance import pending_for
from shouhu.web.exchange.items import item_for_agency
from shouhu.web.exchange.models import Fact, Submission, Upload
from shouhu.web.jobs.models import Job
from shouhu.web.registry.models import Division

NOT_FOUND_SUBMISSION = "未找到该报送回执，或您无权查看。"
NOT_FOUND_UPLOAD = "未找到该上传文件，或您无权查看。"
NOT_FOUND_JOB = "未找到该任务，或您无权查看。"
NOT_FOUND_ITEM = "未找到该数据项，或本单位不报送该数据项。"


def may_read_scope(user: User) -> bool:
    return may(user, Right.READ_SCOPE_EXCHANGE)


def submissions_visible_to(user: User) -> QuerySet[Submission]:
    if is_submitter(user):
        return Submission.objects.filter(agency_id=user.agency_id)
    if may_read_scope(user):
        return Submission.objects.filter(agency__division__path__startswith=user.division.path)
    return Submission.objects.none()


def agencies_visible_to(user: User) -> QuerySet[Agency]:
    if is_submitter(user):
        return Agency.objects.filter(pk=user.agency_id)
    if may_read_scope(user):
        return Agency.objects.filter(division__path__startswith=user.division.path)
    return Agency.objects.none()


def access_submitter_agency(ctx: RequestContext) -> Agency:
    """The department the user submits for; other roles are refused (audited)."""
    user = acting_user(ctx)
    if not is_submitter(user):
        deny(ctx, ObjectType.SUBMISSION_FORM, user.division_id, "role")
        raise PermissionDenied("只有各部门的数据报送员可以报送数据。")
    return Agency.objects.select_related("division").get(pk=user.agency_id)


def access_package_import(ctx: RequestContext) -> Division:
    """Offline packages are received by civil affairs (caseworkers) or the big-data center."""
    user = require(
        ctx,
        Right.IMPORT_PACKAGES,
        ObjectType.OFFLINE_PACKAGE,
        "只有民政经办人员或系统管理员可以导入离线交换包。",
    )
    return user.division


def access_item(ctx: RequestContext, item_code: str) -> tuple[Agency, DataItem]:
    """A data item the user's department provides (for templates and uploads)."""
    agency = access_submitter_agency(ctx)
    try:
        return agency, item_for_agency(agency, item_code)
    except NotFound:
        deny(ctx, ObjectType.DATA_ITEM, item_code, "not_provided")
        raise NotFound(NOT_FOUND_ITEM) from None


def access_submission(
    ctx: RequestContext, submission_id: object, *, error_report: bool = False
) -> Submission:
    """A submission (its receipt) the user may read; its error report only for the sender."""
    user = acting_user(ctx)
    visible = submissions_visible_to(user)
    if error_report:
        visible = visible.filter(agency_id=user.agency_id) if is_submitter(user) else visible.none()
    submission = (
        visible.filter(pk=as_int(submission_id))
        .select_related("agency", "agency__division", "received_by")
        .first()
    )
    if submission is None:
        exists = Submission.objects.filter(pk=as_int(submission_id)).exists()
        deny(ctx, ObjectType.SUBMISSION, submission_id, "out_of_scope" if exists else "not_found")
        raise NotFound(NOT_FOUND_SUBMISSION)
    return submission


NOT_FOUND_CREDENTIAL_SUBMISSION = "未找到该报送回执，或它不属于本凭证所属部门。"


def access_credential_submission(
    ctx: RequestContext, agency: Agency, submission_id: object
) -> Submission:
    """接口凭证只能取本部门的回执（不存在和不属于本部门，答复相同，记入审计）。"""
    submission = (
        Submission.objects.filter(pk=as_int(submission_id), agency=agency)
        .select_related("agency__division", "received_by")
        .first()
    )
    if submission is None:
        deny(ctx, ObjectType.SUBMISSION, submission_id, "not_found_or_foreign")
        raise NotFound(NOT_FOUND_CREDENTIAL_SUBMISSION)
    return submission


def access_upload(ctx: RequestContext, upload_id: object) -> Upload:
    """An upload of the user's own department."""
    user = acting_user(ctx)
    upload = None
    if is_submitter(user):
        upload = (
            Upload.objects.filter(pk=as_int(upload_id), agency_id=user.agency_id)
            .select_related("agency", "uploaded_by", "submission")
            .first()
        )
    if upload is None:
        deny(ctx, ObjectType.UPLOAD, upload_id, "not_found_or_out_of_scope")
        raise NotFound(NOT_FOUND_UPLOAD)
    return upload


def access_job(ctx: RequestContext, job_id: object) -> Job:
    """A background job of the exchange that this user started."""
    user = acting_user(ctx)
    job = Job.objects.filter(
        pk=as_int(job_id), created_by=user, kind__startswith="exchange."
    ).first()
    if job is None:
        deny(ctx, ObjectType.JOB, job_id, "not_found_or_out_of_scope")
        raise NotFound(NOT_FOUND_JOB)
    return job


def access_timeliness(ctx: RequestContext) -> Division:
    """The subtree whose departments' timeliness the user may see (caseworkers and leaders)."""
    user = require(
        ctx, Right.READ_SCOPE_EXCHANGE, ObjectType.TIMELINESS, "您的角色不能查看各部门报送情况。"
    )
    return user.division


def access_receipt_list(ctx: RequestContext) -> QuerySet[Submission]:
    user = acting_user(ctx)
    if not (is_submitter(user) or may_read_scope(user)):
        deny(ctx, ObjectType.SUBMISSION_LIST, user.division_id, "role")
        raise PermissionDenied("您的角色不能查看报送回执。")
    return submissions_visible_to(user)


def access_acceptance_queue(ctx: RequestContext) -> QuerySet[Fact]:
    """外地部门报送的、待本辖区民政接收的事实（民政经办）。"""
    user = require(ctx, Right.WRITE_CASES, ObjectType.FACT, "只有民政经办人员可以接收外地数据。")
    return pending_for(user)


def access_pending_fact(ctx: RequestContext, fact_id: object) -> Fact:
    queue = access_acceptance_queue(ctx)
    return fetch_or_deny(
        ctx,
        queryset=Fact.objects.select_related("person", "agency"),
        visible=queue,
        pk=fact_id,
        object_type=ObjectType.FACT,
        message="未找到该记录，或它不由您接收。",
    )
