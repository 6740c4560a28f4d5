"""个案迁移（家庭搬家）：提出、户籍载入时自动提出、接收、退回。

接收前个案不动（仍归转出方，转出方照常探访、核查）；接收时个案的区划改为迁入地——儿童户籍
已在迁入地之内的取户籍地，否则取迁入地本身——全部历史（探访、核查、风险、照料、文书）都挂在
个案上，随之过去；下次探访、核查的到期日按原来的排期重算，由迁入地的人员在清单上看到。
每个操作在同一事务里写审计（只记编号、区划代码和字数，不记理由原文）。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from shouhu.core.errors import DomainError, ErrorCode, InvalidInput
from shouhu.core.policy.visits import RISK_LABELS
from shouhu.web import access
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.models import (
    Case,
    CaseStatus,
    Transfer,
    TransferOrigin,
    TransferStatus,
)
from shouhu.web.cases.plans import plans_set, risk_in_effect
from shouhu.web.cases.register_models import RegisterEntry
from shouhu.web.cases.register_risk import entry_risk_in_effect
from shouhu.web.cases.register_selectors import entry_kind_text
from shouhu.web.cases.services import case_locked, written_reason
from shouhu.web.registry.models import Division, DivisionLevel, Person, RegistryLoad
from shouhu.web.registry.selectors import age_on

DESTINATION_LEVELS = (DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP, DivisionLevel.VILLAGE)
ALREADY_PENDING = "该个案已有一次待接收的迁移，请等对方办理或退回后再提出。"
NOT_PENDING = "这次迁移已经办理过了（可能已被他人接收或退回），请刷新后再看。"


def _conflict(message: str) -> DomainError:
    return DomainError(message, code=ErrorCode.CONFLICT)


def _within(division: Division, area: Division) -> bool:
    return division.path.startswith(area.path)


def _audit(ctx: RequestContext, transfer: Transfer, action: str, **detail: object) -> None:
    about = {"case": transfer.case_id} if transfer.case_id else {"entry": transfer.entry_id}
    audit_record(ctx=ctx, action=action, object_type=ObjectType.CASE_TRANSFER,
                 object_id=transfer.pk, detail={**about, **detail})  # fmt: skip


def transfer_child(transfer: Transfer) -> Person:
    """迁移的是哪名儿童（个案的，或名册登记的）。"""
    if transfer.case is not None:
        return transfer.case.child
    assert transfer.entry is not None
    return transfer.entry.child


def _not_a_move(here: Division, to_division: Division | None) -> Division:
    if to_division is None or to_division.level not in DESTINATION_LEVELS:
        raise InvalidInput("请选择迁入的县（区）、乡镇（街道）或村（居）。")
    if _within(here, to_division) or _within(to_division, here):
        raise InvalidInput("迁入地与个案现在所在地相同或相互包含，不是迁移。")
    return to_division


def transfer_propose(
    *, ctx: RequestContext, case: Case, to_division: Division | None, reason: str
) -> Transfer:
    """转出方提出迁移：迁入地是县、乡镇（街道）或村（居），不能在个案现在的区划之内。"""
    text = written_reason(reason, what="迁移")
    with transaction.atomic():
        locked = case_locked(case)
        to = _not_a_move(locked.division, to_division)
        transfer = _create(locked, to, TransferOrigin.HAND, text, ctx=ctx)
    return transfer


def _entry_open(entry: RegisterEntry) -> RegisterEntry:
    """加锁的在册登记，儿童没有保障中的个案（有个案的随个案迁移）。"""
    locked = RegisterEntry.objects.select_for_update().select_related("division").get(pk=entry.pk)
    if locked.ended_on is not None:
        raise InvalidInput("该登记已经结束。")
    if Case.objects.filter(child_id=locked.child_id, status=CaseStatus.ACTIVE).exists():
        raise InvalidInput("该儿童有保障中的个案，请在个案上提出迁移，名册登记随个案一起迁。")
    return locked


def register_transfer_propose(
    *, ctx: RequestContext, entry: RegisterEntry, to_division: Division | None, reason: str
) -> Transfer:
    """没有个案的名册儿童（困境、留守）随家庭搬走：转出方提出，与个案迁移同一套办理；接收时
    儿童在册的全部登记（和挂在上面的探访）一起迁过去。"""
    text = written_reason(reason, what="迁移")
    with transaction.atomic():
        locked = _entry_open(entry)
        to = _not_a_move(locked.division, to_division)
        if Transfer.objects.filter(entry__child_id=locked.child_id, status=TransferStatus.PENDING,
                                   ).exists():  # fmt: skip
            raise _conflict(ALREADY_PENDING)
        transfer = _create(locked, to, TransferOrigin.HAND, text, ctx=ctx)
    return transfer


def _create(
    subject: Case | RegisterEntry, to: Division, origin: str, reason: str, *,
    ctx: RequestContext, load: RegistryLoad | None = None,
) -> Transfer:  # fmt: skip
    about = {"case": subject} if isinstance(subject, Case) else {"entry": subject}
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                **about, from_division_id=subject.division_id, to_division=to, origin=origin,
                reason=reason, proposed_at=timezone.now(), registry_load=load,
                proposed_by=ctx.user if origin == TransferOrigin.HAND else None,
            )  # fmt: skip
    except IntegrityError:  # 唯一约束：同一个案已有待接收的迁移
        raise _conflict(ALREADY_PENDING) from None
    _audit(ctx, transfer, Action.CREATE, origin=origin, to=to.code, reason_chars=len(reason))
    return transfer


def transfers_from_registry(*, ctx: RequestContext, load: RegistryLoad) -> list[Transfer]:
    """户籍名单载入后：保障中的个案，儿童户籍地已不在个案所在区划之内的，提出迁移（不悄悄
    改个案）。只看这次载入范围内的儿童和个案；已有待接收迁移的不再提出。"""
    scope = load.scope.path
    moved = (
        Case.objects.filter(status=CaseStatus.ACTIVE)
        .filter(Q(division__path__startswith=scope) | Q(child__division__path__startswith=scope))
        .exclude(child__division__path__startswith=F("division__path"))
        .exclude(division__path__startswith=F("child__division__path"))
        .exclude(transfers__status=TransferStatus.PENDING)
        .select_related("child__division", "division")
    )
    made = []
    for subject in [*moved, *_entries_moved(scope)]:
        to = subject.child.division
        reason = f"户籍名单显示儿童户籍已迁至{to.name}（区划代码 {to.code}）。"
        try:
            made.append(_create(subject, to, TransferOrigin.REGISTRY, reason, ctx=ctx, load=load))
        except DomainError:  # 刚有人为它提出了迁移
            continue
    return made


def _entries_moved(scope: str) -> list[RegisterEntry]:
    """没有个案的名册儿童，户籍已不在登记所在区划之内的：每名儿童一次（取最早的一条登记）。"""
    pending = Transfer.objects.filter(status=TransferStatus.PENDING, entry__isnull=False)
    found = (
        RegisterEntry.objects.filter(ended_on__isnull=True)
        .filter(Q(division__path__startswith=scope) | Q(child__division__path__startswith=scope))
        .exclude(child__division__path__startswith=F("division__path"))
        .exclude(division__path__startswith=F("child__division__path"))
        .exclude(child__cases__status=CaseStatus.ACTIVE)
        .exclude(child__in=pending.values("entry__child"))
        .select_related("child__division", "division")
        .order_by("child_id", "pk")
    )
    first: dict[int, RegisterEntry] = {}
    for entry in found:
        first.setdefault(entry.child_id, entry)
    return list(first.values())


def _destination(child: Person, transfer: Transfer) -> Division:
    child_at = child.division
    return child_at if _within(child_at, transfer.to_division) else transfer.to_division


def _pending(transfer: Transfer) -> Transfer:
    locked = Transfer.objects.select_for_update().filter(pk=transfer.pk).first()
    if locked is None or locked.status != TransferStatus.PENDING:
        raise _conflict(NOT_PENDING)
    return locked


def _entries_move(ctx: RequestContext, transfer: Transfer, child: Person, to: Division) -> None:
    """儿童在册的、没有个案的登记迁到迁入地；探访挂在登记上，一起过去，排期不变。"""
    moved = RegisterEntry.objects.filter(child=child, ended_on__isnull=True, case__isnull=True)
    for entry in moved.select_for_update():
        audit_record(ctx=ctx, action=Action.UPDATE, object_type=ObjectType.CHILD_REGISTER,
                     object_id=entry.pk, detail={"transfer": transfer.pk,
                                                 "division_from": entry.division_id,
                                                 "division_to": to.code})  # fmt: skip
    moved.update(division=to)


def transfer_accept(*, ctx: RequestContext, transfer: Transfer) -> Person:
    """接收方接收：个案（或名册登记）的区划改为迁入地，历史随之过去；排期按新的区划重算。
    答迁过去的儿童。"""
    with transaction.atomic():
        locked = _pending(transfer)
        if locked.case is None:
            return _accept_entries(ctx, locked)
        case = case_locked(locked.case)
        before = case.division_id
        case.division = _destination(case.child, locked)
        case.save(update_fields=["division"])
        locked.status, locked.decided_at, locked.decided_by = (
            TransferStatus.ACCEPTED, timezone.now(), ctx.user)  # fmt: skip
        locked.save(update_fields=["status", "decided_at", "decided_by"])
        _audit(ctx, locked, Action.UPDATE, accepted=True, division_from=before,
               division_to=case.division_id)  # fmt: skip
        audit_record(ctx=ctx, action=Action.UPDATE, object_type=ObjectType.CASE,
                     object_id=case.pk, detail={"transfer": locked.pk, "division_from": before,
                                                "division_to": case.division_id})  # fmt: skip
        plans_set(case, today=timezone.localdate())
        # 挂在这个个案上的名册登记（困境、留守）随儿童一起迁过去，没挂上的在册登记也一样
        RegisterEntry.objects.filter(case=case, ended_on__isnull=True).update(
            division=case.division
        )
        _entries_move(ctx, locked, case.child, case.division)
    return case.child


def _accept_entries(ctx: RequestContext, transfer: Transfer) -> Person:
    entry = _entry_open(transfer.entry) if transfer.entry else None
    assert entry is not None
    to = _destination(entry.child, transfer)
    transfer.status, transfer.decided_at, transfer.decided_by = (
        TransferStatus.ACCEPTED, timezone.now(), ctx.user)  # fmt: skip
    transfer.save(update_fields=["status", "decided_at", "decided_by"])
    _audit(ctx, transfer, Action.UPDATE, accepted=True, division_from=entry.division_id,
           division_to=to.code)  # fmt: skip
    _entries_move(ctx, transfer, entry.child, to)
    return entry.child


def transfer_return(*, ctx: RequestContext, transfer: Transfer, reason: str) -> Transfer:
    """接收方退回：须说明理由；个案留在转出方，转出方可以改正后重新提出。"""
    text = written_reason(reason, what="退回迁移")
    with transaction.atomic():
        locked = _pending(transfer)
        locked.status, locked.decided_at, locked.decided_by = (
            TransferStatus.RETURNED, timezone.now(), ctx.user)  # fmt: skip
        locked.return_reason = text
        locked.save(update_fields=["status", "decided_at", "decided_by", "return_reason"])
        _audit(ctx, locked, Action.UPDATE, returned=True, reason_chars=len(text))
    return locked


# ---------------------------------------------------------------- 读


@dataclass(frozen=True)
class TransferLine:
    pk: int
    case_pk: int
    child_pk: int
    child_name: str
    from_name: str
    to_name: str
    origin_label: str
    status: str
    status_label: str
    reason: str
    return_reason: str
    proposed_at: datetime
    decided_at: datetime | None


def division_names(transfers: list[Transfer]) -> dict[str, str]:
    """迁出、迁入地的名称，带上级（城关镇 → 临河区城关镇）：跨县时只写镇名分不清。"""
    codes = {c for t in transfers for d in (t.from_division, t.to_division)
             for c in d.path.strip("/").split("/")[2:]}  # fmt: skip
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    return {
        d.code: "".join(names.get(c, "") for c in d.path.strip("/").split("/")[2:])
        for t in transfers for d in (t.from_division, t.to_division)
    }  # fmt: skip


def transfer_lines(transfers: list[Transfer]) -> list[TransferLine]:
    names = division_names(transfers)
    return [
        TransferLine(
            t.pk, t.case_id or 0, transfer_child(t).pk, transfer_child(t).name,
            names[t.from_division_id],
            names[t.to_division_id], TransferOrigin(t.origin).label, t.status,
            TransferStatus(t.status).label, t.reason, t.return_reason, t.proposed_at,
            t.decided_at,
        )
        for t in transfers
    ]  # fmt: skip


def destination_options(*, exclude: Division) -> list[tuple[str, str]]:
    """迁入地的选项：县（区）和乡镇（街道），按区划排；不含个案现在所在的和包含它的。"""
    found = Division.objects.filter(level__in=(DivisionLevel.COUNTY, DivisionLevel.TOWNSHIP))
    rows = list(found.order_by("path").values_list("code", "name", "path", "level"))
    county = {code: name for code, name, _, level in rows if level == DivisionLevel.COUNTY}
    options = []
    for code, name, path, level in rows:
        if exclude.path.startswith(path) or path.startswith(exclude.path):
            continue
        parts = path.strip("/").split("/")
        above = county.get(parts[2], "") if level == DivisionLevel.TOWNSHIP else ""
        options.append((code, f"{above} {name}".strip()))
    return options


def division_by_code(code: str) -> Division | None:
    return Division.objects.filter(code=code.strip()[:12]).first() if code.strip() else None


@dataclass(frozen=True)
class CaseSummary:
    """接收方决定所需的内容：不含身份证号和家庭情况的详情（接收后在儿童页面上看）。"""

    child_name: str
    gender: str
    age: int | None
    category: str
    risk: str
    opened_on: date
    visit_due: date | None
    review_due: date | None


def transfer_summary(transfer: Transfer, disclosure: access.Disclosure) -> CaseSummary:
    """个案的按 `transfer_case_summary`；名册儿童的“类别”是在册的登记类型（按查看人的授权）。"""
    if transfer.case is not None:
        return transfer_case_summary(transfer.case, disclosure)
    assert transfer.entry is not None
    child = transfer.entry.child
    found = RegisterEntry.objects.filter(child=child, ended_on__isnull=True, case__isnull=True)
    entries = list(found.order_by("started_on", "pk"))
    dues = [e.visit_due_on for e in entries if e.visit_due_on]
    return CaseSummary(
        child_name=child.name,
        gender={"M": "男", "F": "女"}.get(child.gender, ""),
        age=age_on(child.birth_date, timezone.localdate()),
        category="、".join(dict.fromkeys(entry_kind_text(e, disclosure) for e in entries))
        or "名册儿童",
        risk=RISK_LABELS[entry_risk_in_effect(transfer.entry)],
        opened_on=min((e.started_on for e in entries), default=transfer.entry.started_on),
        visit_due=min(dues, default=None),
        review_due=None,
    )


def transfer_case_summary(case: Case, disclosure: access.Disclosure) -> CaseSummary:
    """类别按查看人的授权（`access.category_text`）。"""
    child = case.child
    return CaseSummary(
        child_name=child.name,
        gender={"M": "男", "F": "女"}.get(child.gender, ""),
        age=age_on(child.birth_date, timezone.localdate()),
        category=access.category_text(disclosure, case.category),
        risk=RISK_LABELS[risk_in_effect(case)],
        opened_on=case.opened_on,
        visit_due=case.visit_due_on,
        review_due=case.review_due_on,
    )
