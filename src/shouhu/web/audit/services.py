"""Writing to the audit log. Call inside the transaction of the change being audited."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from shouhu.web.audit.chain import entry_mac, key_ring
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry, AuditHead
from shouhu.web.audit.witness import witness_head


def audit_record(
    *,
    ctx: RequestContext,
    action: str,
    object_type: str = "",
    object_id: object = "",
    detail: dict[str, Any] | None = None,
    actor_username: str = "",
) -> AuditEntry:
    """Append one entry to the chain. Joins the caller's transaction, or opens its own."""
    user = ctx.user
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        if not head.chain_id:
            head.chain_id = secrets.token_hex(8)
        fields: dict[str, Any] = {
            "seq": head.last_seq + 1,
            "at": timezone.now(),
            "actor_id": user.pk if user else None,
            "actor_username": user.username if user else actor_username[:150],
            "role": user.role if user else "",
            "agency": user.agency.name if user and user.agency_id else "",
            "division_code": user.division_id if user else "",
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "purpose": ctx.purpose,
            "client_ip": ctx.client_ip,
            "detail": detail or {},
            "prev_hash": head.last_hash,
            "key_id": key_ring().current,
        }
        fields["hash"] = entry_mac(fields)
        entry = AuditEntry.objects.create(**fields)
        head.last_seq, head.last_hash = entry.seq, entry.hash
        head.save(update_fields=["last_seq", "last_hash", "chain_id"])
        transaction.on_commit(witness_head)
    return entry
