"""Who may see which submission, upload, job and timeliness page (the exchange's access layer).

As in `shouhu.web.access`: something that is not yours gives exactly the same error as
something that does not exist, and every refusal is audited.

- A department's data submitter (数据报送员) sees only their own department's submissions,
  uploads and error reports, and submits only their department's data items.
- Civil affairs caseworkers and leaders see the receipts and timeliness of every department in
  their division's subtree (receipts hold counts and hashes, no personal data). Error reports
  hold the rejected rows, so only the sending department gets them.
"""

from __future__ import annotations

from django.db.models import QuerySet

from shouhu.core.catalog import DataItem
from shouhu.core.errors import NotFound, PermissionDenied
from shouhu.web.accounts.models import Agency, User
from shouhu.web.accounts.roles import Role
from shouhu.web.audit.models import Action
from shouhu.web.audit.services import RequestContext, audit_record
from shouhu.web.exchange.models import Submission, Upload
from shouhu.web.exchange.services import item_for_agency
from shouhu.web.jobs.models import Job
from shouhu.web.registry.models import Division

SUBMITTERS = frozenset({Role.DATA_SUBMITTER})
SCOPE_READERS = frozenset({Role.CASEWORKER, Role.LEADER})
PACKAGE_RECEIVERS = frozenset({Role.CASEWORKER, Role.ADMINISTRATOR})
NOT_FOUND_SUBMISSION = "未找到该报送回执，或您无权查看。"
NOT_FOUND_UPLOAD = "未找到该上传文件，或您无权查看。"
NOT_FOUND_JOB = "未找到该任务，或您无权查看。"
NOT_FOUND_ITEM = "未找到该数据项，或本单位不报送该数据项。"


def _deny(ctx: RequestContext, object_type: str, object_id: object, why: str) -> None:
    audit_record(ctx=ctx, action=Action.DENY, object_type=object_type,
                 object_id=str(object_id)[:64], detail={"why": why})  # fmt: skip


def is_submitter(user: User) -> bool:
    return user.role in SUBMITTERS and user.agency_id is not None


def may_read_scope(user: User) -> bool:
    return user.role in SCOPE_READERS


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
    assert ctx.user is not None
    if not is_submitter(ctx.user):
        _deny(ctx, "submission_form", ctx.user.division_id, "role")
        raise PermissionDenied("只有各部门的数据报送员可以报送数据。")
    agency = Agency.objects.select_related("division").get(pk=ctx.user.agency_id)
    return agency


def access_package_import(ctx: RequestContext) -> Division:
    """Offline packages are received by civil affairs (caseworkers) or the big-data center."""
    assert ctx.user is not None
    if ctx.user.role not in PACKAGE_RECEIVERS:
        _deny(ctx, "offline_package", ctx.user.division_id, "role")
        raise PermissionDenied("只有民政经办人员或系统管理员可以导入离线交换包。")
    return ctx.user.division


def access_item(ctx: RequestContext, item_code: str) -> tuple[Agency, DataItem]:
    """A data item the user's department provides (for templates and uploads)."""
    agency = access_submitter_agency(ctx)
    try:
        return agency, item_for_agency(agency, item_code)
    except NotFound:
        _deny(ctx, "data_item", item_code, "not_provided")
        raise NotFound(NOT_FOUND_ITEM) from None


def access_submission(
    ctx: RequestContext, submission_id: object, *, error_report: bool = False
) -> Submission:
    """A submission (its receipt) the user may read; its error report only for the sender."""
    assert ctx.user is not None
    visible = submissions_visible_to(ctx.user)
    if error_report:
        visible = (
            visible.filter(agency_id=ctx.user.agency_id)
            if is_submitter(ctx.user)
            else visible.none()
        )
    submission = (
        visible.filter(pk=_as_int(submission_id))
        .select_related("agency", "agency__division", "received_by")
        .first()
    )
    if submission is None:
        exists = Submission.objects.filter(pk=_as_int(submission_id)).exists()
        _deny(ctx, "submission", submission_id, "out_of_scope" if exists else "not_found")
        raise NotFound(NOT_FOUND_SUBMISSION)
    return submission


def access_upload(ctx: RequestContext, upload_id: object) -> Upload:
    """An upload of the user's own department."""
    assert ctx.user is not None
    upload = None
    if is_submitter(ctx.user):
        upload = (
            Upload.objects.filter(pk=_as_int(upload_id), agency_id=ctx.user.agency_id)
            .select_related("agency", "uploaded_by", "submission")
            .first()
        )
    if upload is None:
        _deny(ctx, "upload", upload_id, "not_found_or_out_of_scope")
        raise NotFound(NOT_FOUND_UPLOAD)
    return upload


def access_job(ctx: RequestContext, job_id: object) -> Job:
    """A background job of the exchange that this user started."""
    assert ctx.user is not None
    job = Job.objects.filter(
        pk=_as_int(job_id), created_by=ctx.user, kind__startswith="exchange."
    ).first()
    if job is None:
        _deny(ctx, "job", job_id, "not_found_or_out_of_scope")
        raise NotFound(NOT_FOUND_JOB)
    return job


def access_timeliness(ctx: RequestContext) -> Division:
    """The subtree whose departments' timeliness the user may see (caseworkers and leaders)."""
    assert ctx.user is not None
    if not may_read_scope(ctx.user):
        _deny(ctx, "timeliness", ctx.user.division_id, "role")
        raise PermissionDenied("您的角色不能查看各部门报送情况。")
    return ctx.user.division


def access_receipt_list(ctx: RequestContext) -> QuerySet[Submission]:
    assert ctx.user is not None
    if not (is_submitter(ctx.user) or may_read_scope(ctx.user)):
        _deny(ctx, "submission_list", ctx.user.division_id, "role")
        raise PermissionDenied("您的角色不能查看报送回执。")
    return submissions_visible_to(ctx.user)


def _as_int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1
