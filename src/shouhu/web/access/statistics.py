"""统计报表：辖区内（本级和下级）的报表，看统计概览的角色都能看（只有数字）。"""

from __future__ import annotations

from django.db.models import QuerySet

from shouhu.web.access._gate import acting_user, fetch_or_deny, require
from shouhu.web.access.persons import subtree
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, Role, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.statistics.models import StatReport


def may_report(user: User) -> bool:
    """上报或审核统计报表的人：县区、地市、省级的民政经办人员和领导。"""
    return (
        may(user, Right.READ_DASHBOARD)
        and user.role in (Role.CASEWORKER, Role.LEADER)
        and user.division.level in ("county", "city", "province")
    )


def stat_reports_visible_to(user: User) -> QuerySet[StatReport]:
    if not may(user, Right.READ_DASHBOARD):
        return StatReport.objects.none()
    return StatReport.objects.filter(division__path__startswith=subtree(user))


def access_stat_reports(ctx: RequestContext) -> QuerySet[StatReport]:
    user = require(ctx, Right.READ_DASHBOARD, ObjectType.STAT_REPORT, "您的角色不能查看统计报表。")
    return stat_reports_visible_to(user)


def access_stat_report(ctx: RequestContext, report_id: object) -> StatReport:
    user = acting_user(ctx)
    return fetch_or_deny(
        ctx,
        queryset=StatReport.objects.select_related("division", "submitted_by", "decided_by"),
        visible=stat_reports_visible_to(user),
        pk=report_id,
        object_type=ObjectType.STAT_REPORT,
        message="未找到该统计报表，或不在您的辖区内。",
    )
