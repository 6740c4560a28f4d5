"""部门（及其报送的数据项）、行政区划（代码表导入）、接口凭证（签发、吊销）。"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.core.errors import DomainError, InvalidInput
from shouhu.web import access
from shouhu.web.accounts.agencies import agency_add, agency_catalog_items, agency_update
from shouhu.web.accounts.credentials import (
    credential_create,
    credential_revoke,
    default_expiry,
    expiry_day,
)
from shouhu.web.accounts.models import Agency, AgencyType, User
from shouhu.web.accounts.selectors import (
    AGENCY_EXPORT_HEADER,
    LEVEL_NAMES,
    agency_export_rows,
    agency_item_choices,
    agency_rows,
    credential_rows,
    division_summary,
    share_purpose_choices,
)
from shouhu.web.accounts.views._common import (
    admin_ctx,
    admin_of,
    division_choices,
    page,
    posted_division_code,
    shown_once,
)
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.exports import Export, export_part, export_xlsx
from shouhu.web.registry.divisions import division_import

MAX_CODE_LIST_BYTES = 20 * 1024 * 1024

# ---------------------------------------------------------------- 部门


@login_required
@require_GET
def agencies_view(request: HttpRequest) -> HttpResponse:
    admin = admin_of(admin_ctx(request))
    rows = agency_rows(agencies=access.agencies_administered_by(admin))
    return page(request, "accounts/agencies.html", {"rows": rows})


@login_required
@require_GET
def agencies_export_view(request: HttpRequest) -> HttpResponse:
    """部门列表（同样的顺序）导出为 Excel。"""
    ctx = admin_ctx(request)
    rows = agency_rows(agencies=access.agencies_administered_by(admin_of(ctx)))
    export = Export("部门", AGENCY_EXPORT_HEADER, agency_export_rows(rows=rows), ObjectType.AGENCY)
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


def _agency_form(admin: User, posted: dict[str, Any], error: str = "") -> dict[str, Any]:
    return {
        "posted": posted,
        "error": error,
        "types": AgencyType.choices,
        "divisions": division_choices(admin, ("province", "city", "county", "township")),
    }


@login_required
@require_http_methods(["GET", "POST"])
def agency_new_view(request: HttpRequest) -> HttpResponse:
    ctx = admin_ctx(request)
    admin = admin_of(ctx)
    if request.method == "GET":
        return page(request, "accounts/agency_new.html", _agency_form(admin, {}))
    try:
        code = posted_division_code(request)
        if not code:
            raise InvalidInput("请选择部门所在的区划。")
        agency = agency_add(
            ctx=ctx,
            name=request.POST.get("name", ""),
            agency_type=request.POST.get("agency_type", ""),
            division=access.access_admin_division(ctx, code),
        )
    except DomainError as exc:
        context = _agency_form(admin, request.POST.dict(), exc.message)
        return page(request, "accounts/agency_new.html", context, status=400)
    messages.success(request, f"已开设部门：{agency.name}。报送的数据项缺省为这类部门的全部。")
    return redirect("admin_agency", agency.pk)


@login_required
@require_http_methods(["GET", "POST"])
def agency_view(request: HttpRequest, agency_id: int) -> HttpResponse:
    """一个部门：改名，勾选报送的数据项（全选即目录中的全部，今后目录新增的也包括在内）。"""
    ctx = admin_ctx(request)
    agency = access.access_admin_agency(ctx, agency_id)
    error = ""
    if request.method == "POST":
        try:
            _agency_save(request, ctx, agency)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "已保存。")
            return redirect("admin_agency", agency.pk)
    context = {
        "agency": agency,
        "agency_type": AgencyType(agency.agency_type).label,
        "name": request.POST.get("name", agency.name) if error else agency.name,
        "contact_phone": request.POST.get("contact_phone", "") if error else agency.contact_phone,
        "items": agency_item_choices(agency),
        "all_items": agency.item_codes is None,
        "error": error,
    }
    return page(request, "accounts/agency.html", context, status=400 if error else 200)


def _agency_save(request: HttpRequest, ctx: RequestContext, agency: Agency) -> None:
    chosen = request.POST.getlist("items")
    own = [item.code for item in agency_catalog_items(agency)]
    agency_update(
        ctx=ctx,
        agency=agency,
        name=request.POST.get("name", ""),
        item_codes=None if set(chosen) == set(own) else chosen,
        contact_phone=request.POST.get("contact_phone", ""),
    )


# ---------------------------------------------------------------- 行政区划


@login_required
@require_http_methods(["GET", "POST"])
def divisions_view(request: HttpRequest) -> HttpResponse:
    """辖区的区划概况；上传乡、村代码表导入（全部合格才入库，逐行说明错误）。"""
    ctx = admin_ctx(request)
    admin = admin_of(ctx)
    result = None
    if request.method == "POST":
        upload = request.FILES.get("code_list")
        if upload is None or upload.size is None or upload.size == 0:
            raise InvalidInput("请选择要导入的代码表文件（CSV 或 XLSX）。")
        if upload.size > MAX_CODE_LIST_BYTES:
            raise InvalidInput("代码表文件超过 20 MB，请按乡镇拆分后分批导入。")
        result = division_import(
            ctx=ctx,
            data=upload.read(),
            filename=(upload.name or "代码表")[:100],
            under=admin.division,
            synthetic=request.POST.get("synthetic") == "1",
        )
    levels, rows = division_summary(root=admin.division)
    context = {
        "root": admin.division,
        "levels": [(LEVEL_NAMES[level], n) for level, n in levels.items()],
        "rows": rows,
        "result": result,
    }
    status = 400 if result is not None and not result.ok else 200
    return page(request, "accounts/divisions.html", context, status=status)


# ---------------------------------------------------------------- 接口凭证


@login_required
@require_GET
def credentials_view(request: HttpRequest) -> HttpResponse:
    admin = admin_of(admin_ctx(request))
    rows = credential_rows(credentials=access.credentials_visible_to(admin))
    return page(request, "accounts/credentials.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def credential_new_view(request: HttpRequest) -> HttpResponse:
    """签发分两步：先选部门（GET ?agency=），再选数据项、有效期和名称（POST）。"""
    ctx = admin_ctx(request)
    admin = admin_of(ctx)
    data = request.POST if request.method == "POST" else request.GET
    agency_id = data.get("agency", "")
    agency = access.access_admin_agency(ctx, agency_id) if agency_id else None
    error = ""
    if request.method == "POST" and agency is not None:
        try:
            for_shares = request.POST.get("kind") == "shares"  # 接收推送名单；否则报送数据
            purposes = request.POST.getlist("share_purposes") if for_shares else []
            allowed = {code for code, _ in share_purpose_choices(agency)}
            if for_shares and not purposes:
                raise InvalidInput("请至少勾选一个推送名单的用途。")
            if any(code not in allowed for code in purposes):
                raise InvalidInput(f"{agency.name}没有所选用途的推送名单授权，不能签发。")
            issued = credential_create(
                ctx=ctx,
                name=request.POST.get("name", ""),
                agency=agency,
                item_codes=[] if for_shares else request.POST.getlist("items"),
                expires_on=_date(request.POST.get("expires_on", "")),
                share_purposes=purposes,
            )
        except DomainError as exc:
            error = exc.message
        else:
            context = {"issued": issued, "expires_on": expiry_day(issued.credential.expires_at)}
            return shown_once(request, "accounts/issued_token.html", context)
    elif request.method == "POST":
        error = "请先选择凭证所属的部门。"
    context = {
        "agencies": access.agencies_administered_by(admin).select_related("division"),
        "agency": agency,
        "items": agency_item_choices(agency) if agency else [],
        "share_purposes": share_purpose_choices(agency) if agency else [],
        "chosen_purposes": request.POST.getlist("share_purposes"),
        "for_shares": request.POST.get("kind") == "shares",
        "posted": request.POST,
        "expires_on": request.POST.get("expires_on") or default_expiry().isoformat(),
        "error": error,
    }
    return page(request, "accounts/credential_new.html", context, status=400 if error else 200)


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput("有效期应为日期，如 2027-06-30。") from None


@login_required
@require_POST
def credential_revoke_view(request: HttpRequest, credential_id: int) -> HttpResponse:
    ctx = admin_ctx(request)
    credential = access.access_credential(ctx, credential_id)
    if request.POST.get("confirm") != "yes":
        raise InvalidInput("请在凭证列表中点“吊销”并确认。")
    credential_revoke(ctx=ctx, credential=credential)
    messages.success(request, f"已吊销凭证“{credential.name}”，此后用它的每次调用都会被拒绝。")
    return redirect("admin_credentials")
