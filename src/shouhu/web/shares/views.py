"""推送名单的页面（/shares/）：民政经办人员发布名单、看各部门的闭环；部门用户看发给本部门的
名单，逐人反馈（网页勾选、或下载名单填好“反馈”列再上传）。

视图只解析输入、经访问层取对象、调用一个服务或查询、渲染。名单页的用途记为名单的用途。
"""

from __future__ import annotations

import math
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.core.errors import DomainError, InvalidInput
from shouhu.web import access, exports
from shouhu.web.accounts.models import User
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.exports import Export, export_part, export_xlsx
from shouhu.web.shares import selectors, services
from shouhu.web.shares.feedback_files import (
    FeedbackRefused,
    feedback_file_import,
    list_header,
    list_rows,
)


def _home_ctx(request: HttpRequest) -> RequestContext:
    return request_context(request, Purpose.CASE_WORK)


def _list_ctx(request: HttpRequest, purpose: str) -> RequestContext:
    return request_context(request, purpose)


def _user(ctx: RequestContext) -> User:
    assert ctx.user is not None
    return ctx.user


@login_required
@require_http_methods(["GET", "POST"])
def share_home_view(request: HttpRequest) -> HttpResponse:
    ctx = _home_ctx(request)
    user = access.access_share_home(ctx)
    if access.may_give_feedback(user):
        return _department_home(request, user)
    error, status = "", 200
    if request.method == "POST":
        try:
            share_list = _publish(request, ctx)
        except DomainError as exc:
            error, status = exc.message, 400
        else:
            kind = "全量名单" if share_list.full else "变动名单"
            messages.success(request, f"已发布{kind}（新增 {share_list.enrol_count} 人，"
                                      f"停止 {share_list.exit_count} 人）。")  # fmt: skip
            return redirect("share_list", list_id=share_list.pk)
    closure = selectors.closure_for(user.division)
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.SHARE_LIST,
                 object_id="closure",
                 detail={"uncovered_shown": sum(len(c.uncovered) for c in closure)})  # fmt: skip
    lists = access.share_lists_visible_to(user)
    context = {
        "receivers": selectors.receivers_for(user.division),
        "scopes": selectors.scope_lines(),
        "closure": closure,
        "lists": selectors.with_progress(lists).order_by("-published_at")[:50],
        "error": error,
        "today": timezone.localdate(),
    }
    return render(request, "shares/home.html", context, status=status)


def _publish(request: HttpRequest, ctx: RequestContext):  # type: ignore[no-untyped-def]
    division = access.access_share_publish(ctx)
    agency_id, _, purpose = request.POST.get("receiver", "").partition(":")
    receiver = next(
        (r for r in selectors.receivers_for(division)
         if str(r.agency.pk) == agency_id and r.purpose == purpose),
        None,
    )  # fmt: skip
    if receiver is None:
        raise InvalidInput("请选择接收部门和用途。")
    publish_ctx = _list_ctx(request, purpose)
    return services.share_list_publish(
        ctx=publish_ctx, division=division, agency=receiver.agency, purpose=purpose
    )


def _department_home(request: HttpRequest, user: User) -> HttpResponse:
    lists = access.share_lists_visible_to(user)
    context = {
        "department": user.agency,
        "lists": selectors.with_progress(lists).order_by("-published_at")[:100],
        "today": timezone.localdate(),
    }
    return render(request, "shares/department_home.html", context)


@login_required
@require_GET
def share_list_view(request: HttpRequest, list_id: int) -> HttpResponse:
    share_list = access.access_share_list(_home_ctx(request), list_id)
    return _list_response(request, share_list)


def _list_response(request: HttpRequest, share_list, **extra: object) -> HttpResponse:  # type: ignore[no-untyped-def]
    ctx = _list_ctx(request, share_list.purpose)
    user = _user(ctx)
    page = selectors.list_page(share_list, user, request.GET.get("page"),
                               request.GET.get("show", "all"))  # fmt: skip
    detail = {"rows": len(page.rows), "page": page.page}
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.SHARE_LIST,
                 object_id=share_list.pk, detail=detail)  # fmt: skip
    # 超过一个文件的限量（EXPORT_MAX_ROWS 行）的名单分几部分下载，每部分各自填好上传
    parts = max(1, math.ceil(share_list.entry_count / exports.EXPORT_MAX_ROWS))
    context = {
        "page": page,
        "parts": range(1, parts + 1) if parts > 1 else (),
        "part_rows": exports.EXPORT_MAX_ROWS,
        "may_answer": access.may_give_feedback(user),
        "outcomes": selectors.OUTCOME_CHOICES,
        "today": timezone.localdate(),
        **extra,
    }
    return render(request, "shares/list.html", context, status=400 if extra else 200)


def _date(raw: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput("办理日期格式应为 年-月-日。") from None


@login_required
@require_POST
def share_feedback_view(request: HttpRequest, list_id: int) -> HttpResponse:
    """网页反馈：勾选的儿童记同一个办理情况。"""
    share_list = access.access_share_feedback(_home_ctx(request), list_id)
    ctx = _list_ctx(request, share_list.purpose)
    post = request.POST
    try:
        feedback = services.FeedbackInput(
            outcome=post.get("outcome", ""), done_on=_date(post.get("done_on", "")),
            reference=post.get("reference", "")[:100], reason=post.get("reason", "")[:400],
        )  # fmt: skip
        ids = [int(v) for v in post.getlist("entry") if v.isdigit() and len(v) < 19]
        changed = services.share_feedback_record(
            ctx=ctx, share_list=share_list, entry_ids=ids, feedback=feedback
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已记录 {changed} 名儿童的反馈。")
    show = post.get("show", "")
    url = reverse("share_list", args=[share_list.pk])
    return redirect(f"{url}?show={show}" if show in ("pending", "exit") else url)


@login_required
@require_POST
def share_upload_view(request: HttpRequest, list_id: int) -> HttpResponse:
    share_list = access.access_share_feedback(_home_ctx(request), list_id)
    ctx = _list_ctx(request, share_list.purpose)
    file = request.FILES.get("file")
    try:
        if file is None:
            raise InvalidInput("请选择填好反馈的名单文件（Excel）。")
        outcome = feedback_file_import(
            ctx=ctx, share_list=share_list, filename=file.name or "", data=file.read()
        )
    except FeedbackRefused as exc:
        return _list_response(request, share_list, upload_error=exc.message,
                              problems=exc.problems[:200])  # fmt: skip
    except DomainError as exc:
        return _list_response(request, share_list, upload_error=exc.message, problems=[])
    if outcome.duplicate:
        messages.info(request, "这个文件已经上传过（内容完全相同），不再重复记入。")
    else:
        batch = outcome.batch
        messages.success(
            request, f"已读入 {batch.rows} 行反馈，其中新记或改动 {batch.changed} 行。"
        )
    return redirect("share_list", list_id=share_list.pk)


@login_required
@require_GET
def share_export_view(request: HttpRequest, list_id: int) -> HttpResponse:
    """名单（XLSX），经统一的导出出口（用途、限量、水印、审计）；最后几列留给反馈。"""
    share_list = access.access_share_list(_home_ctx(request), list_id)
    ctx = _list_ctx(request, share_list.purpose)
    fields = selectors.shown_fields(share_list, _user(ctx))
    label = selectors.purpose_label(share_list.purpose)
    title = f"{share_list.agency.name}{label}名单第{share_list.number}份"
    export = Export(title, list_header(fields), list_rows(share_list, fields),
                    ObjectType.SHARE_LIST, share_list.pk)  # fmt: skip
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))
