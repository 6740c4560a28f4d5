"""Reading and verifying the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from shouhu.web.audit.chain import GENESIS, HASHED_FIELDS, entry_hash
from shouhu.web.audit.models import AuditEntry, AuditHead


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    message: str = ""


def _broken(checked: int, seq: int, message: str) -> ChainVerdict:
    return ChainVerdict(ok=False, checked=checked, first_bad_seq=seq, message=message)


def audit_chain_verify(*, batch_size: int = 5000) -> ChainVerdict:
    """Walk the chain in seq order; name the first entry that was edited, deleted or inserted."""
    prev_hash, prev_seq, prev_at, checked = GENESIS, 0, None, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size):
        if entry.seq != prev_seq + 1:
            return _broken(
                checked,
                prev_seq + 1,
                f"第 {prev_seq + 1} 条缺失（已被删除），其后为第 {entry.seq} 条",
            )
        if entry.prev_hash != prev_hash:
            return _broken(
                checked, entry.seq, f"第 {entry.seq} 条与前一条不衔接（被删除、替换或乱序插入）"
            )
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        if entry_hash(fields) != entry.hash:
            return _broken(checked, entry.seq, f"第 {entry.seq} 条内容被修改（哈希不符）")
        if prev_at is not None and entry.at < prev_at:
            return _broken(checked, entry.seq, f"第 {entry.seq} 条时间早于前一条（乱序插入）")
        prev_hash, prev_seq, prev_at, checked = entry.hash, entry.seq, entry.at, checked + 1
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.last_seq != prev_seq or head.last_hash != prev_hash):
        return _broken(
            checked,
            prev_seq + 1,
            f"链尾第 {prev_seq + 1} 条至第 {head.last_seq} 条缺失（已被删除）",
        )
    return ChainVerdict(ok=True, checked=checked)
