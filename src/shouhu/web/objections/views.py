"""疑义校核的页面。视图解析输入、经 access 取对象、调用一个服务或选择器、渲染。

提出疑义用途为个案办理（case_work），提供部门答复为数据报送（submission）；查看含个人信息的
页面各写一条审计。拒绝由 access 层审计，由 DomainErrorMiddleware 统一答复。
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.core.errors import DomainError, InvalidInput
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import purpose_of_role
from shouhu.web.audit.context import request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.exports import Export, export_part, export_xlsx
from shouhu.web.objections import services
from shouhu.web.objections.forms import FIELD_PREFIX, parse_changes
from shouhu.web.objections.selectors import (
    ObjectionPage,
    ObjectionRow,
    fact_entry_for,
    objection_list_raised_by,
    objection_page,
    objection_queue_for,
)

RESOLUTIONS = {"confirm": "核实无误", "correct": "更正", "reject": "不予采纳"}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # behind @login_required


@login_required
@require_http_methods(["GET", "POST"])
def objection_new_view(request: HttpRequest, fact_id: int) -> HttpResponse:
    ctx = request_context(request, Purpose.CASE_WORK)
    fact = access.access_fact(ctx, fact_id)
    reason = request.POST.get("reason", "")
    error = ""
    if request.method == "POST":
        try:
            objection = services.objection_raise(ctx=ctx, fact=fact, reason=reason)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "疑义已提交，提供部门将在答复期限内校核。个案照常办理。")
            return redirect("objection_detail", objection.pk)
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.FACT, object_id=fact.pk)
    entry = fact_entry_for(user=_user(request), fact=fact)
    context = {"fact": entry, "fact_obj": fact, "reason": reason, "error": error}
    return render(request, "objections/new.html", context, status=400 if error else 200)


@login_required
@require_GET
def objection_mine_view(request: HttpRequest) -> HttpResponse:
    ctx = request_context(request, Purpose.CASE_WORK)
    rows = objection_list_raised_by(user=_user(request))
    audit_record(
        ctx=ctx,
        action=Action.VIEW,
        object_type=ObjectType.OBJECTION_LIST,
        detail={"list": "mine", "rows": len(rows)},
    )
    may_export = _mine_purpose(_user(request)) is not None
    return render(request, "objections/mine.html", {"rows": rows, "may_export": may_export})


def _mine_purpose(user: User) -> str | None:
    """我提出的疑义：提出时是为个案办理；导出记在本角色用得到的那项工作下。"""
    return purpose_of_role(user, ("case_work", "comparison", "statistics"))


@login_required
@require_GET
def objection_mine_export_view(request: HttpRequest) -> HttpResponse:
    """我提出的疑义（同样的顺序）导出为 Excel。"""
    purpose = _mine_purpose(_user(request))
    if purpose is None:
        raise Http404
    ctx = request_context(request, purpose)
    rows = objection_list_raised_by(user=_user(request))
    export = Export("我提出的疑义", OBJECTION_EXPORT_HEADER, objection_export_rows(rows),
                    ObjectType.OBJECTION_LIST)  # fmt: skip
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


@login_required
@require_GET
def objection_queue_view(request: HttpRequest) -> HttpResponse:
    ctx = request_context(request, Purpose.SUBMISSION)
    agency = access.access_objection_queue(ctx)
    include_closed = request.GET.get("show") == "all"
    queue = objection_queue_for(agency=agency, include_closed=include_closed)
    audit_record(
        ctx=ctx,
        action=Action.VIEW,
        object_type=ObjectType.OBJECTION_LIST,
        object_id=agency.pk,
        detail={"list": "queue", "rows": len(queue.rows)},
    )
    return render(request, "objections/queue.html", {"queue": queue, "show_all": include_closed})


OBJECTION_EXPORT_HEADER = ("数据项", "当事人", "原记录号", "提出人", "提出时间", "答复期限", "状态")


def objection_export_rows(rows: Sequence[ObjectionRow]) -> list[tuple[object, ...]]:
    """疑义列表的导出行（部门的队列和我提出的共用）。"""
    return [
        (r.fact_label, r.subject_name, r.source_record_id, r.raised_by,
         timezone.localtime(r.raised_at).date(), r.due_on,
         f"{r.status_label}（已逾期）" if r.overdue else r.status_label)
        for r in rows
    ]  # fmt: skip


@login_required
@require_GET
def objection_queue_export_view(request: HttpRequest) -> HttpResponse:
    """部门的疑义队列导出为 Excel（交给经办人逐条核对原始台账）。"""
    ctx = request_context(request, Purpose.SUBMISSION)
    agency = access.access_objection_queue(ctx)
    queue = objection_queue_for(agency=agency, include_closed=request.GET.get("show") == "all")
    export = Export(
        title=f"待校核疑义-{agency.name}",
        header=OBJECTION_EXPORT_HEADER,
        rows=objection_export_rows(queue.rows),
        object_type=ObjectType.OBJECTION_LIST,
        object_id=agency.pk,
    )
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


def _purpose_for(user: User) -> str:
    # The providing department reads objections as part of its submissions; everyone else for cases.
    return Purpose.SUBMISSION if user.role == "data_submitter" else Purpose.CASE_WORK


@login_required
@require_GET
def objection_detail_view(request: HttpRequest, objection_id: int) -> HttpResponse:
    ctx = request_context(request, _purpose_for(_user(request)))
    objection = access.access_objection(ctx, objection_id)
    page = objection_page(user=_user(request), objection=objection)
    audit_record(
        ctx=ctx, action=Action.VIEW, object_type=ObjectType.OBJECTION, object_id=objection.pk
    )
    return render(request, "objections/detail.html", _detail_context(request, page))


def _detail_context(
    request: HttpRequest, page: ObjectionPage, error: str = ""
) -> dict[str, object]:
    """详情页的模板数据；答复有误时带回填写的内容（更正字段按名称取回）。"""
    posted = request.POST if request.method == "POST" else {}
    fields = [(f, posted.get(FIELD_PREFIX + f.name, f.value)) for f in page.correction_fields]
    return {
        "page": page,
        "resolutions": RESOLUTIONS,
        "prefix": FIELD_PREFIX,
        "fields": fields,
        "posted": posted,
        "error": error,
    }


@login_required
@require_POST
def objection_answer_view(request: HttpRequest, objection_id: int) -> HttpResponse:
    ctx = request_context(request, Purpose.SUBMISSION)
    objection = access.access_objection(ctx, objection_id, to="answer")
    resolution = request.POST.get("resolution", "")
    reply = request.POST.get("reply", "")
    try:
        if resolution == "confirm":
            services.objection_confirm(ctx=ctx, objection=objection, reply=reply)
        elif resolution == "reject":
            services.objection_reject(ctx=ctx, objection=objection, reply=reply)
        elif resolution == "correct":
            changes = parse_changes(request.POST, objection.fact)
            services.objection_correct(ctx=ctx, objection=objection, reply=reply, changes=changes)
        else:
            raise InvalidInput("请选择答复结论：核实无误、更正或不予采纳。")
    except DomainError as exc:
        return _answer_again(request, objection_id, exc.message)
    messages.success(request, f"已答复：{RESOLUTIONS[resolution]}。")
    return redirect("objection_detail", objection_id)


def _answer_again(request: HttpRequest, objection_id: int, error: str) -> HttpResponse:
    """答复有误：重新显示详情页，保留填写的内容，说明错在哪。"""
    ctx = request_context(request, Purpose.SUBMISSION)
    objection = access.access_objection(ctx, objection_id)
    page = objection_page(user=_user(request), objection=objection)
    return render(
        request, "objections/detail.html", _detail_context(request, page, error), status=400
    )


@login_required
@require_POST
def objection_withdraw_view(request: HttpRequest, objection_id: int) -> HttpResponse:
    ctx = request_context(request, Purpose.CASE_WORK)
    objection = access.access_objection(ctx, objection_id, to="withdraw")
    services.objection_withdraw(ctx=ctx, objection=objection)
    messages.success(request, "疑义已撤回。")
    return redirect("objection_detail", objection_id)
