"""Writing divisions and persons of the household registry."""

from __future__ import annotations

from django.db import transaction

from shouhu.core.errors import InvalidInput
from shouhu.core.identity import division_level_of, division_table
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.registry.baseline import registry_load_decided
from shouhu.web.registry.models import Division, DivisionLevel, LoadStatus, RegistryLoad

LEVEL_ORDER = [level.value for level in DivisionLevel]  # parents before children


def division_create(
    *, code: str, name: str, parent: Division | None, synthetic: bool = False
) -> Division:
    path = f"{parent.path if parent else '/'}{code}/"
    division, _ = Division.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "level": division_level_of(code),
            "parent": parent,
            "path": path,
            "synthetic": synthetic,
        },
    )
    return division


@transaction.atomic
def division_sync_from_table() -> int:
    """Load every division the identity core knows (GB/T 2260 and the demo villages). Idempotent."""
    by_code: dict[str, Division] = {}
    for row in sorted(division_table(), key=lambda d: (LEVEL_ORDER.index(d.level), d.code)):
        parent = by_code.get(row.parent_code) if row.parent_code else None
        by_code[row.code] = division_create(
            code=row.code, name=row.name, parent=parent, synthetic=row.synthetic
        )
    return len(by_code)


def registry_load_decide(*, ctx: RequestContext, load: RegistryLoad, confirm: bool) -> int:
    """民政经办人员对一次全量名单挂起的移出人员作出决定（确认标记，或不采纳）。审计。"""
    if load.status != LoadStatus.HELD:
        raise InvalidInput("这次户籍载入没有待确认的移出人员。")
    assert ctx.user is not None
    with transaction.atomic():
        pending = load.pending.count()
        marked = registry_load_decided(load, confirm=confirm, user_id=ctx.user.pk)
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.REGISTRY_LOAD,
            object_id=load.pk,
            detail={
                "decision": "confirm" if confirm else "discard",
                "pending": pending,
                "marked": marked,
            },
        )
    return marked
