"""补贴名册的写操作：生成（草稿可重算）、审核、批准锁定、记录多发的追回方式和退回。

金额怎么算在 shouhu.core.policy.roster（纯函数）；这里取数据库里的个案、已发出的各月、
多发和抵扣，交给它，再把结果整批写回。每个操作都在同一事务里记审计（只记编号和数字）。
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, NamedTuple

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from shouhu.core.errors import DomainError, ErrorCode, InvalidInput
from shouhu.core.policy import load_params
from shouhu.core.policy.params import PolicyParams
from shouhu.core.policy.roster import RosterEntry, roster_entry, roster_totals, yuan
from shouhu.core.policy.subsidy import (
    BasisChange,
    SubsidyCase,
    basis_of,
    month_of,
    terms_in,
)
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.models import CareArrangement, Case, CaseStatus
from shouhu.web.registry.models import Division
from shouhu.web.subsidies.models import (
    Overpayment,
    PaymentStatus,
    Recovery,
    RecoveryMethod,
    RosterLine,
    RosterState,
    SubsidyRoster,
)
from shouhu.web.subsidies.selectors import JsonTexts, raw_rows

UNPAID: tuple[str, ...] = (PaymentStatus.FAILED, PaymentStatus.ACCOUNT_PROBLEM)
LOCKED = "这份名册已批准锁定，不能再改；更正请进下一个月的名册。"


def _conflict(message: str) -> DomainError:
    return DomainError(message, code=ErrorCode.CONFLICT)


def subsidy_case(case: Case | CaseRow, region: str) -> SubsidyCase:
    """个案 → 发放依据。错误终止后重新纳入的个案按未曾中断算（中断的月份进下月名册补发）。"""
    changes = case.category_changes or []
    first = changes[0]["from"] if changes else {"category": case.category,
                                                "orphan_type": case.orphan_type}  # fmt: skip
    return SubsidyCase(
        approved_on=case.opened_on,
        applied_on=case.applied_on,
        ended_on=case.closed_on if case.status == CaseStatus.CLOSED else None,
        basis=basis_of(first["category"], first["orphan_type"]),
        changes=tuple(
            BasisChange(
                date.fromisoformat(c["on"]),
                basis_of(c["to"]["category"], c["to"]["orphan_type"]),
            )
            for c in changes
        ),
        region=region,
    )


@dataclass
class _History:
    """一个县的已发出各月、已记的多发、可抵扣的余额（按儿童）。"""

    paid: dict[int, dict[date, int]]
    overpaid: dict[int, set[date]]
    offsets: dict[int, list[tuple[Overpayment, int]]]  # 儿童 → [(多发, 未追回)]


def _history(division: Division, month: date, exclude: int | None) -> _History:
    paid: dict[int, dict[date, int]] = defaultdict(dict)
    lines = (
        RosterLine.objects.filter(
            roster__division=division, roster__state=RosterState.APPROVED, roster__month__lt=month
        )
        .exclude(result__status__in=UNPAID)
        .values_list("case_id", "months")
    )
    texts = JsonTexts()
    for case_id, months in raw_rows(lines):
        for iso, fen, _ in texts(months):
            day = date.fromisoformat(iso)
            paid[case_id][day] = paid[case_id].get(day, 0) + fen
    overpaid: dict[int, set[date]] = defaultdict(set)
    offsets: dict[int, list[tuple[Overpayment, int]]] = defaultdict(list)
    found = Overpayment.objects.filter(found_in__division=division).select_related("case")
    recovered = _recovered(found, exclude)
    for over in found.order_by("month", "pk"):
        overpaid[over.case_id].add(over.month)
        left = over.fen - recovered.get(over.pk, 0)
        if over.method == RecoveryMethod.OFFSET and left > 0:
            offsets[over.case.child_id].append((over, left))
    return _History(paid, overpaid, offsets)


def _recovered(found: Iterable[Overpayment], exclude_roster: int | None) -> dict[int, int]:
    rows = (
        Recovery.objects.filter(overpayment__in=found)
        .exclude(line__roster_id=exclude_roster)
        .values("overpayment_id")
        .annotate(total=Sum("fen"))
    )
    return {r["overpayment_id"]: int(r["total"]) for r in rows}


class CaseRow(NamedTuple):
    """名册用到的个案字段（一次查询取出，不建模型对象：一个县几千个个案）。"""

    pk: int
    child_id: int
    category: str
    orphan_type: str
    status: str
    opened_on: date
    applied_on: date | None
    closed_on: date | None
    category_changes: list[dict[str, Any]]


def _candidates(division: Division, month: date) -> list[CaseRow]:
    """在保的个案，加上终止后仍有发放记录、可能多发的个案。"""
    paid_after = RosterLine.objects.filter(
        case_id=OuterRef("pk"), roster__state=RosterState.APPROVED
    )
    found = (
        Case.objects.filter(division__path__startswith=division.path)
        .filter(Q(status=CaseStatus.ACTIVE) | Exists(paid_after))
        .filter(opened_on__lt=_next(month))
        .order_by("pk")
        .values_list(*CaseRow._fields)
    )
    changes = JsonTexts()
    return [CaseRow(*row[:-1], changes(row[-1])) for row in raw_rows(found)]


def _next(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _settled_before(division: Division, month: date) -> date:
    """本县平台上的第一个名册月：此前批准的个案，更早的月份视为已在平台之外发放。"""
    first = (
        SubsidyRoster.objects.filter(division=division)
        .order_by("month")
        .values_list("month", flat=True)
        .first()
    )
    return min(first, month) if first else month


def roster_build(
    *,
    ctx: RequestContext,
    division: Division,
    month: date,
    params: PolicyParams | None = None,
) -> SubsidyRoster:
    """生成（或重算草稿、已审核的）本县本月的名册；已批准的不能重算。"""
    month = month_of(month)
    params = params or load_params()
    with transaction.atomic():
        roster = _roster_for_build(ctx, division, month)
        history = _history(division, month, exclude=roster.pk)
        entries = _entries(division, month, params, history)
        _write(ctx, roster, entries, history)
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.SUBSIDY_ROSTER,
            object_id=roster.pk,
            detail={"month": month.isoformat(), "lines": roster.line_count,
                    "net_fen": roster.net_fen},
        )  # fmt: skip
    return roster


def _roster_for_build(ctx: RequestContext, division: Division, month: date) -> SubsidyRoster:
    roster = SubsidyRoster.objects.select_for_update().filter(division=division, month=month)
    found = roster.first()
    now = timezone.now()
    if found is None:
        return SubsidyRoster.objects.create(
            division=division, month=month, built_at=now, built_by=ctx.user
        )
    if found.state == RosterState.APPROVED:
        raise _conflict(LOCKED)
    _lines_delete(found)
    found.state, found.built_at, found.built_by = RosterState.DRAFT, now, ctx.user
    found.reviewed_at, found.reviewed_by = None, None
    found.save(update_fields=["state", "built_at", "built_by", "reviewed_at", "reviewed_by"])
    return found


def _lines_delete(roster: SubsidyRoster) -> None:
    """重算草稿：删去原有的行和随行记的抵扣（一条语句一张表，不把几千行读进内存）。"""
    lines, recoveries = RosterLine._meta.db_table, Recovery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {recoveries} WHERE line_id IN "  # noqa: S608（表名来自模型）
            f"(SELECT id FROM {lines} WHERE roster_id = %s)",
            [roster.pk],
        )
        cursor.execute(f"DELETE FROM {lines} WHERE roster_id = %s", [roster.pk])


def _entries(
    division: Division, month: date, params: PolicyParams, history: _History
) -> list[tuple[CaseRow, RosterEntry]]:
    """各个案本月的名册行。roster_entry 是纯函数，只看日期所在的月份：同一个县里依据相同的
    个案（类别、批准/申请/终止之月、类别变更、已发各月、多发、可抵扣额都一样）结果也相同，
    算一次共用（一个县几千个孩子通常只有几十种情形）。"""
    region = division.code
    terms = terms_in(params, region, month)
    settled = _settled_before(division, month)
    out = []
    computed: dict[tuple[object, ...], RosterEntry] = {}
    no_paid: dict[date, int] = {}
    for case in _candidates(division, month):
        offsets = history.offsets.get(case.child_id)
        offset = sum(left for _, left in offsets) if offsets else 0
        paid = history.paid.get(case.pk, no_paid)
        overpaid = history.overpaid.get(case.pk)
        before = case.opened_on < settled
        key = (
            _case_key(case),
            tuple(sorted(paid.items())) if paid else (),
            offset,
            frozenset(overpaid) if overpaid else frozenset(),
            before,
        )
        entry = computed.get(key)
        if entry is None:
            entry = computed[key] = roster_entry(
                subsidy_case(case, region),
                month,
                paid=paid,
                params=params,
                terms=terms,
                offset_available=offset,
                known_overpaid=overpaid or set(),
                settled_before=settled if before else None,
            )
        if entry.payments or entry.overpaid:
            out.append((case, entry))
    return out


def _case_key(case: CaseRow) -> tuple[object, ...]:
    """个案里 roster_entry 用到的一切：批准、申请、终止只看所在月份；类别变更原样（少见）。"""
    closed = case.closed_on if case.status == CaseStatus.CLOSED else None
    return (
        case.category,
        case.orphan_type,
        case.opened_on.replace(day=1),
        case.applied_on.replace(day=1) if case.applied_on else None,
        closed.replace(day=1) if closed else None,
        repr(case.category_changes) if case.category_changes else "",
    )


def _write(
    ctx: RequestContext,
    roster: SubsidyRoster,
    entries: list[tuple[CaseRow, RosterEntry]],
    history: _History,
) -> None:
    payable = [(case, e) for case, e in entries if e.payments]
    accounts = _accounts(roster.division)
    months: dict[int, str] = {}  # 共用的行（见 _entries）只写一次 JSON
    _lines_insert([_line(roster, case, e, accounts.get(case.pk), months) for case, e in payable])
    with_offset = {case.pk: (case, e) for case, e in payable if e.offset_fen}
    if with_offset:
        ids = RosterLine.objects.filter(roster=roster, case_id__in=with_offset)
        _offsets(ctx, [(*with_offset[c], pk) for c, pk in ids.values_list("case_id", "pk")],
                 history)  # fmt: skip
    Overpayment.objects.bulk_create(
        [
            Overpayment(case_id=case.pk, month=p.month, basis=p.basis, fen=p.fen, found_in=roster)
            for case, e in entries
            for p in e.overpaid
        ]
    )
    totals = roster_totals(e for _, e in payable)
    roster.line_count = len(payable)
    roster.gross_fen, roster.offset_fen, roster.net_fen = (
        totals.gross_fen, totals.offset_fen, totals.net_fen,
    )  # fmt: skip
    roster.totals = {"by_basis": dict(totals.by_basis), "children": dict(totals.children)}
    roster.save(update_fields=["line_count", "gross_fen", "offset_fen", "net_fen", "totals"])


def _accounts(division: Division) -> dict[int, tuple[str, str, str]]:
    """各个案当前照料人的户名、开户银行、账号。"""
    current = CareArrangement.objects.filter(
        case__division__path__startswith=division.path, ended_on__isnull=True
    ).values_list("case_id", "carer_name", "bank_name", "bank_account")
    return {case_id: (name, bank, account) for case_id, name, bank, account in raw_rows(current)}


_LINE_COLUMNS: Final = ("roster_id", "case_id", "basis", "months", "gross_fen", "offset_fen",
                        "net_fen", "account_holder", "bank_name", "bank_account")  # fmt: skip


def _line(
    roster: SubsidyRoster,
    case: CaseRow,
    entry: RosterEntry,
    care: tuple[str, str, str] | None,
    months_json: dict[int, str],
) -> tuple[object, ...]:
    months = months_json.get(id(entry))
    if months is None:
        months = months_json[id(entry)] = json.dumps(
            [[p.month.isoformat(), p.fen, p.arrears] for p in entry.payments]
        )
    return (roster.pk, case.pk, entry.basis, months, entry.gross_fen,
            entry.offset_fen, entry.net_fen, *(care or ("", "", "")))  # fmt: skip


def _lines_insert(rows: list[tuple[object, ...]]) -> None:
    """整批写入名册行：PostgreSQL 用 COPY，其余用 executemany（一个县几千行，省去逐行建模型）。"""
    table, columns = RosterLine._meta.db_table, ", ".join(_LINE_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(_LINE_COLUMNS))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _offsets(
    ctx: RequestContext, rows: list[tuple[CaseRow, RosterEntry, int]], history: _History
) -> None:
    """抵扣：本行的扣减额按多发的先后分摊到各笔多发，逐笔记为追回（不静默相抵）。"""
    today = timezone.localdate()
    recoveries = []
    for case, entry, line_id in rows:
        left = entry.offset_fen
        for over, open_fen in history.offsets.get(case.child_id, []):
            take = min(left, open_fen)
            if take > 0:
                recoveries.append(Recovery(overpayment=over, method=RecoveryMethod.OFFSET,
                                           fen=take, line_id=line_id, recorded_on=today,
                                           recorded_by=ctx.user))  # fmt: skip
                left -= take
    Recovery.objects.bulk_create(recoveries)


def roster_review(*, ctx: RequestContext, roster: SubsidyRoster) -> SubsidyRoster:
    return _advance(ctx, roster, RosterState.DRAFT, RosterState.REVIEWED)


def roster_approve(*, ctx: RequestContext, roster: SubsidyRoster) -> SubsidyRoster:
    """批准即锁定：此后名册和各行由数据库拒绝任何修改。"""
    return _advance(ctx, roster, RosterState.REVIEWED, RosterState.APPROVED)


def _advance(ctx: RequestContext, roster: SubsidyRoster, before: str, after: str) -> SubsidyRoster:
    with transaction.atomic():
        locked = SubsidyRoster.objects.select_for_update().get(pk=roster.pk)
        if locked.state != before:
            message = LOCKED if locked.state == RosterState.APPROVED else "请先审核名册，再批准。"
            raise _conflict(
                message if after == RosterState.APPROVED else "名册不是草稿，无需审核。"
            )
        now = timezone.now()
        locked.state = after
        stamp = "reviewed" if after == RosterState.REVIEWED else "approved"
        setattr(locked, f"{stamp}_at", now)
        setattr(locked, f"{stamp}_by", ctx.user)
        locked.save(update_fields=["state", f"{stamp}_at", f"{stamp}_by"])
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.SUBSIDY_ROSTER,
            object_id=locked.pk,
            detail={"state": after, "lines": locked.line_count, "net_fen": locked.net_fen},
        )
    return locked


def overpayment_recover(
    *,
    ctx: RequestContext,
    overpayment: Overpayment,
    method: str,
    fen: int | None = None,
    on: date | None = None,
) -> Overpayment:
    """选定追回方式。抵扣：此后生成的名册从该儿童的应发中扣减；退回：记下退回的金额（分）。"""
    if method not in RecoveryMethod.values:
        raise InvalidInput("请选择追回方式：退回或抵扣。")
    with transaction.atomic():
        over = Overpayment.objects.select_for_update().get(pk=overpayment.pk)
        left = over.fen - int(over.recoveries.aggregate(t=Sum("fen"))["t"] or 0)
        if method == RecoveryMethod.REPAYMENT:
            if fen is None or not 0 < fen <= left:
                raise InvalidInput(f"退回金额应大于0，且不超过未追回的 {yuan(left)} 元。")
            Recovery.objects.create(overpayment=over, method=method, fen=fen,
                                    recorded_on=on or timezone.localdate(),
                                    recorded_by=ctx.user)  # fmt: skip
        over.method = method
        over.save(update_fields=["method"])
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.OVERPAYMENT,
            object_id=over.pk,
            detail={"method": method, **({"fen": fen} if fen else {})},
        )
    return over
