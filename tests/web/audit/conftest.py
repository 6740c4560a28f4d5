"""Each audit test has its own key ring and witness file, and runs on-commit hooks (the witness)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shouhu.web.audit import witness
from shouhu.web.audit.chain import key_ring


@pytest.fixture(autouse=True)
def audit_files(settings, tmp_path: Path) -> Iterator[Path]:
    settings.AUDIT_KEY_FILE = tmp_path / "audit.keys"
    settings.AUDIT_WITNESS_FILE = tmp_path / "audit-witness.log"
    key_ring.cache_clear()
    witness._last.clear()
    yield tmp_path
    key_ring.cache_clear()
    witness._last.clear()
