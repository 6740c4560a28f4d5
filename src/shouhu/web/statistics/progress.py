"""领导看的进展：近 12 个月保障中儿童的走势（纳入、终止、月末在保），以及各县区最近一次正式
比对的“应纳尽纳”“应退尽退”办理进度。只有数字，没有个人信息。

办理进度按看的人所在区划的下一级列：市里看各县区，省里看各市（其下各县区最近一次比对的合计，
比对基准日取其中最早的，看得出谁落后），点进去再看各县区。

走势按个案的纳入、终止日期在数据库里按月计数，月末在保数由此累计得出（不逐月查询）。重新纳入
的个案以重新纳入后的状态计（此前的终止不再计入终止数）。
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from shouhu.core.findings import ENROL, EXIT
from shouhu.core.policy.dates import add_months
from shouhu.web.cases.models import Case
from shouhu.web.comparison.models import ComparisonRun, Finding, FindingStatus, RunStatus
from shouhu.web.registry.models import Division, DivisionLevel

MONTHS = 12
OVERDUE_DAYS = 30  # 应退未退的发现，比对完成后这么多天仍未处理，算逾期


@dataclass(frozen=True)
class MonthRow:
    month: date  # 当月 1 日
    enrolled: int
    exited: int
    active: int  # 月末（当月为今天）在保
    percent: int  # 条形长度
    changed: int = 0  # 当月变更类别的个案（孤儿 ↔ 事实无人抚养等）


@dataclass(frozen=True)
class ProgressRow:
    """一个县区最近一次正式比对的办理进度；在省里看，是一个市下各县区的合计。"""

    code: str
    name: str
    run_as_of: date | None  # 没有比对过为 None；合计时为各县区中最早的
    enrol_open: int
    enrol_done: int  # 已纳入（确认）
    exit_open: int
    exit_done: int  # 已终止（确认）
    dismissed: int
    exit_overdue: int  # 应退未退超过 OVERDUE_DAYS 天仍未处理
    counties: int = 1  # 合计了几个比对过的县区

    @property
    def total(self) -> int:
        return self.enrol_open + self.enrol_done + self.exit_open + self.exit_done + self.dismissed

    @property
    def done_percent(self) -> int | None:
        if not self.total:
            return None
        return (self.total - self.enrol_open - self.exit_open) * 100 // self.total


def monthly_trend(home: Division, *, today: date | None = None) -> tuple[MonthRow, ...]:
    """home 子树内近 MONTHS 个月（含本月）的纳入、终止和月末在保数。"""
    today = today or timezone.localdate()
    first = add_months(today.replace(day=1), -(MONTHS - 1))
    cases = Case.objects.filter(division__path__startswith=home.path)
    opened = _by_month(cases.filter(opened_on__gte=first), "opened_on")
    closed = _by_month(cases.filter(closed_on__gte=first), "closed_on")
    active = cases.filter(opened_on__lt=first).count()
    active -= cases.filter(closed_on__lt=first).count()
    changed = _category_changes(cases, first)
    rows = []
    for n in range(MONTHS):
        month = add_months(first, n)
        active += opened.get(month, 0) - closed.get(month, 0)
        rows.append((month, opened.get(month, 0), closed.get(month, 0), active))
    biggest = max((r[3] for r in rows), default=0)
    return tuple(
        MonthRow(m, e, x, a, a * 100 // biggest if biggest else 0, changed.get(m, 0))
        for m, e, x, a in rows
    )


def _category_changes(cases: QuerySet[Case], first: date) -> dict[date, int]:
    """类别变更记在个案的 category_changes 上（{"on": 日期, ...}），按月数（只看有变更的个案）。"""
    months: dict[date, int] = defaultdict(int)
    for changes in cases.exclude(category_changes=[]).values_list("category_changes", flat=True):
        for change in changes or []:
            on = date.fromisoformat(str(change.get("on", ""))[:10] or "1900-01-01")
            if on >= first:
                months[on.replace(day=1)] += 1
    return months


def _by_month(cases: QuerySet[Case], field: str) -> dict[date, int]:
    counted = cases.annotate(m=TruncMonth(field)).values("m").annotate(n=Count("pk"))
    return {row["m"]: row["n"] for row in counted}  # 日期字段按月截断，得到的仍是日期


def finding_progress(home: Division) -> tuple[ProgressRow, ...]:
    """home 子树内比对过的县区：最近一次正式比对的发现办到哪一步，按 home 的下一级区划合计
    （home 是市或县时就是各县区本身）。"""
    runs = (
        ComparisonRun.objects.filter(
            division__path__startswith=home.path, status=RunStatus.DONE, simulation=False
        )
        .order_by("division_id", "-as_of", "-pk")
        .values_list("division_id", "pk", "as_of", "finished_at", "division__path")
    )
    latest: dict[str, tuple[int, date, datetime | None]] = {}
    below: dict[str, str] = {}  # 县区 → home 的下一级区划
    for division_id, pk, as_of, finished, path in runs:
        latest.setdefault(division_id, (pk, as_of, finished))
        below[division_id] = path[len(home.path) :].split("/", 1)[0] or home.code
    tally: dict[int, dict[tuple[object, object], int]] = defaultdict(lambda: defaultdict(int))
    findings = Finding.objects.filter(run_id__in=[v[0] for v in latest.values()],
                                      kind__in=(ENROL, EXIT))  # fmt: skip
    for row in findings.values("run_id", "kind", "status").annotate(n=Count("pk")):
        tally[row["run_id"]][(row["kind"], row["status"])] += row["n"]
    overdue = _overdue(latest)
    groups: dict[str, list[ProgressRow]] = defaultdict(list)
    for code, (run, as_of, _) in sorted(latest.items()):
        groups[below[code]].append(_county_row(code, as_of, tally[run], overdue.get(run, 0)))
    names = dict(Division.objects.filter(code__in=groups).values_list("code", "name"))
    return tuple(_sum_rows(code, names.get(code, code), rows) for code, rows in groups.items())


def progress_level(home: Division) -> str:
    """办理进度按哪一级列：省里按市，其余按县区。"""
    return DivisionLevel.CITY.label if home.level == DivisionLevel.PROVINCE else "县区"


def _county_row(
    code: str, as_of: date, t: dict[tuple[object, object], int], late: int
) -> ProgressRow:
    return ProgressRow(
        code=code,
        name=code,
        run_as_of=as_of,
        enrol_open=t[(ENROL, FindingStatus.OPEN)],
        enrol_done=t[(ENROL, FindingStatus.CONFIRMED)],
        exit_open=t[(EXIT, FindingStatus.OPEN)],
        exit_done=t[(EXIT, FindingStatus.CONFIRMED)],
        dismissed=t[(ENROL, FindingStatus.DISMISSED)] + t[(EXIT, FindingStatus.DISMISSED)],
        exit_overdue=late,
    )


def _sum_rows(code: str, name: str, rows: list[ProgressRow]) -> ProgressRow:
    """一个下一级区划的合计（只有一个县区时就是它本身）。"""
    dates = [r.run_as_of for r in rows if r.run_as_of]
    return ProgressRow(
        code=code,
        name=name,
        run_as_of=min(dates) if dates else None,
        enrol_open=sum(r.enrol_open for r in rows),
        enrol_done=sum(r.enrol_done for r in rows),
        exit_open=sum(r.exit_open for r in rows),
        exit_done=sum(r.exit_done for r in rows),
        dismissed=sum(r.dismissed for r in rows),
        exit_overdue=sum(r.exit_overdue for r in rows),
        counties=len(rows),
    )


def _overdue(latest: dict[str, tuple[int, date, datetime | None]]) -> dict[int, int]:
    cutoff = timezone.now() - timedelta(days=OVERDUE_DAYS)
    old = [run for run, _, finished in latest.values() if finished and finished < cutoff]
    counted = (
        Finding.objects.filter(run_id__in=old, kind=EXIT, status=FindingStatus.OPEN)
        .values("run_id")
        .annotate(n=Count("pk"))
    )
    return {row["run_id"]: row["n"] for row in counted}


def exits_overdue(home: Division) -> int:
    """home 子树内应退未退、比对完成 OVERDUE_DAYS 天后仍未处理的发现数（领导的待办）。"""
    return sum(row.exit_overdue for row in finding_progress(home))
