"""联席会议任务的读：谁看得到哪些任务，任务板的行，各单位和领导的待办数。

看得到的：领导和民政经办——本人辖区（及下级）联席会议的全部任务；部门的用户——本部门牵头或配合
的任务。建任务的是领导和民政经办；写进展的是他们，和任务的牵头、配合单位的用户。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Role
from shouhu.web.meetings.models import JointTask, TaskStatus

ORGANISERS = (Role.LEADER, Role.CASEWORKER)


def may_organise(user: User) -> bool:
    """可以建任务、看辖区全部任务、导出任务板的：领导和民政经办。"""
    return user.role in ORGANISERS


def may_see_tasks(user: User) -> bool:
    return may_organise(user) or user.agency_id is not None


def tasks_visible_to(user: User) -> QuerySet[JointTask]:
    tasks = JointTask.objects.all()
    mine = Q(pk__in=[])
    if may_organise(user):
        mine |= Q(division__path__startswith=user.division.path)
    if user.agency_id is not None:
        mine |= Q(lead_id=user.agency_id) | Q(cooperating=user.agency_id)
    return tasks.filter(pk__in=tasks.filter(mine).values("pk"))


def task_units_of(task: JointTask) -> set[int]:
    return {task.lead_id, *task.cooperating.values_list("pk", flat=True)}


def may_note(user: User, task: JointTask) -> bool:
    return may_organise(user) or user.agency_id in task_units_of(task)


def shown_status(task: JointTask, today: date) -> str:
    """过了完成时限还没完成的显示为逾期。"""
    if task.status != TaskStatus.DONE and task.due_on < today:
        return TaskStatus.OVERDUE
    return str(task.status)


def overdue(tasks: QuerySet[JointTask], today: date) -> QuerySet[JointTask]:
    return tasks.exclude(status=TaskStatus.DONE).filter(due_on__lt=today)


def open_for_agency(tasks: QuerySet[JointTask], agency_id: int) -> QuerySet[JointTask]:
    """本单位牵头或配合、还没完成的。"""
    return (
        tasks.exclude(status=TaskStatus.DONE)
        .filter(Q(lead_id=agency_id) | Q(cooperating=agency_id))
        .distinct()
    )


@dataclass(frozen=True)
class TaskRow:
    pk: int
    title: str
    lead: str
    cooperating: str
    due_on: date
    status: str
    status_label: str
    notes: int
    latest: str  # 最近一次进展（截短）

    def cells(self) -> list[object]:
        return [self.pk, self.title, self.lead, self.cooperating, self.due_on,
                self.status_label, self.notes, self.latest]  # fmt: skip


EXPORT_HEADER = ("序号", "工作任务", "牵头单位", "配合单位", "完成时限", "状态", "进展次数",
                 "最近进展")  # fmt: skip


def task_rows(tasks: QuerySet[JointTask], today: date, status: str = "") -> list[TaskRow]:
    """任务板：按完成时限，逾期的在前；status 为空时全部，否则只列该状态（含“逾期”）。"""
    found = tasks.select_related("lead").prefetch_related("cooperating", "notes")
    rows = [_row(task, today) for task in found.order_by("due_on", "pk")]
    if status:
        rows = [row for row in rows if row.status == status]
    return sorted(rows, key=lambda row: row.status != TaskStatus.OVERDUE)


def _row(task: JointTask, today: date) -> TaskRow:
    notes = list(task.notes.all())
    status = shown_status(task, today)
    return TaskRow(
        pk=task.pk, title=task.title, lead=task.lead.name,
        cooperating="、".join(a.name for a in task.cooperating.all()),
        due_on=task.due_on, status=status, status_label=str(TaskStatus(status).label),
        notes=len(notes), latest=notes[0].text[:60] if notes else "",
    )  # fmt: skip
