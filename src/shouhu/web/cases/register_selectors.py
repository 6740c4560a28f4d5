"""困境儿童和留守儿童名册的读取：名册清单（按名册、地区、类型、探访到期筛选）、儿童页面上的
登记、待办的数量。查询集都由调用方经访问层取得，这里只筛选和整理。"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from django.db.models import Exists, OuterRef, QuerySet

from shouhu.core.policy.visits import MAJOR_CHANGE_LABELS, RISK_LABELS
from shouhu.core.policy.vocabulary import SENSITIVE_CASE_CATEGORIES
from shouhu.core.policy.wording import date_text
from shouhu.core.registers import (
    END_REASONS,
    ENTRY_KIND_LABELS,
    PARENT_WHEREABOUTS,
    REGISTER_LABELS,
    SUPPORT_MEASURES,
)
from shouhu.web.access.disclosure import Disclosure, categories_shown
from shouhu.web.cases.models import CaseStatus, MajorChange, Transfer, TransferStatus
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
    found = with_provisional(found.select_related(*related))
    return found.order_by("division__path", "child__name", "pk")


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
    risk_label: str = ""  # 没有个案的：现在按什么风险等级探访（重大变故后临时为高风险）


def register_row(entry: RegisterEntry, today: date, disclosure: Disclosure) -> RegisterRow:
    """名册的一行；登记类型按 `entry_kind_text`（看不到感染情况的人只看到名册名）。"""
    due = entry.visit_due_on
    in_case = entry.case is not None and entry.case.status == CaseStatus.ACTIVE
    due_text = "在保障个案中探访" if in_case else date_text(due) if due else ""
    ended = ""
    if entry.ended_on is not None:
        ended = f"{date_text(entry.ended_on)} {END_REASONS.get(entry.end_reason_code, '')}"
    return RegisterRow(
        pk=entry.pk, child_pk=entry.child_id, child_name=entry.child.name,
        place=entry.division.name, kind_label=entry_kind_text(entry, disclosure),
        started_on=entry.started_on, visit_due=due_text,
        overdue=due is not None and due < today and entry.ended_on is None,
        in_case=in_case, ended=ended,
        risk_label="" if in_case or entry.ended_on else _risk_label(entry),
    )  # fmt: skip


def with_provisional(entries: QuerySet[RegisterEntry]) -> QuerySet[RegisterEntry]:
    """标上有没有未复核的重大变故（临时高风险），清单一页一个查询。"""
    open_change = MajorChange.objects.filter(entry=OuterRef("pk"), reviewed_at__isnull=True)
    return entries.annotate(provisional=Exists(open_change))


def _risk_label(entry: RegisterEntry) -> str:
    provisional = getattr(entry, "provisional", None)
    if provisional is None:
        provisional = entry.major_changes.filter(reviewed_at__isnull=True).exists()
    return "高风险（临时）" if provisional else RISK_LABELS[entry.risk_level]


def whereabouts_label(code: str) -> str:
    return PARENT_WHEREABOUTS.get(code, "")


def measure_label(code: str) -> str:
    return SUPPORT_MEASURES.get(code, "")


@dataclass(frozen=True)
class ChildRegisters:
    child_pk: int
    rows: list[RegisterRow]
    may_add: bool
    may_report: bool = False


def registers_for_child(
    *, entries: QuerySet[RegisterEntry], child_pk: int, may_add: bool, today: date,
    disclosure: Disclosure, may_report: bool = False,
) -> ChildRegisters | None:  # fmt: skip
    """儿童页面上的名册登记（在册的在前）；没有登记、也不能登记或报告的不显示。"""
    mine = with_provisional(entries.filter(child_id=child_pk).select_related("child", "division",
                                                                           "case"))  # fmt: skip
    rows = [
        register_row(e, today, disclosure) for e in mine.order_by("-ended_on", "-started_on", "-pk")
    ]
    rows.sort(key=lambda r: bool(r.ended))
    if not rows and not may_add and not may_report:
        return None
    return ChildRegisters(child_pk=child_pk, rows=rows, may_add=may_add, may_report=may_report)


def register_transfer_pending(entry: RegisterEntry) -> Transfer | None:
    """这名名册儿童（没有个案的）待接收的迁移，登记页面上提示“已提出迁移”。"""
    return (
        Transfer.objects.filter(entry__child_id=entry.child_id, status=TransferStatus.PENDING)
        .select_related("to_division")
        .first()
    )


@dataclass(frozen=True)
class EntryChange:
    """登记上的一项重大变故（强制报告）：何时、须何时前走访、响应（走访）和用时、复核。"""

    label: str
    occurred_at: datetime
    visit_due_at: datetime
    reporter: str  # 强制报告的报告单位（其余为空）
    visited_at: datetime | None
    hours: int | None  # 报告到走访的小时数
    reviewed: bool


def entry_changes(entry: RegisterEntry) -> list[EntryChange]:
    found = entry.major_changes.select_related("visit", "report").order_by("-occurred_at")
    rows = []
    for c in found:
        report = getattr(c, "report", None)
        visited = c.visit.visited_at if c.visit else None
        hours = int((visited - c.occurred_at).total_seconds() // 3600) if visited else None
        rows.append(EntryChange(MAJOR_CHANGE_LABELS[c.kind], c.occurred_at, c.visit_due_at,
                                report.reporter_org if report else "", visited, hours,
                                c.reviewed_at is not None))  # fmt: skip
    return rows


def entry_kind_text(entry: RegisterEntry, disclosure: Disclosure) -> str:
    """登记类型给这个用户看的文字（名册、登记页、儿童页面、导出、离线数据包、迁移）：看不到真实类别的（感染情况），每条都只写
    名册名（困境儿童、农村留守儿童）——与个案的“保障对象”同理，只替换感染儿童的就成了暗号。"""
    if categories_shown(disclosure):
        return ENTRY_KIND_LABELS[entry.kind]
    return REGISTER_LABELS[entry.register]


def entry_kinds_offered(disclosure: Disclosure, kinds: Iterable[str]) -> list[tuple[str, str]]:
    """手工登记可选的登记类型：看不到感染情况的人不能选感染（选了自己也看不到）。"""
    shown = categories_shown(disclosure)
    return [(k, ENTRY_KIND_LABELS[k]) for k in kinds if shown or k not in SENSITIVE_CASE_CATEGORIES]
