"""联席会议任务的写：建任务、写进展（可同时改状态）。每次改动记审计，在同一事务里。"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from shouhu.core.errors import InvalidInput, PermissionDenied
from shouhu.web.accounts.models import Agency
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.meetings.models import JointTask, TaskNote, TaskStatus
from shouhu.web.meetings.selectors import may_note, may_organise

SETTABLE = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.DONE)


def joint_task_create(
    *, ctx: RequestContext, title: str, lead: Agency, cooperating: list[Agency], due_on: date
) -> JointTask:
    user = ctx.user
    if user is None or not may_organise(user):
        raise PermissionDenied("只有领导和民政经办人员可以建联席会议任务。")
    text = title.strip()
    if not text:
        raise InvalidInput("请写明工作任务。")
    if len(text) > 300:
        raise InvalidInput("工作任务最多 300 字，具体内容请写在进展里。")
    with transaction.atomic():
        task = JointTask.objects.create(division=user.division, title=text, lead=lead,
                                        due_on=due_on, created_by=user)  # fmt: skip
        task.cooperating.set([a for a in cooperating if a.pk != lead.pk])
        audit_record(ctx=ctx, action=Action.CREATE, object_type=ObjectType.JOINT_TASK,
                     object_id=task.pk, detail={"lead": lead.pk, "due_on": str(due_on),
                                                "cooperating": len(cooperating)})  # fmt: skip
    return task


def joint_task_note(
    *, ctx: RequestContext, task: JointTask, text: str, evidence: str, status: str
) -> TaskNote:
    """写一次进展，任务的状态改为 status（未开始、进行中、已完成）。"""
    user = ctx.user
    if user is None or not may_note(user, task):
        raise PermissionDenied("只有任务的牵头、配合单位和联席会议办公室可以写进展。")
    body = text.strip()
    if not body:
        raise InvalidInput("请写明进展情况。")
    if status not in SETTABLE:
        raise InvalidInput("请选择任务的状态：未开始、进行中或已完成。")
    with transaction.atomic():
        locked = JointTask.objects.select_for_update().get(pk=task.pk)
        note = TaskNote.objects.create(
            task=locked, text=body[:4000], evidence=evidence.strip()[:500], status=status,
            agency_id=user.agency_id, written_by=user,
        )  # fmt: skip
        locked.status = status
        locked.done_at = timezone.now() if status == TaskStatus.DONE else None
        locked.save(update_fields=["status", "done_at"])
        audit_record(ctx=ctx, action=Action.UPDATE, object_type=ObjectType.JOINT_TASK,
                     object_id=locked.pk, detail={"status": status,
                                                  "text_chars": len(body)})  # fmt: skip
    return note
