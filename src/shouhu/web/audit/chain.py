"""The audit log's seal: each entry is chained to the one before and signed with a key kept
outside the database (SM3-HMAC, GB/T 15852.2 with the SM3 hash), so that nobody who can only
write to the database can edit, delete, insert or re-chain entries unnoticed.

The key ring is a file (`settings.AUDIT_KEY_FILE`): one `id:hex` line per key, the last signs new
entries, older ones still verify old entries (rotation: `shouhu audit rotate-key`). The file's
format and code are `shouhu.web.keyring`, shared with the field-encryption keys. Pure functions
here; the writer is `services.audit_record`, the verifier `selectors.audit_chain_verify`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from shouhu.web import keyring
from shouhu.web.keyring import KeyRing

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


def key_add(path: Path) -> str:
    """Append a new key to the ring (creating the file, owner-only); return its id."""
    key_id = keyring.key_add(path)
    key_ring.cache_clear()
    return key_id


@cache
def key_ring() -> KeyRing:
    return keyring.ring_load(Path(settings.AUDIT_KEY_FILE), label="审计密钥")


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
