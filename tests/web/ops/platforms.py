"""A platform of its own for a test: a data directory and, when the tests run on PostgreSQL, a
database beside the test database; its commands run as `shouhu` subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

COUNT = (
    "from shouhu.web import django_setup; django_setup();"
    "from django.apps import apps;"
    "print(sorted((m._meta.db_table, m.objects.count()) for m in apps.get_models()))"
)


@dataclass
class Platform:
    root: Path
    env: dict[str, str]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "shouhu.cli", *args],
            env=self.env, capture_output=True, text=True, check=False, cwd=self.root,
        )  # fmt: skip
        if check and done.returncode != 0:
            raise AssertionError(done.stderr)
        return done

    def counts(self) -> str:
        done = subprocess.run(
            [sys.executable, "-c", COUNT], env=self.env, capture_output=True, text=True, check=True
        )
        return done.stdout


def postgres_drop(*names: str) -> None:
    """Drop the platforms' databases (nothing to do on SQLite: tmp_path goes)."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        _admin(*(f'DROP DATABASE IF EXISTS "{_name(n)}" WITH (FORCE)' for n in names))


def _name(short: str) -> str:
    return f"{settings.DATABASES['default']['TEST']['NAME']}_{short}"


def _admin(*statements: str) -> None:
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    ) as conn:
        for statement in statements:
            conn.execute(statement)


def postgres_url(name: str) -> str | None:
    """On PostgreSQL the platforms get their own databases beside the test database."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return None
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


def platform(root: Path, name: str) -> Platform:
    root.mkdir(parents=True, exist_ok=True)
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("SHOUHU_")}
    env = {**inherited, "SHOUHU_DATA_DIR": str(root / "var")}
    url = postgres_url(_name(name))
    if url:
        env["SHOUHU_DATABASE_URL"] = url
    return Platform(root, env)
