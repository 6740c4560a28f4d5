"""Writing divisions and persons of the household registry."""

from __future__ import annotations

from django.db import transaction

from shouhu.core.identity import division_level_of, division_table
from shouhu.web.registry.models import Division, DivisionLevel

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
