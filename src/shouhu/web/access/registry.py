"""户籍数据载入的报告：报送的公安部门和辖区的民政经办能看；挂起的移出人员只有民政经办能确认。

报告里有姓名和身份证号（变动清单、问题清单），所以领导等只看数字的角色不在其列。
"""

from __future__ import annotations

from django.db.models import QuerySet

from shouhu.core.catalog import catalog_load
from shouhu.core.errors import PermissionDenied
from shouhu.core.identity.registry import REGISTRY_ITEM
from shouhu.web.access._gate import acting_user, deny, fetch_or_deny, require
from shouhu.web.access.persons import persons_visible_to
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, is_submitter, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.registry.models import LoadStatus, Person, PersonMerge, RegistryLoad

NOT_FOUND_LOAD = "未找到该次户籍载入，或您无权查看。"


def may_see_registry_loads(user: User) -> bool:
    """菜单用：民政经办，和报送户籍名单的部门（公安）的报送员。"""
    if may(user, Right.WRITE_CASES):
        return True
    agency = user.agency if is_submitter(user) else None
    return (
        agency is not None and agency.agency_type == catalog_load().item(REGISTRY_ITEM).agency_type
    )


def registry_loads_visible_to(user: User) -> QuerySet[RegistryLoad]:
    if is_submitter(user):
        return RegistryLoad.objects.filter(submission__agency_id=user.agency_id)
    if may(user, Right.WRITE_CASES):
        return RegistryLoad.objects.filter(scope__path__startswith=user.division.path)
    return RegistryLoad.objects.none()


def access_registry_loads(ctx: RequestContext) -> QuerySet[RegistryLoad]:
    user = acting_user(ctx)
    if not (is_submitter(user) or may(user, Right.WRITE_CASES)):
        deny(ctx, ObjectType.REGISTRY_LOAD, user.division_id, "role")
        raise PermissionDenied("户籍数据载入只对报送部门和民政经办人员开放。")
    return registry_loads_visible_to(user)


def access_registry_load(
    ctx: RequestContext, load_id: object, *, to_decide: bool = False
) -> RegistryLoad:
    """一次载入；to_decide：确认或不采纳挂起的移出人员（民政经办，且须是挂起状态）。"""
    user = acting_user(ctx)
    visible = registry_loads_visible_to(user)
    if to_decide:
        visible = visible.filter(status=LoadStatus.HELD)  # 只对挂起的载入
        if not may(user, Right.WRITE_CASES):  # 只有民政经办
            visible = visible.none()
    return fetch_or_deny(
        ctx,
        queryset=RegistryLoad.objects.select_related("submission__agency", "scope"),
        visible=visible,
        pk=load_id,
        object_type=ObjectType.REGISTRY_LOAD,
        message=NOT_FOUND_LOAD,
    )


# ---------------------------------------------------------------- 人员合并


def access_duplicates(ctx: RequestContext) -> QuerySet[Person]:
    """疑似重复人员的查找与合并：民政经办，在本辖区内。"""
    user = require(
        ctx, Right.WRITE_CASES, ObjectType.DUPLICATE_LIST, "只有民政经办人员可以合并人员。"
    )
    return persons_visible_to(user)


def access_person_merge(ctx: RequestContext, merge_id: object) -> PersonMerge:
    user = require(
        ctx, Right.WRITE_CASES, ObjectType.PERSON_MERGE, "只有民政经办人员可以撤销合并。"
    )
    visible = PersonMerge.objects.filter(kept__division__path__startswith=user.division.path)
    return fetch_or_deny(
        ctx,
        queryset=PersonMerge.objects.select_related("kept", "merged", "merged_by"),
        visible=visible,
        pk=merge_id,
        object_type=ObjectType.PERSON_MERGE,
        message="未找到该次合并，或您无权查看。",
    )
