"""查询记录页（/queries/log/）：民政看本辖区提出的查询，部门看本平台就本部门数据项答复的查询，
审计员、领导看民政一侧。只有谁、何时、为何（用途、个案编号）、问了几人、几人在名单中——记录里本来
就不存姓名和号码。可按月份筛选、分页，整份导出为 Excel（唯一的导出出口）。
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils import timezone

from shouhu.core.catalog import catalog_load, purpose_label
from shouhu.web.accounts.models import SystemCredential
from shouhu.web.cases.models import Case
from shouhu.web.exchange.items import item_name
from shouhu.web.pages import Paged
from shouhu.web.queries.client import peer_name
from shouhu.web.queries.models import Direction, QueryLog

PAGE_SIZE: Final = 50
MAX_CHILD_LINKS: Final = 10  # 一次批量问了很多个案时，页面上只链前几个（个数照写）
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
    children: tuple[int, ...] = ()  # 民政提出的查询：所问个案儿童的人员编号（页面上链到儿童页面）

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


@dataclass(frozen=True)
class _Names:
    """一页记录要的名字：接口凭证的名称（部门一侧的“经办人”是民政的平台，不显示令牌前缀），
    个案对应的儿童（链到儿童页面；记录本身不存姓名）。"""

    credentials: Mapping[str, str]
    children: Mapping[int, int]


def _names(logs: Sequence[QueryLog], *, children: bool) -> _Names:
    prefixes = {log.credential_prefix for log in logs if log.credential_prefix}
    found = SystemCredential.objects.filter(token_prefix__in=prefixes)
    refs = {r for log in logs if log.direction == Direction.ASKED for r in log.case_refs or []}
    cases = (
        Case.objects.filter(pk__in=[r for r in refs if isinstance(r, int)]) if children else None
    )
    return _Names(
        credentials=dict(found.values_list("token_prefix", "name")),
        children=dict(cases.values_list("pk", "child_id")) if cases is not None else {},
    )


def log_rows(logs: Sequence[QueryLog]) -> list[LogRow]:
    """一批查询记录的中文说法（导出、命令行）。"""
    names = _names(logs, children=False)
    return [log_row(log, names) for log in logs]


def log_row(log: QueryLog, names: _Names) -> LogRow:
    user = (
        (log.user.full_name or log.user.username)
        if log.user
        else names.credentials.get(log.credential_prefix, "接口调用")
    )
    refs = log.case_refs or []
    children = [names.children[r] for r in refs if r in names.children][:MAX_CHILD_LINKS]
    return LogRow(
        at=log.at,
        direction=Direction(log.direction).label,
        item=item_name(log.item_code),
        purpose=purpose_label(log.purpose),
        party=_party(log),
        user=user,
        cases=len(refs),
        persons=log.persons,
        found=log.found,
        in_force=log.in_force,
        children=tuple(children),
    )


def query_log_page(logs: QuerySet[QueryLog], *, month: date | None, page: int) -> LogPage:
    paginator = Paginator(_filtered(logs, month), PAGE_SIZE)
    current = paginator.get_page(page)
    shown = list(current.object_list)
    names = _names(shown, children=True)
    return LogPage(
        rows=tuple(log_row(log, names) for log in shown),
        total=paginator.count,
        month=f"{month:%Y-%m}" if month else "",
        page=current.number,
        num_pages=paginator.num_pages,
    )


def query_log_rows(logs: QuerySet[QueryLog], *, month: date | None) -> list[tuple[object, ...]]:
    return [row.cells() for row in log_rows(list(_filtered(logs, month)))]
