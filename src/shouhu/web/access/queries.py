"""查询服务：谁能问、能问谁、谁能答。

- 部门一侧：只答本部署声明提供查询的数据项（SHOUHU_QUERY_SERVED_ITEMS），只答民政部门的接口凭证，
  用途须是该数据项允许的用途；不符合的一律拒绝并记审计。
- 民政一侧：只能就自己看得到的个案（辖区内）询问，问的是个案儿童的父母；问谁由个案决定，
  不能随意输入姓名号码。
"""

from __future__ import annotations

from django.db.models import QuerySet

from shouhu.core.catalog import DataItem, catalog_load
from shouhu.core.errors import DomainError, NotFound, PermissionDenied
from shouhu.web.access._gate import acting_user, deny
from shouhu.web.access.persons import access_case, subtree
from shouhu.web.accounts.models import SystemCredential, User
from shouhu.web.accounts.permissions import Role
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.cases.models import Case
from shouhu.web.queries.models import Direction, QueryLog

NOT_SERVED = "本平台不提供该数据项的查询服务。"


def access_query_service(
    ctx: RequestContext, credential: SystemCredential, item_code: str, purpose: str
) -> DataItem:
    """部门一侧：这张凭证能否就 item_code 以 purpose 提出查询。"""
    from django.conf import settings

    if item_code not in settings.QUERY_SERVED_ITEMS:
        deny(ctx, ObjectType.QUERY, item_code, "not_served")
        raise NotFound(NOT_SERVED)
    if credential.agency.agency_type != "civil_affairs":
        deny(ctx, ObjectType.QUERY, item_code, "not_civil_affairs")
        raise PermissionDenied("只有民政部门可以使用查询服务。")
    try:
        item = catalog_load(credential.agency.division_id[:6]).item(item_code)
    except DomainError:
        deny(ctx, ObjectType.QUERY, item_code, "unknown_item")
        raise NotFound(NOT_SERVED) from None
    if purpose not in item.purposes:
        deny(ctx, ObjectType.QUERY, item_code, f"purpose:{purpose}")
        raise PermissionDenied(f"数据项“{item.name}”不能用于该用途。")
    return item


def access_query_cases(ctx: RequestContext, case_ids: list[object]) -> list[Case]:
    """民政一侧：要询问的个案，每一个都须是本人看得到的（否则整批拒绝，记审计）。"""
    if not case_ids:
        raise NotFound("请至少选择一个个案。")
    return [access_case(ctx, case_id) for case_id in dict.fromkeys(case_ids)]


# 查询记录页：民政经办、领导、审计员看本辖区民政提出的查询；部门报送员看本平台就本部门类型的数据项
# 答复的查询。记录里没有姓名和号码，只有谁、为何（用途、个案编号）、问了几人、几人在名单中。
ASKERS = frozenset({Role.CASEWORKER, Role.LEADER, Role.AUDITOR})


def query_log_visible_to(user: User) -> QuerySet[QueryLog] | None:
    """能看的查询记录；不能看的角色为 None。"""
    if user.role in ASKERS:
        return QueryLog.objects.filter(
            direction=Direction.ASKED, agency__division__path__startswith=subtree(user)
        )
    if user.role == Role.DATA_SUBMITTER and user.agency_id:
        items = catalog_load(user.division_id[:6]).items_for(user.agency.agency_type)
        codes = [item.code for item in items]
        return QueryLog.objects.filter(direction=Direction.ANSWERED, item_code__in=codes)
    return None


def access_query_log(ctx: RequestContext) -> QuerySet[QueryLog]:
    visible = query_log_visible_to(acting_user(ctx))
    if visible is None:
        deny(ctx, ObjectType.QUERY, "log", "role")
        raise PermissionDenied("您的角色不查看查询记录。")
    return visible
