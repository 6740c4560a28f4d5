"""系统管理：系统管理员在本辖区子树内管账户、部门、名册、区划和接口凭证；安全管理员管授权。

- 只有系统管理员（`Right.ADMINISTER`）能打开系统管理的页面；他看到的账户、部门、名册和凭证
  都在本辖区子树内，别处的与“不存在”同一答复（记入审计）。
- 三员分立：网页上不能改动自己的账户，也不能改动或授予系统管理员、安全管理员、安全审计员
  这三种角色——它们只在服务器上用命令行开设（`shouhu user …`，审计记下操作系统用户）。
- 接口凭证的服务账户不在账户列表里，只在凭证页管理。
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shouhu.core.errors import PermissionDenied
from shouhu.web.access._gate import deny, fetch_or_deny, require
from shouhu.web.access.persons import division_in_scope, subtree
from shouhu.web.accounts.models import Agency, RosterMember, SystemCredential, User
from shouhu.web.accounts.permissions import SEPARATED_ROLES, Right, Role, may
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import ObjectType
from shouhu.web.grants.models import Grant
from shouhu.web.grants.selectors import grant_editable, grants_visible_to, may_manage_type_wide
from shouhu.web.jobs.models import Job
from shouhu.web.registry.models import Division

NOT_FOUND_ACCOUNT = "未找到该账户，或不在您管辖的范围内。"
NOT_FOUND_AGENCY = "未找到该部门，或不在您管辖的范围内。"
NOT_FOUND_MEMBER = "未找到名册上的这个人，或不在您管辖的范围内。"
NOT_FOUND_CREDENTIAL = "未找到该接口凭证，或不在您管辖的范围内。"
ADMIN_ONLY = "只有系统管理员可以进行系统管理。"
SEPARATED = (
    "系统管理员、安全管理员和安全审计员的账户（三员）只能由服务器运维人员用命令行开设和变更，"
    "网页上不能改动或授予。"
)
NOT_FOUND_JOB = "未找到该后台任务，或不在您管辖的范围内。"
NOT_SELF = "不能在这里改动自己的账户；修改密码请到“我的账户”。"


def access_administration(ctx: RequestContext) -> User:
    """系统管理的页面：须是系统管理员（否则拒绝，记入审计）。"""
    return require(ctx, Right.ADMINISTER, ObjectType.ADMINISTRATION, ADMIN_ONLY)


def access_grants(ctx: RequestContext) -> User:
    """共享授权的页面：须是安全管理员。"""
    return require(ctx, Right.MANAGE_GRANTS, ObjectType.GRANTS, "只有安全管理员可以管理共享授权。")


NOT_FOUND_GRANT = "未找到该授权，或不在您管理的范围内。"
TYPE_WIDE_ONLY_PROVINCE = "对一类部门的授权影响全省，只有省级安全管理员可以新增或撤销。"


def access_grant(ctx: RequestContext, grant_id: object) -> Grant:
    """要撤销的一条授权：本辖区部门的，或（省级安全管理员）对一类部门的。"""
    user = access_grants(ctx)
    grant = fetch_or_deny(
        ctx,
        queryset=Grant.objects.select_related("agency"),
        visible=grants_visible_to(user),
        pk=grant_id,
        object_type=ObjectType.GRANT,
        message=NOT_FOUND_GRANT,
    )
    if not grant_editable(user, grant):
        deny(ctx, ObjectType.GRANT, grant.pk, "type_wide")
        raise PermissionDenied(TYPE_WIDE_ONLY_PROVINCE)
    return grant


def access_grant_receiver(ctx: RequestContext, agency_id: object) -> Agency | None:
    """新授权给谁：空表示一类部门（须是省级安全管理员）；否则本辖区内的一个部门。"""
    user = access_grants(ctx)
    if not agency_id:
        if not may_manage_type_wide(user):
            deny(ctx, ObjectType.GRANT, "", "type_wide")
            raise PermissionDenied(TYPE_WIDE_ONLY_PROVINCE)
        return None
    return fetch_or_deny(
        ctx,
        queryset=Agency.objects.all(),
        visible=Agency.objects.filter(division__path__startswith=subtree(user)),
        pk=agency_id,
        object_type=ObjectType.AGENCY,
        message=NOT_FOUND_AGENCY,
    )


def _administered(user: User) -> bool:
    return may(user, Right.ADMINISTER)


def accounts_visible_to(user: User) -> QuerySet[User]:
    """本辖区子树内的账户（不含接口凭证的服务账户）。"""
    if not _administered(user):
        return User.objects.none()
    return User.objects.filter(division__path__startswith=subtree(user), credential__isnull=True)


def access_account(ctx: RequestContext, user_id: object, *, for_write: bool = False) -> User:
    """辖区内的一个账户；for_write 时不能是自己，也不能是三员的账户（拒绝，记入审计）。"""
    admin = access_administration(ctx)
    account = fetch_or_deny(
        ctx,
        queryset=User.objects.select_related("division", "agency"),
        visible=accounts_visible_to(admin),
        pk=user_id,
        object_type=ObjectType.USER,
        message=NOT_FOUND_ACCOUNT,
    )
    if for_write and account.pk == admin.pk:
        deny(ctx, ObjectType.USER, account.pk, "self")
        raise PermissionDenied(NOT_SELF)
    if for_write and account.role in SEPARATED_ROLES:
        deny(ctx, ObjectType.USER, account.pk, "separated_role")
        raise PermissionDenied(SEPARATED)
    return account


def assignable_roles() -> list[Role]:
    """网页上可以授予的角色：三员以外的全部。"""
    return [role for role in Role if role not in SEPARATED_ROLES]


def access_assignable_role(ctx: RequestContext, role: str) -> str:
    """要授予的角色：三员的角色拒绝（记入审计）；不认识的值原样交给服务去报错。"""
    access_administration(ctx)
    if role in SEPARATED_ROLES:
        deny(ctx, ObjectType.USER, role, "separated_role")
        raise PermissionDenied(SEPARATED)
    return role


def access_admin_division(ctx: RequestContext, division_code: object) -> Division:
    """系统管理员辖区内（含本级）的一个区划。"""
    access_administration(ctx)
    return division_in_scope(ctx, division_code)


def agencies_administered_by(user: User) -> QuerySet[Agency]:
    if not _administered(user):
        return Agency.objects.none()
    return Agency.objects.filter(division__path__startswith=subtree(user))


def access_admin_agency(ctx: RequestContext, agency_id: object) -> Agency:
    admin = access_administration(ctx)
    return fetch_or_deny(
        ctx,
        queryset=Agency.objects.select_related("division"),
        visible=agencies_administered_by(admin),
        pk=agency_id,
        object_type=ObjectType.AGENCY,
        message=NOT_FOUND_AGENCY,
    )


def roster_visible_to(user: User) -> QuerySet[RosterMember]:
    if not _administered(user):
        return RosterMember.objects.none()
    return RosterMember.objects.filter(division__path__startswith=subtree(user))


def access_roster_member(ctx: RequestContext, member_id: object) -> RosterMember:
    admin = access_administration(ctx)
    return fetch_or_deny(
        ctx,
        queryset=RosterMember.objects.select_related("division", "user"),
        visible=roster_visible_to(admin),
        pk=member_id,
        object_type=ObjectType.ROSTER_MEMBER,
        message=NOT_FOUND_MEMBER,
    )


def credentials_visible_to(user: User) -> QuerySet[SystemCredential]:
    if not _administered(user):
        return SystemCredential.objects.none()
    return SystemCredential.objects.filter(agency__division__path__startswith=subtree(user))


def access_credential(ctx: RequestContext, credential_id: object) -> SystemCredential:
    admin = access_administration(ctx)
    return fetch_or_deny(
        ctx,
        queryset=SystemCredential.objects.select_related("agency", "account"),
        visible=credentials_visible_to(admin),
        pk=credential_id,
        object_type=ObjectType.CREDENTIAL,
        message=NOT_FOUND_CREDENTIAL,
    )


def jobs_visible_to(admin: User) -> QuerySet[Job]:
    """本辖区子树内的用户发起的后台任务；没有发起人的（定时比对、例行任务）只给最上级的系统
    管理员。任务行里只有编号和数量，没有个人信息。"""
    mine = Q(created_by__division__path__startswith=subtree(admin))
    if admin.division.parent_id is None:
        mine |= Q(created_by__isnull=True)
    return Job.objects.filter(mine)


def access_admin_job(ctx: RequestContext, job_id: object) -> Job:
    admin = access_administration(ctx)
    return fetch_or_deny(ctx, queryset=Job.objects.all(), visible=jobs_visible_to(admin),
                         pk=job_id, object_type=ObjectType.JOB, message=NOT_FOUND_JOB)  # fmt: skip
