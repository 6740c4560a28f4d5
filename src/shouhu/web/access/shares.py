"""推送名单：县级民政经办人员发布本县的名单、看各部门的反馈；部门用户只看发给本部门的名单，
逐人反馈。别人的名单与“不存在”同一答复（记入审计）。

名单上的字段由共享授权决定（`shares.fields.granted_fields`）；这里只管“谁能打开哪份名单”。
"""

from __future__ import annotations

from django.db.models import QuerySet

from shouhu.core.errors import PermissionDenied
from shouhu.web.access._gate import acting_user, deny, fetch_or_deny, require_county
from shouhu.web.accounts.models import Agency, User
from shouhu.web.accounts.permissions import Right, Role, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.registry.models import Division, DivisionLevel
from shouhu.web.shares.models import ShareList

NOT_FOUND_LIST = "未找到该推送名单，或您无权查看。"
PUBLISHERS_ONLY = "只有县级民政经办人员可以发布推送名单。"
SHARE_USERS_ONLY = "只有县级民政经办人员和接收名单的部门用户可以查看推送名单。"


def may_publish_shares(user: User) -> bool:
    return may(user, Right.WRITE_CASES) and user.division.level == DivisionLevel.COUNTY


def may_give_feedback(user: User) -> bool:
    return user.role == Role.DEPARTMENT_USER and user.agency_id is not None


def may_see_shares(user: User) -> bool:
    return may_publish_shares(user) or may_give_feedback(user)


def share_lists_visible_to(user: User) -> QuerySet[ShareList]:
    if may_give_feedback(user):
        return ShareList.objects.filter(agency_id=user.agency_id)
    if may_publish_shares(user):
        return ShareList.objects.filter(division=user.division)
    return ShareList.objects.none()


def access_share_home(ctx: RequestContext) -> User:
    """推送名单的页面：县级民政经办人员，或部门用户（属于某个部门）。"""
    user = acting_user(ctx)
    if not may_see_shares(user):
        deny(ctx, ObjectType.SHARE_LIST, user.division_id, "role")
        raise PermissionDenied(SHARE_USERS_ONLY)
    return user


def access_share_publish(ctx: RequestContext) -> Division:
    return require_county(ctx, Right.WRITE_CASES, ObjectType.SHARE_LIST, PUBLISHERS_ONLY).division


def access_share_list(ctx: RequestContext, list_id: object) -> ShareList:
    user = access_share_home(ctx)
    return fetch_or_deny(
        ctx,
        queryset=ShareList.objects.select_related("agency", "division"),
        visible=share_lists_visible_to(user),
        pk=list_id,
        object_type=ObjectType.SHARE_LIST,
        message=NOT_FOUND_LIST,
    )


def access_share_feedback(ctx: RequestContext, list_id: object) -> ShareList:
    """反馈只由接收部门的部门用户填写；民政经办人员能看名单，但不能替部门反馈。"""
    share_list = access_share_list(ctx, list_id)
    user = acting_user(ctx)
    if not may_give_feedback(user):
        deny(ctx, ObjectType.SHARE_FEEDBACK, share_list.pk, "role")
        raise PermissionDenied("反馈由接收名单的部门填写。")
    return share_list


def access_credential_share_list(
    ctx: RequestContext, agency: Agency, purposes: list[str], list_id: object
) -> ShareList:
    """接口凭证取名单：只限凭证所属部门、凭证获授权的用途。"""
    return fetch_or_deny(
        ctx,
        queryset=ShareList.objects.select_related("agency", "division"),
        visible=ShareList.objects.filter(agency=agency, purpose__in=purposes),
        pk=list_id,
        object_type=ObjectType.SHARE_LIST,
        message=NOT_FOUND_LIST,
    )
