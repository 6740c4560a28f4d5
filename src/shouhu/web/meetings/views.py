"""联席会议任务板：任务、牵头和配合单位、完成时限、状态；建任务、写进展、导出任务板。"""

from __future__ import annotations

from datetime import date
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.core.errors import DomainError
from shouhu.web.accounts.models import Agency, User
from shouhu.web.accounts.permissions import purpose_of_role
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.exports import Export, export_xlsx
from shouhu.web.meetings.models import JointTask, TaskStatus
from shouhu.web.meetings.selectors import (
    EXPORT_HEADER,
    may_note,
    may_organise,
    may_see_tasks,
    shown_status,
    task_rows,
    tasks_visible_to,
)
from shouhu.web.meetings.services import SETTABLE, joint_task_create, joint_task_note


def _ctx(request: HttpRequest) -> tuple[RequestContext, User]:
    """看任务板的用途：领导、经办是统计督办，部门是关爱服务，报送员是数据报送（只为审计）。"""
    user = cast(User, request.user)
    if not may_see_tasks(user):
        raise Http404
    preferred = ("statistics", "care_services", "submission")
    purpose = purpose_of_role(user, preferred) or Purpose.STATISTICS
    return request_context(request, purpose), user


def _units(user: User) -> list[Agency]:
    return list(Agency.objects.filter(division__path__startswith=user.division.path)
                .select_related("division").order_by("division__code", "name"))  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def board_view(request: HttpRequest) -> HttpResponse:
    ctx, user = _ctx(request)
    if request.method == "POST":
        return _create(request, ctx, user)
    status = request.GET.get("status", "")
    status = status if status in TaskStatus.values else ""
    today = timezone.localdate()
    context = {
        "rows": task_rows(tasks_visible_to(user), today, status),
        "status": status,
        "statuses": TaskStatus.choices,
        "organiser": may_organise(user),
        "units": _units(user) if may_organise(user) else [],
    }
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.JOINT_TASK, object_id="")
    return render(request, "meetings/board.html", context)


def _create(request: HttpRequest, ctx: RequestContext, user: User) -> HttpResponse:
    units = {str(a.pk): a for a in _units(user)}
    lead = units.get(request.POST.get("lead", ""))
    cooperating = [units[pk] for pk in request.POST.getlist("cooperating") if pk in units]
    try:
        due_on = date.fromisoformat(request.POST.get("due_on", ""))
    except ValueError:
        messages.error(request, "完成时限的日期不对（例如 2026-10-31）。")
        return redirect("meeting_board")
    if lead is None:
        messages.error(request, "请选择牵头单位。")
        return redirect("meeting_board")
    try:
        task = joint_task_create(ctx=ctx, title=request.POST.get("title", ""), lead=lead,
                                 cooperating=cooperating, due_on=due_on)  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("meeting_board")
    messages.success(request, f"已建任务（序号 {task.pk}），牵头和配合单位的待办里会看到它。")
    return redirect("meeting_task", task.pk)


def _task(user: User, task_id: int) -> JointTask:
    task = tasks_visible_to(user).select_related("lead").filter(pk=task_id).first()
    if task is None:
        raise Http404
    return task


@login_required
@require_GET
def task_view(request: HttpRequest, task_id: int) -> HttpResponse:
    ctx, user = _ctx(request)
    task = _task(user, task_id)
    status = shown_status(task, timezone.localdate())
    context = {
        "task": task,
        "status": status,
        "status_label": TaskStatus(status).label,
        "cooperating": task.cooperating.all(),
        "notes": task.notes.select_related("agency", "written_by"),
        "may_note": may_note(user, task),
        "settable": [(s.value, s.label) for s in SETTABLE],
    }
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.JOINT_TASK, object_id=task.pk)
    return render(request, "meetings/task.html", context)


@login_required
@require_POST
def task_note_view(request: HttpRequest, task_id: int) -> HttpResponse:
    ctx, user = _ctx(request)
    task = _task(user, task_id)
    try:
        joint_task_note(ctx=ctx, task=task, text=request.POST.get("text", ""),
                        evidence=request.POST.get("evidence", ""),
                        status=request.POST.get("status", ""))  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记下进展。")
    return redirect("meeting_task", task.pk)


@login_required
@require_GET
def board_export_view(request: HttpRequest) -> HttpResponse:
    ctx, user = _ctx(request)
    rows = task_rows(tasks_visible_to(user), timezone.localdate())
    export = Export(title=f"联席会议任务-{user.division.name}", header=EXPORT_HEADER,
                    rows=[row.cells() for row in rows], object_type=ObjectType.JOINT_TASK,
                    object_id=user.division_id)  # fmt: skip
    return export_xlsx(ctx=ctx, export=export)
