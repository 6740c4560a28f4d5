"""基本生活补贴按月发放：哪些月份、每月多少、补发和多发（docs/rules.md §9）。

纯函数，金额是整数“分”。

种子文件没有规定，规格的 decision 作为默认，地区可以改（SubsidyTerms）：
- 首月：批准之月（approval_month），或次月（next_month）；月内不折算。
- 补发：默认不补发（none）；或从申请登记之月补发到首月之前（application_month）。
- 末月：终止事件之月（event_month，年满18周岁的当月照发），或其前一月（previous_month）。
- 多发：末月之后实际发放了的每个月，按当月实发金额记为多发，另行追回或抵扣，不静默处理。
- 类别变更：确认变更之月的次月起按新类别发放。
- 标准：每个发放月按该月1日有效的标准（PolicyParams 里带日期的 subsidy_fen.*）。

月份用当月1日的 date 表示。
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from shouhu.core.policy.dates import add_months
from shouhu.core.policy.params import (
    SUBSIDY_ARREARS,
    SUBSIDY_STARTS,
    SUBSIDY_STOPS,
    PolicyParams,
)
from shouhu.core.policy.rules import SUBSIDY_RATES

BASES: Final = (*SUBSIDY_RATES, "hiv_infected")  # 补贴依据，与认定结果的 subsidy.basis 相同
STARTS: Final = SUBSIDY_STARTS
ARREARS: Final = SUBSIDY_ARREARS
STOPS: Final = SUBSIDY_STOPS


@dataclass(frozen=True, slots=True)
class SubsidyTerms:
    """地区的发放口径；默认值是规格的 decision。"""

    start: str = "approval_month"
    arrears_from: str = "none"
    stop: str = "event_month"

    def __post_init__(self) -> None:
        for value, allowed in ((self.start, STARTS), (self.arrears_from, ARREARS)):
            if value not in allowed:
                raise ValueError(f"发放口径 {value!r} 应为 {'、'.join(allowed)} 之一")
        if self.stop not in STOPS:
            raise ValueError(f"发放口径 {self.stop!r} 应为 {'、'.join(STOPS)} 之一")


def terms_in(params: PolicyParams, region: str | None, month: date) -> SubsidyTerms:
    """地区在该月1日有效的发放口径（参数 subsidy.start、subsidy.arrears_from、subsidy.stop）。"""
    values = params.resolve(region, month_of(month)).values
    return SubsidyTerms(
        start=str(values["subsidy.start"]),
        arrears_from=str(values["subsidy.arrears_from"]),
        stop=str(values["subsidy.stop"]),
    )


def basis_of(category: str, orphan_type: str = "") -> str:
    """个案的类别 → 补贴依据（集中养育孤儿、散居孤儿、事实无人抚养儿童、艾滋病病毒感染儿童）。"""
    if category == "orphan":
        return "institutional_orphan" if orphan_type == "institutional" else "scattered_orphan"
    if category not in BASES:
        raise ValueError(f"类别 {category!r} 没有对应的补贴依据")
    return category


@dataclass(frozen=True, slots=True)
class BasisChange:
    """经办人员确认的类别变更（如事实无人抚养儿童 → 散居孤儿）。"""

    confirmed_on: date
    basis: str


@dataclass(frozen=True, slots=True)
class SubsidyCase:
    """一个保障对象的发放依据。ended_on 是终止事件之日（资格结束的事实、死亡、收养、
    年满18周岁）；仍在保障中为 None。applied_on 是申请登记之日（补发用）。"""

    approved_on: date
    basis: str
    applied_on: date | None = None
    ended_on: date | None = None
    changes: tuple[BasisChange, ...] = ()
    region: str | None = None

    def __post_init__(self) -> None:
        for basis in (self.basis, *(c.basis for c in self.changes)):
            if basis not in BASES:
                raise ValueError(f"补贴依据 {basis!r} 应为 {'、'.join(BASES)} 之一")


@dataclass(frozen=True, slots=True)
class MonthPayment:
    """某月应发（或多发）的金额。arrears=True 表示补发的月份。"""

    month: date
    basis: str
    fen: int
    arrears: bool = False


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_range(first: date, last: date) -> tuple[date, ...]:
    """first 到 last（都含）的各月1日。"""
    out: list[date] = []
    month = month_of(first)
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return tuple(out)


def first_month(case: SubsidyCase, terms: SubsidyTerms) -> date:
    approved = month_of(case.approved_on)
    return approved if terms.start == "approval_month" else add_months(approved, 1)


def last_month(case: SubsidyCase, terms: SubsidyTerms) -> date | None:
    """最后一个应发的月份；仍在保障中为 None。"""
    if case.ended_on is None:
        return None
    ended = month_of(case.ended_on)
    return ended if terms.stop == "event_month" else add_months(ended, -1)


def _capped(months: Iterable[date], case: SubsidyCase, terms: SubsidyTerms) -> tuple[date, ...]:
    last = last_month(case, terms)
    return tuple(m for m in months if last is None or m <= last)


def arrears_months(case: SubsidyCase, terms: SubsidyTerms) -> tuple[date, ...]:
    """补发的月份：申请登记之月到首月之前（地区选择补发时）。"""
    if terms.arrears_from == "none" or case.applied_on is None:
        return ()
    before_first = add_months(first_month(case, terms), -1)
    return _capped(month_range(case.applied_on, before_first), case, terms)


def regular_months(
    case: SubsidyCase, terms: SubsidyTerms, *, through: date, since: date | None = None
) -> tuple[date, ...]:
    """首月到末月（仍在保障中则到 through 所在之月）的各月；since：只要此月及以后的。"""
    first = first_month(case, terms)
    first = max(first, month_of(since)) if since else first
    return _capped(month_range(first, month_of(through)), case, terms)


def basis_in(case: SubsidyCase, month: date) -> str:
    """该月的补贴依据：确认变更之月的次月起按新类别。"""
    basis = case.basis
    for change in sorted(case.changes, key=lambda c: c.confirmed_on):
        if add_months(month_of(change.confirmed_on), 1) <= month:
            basis = change.basis
    return basis


def monthly_fen(params: PolicyParams, region: str | None, basis: str, month: date) -> int:
    """该月1日有效的标准（分/月）。艾滋病病毒感染儿童按参数 hiv_infected.rate 参照的标准。"""
    values = params.resolve(region, month_of(month)).values
    rate = values["hiv_infected.rate"] if basis == "hiv_infected" else basis
    fen = values[f"subsidy_fen.{rate}"]
    if not isinstance(fen, int) or isinstance(fen, bool):  # 参数载入时已校验
        raise TypeError(f"subsidy_fen.{rate} 不是整数")
    return fen


def subsidy_schedule(
    case: SubsidyCase,
    *,
    through: date,
    params: PolicyParams,
    terms: SubsidyTerms | None = None,
    since: date | None = None,
) -> tuple[MonthPayment, ...]:
    """应发的每个月（补发的在前），每月按当月1日的标准和当月的类别；since：只算此月及以后。"""
    terms = terms or SubsidyTerms()
    arrears = set(arrears_months(case, terms))
    regular = regular_months(case, terms, through=through, since=since)
    months = sorted({m for m in arrears if since is None or m >= since} | set(regular))
    return tuple(_payment(case, params, m, arrears=m in arrears) for m in months)


def _payment(
    case: SubsidyCase, params: PolicyParams, month: date, *, arrears: bool
) -> MonthPayment:
    basis = basis_in(case, month)
    return MonthPayment(month, basis, monthly_fen(params, case.region, basis, month), arrears)


def overpayments(
    case: SubsidyCase, paid: Mapping[date, int], terms: SubsidyTerms | None = None
) -> tuple[MonthPayment, ...]:
    """末月之后实际发了钱的月份，按实发金额（paid：月份 → 分）。仍在保障中时没有多发。"""
    last = last_month(case, terms or SubsidyTerms())
    if last is None:
        return ()
    by_month = {month_of(m): fen for m, fen in paid.items() if fen > 0}
    late = sorted(m for m in by_month if m > last)
    return tuple(MonthPayment(m, basis_in(case, m), by_month[m]) for m in late)


def total_fen(payments: Iterable[MonthPayment]) -> int:
    return sum(p.fen for p in payments)
