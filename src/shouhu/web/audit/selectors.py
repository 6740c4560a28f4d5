"""Reading and verifying the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shouhu.web.audit.chain import GENESIS, HASHED_FIELDS, KeyRing, entry_mac, key_ring
from shouhu.web.audit.models import AuditEntry, AuditHead
from shouhu.web.audit.witness import witness_read


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    message: str = ""


def _broken(checked: int, seq: int, message: str) -> ChainVerdict:
    return ChainVerdict(ok=False, checked=checked, first_bad_seq=seq, message=message)


def audit_chain_verify(*, batch_size: int = 5000) -> ChainVerdict:
    """Walk the chain in seq order, then hold it against its head row and the witness file.

    Names the first entry that was edited, deleted, inserted, re-signed without the key, or
    cut off the tail; and a head row that was deleted or moved, or a log that was emptied.
    """
    ring = key_ring()
    head = AuditHead.objects.filter(id=1).first()
    witnessed = _checkpoints(head)
    if isinstance(witnessed, ChainVerdict):
        return witnessed
    prev_hash, prev_seq, prev_at, checked = GENESIS, 0, None, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size):
        problem = _entry_problem(entry, prev_seq, prev_hash, prev_at, ring)
        if problem is not None:
            return _broken(checked, *problem)
        seen = witnessed.get(entry.seq)
        if seen is not None and seen != entry.hash:
            return _broken(checked, entry.seq, f"第 {entry.seq} 条与见证文件的记录不符（被改写）")
        prev_hash, prev_seq, prev_at, checked = entry.hash, entry.seq, entry.at, checked + 1
    return _tail_verdict(checked, prev_seq, prev_hash, head, witnessed)


def _entry_problem(
    entry: AuditEntry, prev_seq: int, prev_hash: str, prev_at: object, ring: KeyRing
) -> tuple[int, str] | None:
    if entry.seq != prev_seq + 1:
        missing = prev_seq + 1
        return missing, f"第 {missing} 条缺失（已被删除），其后为第 {entry.seq} 条"
    if entry.prev_hash != prev_hash:
        return entry.seq, f"第 {entry.seq} 条与前一条不衔接（被删除、替换或乱序插入）"
    if entry.key_id not in ring.keys:
        return entry.seq, f"第 {entry.seq} 条的签名密钥不在密钥文件中（伪造或密钥丢失）"
    fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
    if entry_mac(fields, ring) != entry.hash:
        return entry.seq, f"第 {entry.seq} 条内容被修改（签名不符）"
    if isinstance(prev_at, datetime) and entry.at < prev_at:
        return entry.seq, f"第 {entry.seq} 条时间早于前一条（乱序插入）"
    return None


def _checkpoints(head: AuditHead | None) -> dict[int, str] | ChainVerdict:
    """This chain's witnessed heads (seq → hash); a forged line fails the whole check."""
    lines = witness_read()
    bad = next((c for c in lines if not c.valid), None)
    if bad is not None:
        return _broken(0, 0, f"见证文件第 {bad.line} 行签名不符（见证文件被篡改）")
    chain_id = head.chain_id if head is not None and head.chain_id else None
    if chain_id is None and lines:
        chain_id = lines[-1].chain_id  # 链头记录被删：以见证文件最后记载的链为准
    return {c.seq: c.head_hash for c in lines if c.chain_id == chain_id}


def _tail_verdict(
    checked: int, last_seq: int, last_hash: str, head: AuditHead | None, witnessed: dict[int, str]
) -> ChainVerdict:
    furthest = max(witnessed, default=0)
    if furthest > last_seq:
        if last_seq == 0:
            return _broken(0, 1, f"审计日志已被清空（见证文件记载已有 {furthest} 条）")
        return _broken(
            checked,
            last_seq + 1,
            f"链尾第 {last_seq + 1} 条至第 {furthest} 条缺失（见证文件记载链尾为第 {furthest} 条）",
        )
    if head is None:
        if last_seq:
            return _broken(checked, last_seq, "链头记录已被删除（无法再核对链尾）")
        return ChainVerdict(ok=True, checked=0)
    if head.last_seq < last_seq:
        return _broken(
            checked,
            head.last_seq + 1,
            f"链头记录被改动：记载到第 {head.last_seq} 条，实有 {last_seq} 条",
        )
    if head.last_seq != last_seq or head.last_hash != last_hash:
        return _broken(
            checked,
            last_seq + 1,
            f"链尾第 {last_seq + 1} 条至第 {head.last_seq} 条缺失（已被删除）",
        )
    if last_seq and not witnessed:
        return _broken(checked, last_seq, "见证文件中没有本日志的检查点（见证文件被删除或更换）")
    return ChainVerdict(ok=True, checked=checked)
