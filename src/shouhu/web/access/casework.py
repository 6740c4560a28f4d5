"""个案工作（核查、探访、风险等级、强制报告）：辖区子树内的个案，再看角色能不能做这件事。

先按辖区取个案（“不存在”和“不是你的”同一个答复），再看角色：这样辖区外的个案永远答 404，
辖区内而角色不能做的答 403，两种拒绝都记入审计。
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from django.db.models import QuerySet

from shouhu.core.errors import PermissionDenied
from shouhu.web.access._gate import acting_user, deny, require
from shouhu.web.access.persons import access_case, cases_visible_to
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.cases.models import Case, CaseStatus

REFUSED: Final = MappingProxyType(
    {
        Right.RECORD_VISITS: "您的角色不能记录探访。",
        Right.RECORD_REVIEWS: "您的角色不能记录核查。",
        Right.REPORT_CHILD: "您的角色不能提交强制报告。",
        Right.WRITE_CASES: "您的角色不能修改个案。",
    }
)


def access_case_work(ctx: RequestContext, case_id: object, right: Right) -> Case:
    """辖区内的个案，且角色有这项个案工作的权限；否则 NotFound / PermissionDenied（记入审计）。"""
    user = acting_user(ctx)
    case = access_case(ctx, case_id)
    if not may(user, right):
        deny(ctx, ObjectType.CASE, case.pk, f"role:{right.value}")
        raise PermissionDenied(REFUSED[right])
    return case


def access_case_work_list(ctx: RequestContext) -> QuerySet[Case]:
    """个案工作清单（应探访、应核查、重大变故）：辖区内保障中的个案。"""
    user = require(
        ctx, Right.READ_PERSONS, ObjectType.CASE_WORK_LIST, "您的角色不能查看个案工作清单。"
    )
    return cases_visible_to(user).filter(status=CaseStatus.ACTIVE)
