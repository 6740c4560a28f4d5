"""Pages of the data exchange. Views parse input, fetch through `exchange.access`, call one
service or selector, render. Every upload, store, download and refusal is audited (purpose
"submission"); downloads carry counts and hashes in the audit detail, never names or IDs."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.core.errors import InvalidInput, NotFound
from shouhu.core.exchange import template_csv, template_xlsx
from shouhu.core.exchange.package import PackageRefused
from shouhu.core.identity.registry import REGISTRY_ITEM
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import is_submitter, purpose_of_role
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.exchange import selectors, services
from shouhu.web.exchange.acceptance import fact_acceptance_decide, pending_lines
from shouhu.web.exchange.deadlines import month_add
from shouhu.web.exchange.items import agency_items
from shouhu.web.exchange.package_import import package_import, package_keys_configured
from shouhu.web.exports import Export, export_part, export_xlsx
from shouhu.web.jobs.models import Job, JobStatus
from shouhu.web.registry.loads import registry_load_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD_CHOICES = 13  # 本月和此前 12 个月
_PERIOD = re.compile(r"(\d{4})-(\d{2})")


def _ctx(request: HttpRequest) -> RequestContext:
    return request_context(request, Purpose.SUBMISSION)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _export(ctx: RequestContext, object_type: str, object_id: object, **detail: Any) -> None:
    audit_record(
        ctx=ctx, action=Action.EXPORT, object_type=object_type, object_id=object_id, detail=detail
    )


def period_choices(today: date) -> list[tuple[str, str]]:
    this_month = today.replace(day=1)
    months = [month_add(this_month, -n) for n in range(PERIOD_CHOICES)]
    return [(f"{m:%Y-%m}", f"{m.year}年{m.month}月") for m in months]


def parse_period(raw: str) -> date:
    found = _PERIOD.fullmatch(raw.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise InvalidInput("请选择所属月份。")
    return date(int(found.group(1)), int(found.group(2)), 1)


# ---------------------------------------------------------------- the submitter's pages


@login_required
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    agency = access.access_submitter_agency(_ctx(request))
    home = selectors.submitter_home(agency=agency, today=timezone.localdate())
    return render(request, "exchange/home.html", {"home": home})


def _upload_form(
    request: HttpRequest, agency: Any, *, error: str = "", status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else request.GET
    items = agency_items(agency)
    context = {
        "items": items,
        "registry_item": next((i for i in items if i.code == REGISTRY_ITEM), None),
        "periods": period_choices(today),
        "item_code": data.get("item", ""),
        "period": data.get("period") or f"{month_add(today.replace(day=1), -1):%Y-%m}",
        "error": error,
        "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "exchange/upload.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def upload_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    agency = access.access_submitter_agency(ctx)
    if request.method == "GET":
        return _upload_form(request, agency)
    file = request.FILES.get("file")
    try:
        _, item = access.access_item(ctx, request.POST.get("item", ""))
        if file is None:
            raise InvalidInput("请选择要上传的文件。")
        job = services.upload_create(
            ctx=ctx,
            agency=agency,
            item_code=item.code,
            period=parse_period(request.POST.get("period", "")),
            filename=file.name or "",
            data=file.read(),
            store_at_once=request.POST.get("mode") == "store",
            full_snapshot=request.POST.get("full_snapshot") == "1",
        )
    except (InvalidInput, NotFound) as exc:
        return _upload_form(request, agency, error=exc.message, status=400)
    return redirect("exchange_job", job_id=job.pk)


@login_required
@require_POST
def nil_return_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    agency, item = access.access_item(ctx, request.POST.get("item", ""))
    result = services.submission_nil_return(
        ctx=ctx,
        agency=agency,
        item_code=item.code,
        period=parse_period(request.POST.get("period", "")),
    )
    assert result.submission is not None
    return redirect("exchange_receipt", submission_id=result.submission.pk)


@login_required
@require_GET
def template_view(request: HttpRequest, item_code: str, fmt: str) -> HttpResponse:
    ctx = _ctx(request)
    _, item = access.access_item(ctx, item_code)
    content = template_xlsx(item) if fmt == "xlsx" else template_csv(item)
    _export(ctx, ObjectType.TEMPLATE, item.code, format=fmt)
    content_type = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    return _download(content, f"{item.name}-报送模板.{fmt}", content_type)


# ---------------------------------------------------------------- background jobs and previews


def _job_next(job: Job) -> str:
    """Where the user goes once the job is done: the receipt, or the preview."""
    result = job.result
    if result.get("submission_id"):
        return reverse("exchange_receipt", args=[result["submission_id"]])
    return reverse(
        "exchange_upload_detail", args=[result.get("upload_id", job.payload["upload_id"])]
    )


@login_required
@require_GET
def job_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access.access_job(_ctx(request), job_id)
    if job.status == JobStatus.DONE:
        return redirect(_job_next(job))
    return render(request, "exchange/job.html", {"job": job})


@login_required
@require_GET
def job_status_view(request: HttpRequest, job_id: int) -> JsonResponse:
    """Polled by progress.js once a second: no personal data, nothing to audit."""
    job = access.access_job(_ctx(request), job_id)
    done = job.status == JobStatus.DONE
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "message": job.message,
            "next": _job_next(job) if done else "",
        }
    )


@login_required
@require_GET
def upload_detail_view(request: HttpRequest, upload_id: int) -> HttpResponse:
    ctx = _ctx(request)
    upload = access.access_upload(ctx, upload_id)
    stored = selectors.upload_stored_submission_id(upload=upload)
    if stored is not None:
        return redirect("exchange_receipt", submission_id=stored)
    preview = selectors.upload_preview(upload=upload)
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.UPLOAD, object_id=upload.pk)
    return render(request, "exchange/upload_detail.html", {"upload": preview})


@login_required
@require_POST
def upload_confirm_view(request: HttpRequest, upload_id: int) -> HttpResponse:
    ctx = _ctx(request)
    job = services.upload_confirm(ctx=ctx, upload=access.access_upload(ctx, upload_id))
    return redirect("exchange_job", job_id=job.pk)


@login_required
@require_POST
def upload_discard_view(request: HttpRequest, upload_id: int) -> HttpResponse:
    ctx = _ctx(request)
    services.upload_discard(ctx=ctx, upload=access.access_upload(ctx, upload_id))
    return redirect("exchange_home")


@login_required
@require_GET
def upload_errors_view(request: HttpRequest, upload_id: int) -> HttpResponse:
    ctx = _ctx(request)
    upload = access.access_upload(ctx, upload_id)
    content = selectors.upload_error_report(upload=upload)
    _export(
        ctx, ObjectType.UPLOAD_ERROR_REPORT, upload.pk, errors=upload.summary.get("error_count", 0)
    )
    return _download(content, selectors.error_report_filename(upload.filename), XLSX)


# ---------------------------------------------------------------- receipts


@login_required
@require_GET
def receipt_list_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    submissions = access.access_receipt_list(ctx)
    raw = request.GET.get("page", "")
    page = selectors.receipt_list(
        submissions=submissions, page=int(raw) if raw.isdigit() and len(raw) < 7 else 1
    )
    audit_record(
        ctx=ctx,
        action=Action.VIEW,
        object_type=ObjectType.SUBMISSION_LIST,
        detail={"page": page.page, "results": page.total},
    )
    return render(request, "exchange/receipt_list.html", {"page": page})


@login_required
@require_GET
def receipt_export_view(request: HttpRequest) -> HttpResponse:
    """全部回执导出为 Excel（部门与民政对账：哪个月报了什么、收了多少、退了多少）。报送员为数据
    报送导出，民政与领导为各自的工作（统计、个案办理）导出。"""
    purpose = purpose_of_role(_user(request), ("submission", "statistics", "case_work"))
    if purpose is None:
        raise Http404
    ctx = request_context(request, purpose)
    export = Export(
        title="报送回执",
        header=selectors.RECEIPT_EXPORT_HEADER,
        rows=selectors.receipt_export_rows(submissions=access.access_receipt_list(ctx)),
        object_type=ObjectType.SUBMISSION_LIST,
    )
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


@login_required
@require_GET
def receipt_view(request: HttpRequest, submission_id: int) -> HttpResponse:
    ctx = _ctx(request)
    submission = access.access_submission(ctx, submission_id)
    receipt = selectors.receipt_get(submission=submission)
    audit_record(
        ctx=ctx, action=Action.VIEW, object_type=ObjectType.SUBMISSION, object_id=submission.pk
    )
    sender = is_submitter(_user(request)) and _user(request).agency_id == submission.agency_id
    load = registry_load_of(submission=submission)
    context = {
        "receipt": receipt,
        "error_report": sender and submission.error_count > 0,
        "registry_load": load,
        "registry_link": load is not None
        and access.registry_loads_visible_to(_user(request)).filter(pk=load.pk).exists(),
    }
    return render(request, "exchange/receipt.html", context)


@login_required
@require_GET
def receipt_download_view(request: HttpRequest, submission_id: int, fmt: str) -> HttpResponse:
    ctx = _ctx(request)
    receipt = selectors.receipt_get(submission=access.access_submission(ctx, submission_id))
    _export(ctx, ObjectType.RECEIPT, submission_id, format=fmt)
    name = f"回执-{receipt.receipt_number}.{fmt}"
    if fmt == "json":
        body = json.dumps(selectors.receipt_as_dict(receipt), ensure_ascii=False, indent=2)
        return _download(body.encode("utf-8"), name, "application/json; charset=utf-8")
    return _download(selectors.receipt_csv(receipt), name, "text/csv; charset=utf-8")


@login_required
@require_GET
def submission_errors_view(request: HttpRequest, submission_id: int) -> HttpResponse:
    ctx = _ctx(request)
    submission = access.access_submission(ctx, submission_id, error_report=True)
    content = selectors.submission_error_report(submission=submission)
    _export(ctx, ObjectType.ERROR_REPORT, submission.pk, errors=submission.error_count)
    return _download(content, selectors.error_report_filename(submission.filename), XLSX)


# ---------------------------------------------------------------- timeliness


@login_required
@require_GET
def timeliness_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    division = access.access_timeliness(ctx)
    months, grid = _timeliness(request)
    audit_record(
        ctx=ctx,
        action=Action.VIEW,
        object_type=ObjectType.TIMELINESS,
        object_id=division.code,
        detail={"months": months, "agencies": len(grid.rows)},
    )
    context = {"grid": grid, "months": months, "division": division,
               "may_export": _timeliness_purpose(_user(request)) is not None}  # fmt: skip
    return render(request, "exchange/timeliness.html", context)


def _timeliness(request: HttpRequest) -> tuple[int, selectors.Grid]:
    """页面和导出的同一张表：近 6 或 12 个月，辖区内有按月报送义务的部门。"""
    months = 6 if request.GET.get("months") == "6" else 12
    grid = selectors.timeliness_grid(
        agencies=access.agencies_visible_to(_user(request)),
        today=timezone.localdate(),
        months=months,
    )
    return months, grid


def _timeliness_purpose(user: User) -> str | None:
    return purpose_of_role(user, ("statistics", "case_work", "submission"))


@login_required
@require_GET
def timeliness_export_view(request: HttpRequest) -> HttpResponse:
    """各部门报送情况（含按时率，同样的月份和顺序）导出为 Excel：考核的底稿。"""
    purpose = _timeliness_purpose(_user(request))
    if purpose is None:
        raise Http404
    ctx = request_context(request, purpose)
    division = access.access_timeliness(ctx)
    _, grid = _timeliness(request)
    export = Export(f"各部门报送情况-{division.name}", selectors.timeliness_export_header(grid),
                    selectors.timeliness_export_rows(grid), ObjectType.TIMELINESS,
                    division.code)  # fmt: skip
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


# ---------------------------------------------------------------- offline packages (离线交换包)


@login_required
@require_http_methods(["GET", "POST"])
def package_import_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    access.access_package_import(ctx)
    if request.method == "GET":
        return render(request, "exchange/package_import.html", {})
    file = request.FILES.get("package")
    try:
        if file is None:
            raise InvalidInput("请选择离线交换包文件。")
        trust, key = package_keys_configured()
        result = package_import(ctx=ctx, data=file.read(), trust=trust, recipient_key=key)
    except (PackageRefused, InvalidInput, NotFound) as exc:
        context = {"error": f"{exc.message}（未导入任何数据）"}
        return render(request, "exchange/package_import.html", context, status=400)
    assert result.submission is not None
    return redirect("exchange_receipt", submission_id=result.submission.pk)


# ---------------------------------------------------------------- 外地数据的接收（民政经办）


@login_required
@require_http_methods(["GET", "POST"])
def acceptance_view(request: HttpRequest) -> HttpResponse:
    ctx = request_context(request, Purpose.CASE_WORK)
    error = ""
    if request.method == "POST":
        fact = access.access_pending_fact(ctx, request.POST.get("fact", ""))
        accept = request.POST.get("decision") == "accept"
        try:
            fact_acceptance_decide(
                ctx=ctx, fact=fact, accept=accept, reason=request.POST.get("reason", "")
            )
        except InvalidInput as exc:
            error = exc.message
        else:
            return redirect("exchange_acceptance")
    lines = pending_lines(access.access_acceptance_queue(ctx))
    audit_record(
        ctx=ctx, action=Action.VIEW, object_type=ObjectType.FACT,
        detail={"acceptance_queue": True, "shown": [line.pk for line in lines]},
    )  # fmt: skip
    context = {"lines": lines, "error": error}
    return render(request, "exchange/acceptance.html", context, status=400 if error else 200)
