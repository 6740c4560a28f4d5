"""困境儿童和留守儿童名册的读取：名册清单（按名册、地区、类型、探访到期筛选）、儿童页面上的
登记、待办的数量。查询集都由调用方经访问层取得，这里只筛选和整理。"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from django.db.models import Count, Q, QuerySet

from shouhu.core.policy.wording import date_text
from shouhu.core.registers import (
    END_REASONS,
    ENTRY_KIND_LABELS,
    PARENT_WHEREABOUTS,
    REGISTER_LABELS,
    SUPPORT_MEASURES,
)
from shouhu.web.cases.models import CaseStatus
from shouhu.web.cases.register_models import RegisterEntry
from shouhu.web.registry.models import Division

WEEK_DAYS: Final = 7
DUE_FILTERS: Final = {"": "全部", "week": "7 天内应探访", "overdue": "探访逾期"}
STATUS_FILTERS: Final = {"open": "在册", "ended": "已结束"}


@dataclass(frozen=True)
class RegisterFilter:
    register: str = "in_difficulty"
    kind: str = ""
    area: Division | None = None
    due: str = ""
    status: str = "open"


def register_filter_parse(raw: dict[str, str], divisions: QuerySet[Division]) -> RegisterFilter:
    """网址里的筛选条件；不认识的值按默认（地区须在用户辖区之内）。"""
    register = raw.get("register", "")
    kind = raw.get("kind", "")
    code = raw.get("area", "")
    return RegisterFilter(
        register=register if register in REGISTER_LABELS else "in_difficulty",
        kind=kind if kind in ENTRY_KIND_LABELS else "",
        area=divisions.filter(code=code).first() if code else None,
        due=raw.get("due", "") if raw.get("due", "") in DUE_FILTERS else "",
        status=raw.get("status", "") if raw.get("status", "") in STATUS_FILTERS else "open",
    )


def register_entries_filtered(
    entries: QuerySet[RegisterEntry], flt: RegisterFilter, today: date
) -> QuerySet[RegisterEntry]:
    found = entries.filter(register=flt.register, ended_on__isnull=flt.status == "open")
    if flt.kind:
        found = found.filter(kind=flt.kind)
    if flt.area is not None:
        found = found.filter(division__path__startswith=flt.area.path)
    if flt.due == "overdue":
        found = found.filter(visit_due_on__lt=today)
    elif flt.due == "week":
        found = found.filter(visit_due_on__gte=today,
                             visit_due_on__lte=today + timedelta(days=WEEK_DAYS - 1))  # fmt: skip
    related = ("child", "division", "case")
    return found.select_related(*related).order_by("division__path", "child__name", "pk")


@dataclass(frozen=True)
class RegisterRow:
    pk: int
    child_pk: int
    child_name: str
    place: str
    kind_label: str
    started_on: date
    visit_due: str
    overdue: bool
    in_case: bool
    ended: str


def register_row(entry: RegisterEntry, today: date) -> RegisterRow:
    due = entry.visit_due_on
    in_case = entry.case is not None and entry.case.status == CaseStatus.ACTIVE
    due_text = "在保障个案中探访" if in_case else date_text(due) if due else ""
    ended = ""
    if entry.ended_on is not None:
        ended = f"{date_text(entry.ended_on)} {END_REASONS.get(entry.end_reason_code, '')}"
    return RegisterRow(
        pk=entry.pk, child_pk=entry.child_id, child_name=entry.child.name,
        place=entry.division.name, kind_label=ENTRY_KIND_LABELS[entry.kind],
        started_on=entry.started_on, visit_due=due_text,
        overdue=due is not None and due < today and entry.ended_on is None,
        in_case=in_case, ended=ended,
    )  # fmt: skip


def whereabouts_label(code: str) -> str:
    return PARENT_WHEREABOUTS.get(code, "")


def measure_label(code: str) -> str:
    return SUPPORT_MEASURES.get(code, "")


@dataclass(frozen=True)
class RegisterWork:
    register: str
    due: str  # overdue | week：名册清单的筛选
    label: str
    count: int
    urgent: bool


def register_work_counts(entries: QuerySet[RegisterEntry], today: date) -> list[RegisterWork]:
    """名册儿童（没有个案的；有个案的在个案工作里）的探访逾期和 7 天内应探访，按名册分，待办用。"""
    week_end = today + timedelta(days=WEEK_DAYS - 1)
    week = Q(visit_due_on__gte=today) & Q(visit_due_on__lte=week_end)
    counts = entries.filter(ended_on__isnull=True, case__isnull=True).aggregate(  # 一次查询数完
        **{f"{register}|overdue": Count("pk", filter=Q(register=register, visit_due_on__lt=today))
           for register in REGISTER_LABELS},
        **{f"{register}|week": Count("pk", filter=Q(register=register) & week)
           for register in REGISTER_LABELS},
    )  # fmt: skip
    work = []
    for register, name in REGISTER_LABELS.items():
        work += [RegisterWork(register, "overdue", f"{name}探访逾期", counts[f"{register}|overdue"],
                              True),
                 RegisterWork(register, "week", f"{name} 7 天内应探访", counts[f"{register}|week"],
                              False)]  # fmt: skip
    return [w for w in work if w.count]


@dataclass(frozen=True)
class ChildRegisters:
    child_pk: int
    rows: list[RegisterRow]
    may_add: bool


def registers_for_child(
    *, entries: QuerySet[RegisterEntry], child_pk: int, may_add: bool, today: date
) -> ChildRegisters | None:
    """儿童页面上的名册登记（在册的在前）；没有登记、也不能登记的不显示。"""
    mine = entries.filter(child_id=child_pk).select_related("child", "division", "case")
    rows = [register_row(e, today) for e in mine.order_by("-ended_on", "-started_on", "-pk")]
    rows.sort(key=lambda r: bool(r.ended))
    if not rows and not may_add:
        return None
    return ChildRegisters(child_pk=child_pk, rows=rows, may_add=may_add)
