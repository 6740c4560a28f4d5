"""安全审计员的工作台、审计日志导出、立即校验；安全管理员的“查看记录不告知”设定。"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.core.catalog import AGENCY_LABELS
from shouhu.core.errors import InvalidInput
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.audit.context import request_context
from shouhu.web.audit.desk import (
    PAGE_ROWS,
    EntryFilter,
    entries_filtered,
    entries_for_auditor,
    entry_lines,
    flag_summary,
    latest_check,
    person_pk_for_id_number,
    suppressions_list,
)
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import (
    audit_record,
    chain_check_request,
    suppression_create,
    suppression_revoke,
)

EXPORT_ROWS = 50_000  # 一次导出的上限；更多请缩小日期范围


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _filter(data: QueryDict) -> tuple[EntryFilter, str]:
    """网址里的筛选条件；儿童按身份证号找（只换成编号，不显示任何个人信息）。"""
    number = data.get("child", "").strip()[:20]
    person = person_pk_for_id_number(number) if number else None
    problem = "没有找到这个身份证号。" if number and person is None else ""
    return EntryFilter(
        username=data.get("user", "").strip()[:150],
        person_id=person if person is not None else (-1 if number else None),
        action=data.get("action", "") if data.get("action", "") in Action.values else "",
        since=_date(data.get("since")),
        until=_date(data.get("until")),
        before=int(data["before"]) if data.get("before", "").isdigit() else None,
    ), problem


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _logged_filter(f: EntryFilter) -> dict[str, object]:
    return {
        "user": bool(f.username),
        "child": f.person_id,
        "action": f.action,
        "since": f.since.isoformat() if f.since else "",
        "until": f.until.isoformat() if f.until else "",
    }


@login_required
@require_GET
def audit_desk_view(request: HttpRequest) -> HttpResponse:
    ctx = request_context(request, Purpose.AUDIT)
    auditor = access.access_audit_log(ctx)
    f, problem = _filter(request.GET)
    entries = entries_filtered(entries_for_auditor(auditor), f)
    lines = entry_lines(entries[:PAGE_ROWS])
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.AUDIT_LOG,
                 detail=_logged_filter(f))  # fmt: skip
    context = {
        "lines": lines,
        "flags": flag_summary(lines),
        "check": latest_check(),
        "actions": Action.choices,
        "form": request.GET,
        "problem": problem,
        "limit": PAGE_ROWS,
        "older": _older_url(request.GET, lines[-1].seq) if len(lines) == PAGE_ROWS else "",
    }
    return render(request, "audit/desk.html", context)


def _older_url(data: QueryDict, last_seq: int) -> str:
    query = data.copy()
    query["before"] = str(last_seq)
    return "?" + query.urlencode()


@login_required
@require_GET
def audit_export_view(request: HttpRequest) -> HttpResponse:
    ctx = request_context(request, Purpose.AUDIT)
    auditor = access.access_audit_log(ctx)
    f, _ = _filter(request.GET)
    lines = entry_lines(entries_filtered(entries_for_auditor(auditor), f)[:EXPORT_ROWS])
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        ["序号", "时间", "用户", "角色", "单位", "操作", "对象", "用途", "地址", "提示"]
    )
    for line in lines:
        writer.writerow([line.seq, f"{line.at:%Y-%m-%d %H:%M:%S}", line.who, line.role, line.agency,
                         line.action, line.what, line.purpose, line.client_ip,
                         "；".join(line.flags)])  # fmt: skip
    audit_record(ctx=ctx, action=Action.EXPORT, object_type=ObjectType.AUDIT_LOG,
                 detail={**_logged_filter(f), "rows": len(lines)})  # fmt: skip
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv")
    name = f"审计日志-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_POST
def audit_verify_view(request: HttpRequest) -> HttpResponse:
    ctx = request_context(request, Purpose.AUDIT)
    access.access_audit_log(ctx)
    chain_check_request(ctx=ctx)
    messages.info(request, "已开始校验审计日志，完成后刷新本页查看结果。")
    return redirect("audit_desk")


# ---------------------------------------------------------------- 安全管理员：不告知设定


@login_required
@require_http_methods(["GET", "POST"])
def suppression_list_view(request: HttpRequest) -> HttpResponse:
    ctx = request_context(request, Purpose.ADMINISTRATION)
    access.access_suppressions(ctx)
    error = ""
    if request.method == "POST":
        try:
            until = _date(request.POST.get("until"))
            if until is None:
                raise InvalidInput("请填写截止日期。")
            suppression_create(ctx=ctx, agency_type=request.POST.get("agency_type", ""),
                               until=until, reason=request.POST.get("reason", ""))  # fmt: skip
        except InvalidInput as exc:
            error = exc.message
        else:
            messages.success(request, "已设定。")
            return redirect("audit_suppressions")
    context = {"rows": suppressions_list(), "agency_types": sorted(AGENCY_LABELS.items()),
               "error": error, "form": request.POST}  # fmt: skip
    return render(request, "audit/suppressions.html", context, status=400 if error else 200)


@login_required
@require_POST
def suppression_revoke_view(request: HttpRequest, suppression_id: int) -> HttpResponse:
    ctx = request_context(request, Purpose.ADMINISTRATION)
    suppression_revoke(ctx=ctx, item=access.access_suppression(ctx, suppression_id))
    messages.success(request, "已撤销，立即生效。")
    return redirect("audit_suppressions")
