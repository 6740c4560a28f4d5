"""The audit log's seal: each entry is chained to the one before and signed with a key kept
outside the database (SM3-HMAC, GB/T 15852.2 with the SM3 hash), so that nobody who can only
write to the database can edit, delete, insert or re-chain entries unnoticed.

The key ring is a file (`settings.AUDIT_KEY_FILE`): one `id:hex` line per key, the last signs new
entries, older ones still verify old entries (rotation: `shouhu audit rotate-key`). Pure functions
here; the writer is `services.audit_record`, the verifier `selectors.audit_chain_verify`.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac
from django.conf import settings

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "role",
    "agency",
    "division_code",
    "action",
    "object_type",
    "object_id",
    "purpose",
    "client_ip",
    "detail",
    "prev_hash",
    "key_id",
)


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    current: str  # the id that signs new entries

    def mac(self, key_id: str, message: bytes) -> str:
        key = self.keys.get(key_id)
        if key is None:
            raise KeyError(key_id)
        signer = hmac.HMAC(key, hashes.SM3())
        signer.update(message)
        return signer.finalize().hex()


def _read_ring(path: Path) -> KeyRing:
    keys: dict[str, bytes] = {}
    for line in path.read_text(encoding="ascii").splitlines():
        key_id, _, value = line.strip().partition(":")
        if key_id and value:
            keys[key_id] = bytes.fromhex(value)
    if not keys:
        raise ValueError(f"审计密钥文件 {path} 中没有密钥")
    return KeyRing(keys=keys, current=list(keys)[-1])


def key_add(path: Path) -> str:
    """Append a new key to the ring (creating the file, owner-only); return its id."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key_id = secrets.token_hex(4)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="ascii") as out:
        out.write(f"{key_id}:{secrets.token_hex(32)}\n")
    key_ring.cache_clear()
    return key_id


def _key_file_create(path: Path) -> None:
    """The first key, written whole before the file appears (processes starting together)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(f"{secrets.token_hex(4)}:{secrets.token_hex(32)}\n")
    try:
        os.link(temporary, path)  # 已有密钥文件时失败：用已有的
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


@cache
def key_ring() -> KeyRing:
    path = Path(settings.AUDIT_KEY_FILE)
    if not path.exists():
        _key_file_create(path)
    return _read_ring(path)


def _canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_mac(fields: dict[str, Any], ring: KeyRing | None = None) -> str:
    """SM3-HMAC over a canonical JSON of the hashed fields (sorted keys, UTC times)."""
    body = {name: fields[name] for name in HASHED_FIELDS}
    body["at"] = _canonical_time(body["at"])
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return (ring or key_ring()).mac(str(fields["key_id"]), text.encode("utf-8"))


def checkpoint_mac(key_id: str, chain_id: str, seq: int, head_hash: str) -> str:
    """The signature of a witness line: this chain's head was entry `seq` with this hash."""
    return key_ring().mac(key_id, f"checkpoint|{chain_id}|{seq}|{head_hash}".encode("ascii"))
