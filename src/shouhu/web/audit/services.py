"""Writing to the audit log. Call inside the transaction of the change being audited."""

from __future__ import annotations

import secrets
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone

from shouhu.core.catalog import AGENCY_LABELS
from shouhu.core.errors import InvalidInput
from shouhu.web.audit.chain import HASHED_FIELDS, entry_mac, key_ring
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import (
    AccessSuppression,
    Action,
    AuditEntry,
    AuditHead,
    ChainCheck,
    ObjectType,
)
from shouhu.web.audit.witness import witness_entry_on_commit

if TYPE_CHECKING:
    from shouhu.web.accounts.models import User


def audit_record(
    *,
    ctx: RequestContext,
    action: str,
    object_type: str = "",
    object_id: object = "",
    detail: dict[str, Any] | None = None,
    actor_username: str = "",
) -> AuditEntry:
    """Append one entry to the chain. Joins the caller's transaction, or opens its own.

    The chain's head row is locked from the read of the head to the commit: every audited request
    of the platform passes it one at a time, and under load on PostgreSQL requests queue behind
    it (bench/load/README.md). So whatever does not depend on the head — the actor's agency, one
    more query — is read before the lock; the time (kept in order along the chain) and the
    sequence number under it. The entry is built before the lock too (a model instance costs more
    than the MAC); under it only the head is read, the entry signed and inserted, the head moved.
    """
    user = ctx.user
    entry = AuditEntry(
        actor_id=user.pk if user else None,
        actor_username=user.username if user else actor_username[:150],
        role=user.role if user else "",
        agency=user.agency.name if user and user.agency_id else "",
        division_code=user.division_id if user else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        purpose=ctx.purpose,
        client_ip=ctx.client_ip,
        detail=detail or {},
        key_id=key_ring().current,
    )
    # 不另设保存点：在调用方的事务里，写不进审计的改动本来就要整个回滚（也少两次往返）
    with transaction.atomic(savepoint=False):
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        if not head.chain_id:
            head.chain_id = secrets.token_hex(8)
        entry.seq, entry.at, entry.prev_hash = head.last_seq + 1, timezone.now(), head.last_hash
        entry.hash = entry_mac({name: getattr(entry, name) for name in HASHED_FIELDS})
        head.last_seq, head.last_hash = entry.seq, entry.hash
        _append(entry, head)
        witness_entry_on_commit(head.chain_id, entry.seq, entry.hash)
    return entry


def _append(entry: AuditEntry, head: AuditHead) -> None:
    """Insert the entry and move the head. On PostgreSQL in one statement (one round trip fewer
    while the head is locked); SQLite, whose writers queue anyway, takes the two."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        entry.save(force_insert=True)
        head.save(update_fields=["last_seq", "last_hash", "chain_id"])
        return
    query = InsertQuery(AuditEntry)
    query.insert_values(AuditEntry._meta.concrete_fields, [entry])
    ((insert, params),) = query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH entry AS ({insert} RETURNING 1) UPDATE {AuditHead._meta.db_table} "
            "SET last_seq = %s, last_hash = %s, chain_id = %s WHERE id = %s",
            [*params, head.last_seq, head.last_hash, head.chain_id, head.pk],
        )
    entry._state.adding = False


def chain_check_run(*, by: User | None) -> ChainCheck:
    """Verify the chain and keep the verdict (the auditor's desk shows the latest)."""
    from shouhu.web.audit.selectors import audit_chain_verify

    verdict = audit_chain_verify()
    return ChainCheck.objects.create(
        ok=verdict.ok,
        checked=verdict.checked,
        first_bad_seq=verdict.first_bad_seq,
        message=verdict.message[:300],
        by=by,
    )


def chain_check_request(*, ctx: RequestContext) -> None:
    """审计员要求立即校验：排一个后台任务，记入审计。"""
    from shouhu.web.jobs.registry import JobKind
    from shouhu.web.jobs.services import job_enqueue

    with transaction.atomic():
        job = job_enqueue(kind=JobKind.AUDIT_VERIFY, payload={}, created_by=ctx.user)
        audit_record(ctx=ctx, action=Action.CREATE, object_type=ObjectType.JOB, object_id=job.pk,
                     detail={"kind": "audit_verify"})  # fmt: skip


def suppression_create(
    *, ctx: RequestContext, agency_type: str, until: date, reason: str
) -> AccessSuppression:
    """安全管理员：某类机关的查看在截止日前不列入给监护人的查看记录。"""
    reason = reason.strip()
    if agency_type not in AGENCY_LABELS:
        raise InvalidInput("请选择机关类型。")
    if not reason:
        raise InvalidInput("请写明依据（例如：刑事诉讼法第一百五十二条，侦查期间保密）。")
    if until <= timezone.localdate():
        raise InvalidInput("截止日期应晚于今天。")
    assert ctx.user is not None
    with transaction.atomic():
        item = AccessSuppression.objects.create(
            agency_type=agency_type, until=until, reason=reason[:200], set_by=ctx.user
        )
        audit_record(ctx=ctx, action=Action.CREATE, object_type=ObjectType.ACCESS_SUPPRESSION,
                     object_id=item.pk, detail={"agency_type": agency_type,
                                                "until": until.isoformat()})  # fmt: skip
    return item


def suppression_revoke(*, ctx: RequestContext, item: AccessSuppression) -> None:
    with transaction.atomic():
        item.revoked_at = timezone.now()
        item.save(update_fields=["revoked_at"])
        audit_record(ctx=ctx, action=Action.UPDATE, object_type=ObjectType.ACCESS_SUPPRESSION,
                     object_id=item.pk, detail={"revoked": True})  # fmt: skip
