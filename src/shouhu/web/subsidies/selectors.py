"""补贴名册的读操作：名册列表、名册页（分类合计、对账、多发、各行）、发放文件的行、待办计数。"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from shouhu.core.policy.dates import add_months
from shouhu.core.policy.subsidy import month_of
from shouhu.web.registry.models import Division
from shouhu.web.subsidies.models import (
    Basis,
    Overpayment,
    PaymentResult,
    PaymentStatus,
    RosterLine,
    RosterState,
    SubsidyRoster,
)
from shouhu.web.subsidies.payment_files import PaymentRow, months_text

LINES_PER_PAGE: Final = 50
UNPAID: Final = (PaymentStatus.FAILED, PaymentStatus.ACCOUNT_PROBLEM)


def last_month() -> date:
    return add_months(month_of(timezone.localdate()), -1)


def roster_list(division: Division) -> QuerySet[SubsidyRoster]:
    return SubsidyRoster.objects.filter(division=division).order_by("-month")


@dataclass(frozen=True)
class BasisTotal:
    label: str
    children: int
    fen: int


@dataclass(frozen=True)
class Reconciliation:
    net_fen: int
    paid_fen: int
    unpaid_fen: int
    pending_fen: int
    paid: int
    unpaid: int
    pending: int


@dataclass(frozen=True)
class LineRow:
    pk: int
    child_name: str
    township: str
    basis: str
    months: str
    gross_fen: int
    offset_fen: int
    net_fen: int
    holder: str
    account: str  # 脱敏：只露后4位
    result: str
    failed: bool


@dataclass(frozen=True)
class RosterPage:
    roster: SubsidyRoster
    totals: list[BasisTotal]
    reconciliation: Reconciliation
    lines: Page[RosterLine]
    rows: list[LineRow]
    failed: list[LineRow]
    overpayments: list[Overpayment]
    without_account: int


def roster_page(roster: SubsidyRoster, page: str | None) -> RosterPage:
    by_basis = roster.totals.get("by_basis", {})
    children = roster.totals.get("children", {})
    totals = [
        BasisTotal(str(label), int(children.get(code, 0)), int(by_basis.get(code, 0)))
        for code, label in Basis.choices
        if code in by_basis or code in children
    ]
    lines = _lines(roster)
    paginated = Paginator(lines, LINES_PER_PAGE).get_page(page)
    failed = lines.filter(result__status__in=UNPAID)
    return RosterPage(
        roster=roster,
        totals=totals,
        reconciliation=reconciliation(roster),
        lines=paginated,
        rows=[_row(line) for line in paginated],
        failed=[_row(line) for line in failed[:200]],
        overpayments=list(
            Overpayment.objects.filter(found_in=roster)
            .select_related("case__child")
            .annotate(recovered=Sum("recoveries__fen"))
            .order_by("case_id", "month")
        ),
        without_account=lines.filter(bank_account="").count(),
    )


def _lines(roster: SubsidyRoster) -> QuerySet[RosterLine]:
    return roster.lines.select_related("case__child", "case__division", "result").order_by(
        "case__division__code", "pk"
    )


def _row(line: RosterLine) -> LineRow:
    result = getattr(line, "result", None)
    account = line.bank_account
    return LineRow(
        pk=line.pk,
        child_name=line.case.child.name,
        township=line.case.division.name,
        basis=str(Basis(line.basis).label),
        months=months_text(line.months),
        gross_fen=line.gross_fen,
        offset_fen=line.offset_fen,
        net_fen=line.net_fen,
        holder=line.account_holder or "—",
        account=f"****{account[-4:]}" if account else "未登记",
        result=str(PaymentStatus(result.status).label) if result else "未反馈",
        failed=bool(result and result.status in UNPAID),
    )


def reconciliation(roster: SubsidyRoster) -> Reconciliation:
    """对账：实发 = 已发放 + 未发放（失败、账户有误）+ 未反馈，到分。"""
    lines = roster.lines.all()
    paid = lines.filter(result__status=PaymentStatus.PAID)
    unpaid = lines.filter(result__status__in=UNPAID)
    pending = lines.filter(result__isnull=True)

    def fen(q: QuerySet[RosterLine]) -> int:
        return int(q.aggregate(t=Sum("net_fen"))["t"] or 0)

    return Reconciliation(
        net_fen=roster.net_fen,
        paid_fen=fen(paid),
        unpaid_fen=fen(unpaid),
        pending_fen=fen(pending),
        paid=paid.count(),
        unpaid=unpaid.count(),
        pending=pending.count(),
    )


def payment_rows(roster: SubsidyRoster) -> list[PaymentRow]:
    """发放文件的各行（一次查询；原始行，发放月份的 JSON 同样的只解析一次）。"""
    values = _lines(roster).values_list(
        "pk", "case__child__name", "case__division__name", "basis", "months", "gross_fen",
        "offset_fen", "net_fen", "account_holder", "bank_name", "bank_account",
    )  # fmt: skip
    months = JsonTexts()
    return [PaymentRow(pk, name, town, basis, months(text), *rest)
            for pk, name, town, basis, text, *rest in raw_rows(values)]  # fmt: skip


def raw_rows(values: QuerySet[Any, Any]) -> Iterator[tuple[Any, ...]]:
    """values_list 查询集的原始行，不经 Django 逐行转换（几千行时转换比查询本身慢几十倍）。
    只用于字段都是数据库原生类型的查询：整数、文本、日期（SQLite 上 Django 按声明的类型
    把日期转成 date）；JSON 列是文本，调用方用 JsonTexts 解析。"""
    sql, params = values.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            yield from rows


class JsonTexts:
    """JSON 文本 → 值；同样的文本只解析一次，共用同一个值（调用方只读，不改）。"""

    def __init__(self) -> None:
        self._seen: dict[str, Any] = {}

    def __call__(self, text: str | Any) -> Any:
        if not isinstance(text, str):  # 驱动已解析（不同后端）
            return text
        found = self._seen.get(text)
        if found is None:
            found = self._seen[text] = json.loads(text)
        return found


# ---------------------------------------------------------------- 待办


def failed_open(division: Division) -> QuerySet[PaymentResult]:
    """发放失败、账户有误，且此后还没有批准新名册（重发）的行。"""
    later = SubsidyRoster.objects.filter(
        division=division, state=RosterState.APPROVED, month__gt=OuterRef("line__roster__month")
    )
    return PaymentResult.objects.filter(line__roster__division=division, status__in=UNPAID).exclude(
        Exists(later)
    )


def latest_failed_roster(division: Division) -> int | None:
    found = failed_open(division).order_by("-line__roster__month").first()
    return found.line.roster_id if found else None


def rosters_waiting(division: Division) -> QuerySet[SubsidyRoster]:
    return SubsidyRoster.objects.filter(division=division).exclude(state=RosterState.APPROVED)


def overpayments_undecided(division: Division) -> QuerySet[Overpayment]:
    return Overpayment.objects.filter(found_in__division=division, method="")


def overpayments_open(division: Division) -> QuerySet[Overpayment]:
    """未追回完的多发（页面上列出，便于记录退回）。"""
    return (
        Overpayment.objects.filter(found_in__division=division)
        .annotate(recovered=Sum("recoveries__fen"))
        .filter(Q(recovered__isnull=True) | Q(recovered__lt=F("fen")))
    )
