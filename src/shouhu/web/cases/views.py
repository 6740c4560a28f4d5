"""台账导入的页面（/register/）：上传原有台账、确认列的对应关系、看导入结果、下载未导入的行。

视图只解析输入、经访问层取对象、调用一个服务或查询、渲染。用途记为“个案办理”。
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from shouhu.core.errors import DomainError, ErrorCode, InvalidInput
from shouhu.web import access
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import ObjectType, Purpose
from shouhu.web.cases import selectors
from shouhu.web.cases.register_files import template_xlsx
from shouhu.web.cases.register_import import (
    MAX_BYTES,
    register_import_run,
    register_import_upload,
)
from shouhu.web.cases.selectors import PROBLEM_HEADER
from shouhu.web.exports import Export, export_part, export_xlsx

if TYPE_CHECKING:  # 只为类型标注；视图经访问层取对象
    from shouhu.web.cases.models import RegisterImport
    from shouhu.web.registry.models import Division

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ctx(request: HttpRequest) -> RequestContext:
    return request_context(request, Purpose.CASE_WORK)


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _home(
    request: HttpRequest, division: Division, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "imports": selectors.register_import_list(division),
        "error": error,
        "max_mb": MAX_BYTES // 2**20,
    }
    return render(request, "cases/register_home.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def register_home_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    division = access.access_register_import_start(ctx)
    if request.method == "GET":
        return _home(request, division)
    file = request.FILES.get("file")
    try:
        if file is None:
            raise InvalidInput("请选择要上传的台账文件。")
        outcome = register_import_upload(
            ctx=ctx, division=division, filename=file.name or "", data=file.read()
        )
    except InvalidInput as exc:
        return _home(request, division, error=exc.message, status=400)
    if outcome.earlier:
        messages.info(
            request, "这个文件已经导入过（内容完全相同），不再重复导入。下面是那一次的结果。"
        )
    return redirect("register_import", import_id=outcome.register_import.pk)


@login_required
@require_http_methods(["GET", "POST"])
def register_import_view(request: HttpRequest, import_id: int) -> HttpResponse:
    ctx = _ctx(request)
    upload = access.access_register_import(ctx, import_id)
    if selectors.register_import_is_done(upload):
        page = selectors.register_import_result(upload)
        return render(request, "cases/register_result.html", {"page": page})
    if request.method == "GET":
        return _mapping(request, upload)
    chosen = [
        request.POST.get(f"column_{i}", "") for i in range(len(upload.mapping.get("headers", [])))
    ]
    try:
        outcome = register_import_run(ctx=ctx, register_import=upload, columns=chosen)
    except DomainError as exc:
        if exc.code == ErrorCode.CONFLICT:
            messages.error(request, exc.message)
            return redirect("register_home")
        return _mapping(request, upload, chosen=chosen, error=exc.message, status=400)
    messages.success(request, f"已导入，新建个案 {outcome.cases_created} 个。")
    return redirect("register_import", import_id=upload.pk)


def _mapping(
    request: HttpRequest,
    upload: RegisterImport,
    *,
    chosen: list[str] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    page = selectors.register_import_mapping(upload, chosen)
    return render(
        request, "cases/register_mapping.html", {"page": page, "error": error}, status=status
    )


@login_required
@require_GET
def register_problems_view(request: HttpRequest, import_id: int) -> HttpResponse:
    """未导入的行（身份证号已脱敏），经统一的导出出口（用途、限量、水印、审计）。"""
    ctx = _ctx(request)
    upload = access.access_register_import(ctx, import_id)
    rows = selectors.register_import_problem_rows(upload)
    title = f"未导入的行-{upload.filename.rsplit('.', 1)[0]}"
    export = Export(title, PROBLEM_HEADER, rows, ObjectType.REGISTER_IMPORT, upload.pk)
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


@login_required
@require_GET
def register_template_view(request: HttpRequest) -> HttpResponse:
    """平台的台账模板（只有表头和填写说明，没有个人信息）。"""
    access.access_register_import_start(_ctx(request))
    return _download(template_xlsx(), "台账模板.xlsx")
