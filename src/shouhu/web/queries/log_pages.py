"""查询记录页（/queries/log/）：民政看本辖区提出的查询，部门看本平台就本部门数据项答复的查询，
审计员、领导看民政一侧。只有谁、何时、为何（用途、个案编号）、问了几人、几人在名单中——记录里本来
就不存姓名和号码。可按月份筛选、分页，整份导出为 Excel（唯一的导出出口）。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils import timezone

from shouhu.core.catalog import catalog_load, purpose_label
from shouhu.web.exchange.items import item_name
from shouhu.web.pages import Paged
from shouhu.web.queries.client import peer_name
from shouhu.web.queries.models import Direction, QueryLog

PAGE_SIZE: Final = 50
EXPORT_HEADER: Final = (
    "时间", "方向", "数据项", "用途", "单位或对方", "经办人", "个案数", "询问人数", "在名单中",
    "在执行",
)  # fmt: skip


@dataclass(frozen=True)
class LogRow:
    at: datetime
    direction: str
    item: str
    purpose: str
    party: str
    user: str
    cases: int
    persons: int
    found: int
    in_force: int

    def cells(self) -> tuple[object, ...]:
        return (timezone.localtime(self.at).replace(tzinfo=None), self.direction, self.item,
                self.purpose, self.party, self.user, self.cases, self.persons, self.found,
                self.in_force)  # fmt: skip


@dataclass(frozen=True)
class LogPage(Paged):
    rows: tuple[LogRow, ...]
    total: int
    month: str
    page: int
    num_pages: int

    @property
    def query(self) -> str:
        """翻页链接带着筛选的月份（accounts/_pager.html）。"""
        return f"month={self.month}&"


def month_of(raw: str) -> date | None:
    """网址里的 ?month=2026-11；不合法的当作不筛选。"""
    try:
        return date.fromisoformat(f"{raw}-01") if len(raw) == 7 else None
    except ValueError:
        return None


def _filtered(logs: QuerySet[QueryLog], month: date | None) -> QuerySet[QueryLog]:
    logs = logs.select_related("agency", "user").order_by("-at", "-pk")
    if month is None:
        return logs
    return logs.filter(at__year=month.year, at__month=month.month)


def _party(log: QueryLog) -> str:
    """对方的中文名：民政提出的查询是被问的部门，部门答复的是提问的民政部门。"""
    if log.direction == Direction.ANSWERED:
        return log.agency.name if log.agency else ""
    if "://" in log.peer:  # 早先的记录存的是对方地址：按数据项换成部门名，页面上从不显示地址
        return _peer_of_item(log.item_code)
    return log.peer


def _peer_of_item(code: str) -> str:
    item = next((i for i in catalog_load().items if i.code == code), None)
    return peer_name(item) if item else "有关部门"


def log_row(log: QueryLog) -> LogRow:
    """一条查询记录的中文说法（页面、导出、命令行共用）。"""
    user = (log.user.full_name or log.user.username) if log.user else log.credential_prefix
    return LogRow(
        at=log.at,
        direction=Direction(log.direction).label,
        item=item_name(log.item_code),
        purpose=purpose_label(log.purpose),
        party=_party(log),
        user=user,
        cases=len(log.case_refs or []),
        persons=log.persons,
        found=log.found,
        in_force=log.in_force,
    )


def query_log_page(logs: QuerySet[QueryLog], *, month: date | None, page: int) -> LogPage:
    paginator = Paginator(_filtered(logs, month), PAGE_SIZE)
    current = paginator.get_page(page)
    return LogPage(
        rows=tuple(log_row(log) for log in current.object_list),
        total=paginator.count,
        month=f"{month:%Y-%m}" if month else "",
        page=current.number,
        num_pages=paginator.num_pages,
    )


def query_log_rows(logs: QuerySet[QueryLog], *, month: date | None) -> list[tuple[object, ...]]:
    return [log_row(log).cells() for log in _filtered(logs, month)]
