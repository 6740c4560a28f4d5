"""报送时限：每个部门每个数据项每个月的报送义务，及其状态（按时、逾期、未报、零报告、待报）。

纯计算，不查库：义务由数据目录的频次和截止日给出（默认次月5日），状态由该月的报送算出，
不需要定时任务。一份报送“算数”的条件：至少接收了一行，或者是零报告（0 行）；
整份被退回（每行都有错）的不算已报。判断按时与否用提交时间（北京时间的日期）。
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shouhu.core.catalog import DataItem, Frequency

DEFAULT_DUE_DAY = 5
QUARTER_END_MONTHS = frozenset({3, 6, 9, 12})


class ObligationStatus(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    NIL_RETURN = "nil_return"
    PENDING = "pending"


STATUS_LABELS = {
    ObligationStatus.ON_TIME: "按时",
    ObligationStatus.LATE: "逾期报送",
    ObligationStatus.MISSING: "逾期未报",
    ObligationStatus.NIL_RETURN: "零报告",
    ObligationStatus.PENDING: "待报送",
}
# 一个部门一个月有多项义务时，格子显示最要紧的那个状态。
SEVERITY = (
    ObligationStatus.MISSING,
    ObligationStatus.LATE,
    ObligationStatus.PENDING,
    ObligationStatus.ON_TIME,
    ObligationStatus.NIL_RETURN,
)


@dataclass(frozen=True, slots=True)
class Delivery:
    """一份算数的报送：提交日期（北京时间）和是否零报告。"""

    submitted_on: date
    nil_return: bool


@dataclass(frozen=True, slots=True)
class Obligation:
    agency_id: int
    item_code: str
    item_name: str
    period: date
    due: date
    status: ObligationStatus
    submitted_on: date | None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def month_add(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def recent_periods(today: date, count: int) -> list[date]:
    """最近 count 个已结束的月份（不含本月），从早到晚。"""
    this_month = today.replace(day=1)
    return [month_add(this_month, -n) for n in range(count, 0, -1)]


def due_date(item: DataItem, period: date) -> date:
    """period 月的报送截止日：次月的截止日（目录未写时为5日）。"""
    return month_add(period, 1).replace(day=item.due_day or DEFAULT_DUE_DAY)


def is_obliged(item: DataItem, period: date) -> bool:
    """该月是否有报送义务：每月的每月都有，每季度的在季末月，每年的在12月；发现即报、按需查询的没有。"""
    if item.frequency is Frequency.MONTHLY:
        return True
    if item.frequency is Frequency.QUARTERLY:
        return period.month in QUARTER_END_MONTHS
    if item.frequency is Frequency.YEARLY:
        return period.month == 12
    return False


def obligation_status(
    due: date, today: date, deliveries: Iterable[Delivery]
) -> tuple[ObligationStatus, date | None]:
    """状态和首次提交日期。首份报送晚于截止日为逾期；全部是零报告的为零报告。"""
    made = sorted(deliveries, key=lambda d: d.submitted_on)
    if not made:
        return (ObligationStatus.PENDING if today <= due else ObligationStatus.MISSING), None
    first = made[0].submitted_on
    if first > due:
        return ObligationStatus.LATE, first
    if all(d.nil_return for d in made):
        return ObligationStatus.NIL_RETURN, first
    return ObligationStatus.ON_TIME, first


def worst(statuses: Iterable[ObligationStatus]) -> ObligationStatus | None:
    present = set(statuses)
    return next((status for status in SEVERITY if status in present), None)
