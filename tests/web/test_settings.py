"""Settings that protect the data: an owner-only data directory and SQLite file, and the HTTPS
switches read from the environment (off by default, for the local demo over http)."""

from __future__ import annotations

import ast
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from shouhu.web.settings import _owner_only_dir, _owner_only_file


def test_the_data_directory_and_the_database_are_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "var"
    _owner_only_dir(data)
    database = data / "shouhu.sqlite3"
    _owner_only_file(database)
    with sqlite3.connect(database) as connection:  # SQLite uses the file made beforehand
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (x)")
        wal = Path(f"{database}-wal")
        assert wal.exists()
        assert wal.stat().st_mode & 0o777 == 0o600
    assert data.stat().st_mode & 0o777 == 0o700
    assert database.stat().st_mode & 0o777 == 0o600


def _settings(tmp_path: Path, **environment: str) -> tuple[object, ...]:
    code = (
        "from shouhu.web import settings as s;"
        "print(repr((s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_PROXY_SSL_HEADER)))"
    )
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("SHOUHU_")}
    env = {**inherited, "SHOUHU_DATA_DIR": str(tmp_path), **environment}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return ast.literal_eval(result.stdout.strip())


def test_https_switches_are_off_by_default_and_on_from_the_environment(tmp_path: Path) -> None:
    assert _settings(tmp_path) == (False, False, 0, None)
    on = _settings(
        tmp_path,
        SHOUHU_SECURE_COOKIES="1",
        SHOUHU_HSTS_SECONDS="31536000",
        SHOUHU_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert on == (True, True, 31536000, ("HTTP_X_FORWARDED_PROTO", "https"))
