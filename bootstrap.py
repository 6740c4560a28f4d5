#!/usr/bin/env python3
"""守护 — one-step set-up for a fresh machine that has only Python 3.11+ and the package registries.

    python3 bootstrap.py serve   # .venv, install, SQLite database, demo region, server at :8000
    python3 bootstrap.py test    # .venv, install, linters and the whole test suite

Both are idempotent. The environment lives in `.venv/` beside this file; it is reinstalled only
when `pyproject.toml` changes, so the second run starts at once.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import venv
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".shouhu-installed"


def say(message: str) -> None:
    print(f"[bootstrap] {message}", flush=True)


def run(*args: str | os.PathLike[str], env: dict[str, str] | None = None) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT, env=env)


def must(*args: str | os.PathLike[str], env: dict[str, str] | None = None) -> None:
    code = run(*args, env=env)
    if code != 0:
        sys.exit(code)


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 — bootstrap runs under whatever python3 is found
        sys.exit("守护需要 Python 3.11 或更新的版本。")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PY.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not PY.exists():
        say("creating .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    say("installing shouhu and its dependencies into .venv (first time only)")
    must(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    must(PY, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(wanted)


def serve(extra: list[str]) -> None:
    ensure_environment()
    must(BIN / "shouhu", "demo")
    os.execv(str(BIN / "shouhu"), [str(BIN / "shouhu"), "serve", *extra])


def postgres_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), 2):
            return True
    except OSError:
        return False


def ensure_chromium() -> None:
    """UI tests drive Debian's Chromium (with CJK fonts); install it when we may (root with apt)."""
    fonts = Path("/usr/share/fonts/opentype/noto").exists()
    tools = all(shutil.which(t) for t in ("soffice", "nginx", "pg_dump"))
    if Path("/usr/bin/chromium").exists() and fonts and tools:
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        say("installing Debian's chromium for the UI tests")
        quiet = {"stdout": subprocess.DEVNULL}
        subprocess.call(["apt-get", "update", "-qq"], **quiet)
        # LibreOffice makes the Excel files that the upload UI test sends through the browser;
        # nginx and pg_dump serve the production recipe's and the backups' tests.
        packages = ["chromium", "fonts-noto-cjk", "libreoffice-calc-nogui", "nginx",
                    "postgresql-client"]  # fmt: skip
        subprocess.call(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            **quiet,
        )
    if not Path("/usr/bin/chromium").exists():
        say("no /usr/bin/chromium (apt-get install chromium): UI tests will be skipped")


def test(extra: list[str]) -> None:
    ensure_environment()
    ensure_chromium()
    env = {**os.environ}
    env.pop("SHOUHU_DATABASE_URL", None)
    # 每个测试进程都要导入、改写（断言）几百个模块：允许写字节码缓存，第二次跑起就快得多
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    say("ruff, mypy, import-linter, migrations")
    must(BIN / "ruff", "check", "src", "tests", "bench", "bootstrap.py")
    must(BIN / "ruff", "format", "--check", "--quiet", "src", "tests", "bench", "bootstrap.py")
    must(BIN / "mypy", "--no-error-summary")
    must(BIN / "lint-imports", "--no-cache")
    must(BIN / "shouhu", "manage", "makemigrations", "--check", "--dry-run", env=env)
    # 测试数据库留着下次用（pytest-django 的 --reuse-db）：下次只补上新的迁移，每个测试进程省下
    # 一次从头迁移（几秒）。迁移文件本身改过时，加 --create-db 重建。
    extra = ["--reuse-db", *extra]
    say("tests on SQLite")
    must(BIN / "pytest", *extra, env=env)
    pg = os.environ.get("SHOUHU_TEST_POSTGRES", "")
    if not pg:
        return
    if not postgres_reachable(pg):
        say(f"PostgreSQL unreachable at {urlparse(pg).netloc}: database tests ran on SQLite alone")
        return
    say("database tests again on PostgreSQL")
    must(BIN / "pytest", "tests/web", *extra, env={**env, "SHOUHU_DATABASE_URL": pg})


def main() -> None:
    commands = {"serve": serve, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
