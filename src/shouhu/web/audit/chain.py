"""The hash of one audit entry. Pure functions, shared by the writer and the verifier."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

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
)


def _canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 over a canonical JSON of the hashed fields (sorted keys, UTC times)."""
    body = {name: fields[name] for name in HASHED_FIELDS}
    body["at"] = _canonical_time(body["at"])
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
