"""写授权：新增、撤销、载入默认授权。每一次都记入审计日志。"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.grants.defaults import DEFAULT_BASIS, default_grants
from shouhu.web.grants.models import Grant


@transaction.atomic
def grants_ensure_defaults(*, ctx: RequestContext) -> int:
    """载入默认授权：某部门类型、数据项、用途、角色组合从未授权过（包括已撤销的）才加。幂等。"""
    existing = {
        (g.agency_type, g.item_code, g.purpose, tuple(sorted(g.roles)))
        for g in Grant.objects.filter(agency__isnull=True)
    }
    new = [
        Grant(agency_type=s.agency_type, item_code=s.item_code, purpose=s.purpose,
              roles=list(s.roles), level=s.level, basis=DEFAULT_BASIS)
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
