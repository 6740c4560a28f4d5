"""儿童页面的“个案工作”一栏：下次核查、下次探访、风险等级及其历史、最近的探访和核查、
重大变故和强制报告（响应和用时）。只读；个案须已经过访问层。"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from shouhu.core.policy.visits import RISK_LABELS, visit_requirement
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, may, role_label
from shouhu.web.cases.models import (
    Case,
    CaseStatus,
    MajorChange,
    MajorChangeKind,
    ReporterKind,
    ReviewOutcome,
    RiskChangeKind,
    TransferStatus,
    Visit,
)
from shouhu.web.cases.plans import open_changes, risk_in_effect
from shouhu.web.cases.printing import forms_available
from shouhu.web.cases.transfers import TransferLine, transfer_lines
from shouhu.web.cases.visits import CHECK_STATUS, CHECKS
from shouhu.web.registry.models import Person

RECENT = 5


def person_name(user: User | None) -> str:
    """记录人：姓名（角色）；不显示账户名。"""
    if user is None:
        return "—"
    role = role_label(user.role)
    return f"{user.full_name}（{role}）" if user.full_name else role


@dataclass(frozen=True)
class VisitLine:
    visited_at: datetime
    place: str
    seen: str
    by: str
    concerns: tuple[str, ...]  # “饮食：有问题（……）”
    notes: str
    photo_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReviewLine:
    reviewed_on: date
    outcome: str
    outcome_label: str
    note: str
    by: str


@dataclass(frozen=True)
class RiskLine:
    at: datetime
    by: str
    kind_label: str
    from_label: str
    to_label: str
    reason: str
    proposed_label: str


@dataclass(frozen=True)
class ChangeLine:
    kind_label: str
    occurred_at: datetime
    due_at: datetime
    visited_at: datetime | None
    visited_by: str
    hours: str  # 报告（变故）到走访的小时数
    late: bool  # 走访晚于期限，或至今未走访且已过期限
    reviewed: bool
    reporter: str  # 强制报告：报告单位和报告人
    reporter_phone: str
    seen_at: datetime | None
    what_seen: str


@dataclass(frozen=True)
class CaseWork:
    case_pk: int
    active: bool
    risk_label: str
    provisional: bool
    confirmed_label: str
    requirement: str
    reviews_per_year: int | None
    review_due: date | None
    review_overdue: bool
    visit_due: date | None
    visit_overdue: bool
    risks: tuple[RiskLine, ...]
    visits: tuple[VisitLine, ...]
    reviews: tuple[ReviewLine, ...]
    changes: tuple[ChangeLine, ...]
    may_visit: bool
    may_review: bool
    may_confirm: bool
    may_report: bool
    forms: tuple[tuple[str, str], ...] = ()  # 可打印的文书（代码, 名称），cases.printing
    may_transfer: bool = False  # 可以提出迁移（县级经办、督导员；没有待接收的迁移时）
    transfers: tuple[TransferLine, ...] = ()  # 迁移记录（新的在前），cases.transfers


def _visit(v: Visit) -> VisitLine:
    concerns = tuple(
        f"{CHECKS[code]}：{CHECK_STATUS['concern']}" + (f"（{c['note']}）" if c.get("note") else "")
        for code, c in v.checks.items()
        if code in CHECKS and c.get("status") == "concern"
    )
    # 离线应用上传的照片（field.VisitPhoto，经反向关系取，cases 不导入 field）
    photos = tuple(p.pk for p in v.photos.all())  # type: ignore[attr-defined]
    return VisitLine(
        v.visited_at, v.place, v.seen, person_name(v.recorded_by), concerns, v.notes, photos
    )


def _change(c: MajorChange, now: datetime) -> ChangeLine:
    report = getattr(c, "report", None)
    visited = c.visit.visited_at if c.visit else None
    hours = f"{(visited - c.occurred_at).total_seconds() / 3600:.1f}" if visited else ""
    return ChangeLine(
        kind_label=MajorChangeKind(c.kind).label,
        occurred_at=c.occurred_at,
        due_at=c.visit_due_at,
        visited_at=visited,
        visited_by=person_name(c.visit.recorded_by) if c.visit else "",
        hours=hours,
        late=(visited or now) > c.visit_due_at,
        reviewed=c.reviewed_at is not None,
        reporter=(
            f"{ReporterKind(report.reporter_kind).label} · {report.reporter_org} · "
            f"{report.reporter_name}"
            if report
            else ""
        ),
        reporter_phone=report.reporter_phone if report else "",
        seen_at=report.seen_at if report else None,
        what_seen=report.what_seen if report else "",
    )


def case_work_panel(*, user: User, case: Case) -> CaseWork:
    today, now = timezone.localdate(), timezone.now()
    effective = risk_in_effect(case)
    active = case.status == CaseStatus.ACTIVE
    risks = case.risk_changes.select_related("by").order_by("-at", "-pk")
    visits = (
        case.visits.select_related("recorded_by")
        .prefetch_related("photos")
        .order_by("-visited_at", "-pk")[:RECENT]
    )
    reviews = case.reviews.select_related("recorded_by").order_by("-reviewed_on", "-pk")[:RECENT]
    recent = case.major_changes.select_related("visit__recorded_by", "report")
    # 未复核的在前，再按发生时间由近及远（空值的排序各数据库不同，所以在这里排）
    changes = sorted(
        recent.order_by("-occurred_at")[: RECENT * 2],
        key=lambda c: (c.reviewed_at is not None, -c.occurred_at.timestamp()),
    )[:RECENT]
    urgent_late = open_changes(case).filter(visit__isnull=True, visit_due_at__lt=now).exists()
    return CaseWork(
        case_pk=case.pk,
        active=active,
        risk_label=RISK_LABELS[effective],
        provisional=effective != case.risk_level,
        confirmed_label=RISK_LABELS[case.risk_level],
        requirement=visit_requirement(effective).text,
        reviews_per_year=case.reviews_per_year,
        review_due=case.review_due_on,
        review_overdue=bool(case.review_due_on and case.review_due_on < today),
        visit_due=case.visit_due_on,
        visit_overdue=bool(case.visit_due_on and case.visit_due_on < today) or urgent_late,
        risks=tuple(
            RiskLine(
                r.at,
                person_name(r.by),
                RiskChangeKind(r.kind).label,
                RISK_LABELS[r.from_level],
                RISK_LABELS[r.to_level],
                r.reason,
                RISK_LABELS.get(r.assessment.get("proposed", ""), ""),
            )
            for r in risks
        ),
        visits=tuple(_visit(v) for v in visits),
        reviews=tuple(
            ReviewLine(
                r.reviewed_on,
                r.outcome,
                ReviewOutcome(r.outcome).label,
                r.note,
                person_name(r.recorded_by),
            )
            for r in reviews
        ),
        changes=tuple(_change(c, now) for c in changes),
        may_visit=active and may(user, Right.RECORD_VISITS),
        may_review=active and may(user, Right.RECORD_REVIEWS),
        may_confirm=active and may(user, Right.WRITE_CASES),
        may_report=active and may(user, Right.REPORT_CHILD),
        forms=forms_available(user=user, case=case),
        **_transfers(user, case, active),
    )


def _transfers(user: User, case: Case, active: bool) -> dict[str, object]:
    found = list(case.transfers.select_related("case__child", "from_division", "to_division")
                 .order_by("-proposed_at", "-pk")[:RECENT])  # fmt: skip
    pending = any(t.status == TransferStatus.PENDING for t in found)
    return {"may_transfer": active and not pending and access.may_propose_transfer(user),
            "transfers": tuple(transfer_lines(found))}  # fmt: skip


def case_work_for_child(*, user: User, child: Person) -> CaseWork | None:
    """儿童页面上的一栏：保障中的个案（没有时为最近一个已终止的）；没有个案时为 None。"""
    case = (
        access.cases_visible_to(user)
        .filter(child=child)
        .order_by("status", "-opened_on", "-pk")  # "active" 排在 "closed" 前
        .first()
    )
    return case_work_panel(user=user, case=case) if case else None
