"""统计报表的页面内容：本级要报的和报过的，下级报来的；一份报表的数字和审核情况。"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.registry.models import Division
from shouhu.web.statistics.cells import FOLDED_LABEL, cell, row_cells
from shouhu.web.statistics.models import ReportStatus, StatReport
from shouhu.web.statistics.reports import (
    FIGURES,
    REPORTING_LEVELS,
    Period,
    may_decide,
    period_of,
    periods_closed,
)


@dataclass(frozen=True)
class ReportRow:
    pk: int | None
    division: str
    period: str
    kind_label: str
    status: str  # "" 为尚未上报
    status_label: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class DueReport:
    """本级这一期还可以上报（未报或被退回）。"""

    kind: str
    start: date
    label: str
    returned_reason: str


@dataclass(frozen=True)
class ReportsPage:
    division: str
    due: tuple[DueReport, ...]
    own: tuple[ReportRow, ...]
    below: tuple[ReportRow, ...]  # 下一级这两期的报表（含未报的）
    waiting: int  # 下级报来、待本人审核的


def _row(report: StatReport) -> ReportRow:
    period = period_of(report.period_kind, report.period_start)
    return ReportRow(report.pk, report.division.name, period.label,
                     report.get_period_kind_display(), report.status,
                     report.get_status_display(), report.submitted_at)  # fmt: skip


def reports_page(*, user: User, visible: QuerySet[StatReport], today: date) -> ReportsPage:
    home = user.division
    periods = periods_closed(today)
    own = visible.filter(division=home).select_related("division").order_by("-period_start")
    due: tuple[DueReport, ...] = ()
    if may(user, Right.WRITE_CASES) and home.level in REPORTING_LEVELS and home.parent_id:
        due = tuple(d for d in (_due(home, p) for p in periods) if d is not None)
    return ReportsPage(
        division=home.name,
        due=due,
        own=tuple(_row(r) for r in own[:24]),
        below=_below(home, visible, periods),
        waiting=visible.filter(division__parent=home, status=ReportStatus.SUBMITTED).count(),
    )


def _due(home: Division, period: Period) -> DueReport | None:
    """这一期本级还可以上报（未报，或被退回）时的一行；已报、已通过的为 None。"""
    found = StatReport.objects.filter(division=home, period_kind=period.kind,
                                      period_start=period.start).first()  # fmt: skip
    if found is not None and found.status != ReportStatus.RETURNED:
        return None
    reason = found.return_reason if found else ""
    kind_label = "季报" if period.kind == "quarter" else "月报"
    return DueReport(period.kind, period.start, f"{period.label}{kind_label}", reason)


def _below(
    home: Division, visible: QuerySet[StatReport], periods: tuple[Period, ...]
) -> tuple[ReportRow, ...]:
    children = list(
        Division.objects.filter(parent=home, level__in=REPORTING_LEVELS).order_by("code")
    )
    rows = []
    for period in periods:
        found = {r.division_id: r for r in visible.filter(
            division__in=children, period_kind=period.kind, period_start=period.start
        ).select_related("division")}  # fmt: skip
        for child in children:
            report = found.get(child.code)
            kind_label = "季报" if period.kind == "quarter" else "月报"
            rows.append(_row(report) if report else ReportRow(
                None, child.name, period.label, kind_label, "", "未上报", None))  # fmt: skip
    return tuple(rows)


@dataclass(frozen=True)
class ReportDetail:
    pk: int
    division: str
    period: str
    kind_label: str
    status: str
    status_label: str
    figures: tuple[tuple[str, int | str], ...]  # 确切的数；按小数字规则显示的是文字（“<3”）
    submitted_by: str
    submitted_at: datetime
    decided_by: str
    decided_at: datetime | None
    return_reason: str
    may_decide: bool
    printed_at: datetime


def _figures(report: StatReport, *, exact: bool) -> tuple[tuple[str, int | str], ...]:
    """报表的数字给这个读者看：能看到真实类别的看确切的数（与背后的名单相等）；其他人按小数字
    规则（`statistics.cells`）：期末在保合计里除孤儿以外的都算作“事实无人抚养儿童等”（否则
    合计减去三类就是感染儿童的数），1、2 显示为“<3”，有“<3”时合计显示为“≥下限”。"""
    values = {code: int(report.figures.get(code, 0)) for code in FIGURES}
    if exact:
        return tuple((label, values[code]) for code, label in FIGURES.items())
    orphans = [values["in_care_scattered"], values["in_care_institutional"]]
    folded = values["in_care_total"] - sum(orphans)
    (scattered, institutional, second), total = row_cells([*orphans, folded], exact=False)
    shown: dict[str, str] = {
        "in_care_scattered": scattered, "in_care_institutional": institutional,
        "in_care_de_facto": second, "in_care_total": total,
        "enrolled": cell(values["enrolled"], exact=False),
        "exited": cell(values["exited"], exact=False),
    }  # fmt: skip
    labels = {**FIGURES, "in_care_de_facto": f"期末在保{FOLDED_LABEL}"}
    return tuple(
        (labels[code], int(shown[code]) if shown[code].isdigit() else shown[code])
        for code in FIGURES
    )


def report_detail(*, user: User, report: StatReport) -> ReportDetail:
    period = period_of(report.period_kind, report.period_start)
    return ReportDetail(
        pk=report.pk,
        division=report.division.name,
        period=period.label,
        kind_label=report.get_period_kind_display(),
        status=report.status,
        status_label=report.get_status_display(),
        figures=_figures(report, exact=access.categories_shown(access.disclosure_for(user))),
        submitted_by=report.submitted_by.full_name or report.submitted_by.username,
        submitted_at=report.submitted_at,
        decided_by=(report.decided_by.full_name or report.decided_by.username)
        if report.decided_by
        else "",
        decided_at=report.decided_at,
        return_reason=report.return_reason,
        may_decide=report.status == ReportStatus.SUBMITTED and may_decide(user, report),
        printed_at=timezone.localtime(),
    )
