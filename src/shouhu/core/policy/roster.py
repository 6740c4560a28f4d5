"""补贴名册（docs/rules.md §9）：某县某月给每个保障对象发多少。纯函数，金额是整数“分”。

名册按“截至本月应发，减去已经发出的”来算：

- 截至本月应发的每个月，由 `subsidy.subsidy_schedule` 给出（首月、补发、末月、类别变更、
  每月1日有效的标准）；
- 已经发出的，是此前已批准名册里发给这个孩子、财政没有退回（发放失败）的各月金额；
- 两者之差都在本月发：首月、补发的月份、上月发放失败重发的、标准更正后的补差——锁定的
  名册不再改，更正一律进下一个月的名册；
- 末月之后已经发出的月份是多发（`subsidy.overpayments`），按当时实发金额另记，由经办人员
  选择退回或抵扣追回；抵扣从本月应发中扣减，扣减额单独记在这一行，不静默相抵。

月份用当月1日的 date 表示。
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from shouhu.core.policy.params import PolicyParams
from shouhu.core.policy.subsidy import (
    MonthPayment,
    SubsidyCase,
    SubsidyTerms,
    month_of,
    overpayments,
    subsidy_schedule,
    total_fen,
)


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """名册的一行：本月发放的各月（含补发、补差）、新发现的多发、本月抵扣。"""

    month: date
    basis: str  # 本行的补贴依据：本月的（没有本月时为最后一个发放月的）
    payments: tuple[MonthPayment, ...]
    overpaid: tuple[MonthPayment, ...]
    offset_fen: int = 0

    @property
    def gross_fen(self) -> int:
        return total_fen(self.payments)

    @property
    def net_fen(self) -> int:
        return self.gross_fen - self.offset_fen


def roster_entry(
    case: SubsidyCase,
    month: date,
    *,
    paid: Mapping[date, int],
    params: PolicyParams,
    terms: SubsidyTerms,
    offset_available: int = 0,
    known_overpaid: Collection[date] = (),
    settled_before: date | None = None,
) -> RosterEntry:
    """case 在 month 的名册行。paid：此前已发出的（月份 → 分）；offset_available：选择抵扣
    追回、尚未追回的多发金额（本行最多扣到 0）；known_overpaid：已经记过的多发月份；
    settled_before：此月之前的月份已在平台之外发放（平台第一份名册之前批准的个案），不再算。"""
    month = month_of(month)
    due = subsidy_schedule(case, through=month, params=params, terms=terms, since=settled_before)
    payments = tuple(
        replace(p, fen=p.fen - paid.get(p.month, 0), arrears=p.arrears or p.month < month)
        for p in due
        if p.month <= month and p.fen > paid.get(p.month, 0)
    )
    overpaid = tuple(p for p in overpayments(case, paid, terms) if p.month not in known_overpaid)
    basis = payments[-1].basis if payments else (overpaid[-1].basis if overpaid else case.basis)
    offset = min(max(offset_available, 0), total_fen(payments))
    return RosterEntry(month, basis, payments, overpaid, offset)


@dataclass(frozen=True, slots=True)
class RosterTotals:
    """名册合计：按补贴依据分列的应发，抵扣，实发；各项都加得回总数（有测试守着）。"""

    by_basis: Mapping[str, int]
    children: Mapping[str, int]
    gross_fen: int
    offset_fen: int
    net_fen: int


def roster_totals(entries: Iterable[RosterEntry]) -> RosterTotals:
    """按每个发放月的补贴依据分列（补发的月份计入当月的类别）。"""
    by_basis: Counter[str] = Counter()
    children: Counter[str] = Counter()
    offset = 0
    for entry in entries:
        for p in entry.payments:
            by_basis[p.basis] += p.fen
        children[entry.basis] += 1
        offset += entry.offset_fen
    gross = sum(by_basis.values())
    return RosterTotals(dict(by_basis), dict(children), gross, offset, gross - offset)


def yuan(fen: int) -> str:
    """分 → “1234.50”（元，两位小数）；只用整数运算，不经浮点。"""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def parse_yuan(text: str) -> int | None:
    """“1234.5”“1,234.50”“1234” → 分；不是金额（含三位以上小数）时为 None。"""
    cleaned = text.strip().replace(",", "").replace("，", "")
    if cleaned.startswith("-") or not cleaned:
        return None
    whole, _, cents = cleaned.partition(".")
    if not whole.isdigit() and not (whole == "" and cents):
        return None
    if cents and (not cents.isdigit() or len(cents) > 2):
        return None
    return int(whole or "0") * 100 + int((cents + "00")[:2])
