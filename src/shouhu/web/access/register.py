"""台账导入：县级民政经办人员把本县原有的台账导入平台，只能导入本辖区户籍中的儿童。

导入的是台账，开的是个案：须有写个案的权限（民政经办），且在县级——台账由县（区、旗）
民政部门管理。别人的导入与“不存在”同一答复（记入审计）。
"""

from __future__ import annotations

from django.db.models import QuerySet

from shouhu.web.access._gate import fetch_or_deny, require_county
from shouhu.web.access.persons import subtree
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.cases.models import RegisterImport
from shouhu.web.registry.models import Division, DivisionLevel

NOT_FOUND_REGISTER_IMPORT = "未找到该台账导入，或您无权查看。"
CASEWORKERS_ONLY = "只有县级民政经办人员可以导入台账。"


def may_import_register(user: User) -> bool:
    return may(user, Right.WRITE_CASES) and user.division.level == DivisionLevel.COUNTY


def register_imports_visible_to(user: User) -> QuerySet[RegisterImport]:
    if not may_import_register(user):
        return RegisterImport.objects.none()
    return RegisterImport.objects.filter(division__path__startswith=subtree(user))


def access_register_import_start(ctx: RequestContext) -> Division:
    """台账导入的页面：县级民政经办人员；返回导入的辖区（本县）。"""
    return require_county(
        ctx, Right.WRITE_CASES, ObjectType.REGISTER_IMPORT, CASEWORKERS_ONLY
    ).division


def access_register_import(ctx: RequestContext, import_id: object) -> RegisterImport:
    """本县的一次台账导入（确认列对应、看结果、下载未导入的行）。"""
    division = access_register_import_start(ctx)
    return fetch_or_deny(
        ctx,
        queryset=RegisterImport.objects.select_related("division"),
        visible=RegisterImport.objects.filter(division=division),
        pk=import_id,
        object_type=ObjectType.REGISTER_IMPORT,
        message=NOT_FOUND_REGISTER_IMPORT,
    )
