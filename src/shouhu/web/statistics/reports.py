"""统计报表的数字和上报、审核。

每个数字都由一份“背后的名单”（个案查询）数出来——报表上的数和名单的条数必然相等，上级要
核对时按同一查询就能拿到名单。县区的民政经办人员上报本县区的月报、季报；上一级（市、省）的
民政经办人员或领导审核：通过即锁定（再不能改，改正放到下一期），退回须写理由，改后重报。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from shouhu.core.errors import DomainError, ErrorCode, InvalidInput, PermissionDenied
from shouhu.core.policy.dates import add_months
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, Role, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.models import Case, Category, OrphanType
from shouhu.web.notify import Notice, emails_of, notices_send_on_commit, platform_link
from shouhu.web.registry.models import Division
from shouhu.web.statistics.models import PeriodKind, ReportStatus, StatReport

# 报表上的数字：代码 → 名称（一处定义；页面、导出、审计都由此而来）
FIGURES: Final = {
    "in_care_scattered": "期末在保散居孤儿",
    "in_care_institutional": "期末在保集中养育孤儿",
    "in_care_de_facto": "期末在保事实无人抚养儿童",
    "in_care_total": "期末在保合计",
    "enrolled": "本期纳入保障",
    "exited": "本期终止保障",
}
DECIDERS: Final = frozenset({Role.CASEWORKER, Role.LEADER})
REPORTING_LEVELS: Final = frozenset({"county", "city"})


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年{self.start.month}月"


def period_of(kind: str, start: date) -> Period:
    if kind not in PeriodKind.values:
        raise InvalidInput("报表周期应为月报或季报。")
    months = 3 if kind == PeriodKind.QUARTER else 1
    if start.day != 1 or (months == 3 and start.month % 3 != 1):
        raise InvalidInput("所属期应从月初（季报从季初）开始。")
    return Period(kind, start, add_months(start, months) - timedelta(days=1))


def periods_closed(today: date) -> tuple[Period, Period]:
    """刚结束的那个月和那个季度（上报的是它们）。"""
    month = add_months(today.replace(day=1), -1)
    quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return period_of(PeriodKind.MONTH, month), period_of(
        PeriodKind.QUARTER, add_months(quarter, -3)
    )


# ---------------------------------------------------------------- 数字和名单


def figure_cases(division: Division, period: Period, code: str) -> QuerySet[Case]:
    """报表上一个数字背后的名单（division 子树内的个案）。"""
    cases = Case.objects.filter(division__path__startswith=division.path)
    in_care = cases.filter(opened_on__lte=period.end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=period.end)
    )
    orphans = in_care.filter(category=Category.ORPHAN)
    lists = {
        "in_care_scattered": orphans.filter(orphan_type=OrphanType.SCATTERED),
        "in_care_institutional": orphans.filter(orphan_type=OrphanType.INSTITUTIONAL),
        "in_care_de_facto": in_care.filter(category=Category.DE_FACTO_UNSUPPORTED),
        "in_care_total": in_care,
        "enrolled": cases.filter(opened_on__range=(period.start, period.end)),
        "exited": cases.filter(closed_on__range=(period.start, period.end)),
    }
    return lists[code]


def report_figures(division: Division, period: Period) -> dict[str, int]:
    return {code: figure_cases(division, period, code).count() for code in FIGURES}


# ---------------------------------------------------------------- 上报和审核


def _conflict(message: str) -> DomainError:
    return DomainError(message, code=ErrorCode.CONFLICT)


def report_submit(*, ctx: RequestContext, period: Period) -> StatReport:
    """本人辖区（县区或市）这一期的报表：按此刻的数据算出并上报；退回过的重新算、重新报。"""
    user = ctx.user
    if user is None or not may(user, Right.WRITE_CASES):
        raise PermissionDenied("只有民政经办人员可以上报统计报表。")
    division = user.division
    if division.level not in REPORTING_LEVELS or division.parent_id is None:
        raise InvalidInput("统计报表由县区、地市逐级上报；您的辖区不上报。")
    if period.end >= timezone.localdate():
        raise InvalidInput(f"{period.label}还没有结束，结束后再上报。")
    figures = report_figures(division, period)
    now = timezone.now()
    with transaction.atomic():
        report = (
            StatReport.objects.select_for_update()
            .filter(division=division, period_kind=period.kind, period_start=period.start)
            .first()
        )
        if report is not None and report.status != ReportStatus.RETURNED:
            raise _conflict(f"{period.label}的报表已上报（{report.get_status_display()}）。")
        if report is None:
            report = StatReport(division=division, period_kind=period.kind,
                                period_start=period.start, period_end=period.end)  # fmt: skip
        report.figures, report.status, report.return_reason = figures, ReportStatus.SUBMITTED, ""
        report.submitted_by, report.submitted_at = user, now
        report.decided_by, report.decided_at = None, None
        report.save()
        detail = {"period": period.kind, "start": str(period.start)}
        audit_record(ctx=ctx, action=Action.CREATE, object_type=ObjectType.STAT_REPORT,
                     object_id=report.pk, detail=detail)  # fmt: skip
    return report


def may_decide(user: User, report: StatReport) -> bool:
    """上一级（报表区划的上级区划）的民政经办人员或领导审核。"""
    return user.role in DECIDERS and user.division_id == report.division.parent_id


def report_decide(
    *, ctx: RequestContext, report: StatReport, approve: bool, reason: str = ""
) -> StatReport:
    user = ctx.user
    if user is None or not may_decide(user, report):
        raise PermissionDenied("只有上一级的民政经办人员或领导可以审核这份报表。")
    text = reason.strip()
    if not approve and not text:
        raise InvalidInput("退回须写明理由（哪个数字要核实、为什么）。")
    with transaction.atomic():
        locked = StatReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != ReportStatus.SUBMITTED:
            raise _conflict(f"这份报表{locked.get_status_display()}，不能再审核。")
        locked.status = ReportStatus.APPROVED if approve else ReportStatus.RETURNED
        locked.return_reason = "" if approve else text[:2000]
        locked.decided_by, locked.decided_at = user, timezone.now()
        locked.save(update_fields=["status", "return_reason", "decided_by", "decided_at"])
        audit_record(ctx=ctx, action=Action.UPDATE, object_type=ObjectType.STAT_REPORT,
                     object_id=locked.pk, detail={"decision": locked.status})  # fmt: skip
        _decided_notify(locked)
    return locked


def _decided_notify(report: StatReport) -> None:
    """告诉上报人：报表审核通过（锁定）或被退回（理由登录后看，退回的重新上报）。"""
    if report.submitted_by is None:
        return
    link = reverse("stat_report", args=[report.pk])
    kind = report.get_period_kind_display()
    what = f"{report.division.name}{kind}（{report.period_start:%Y年%m月}起）"
    approved = report.status == ReportStatus.APPROVED
    outcome = "已审核通过，报表锁定。" if approved else "被上级退回，请按退回理由核实后重新上报。"
    subject = f"【守护】统计报表{'已审核通过' if approved else '被退回'}：{what}"
    body = f"{what}{outcome}\n\n请登录平台查看：{platform_link(link)}"
    notices_send_on_commit([Notice(
        "report_approved" if approved else "report_returned", emails_of([report.submitted_by]),
        subject, body, users=(report.submitted_by.pk,), link=link)])  # fmt: skip
