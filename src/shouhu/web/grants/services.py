"""写授权：新增、撤销、载入默认授权。每一次都记入审计日志。"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from shouhu.core.catalog import AGENCY_LABELS, catalog_load
from shouhu.core.errors import InvalidInput
from shouhu.web.accounts.models import Agency
from shouhu.web.accounts.permissions import Role
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.grants.defaults import DEFAULT_BASIS, SHARE_FIELDS, SHARE_ITEM, default_grants
from shouhu.web.grants.models import DisclosureLevel, Grant
from shouhu.web.grants.selectors import grantable_roles

MAX_BASIS = 200


@transaction.atomic
def grant_create(
    *,
    ctx: RequestContext,
    agency_type: str,
    agency: Agency | None,
    item_code: str,
    purpose: str,
    roles: list[str],
    level: str,
    valid_until: date | None,
    basis: str,
    fields: list[str] | None = None,
) -> Grant:
    """新增一条授权。数据项须声明了这个用途（推送名单的用途除外）；依据必填，说明为什么给。

    推送名单（item_code 为 SHARE_ITEM）的授权：用途须是推送用途，并列出名单上可带的字段。"""
    if item_code == SHARE_ITEM:
        return _share_grant_create(ctx=ctx, agency_type=agency_type, agency=agency,
                                   purpose=purpose, roles=roles, valid_until=valid_until,
                                   basis=basis, fields=fields or [])  # fmt: skip
    catalog = catalog_load()
    item = next((i for i in catalog.items if i.code == item_code and i.fact_types), None)
    if agency is not None:
        agency_type = agency.agency_type
    if agency_type not in AGENCY_LABELS:
        raise InvalidInput("请选择部门类型。")
    if item is None:
        raise InvalidInput("请选择数据项。")
    chosen = catalog.purposes.get(purpose)
    if chosen is None or chosen.kind == "platform":
        raise InvalidInput("请选择用途。")
    if chosen.kind == "use" and purpose not in (*item.purposes, "case_work"):
        raise InvalidInput(f"数据项“{item.name}”没有声明“{chosen.label}”这一用途，不能为它授权。")
    allowed = {code for code, _ in grantable_roles()}
    if not roles or not set(roles) <= allowed:
        raise InvalidInput("请至少选择一个角色。")
    if level not in DisclosureLevel.values:
        raise InvalidInput("请选择可见程度：概况或详情。")
    basis = _terms_checked(valid_until=valid_until, basis=basis)
    grant = Grant.objects.create(
        agency_type=agency_type, agency=agency, item_code=item.code, purpose=purpose,
        roles=sorted(set(roles)), level=level, valid_until=valid_until,
        basis=basis[:MAX_BASIS], created_by=ctx.user,
    )  # fmt: skip
    audit_record(ctx=ctx, action=Action.CREATE, object_type=ObjectType.GRANT, object_id=grant.pk,
                 detail={"item": item.code, "purpose": purpose, "level": level})  # fmt: skip
    return grant


def _terms_checked(*, valid_until: date | None, basis: str) -> str:
    """授权的期限和依据：有效期不早于今天，依据必填。返回去掉首尾空白的依据。"""
    if valid_until is not None and valid_until < timezone.localdate():
        raise InvalidInput("有效期不能早于今天。")
    basis = basis.strip()
    if not basis:
        raise InvalidInput("请写明授权的依据（文件、会议纪要或协议）。")
    return basis


def _share_grant_create(
    *,
    ctx: RequestContext,
    agency_type: str,
    agency: Agency | None,
    purpose: str,
    roles: list[str],
    valid_until: date | None,
    basis: str,
    fields: list[str],
) -> Grant:
    if agency is not None:
        agency_type = agency.agency_type
    if agency_type not in AGENCY_LABELS:
        raise InvalidInput("请选择部门类型。")
    chosen = catalog_load().purposes.get(purpose)
    if chosen is None or chosen.kind != "share":
        raise InvalidInput("推送名单的授权请选择推送用途（如“资助参保和医疗救助”）。")
    picked = [code for code in SHARE_FIELDS if code in set(fields)]
    if not picked:
        raise InvalidInput("请勾选名单上可带的字段（至少一项）。")
    if set(roles) != {Role.DEPARTMENT_USER}:
        raise InvalidInput("推送名单只授权给接收部门的“部门用户”。")
    basis = _terms_checked(valid_until=valid_until, basis=basis)
    grant = Grant.objects.create(
        agency_type=agency_type, agency=agency, item_code=SHARE_ITEM, purpose=purpose,
        roles=[Role.DEPARTMENT_USER], level=DisclosureLevel.DETAIL, fields=picked,
        valid_until=valid_until, basis=basis[:MAX_BASIS], created_by=ctx.user,
    )  # fmt: skip
    audit_record(ctx=ctx, action=Action.CREATE, object_type=ObjectType.GRANT, object_id=grant.pk,
                 detail={"item": SHARE_ITEM, "purpose": purpose, "fields": picked})  # fmt: skip
    return grant


@transaction.atomic
def grants_ensure_defaults(*, ctx: RequestContext) -> int:
    """载入默认授权：某部门类型、数据项、用途、角色组合从未授权过（包括已撤销的）才加。幂等。"""
    existing = {
        (g.agency_type, g.item_code, g.purpose, tuple(sorted(g.roles)))
        for g in Grant.objects.filter(agency__isnull=True)
    }
    new = [
        Grant(agency_type=s.agency_type, item_code=s.item_code, purpose=s.purpose,
              roles=list(s.roles), level=s.level, fields=list(s.fields), basis=DEFAULT_BASIS)
        for s in default_grants()
        if (s.agency_type, s.item_code, s.purpose, tuple(sorted(s.roles))) not in existing
    ]  # fmt: skip
    Grant.objects.bulk_create(new)
    if new:
        audit_record(ctx=ctx, action=Action.CREATE, object_type=ObjectType.GRANT,
                     detail={"defaults": len(new)})  # fmt: skip
    return len(new)


@transaction.atomic
def grant_revoke(*, ctx: RequestContext, grant: Grant) -> Grant:
    if grant.revoked_at is None:
        grant.revoked_at, grant.revoked_by = timezone.now(), ctx.user
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(ctx=ctx, action=Action.CLOSE, object_type=ObjectType.GRANT,
                     object_id=grant.pk)  # fmt: skip
    return grant
