"""补贴名册：县级民政经办人员生成、审核、批准、导出本县的名册，导入财政的发放结果，办理多发追回。

名册含儿童姓名、监护人的银行账号，只给有写个案权限的民政经办人员，且只在县级——补贴由
县（区、旗）民政部门发放。别人的名册与“不存在”同一答复（记入审计）。
"""

from __future__ import annotations

from django.db.models import QuerySet

from shouhu.web.access._gate import fetch_or_deny, require_county
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.registry.models import Division, DivisionLevel
from shouhu.web.subsidies.models import Overpayment, SubsidyRoster

NOT_FOUND_ROSTER = "未找到该补贴名册，或您无权查看。"
NOT_FOUND_OVERPAYMENT = "未找到该多发记录，或您无权查看。"
COUNTY_CASEWORKERS_ONLY = "只有县级民政经办人员可以办理补贴名册。"


def may_handle_subsidies(user: User) -> bool:
    return may(user, Right.WRITE_CASES) and user.division.level == DivisionLevel.COUNTY


def rosters_visible_to(user: User) -> QuerySet[SubsidyRoster]:
    if not may_handle_subsidies(user):
        return SubsidyRoster.objects.none()
    return SubsidyRoster.objects.filter(division=user.division)


def access_subsidy_home(ctx: RequestContext) -> Division:
    """补贴名册的页面：县级民政经办人员；返回本县。"""
    return require_county(
        ctx, Right.WRITE_CASES, ObjectType.SUBSIDY_ROSTER, COUNTY_CASEWORKERS_ONLY
    ).division


def access_roster(ctx: RequestContext, roster_id: object) -> SubsidyRoster:
    division = access_subsidy_home(ctx)
    return fetch_or_deny(
        ctx,
        queryset=SubsidyRoster.objects.select_related("division"),
        visible=SubsidyRoster.objects.filter(division=division),
        pk=roster_id,
        object_type=ObjectType.SUBSIDY_ROSTER,
        message=NOT_FOUND_ROSTER,
    )


def access_overpayment(ctx: RequestContext, overpayment_id: object) -> Overpayment:
    division = access_subsidy_home(ctx)
    return fetch_or_deny(
        ctx,
        queryset=Overpayment.objects.select_related("case", "found_in"),
        visible=Overpayment.objects.filter(found_in__division=division),
        pk=overpayment_id,
        object_type=ObjectType.OVERPAYMENT,
        message=NOT_FOUND_OVERPAYMENT,
    )
