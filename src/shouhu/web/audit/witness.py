"""The witness: signed checkpoints of the audit chain's head, appended to a file outside the
database after every transaction that wrote to the log (and so at the end of every command and
every web request that changed anything).

A copy of the database whose tail was cut, or that was emptied, or whose head row was reset,
no longer reaches the last witnessed entry; `audit_chain_verify` says so. The window: entries
committed after the last checkpoint line that reached the disk (milliseconds, or the lines lost
if the machine stops before the file is flushed) — and an attacker who can also rewrite this file
on the same machine. Keep the file on another disk, make it append-only (`chattr +a`), or ship it:
each checkpoint is also logged on the `shouhu.audit.witness` logger (sequence and hash only).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shouhu.web.audit.chain import checkpoint_mac, key_ring
from shouhu.web.audit.models import AuditHead

logger = logging.getLogger("shouhu.audit.witness")
_last: dict[str, int] = {}  # 本进程已见证到的位置：链 → 序号（同一链头不重复写）
_written = threading.local()  # 本线程最近写入的一条：链 → 序号（一个事务写了几条时只见证最后一条）


@dataclass(frozen=True)
class Checkpoint:
    line: int
    chain_id: str
    seq: int
    head_hash: str
    valid: bool  # 签名相符


def witness_entry_on_commit(chain_id: str, seq: int, entry_hash: str) -> None:
    """写入一条后调用（事务之内）：提交后见证这一条，不必再读链头。

    同一事务写了几条时，前几条的回调看到本线程随后又写了一条，留给最后一条去见证：每个事务一行，
    与读链头时一样。随后那条所在的保存点回滚了的，这个事务的几条就等下一次写入时一并见证（见证的
    只会是已经提交的条目）。"""
    written = getattr(_written, "seq", None)
    if written is None:
        written = _written.seq = {}
    written[chain_id] = seq

    def _witness() -> None:
        if _written.seq.get(chain_id, seq) > seq or _last.get(chain_id, 0) >= seq:
            return
        try:
            _append(chain_id, seq, entry_hash)
            _last[chain_id] = seq
        except Exception:  # 见证失败不能让已提交的请求失败；日志里只有异常类型
            logger.exception("audit witness append failed")

    transaction.on_commit(_witness)


def witness_head() -> None:
    """Append the current head (after commit). Never raises: the change is already committed."""
    try:
        head = AuditHead.objects.filter(id=1).first()
        if head is None or not head.chain_id or _last.get(head.chain_id) == head.last_seq:
            return
        _append(head.chain_id, head.last_seq, head.last_hash)
        _last[head.chain_id] = head.last_seq
    except Exception:  # 见证失败不能让已提交的请求失败；日志里只有异常类型
        logger.exception("audit witness append failed")


def _append(chain_id: str, seq: int, head_hash: str) -> None:
    key_id = key_ring().current
    mac = checkpoint_mac(key_id, chain_id, seq, head_hash)
    at = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    path = Path(settings.AUDIT_WITNESS_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, f"{at} {chain_id} {seq} {head_hash} {key_id} {mac}\n".encode("ascii"))
    finally:
        os.close(fd)
    logger.info("audit head chain=%s seq=%d hash=%s", chain_id, seq, head_hash)


def witness_read() -> list[Checkpoint]:
    path = Path(settings.AUDIT_WITNESS_FILE)
    if not path.exists():
        return []
    ring = key_ring()
    out = []
    with path.open(encoding="ascii", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            parts = line.split()
            if len(parts) != 6 or not parts[2].isdigit():
                out.append(Checkpoint(number, "", 0, "", valid=False))
                continue
            _, chain_id, seq, head_hash, key_id, mac = parts
            valid = (
                key_id in ring.keys and checkpoint_mac(key_id, chain_id, int(seq), head_hash) == mac
            )
            out.append(Checkpoint(number, chain_id, int(seq), head_hash, valid))
    return out
