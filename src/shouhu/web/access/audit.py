"""审计日志：只有安全审计员读（辖区内用户的记录）；“不告知”设置归安全管理员；给监护人的查看记录由
民政经办打印。"""

from __future__ import annotations

from shouhu.web.access._gate import fetch_or_deny, require
from shouhu.web.access.persons import access_person
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AccessSuppression, ObjectType
from shouhu.web.registry.models import Person


def access_audit_log(ctx: RequestContext) -> User:
    return require(
        ctx, Right.READ_AUDIT_LOG, ObjectType.AUDIT_LOG, "只有安全审计员可以查阅审计日志。"
    )


def access_suppressions(ctx: RequestContext) -> User:
    return require(
        ctx, Right.MANAGE_GRANTS, ObjectType.ACCESS_SUPPRESSION, "只有安全管理员可以设定。"
    )


def access_suppression(ctx: RequestContext, suppression_id: object) -> AccessSuppression:
    access_suppressions(ctx)
    return fetch_or_deny(
        ctx,
        queryset=AccessSuppression.objects.all(),
        visible=AccessSuppression.objects.all(),
        pk=suppression_id,
        object_type=ObjectType.ACCESS_SUPPRESSION,
        message="未找到该设定。",
    )


def access_access_report(ctx: RequestContext, person_id: object) -> Person:
    """给监护人的查看记录：本辖区的民政经办，对本辖区的人。"""
    require(ctx, Right.WRITE_CASES, ObjectType.ACCESS_REPORT, "只有民政经办人员可以出具查看记录。")
    return access_person(ctx, person_id)
