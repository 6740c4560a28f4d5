"""离线走访（/field/）：应用外壳、清单（manifest）、服务工作线程、数据包、上传、照片。

外壳页面不含任何个人信息（服务工作线程缓存它，离线时打开）；儿童的数据只从数据包接口来，
在手机上加密保存（static/field/app.js）。接口答 JSON，未登录答 401（应用提示登录，
手机上的数据仍可在到期前查看），出错答中文说明。上传须登录会话和 CSRF 令牌。
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from shouhu.core.errors import DomainError
from shouhu.web import access
from shouhu.web.audit.context import request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.errors import STATUS
from shouhu.web.field.package import field_package_build
from shouhu.web.field.photos import MAX_PHOTOS, photo_open
from shouhu.web.field.sync import field_record_sync, record_parse

SHELL_FILES = ("field/app.js", "field/field.css", "field/wipe.js", "ui/shouhu.css",
               "field/manifest.webmanifest", "field/icon-192.png", "ui/favicon.svg")  # fmt: skip
NOT_SIGNED_IN = "登录已过期，请重新登录后再下载或同步；手机上的数据到期前仍可查看。"


def _json(data: dict[str, object], status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def _error(exc: DomainError) -> JsonResponse:
    return _json({"status": "failed", "error": exc.message}, STATUS.get(exc.code, 400))


@require_GET
@ensure_csrf_cookie
def field_app_view(request: HttpRequest) -> HttpResponse:
    """应用外壳：页面框架和脚本，内容由脚本从手机上的加密存储或数据包接口填入。"""
    context = {"retry": settings.FIELD_RETRY_SECONDS, "max_photos": MAX_PHOTOS}
    return render(request, "field/app.html", context)


@cache
def _cache_version() -> str:
    """外壳文件内容的哈希：文件一改，手机上的旧缓存随之更换，不必手工改版本号。"""
    digest = hashlib.sha256()
    for name in SHELL_FILES:
        found = finders.find(name)
        digest.update(Path(str(found)).read_bytes() if found else name.encode())
    digest.update(Path(__file__).with_name("templates").joinpath("field/app.html").read_bytes())
    return "shouhu-field-" + digest.hexdigest()[:12]


@require_GET
def field_worker_view(request: HttpRequest) -> HttpResponse:
    """服务工作线程（作用范围 /field/）：缓存外壳，离线时用缓存打开；接口请求从不缓存。"""
    files = [static(name) for name in SHELL_FILES]
    context = {"version": _cache_version(), "files": files}
    response = render(request, "field/sw.js", context, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def field_package_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return _json({"status": "signed_out", "error": NOT_SIGNED_IN}, 401)
    try:
        package = field_package_build(request_context(request, Purpose.CASE_WORK))
    except DomainError as exc:  # 角色不对：手机上的数据包应清除
        return _json({"status": "refused", "error": exc.message, "wipe": True}, 403)
    return _json(package)


@require_POST
def field_sync_view(request: HttpRequest) -> HttpResponse:
    """上传一条记录：表单字段 record（JSON），探访可带 photo 文件（最多 3 张）。"""
    if not request.user.is_authenticated:
        return _json({"status": "signed_out", "error": NOT_SIGNED_IN}, 401)
    ctx = request_context(request, Purpose.CASE_WORK)
    try:
        record = record_parse(request.POST.get("record", ""))
        photos = [upload.read() for upload in request.FILES.getlist("photo")[: MAX_PHOTOS + 1]]
        outcome = field_record_sync(ctx=ctx, record=record, photos=photos)
    except DomainError as exc:
        return _error(exc)
    body = {"status": outcome.status, "object": outcome.object_id, "theirs": outcome.theirs,
            "may_force": outcome.may_force, "message": outcome.message}  # fmt: skip
    return _json(body, 409 if outcome.status == "conflict" else 200)


@login_required
@require_GET
def field_photo_view(request: HttpRequest, photo_id: int) -> HttpResponse:
    """一张探访照片：能看到个案的人才能看（经访问层），每次查看记入审计。"""
    ctx = request_context(request, Purpose.CASE_WORK)
    photo = access.access_visit_photo(ctx, photo_id)
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.VISIT_PHOTO,
                 object_id=photo.pk, detail={"visit": photo.visit_id})  # fmt: skip
    response = FileResponse(photo_open(photo), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response
