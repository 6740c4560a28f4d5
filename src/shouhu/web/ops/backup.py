"""备份与恢复：`shouhu backup`、`shouhu backup --keys`、`shouhu restore`。

两个文件，分开保管（docs/operations.md）：
- 数据备份（种类 data）：数据库（SQLite 用在线备份接口，PostgreSQL 用 pg_dump 的一致快照）、
  审计见证文件（先于数据库复制，见证到的链头一定在快照里）、MEDIA_ROOT（现在为空：报送原文件、
  台账原文件都在数据库里）、清单（各表行数、审计密钥编号，不含个人信息）；
- 密钥备份（种类 keys）：审计签名密钥、Django 密钥文件、离线交换包私钥和信任库。
同时拿到审计密钥、见证文件和数据的人可以伪造审计日志，所以数据备份里没有任何密钥，两个文件
用不同的口令、交不同的人保管；恢复两者都要。

两个文件都用口令加密（core.backup_crypt：scrypt + SM4-GCM）。恢复先把两个文件完整解开、核对
到临时目录，全部无误才动目标；目标库不空时拒绝（--force 才覆盖）；PostgreSQL 在一个事务里
恢复。恢复后核对各表行数并校验审计链。
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections

from shouhu.core.backup_crypt import (
    BackupCryptError,
    EncryptingWriter,
    decrypt_chunks,
    header_kind,
    passphrase_check,
)
from shouhu.core.errors import InvalidInput

FORMAT = 1
Echo = Callable[[str], None]


class BackupError(InvalidInput):
    """备份或恢复做不了：中文消息，不含个人信息。"""


@dataclass
class RestoreReport:
    counts: dict[str, int]
    audit_ok: bool
    audit_message: str
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ 公共


def _engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _tables() -> list[str]:
    """平台的全部表（Django 模型的表，含多对多中间表），按名排序。"""
    names = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    return sorted(names | {"django_migrations"})


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _private_dir(parent: Path) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".shouhu-backup-", dir=parent))


def _write_archive(
    out_dir: Path, kind: str, passphrase: str, members: dict[str, Path], manifest: dict[str, Any]
) -> Path:
    """把成员（归档内名字 → 本地文件或目录）写成一个加密 tar；先写临时名，写完才改名。"""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"shouhu-{manifest['created_at']}.{kind}.sbk"
    partial = target.with_name(target.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw:
        writer = EncryptingWriter(raw, kind=kind.encode("ascii"), passphrase=passphrase)
        with tarfile.open(fileobj=writer, mode="w|") as tar:  # type: ignore[call-overload]
            text = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mode = len(text), 0o600
            tar.addfile(info, _BytesReader(text))
            for name, path in members.items():
                tar.add(path, arcname=name)
        writer.close()
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(partial, target)
    return target


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data, self._at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        chunk, self._at = self._data[self._at : end], min(end, len(self._data))
        return chunk


class _DecryptingReader:
    """tarfile 的流式读取端：从密文块里按需取明文。"""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._buffer = chunks, bytearray()

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        size = len(self._buffer) if size < 0 else size
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out


def _open_archive(path: Path, passphrase: str, kind: str, into: Path) -> dict[str, Any]:
    """把一个备份文件完整解开到 into（口令、完整性、种类都核对过），返回清单。"""
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}")
    with path.open("rb") as source:
        found = header_kind(source, name=path.name).decode("ascii")
        if found != kind:
            wanted = "数据备份" if kind == "data" else "密钥备份"
            raise BackupError(f"{path.name} 不是{wanted}（它是{_KIND_LABELS[found]}）")
        reader = _DecryptingReader(decrypt_chunks(source, passphrase=passphrase, name=path.name))
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
                tar.extractall(into, filter="data")
        except tarfile.TarError:
            raise BackupError(f"{path.name} 的内容不完整，不能用来恢复") from None
    manifest_path = into / "manifest.json"
    if not manifest_path.is_file():
        raise BackupError(f"{path.name} 缺少清单，不能用来恢复")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT or manifest.get("kind") != kind:
        raise BackupError(f"{path.name} 的格式版本本平台不认识")
    return manifest


_KIND_LABELS = {"data": "数据备份", "keys": "密钥备份"}


# ------------------------------------------------------------------ 备份


def backup_data(*, out_dir: Path, passphrase: str, echo: Echo) -> Path:
    """数据备份（平台运行时也可以做）：见证文件 → 数据库快照 → 加密归档。"""
    from shouhu.web.accounts.commands import cli_actor, cli_ctx
    from shouhu.web.audit.chain import key_ring
    from shouhu.web.audit.models import Action, ObjectType
    from shouhu.web.audit.services import audit_record
    from shouhu.web.exchange.sealing import field_ring

    passphrase_check(passphrase)
    audit_record(ctx=cli_ctx(), action=Action.EXPORT, object_type=ObjectType.ADMINISTRATION,
                 detail={"backup": "data"}, actor_username=cli_actor())  # fmt: skip
    work = _private_dir(out_dir)
    try:
        members: dict[str, Path] = {}
        witness = Path(settings.AUDIT_WITNESS_FILE)
        if witness.exists():  # 先于数据库：见证到的链头一定在快照里
            shutil.copyfile(witness, work / "audit-witness.log")
            members["audit-witness.log"] = work / "audit-witness.log"
        if _engine() == "sqlite":
            counts = _sqlite_snapshot(work / "database.sqlite3")
            members["database.sqlite3"] = work / "database.sqlite3"
        else:
            counts = _pg_snapshot(work / "database.pgdump")
            members["database.pgdump"] = work / "database.pgdump"
        media = Path(settings.MEDIA_ROOT)
        if media.is_dir() and any(media.iterdir()):
            members["media"] = media
        manifest = {
            "format": FORMAT,
            "kind": "data",
            "created_at": _stamp(),
            "engine": _engine(),
            "counts": counts,
            "audit_key_ids": sorted(key_ring().keys),
            "field_key_ids": sorted(field_ring().keys),
        }
        path = _write_archive(out_dir, "data", passphrase, members, manifest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    echo(f"数据备份已写入 {path}（{path.stat().st_size // 1024} KB，{len(counts)} 张表）。")
    echo("其中没有任何密钥；恢复时还要密钥备份（shouhu backup --keys），两者请分开保管。")
    return path


def _sqlite_snapshot(target: Path) -> dict[str, int]:
    """SQLite 在线备份接口：一致的快照，写者不必停。行数从快照里数。"""
    source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=60)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
        present = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return {
            t: copy.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in _tables()
            if t in present
        }
    finally:
        copy.close()
        source.close()


def _pg_settings() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["-h", str(db["HOST"]), "-p", str(db["PORT"]), "-U", str(db["USER"])]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    return args, env


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"找不到 PostgreSQL 的 {name} 命令：请安装与数据库同版本的 PostgreSQL 客户端"
            "（Debian：apt-get install postgresql-client）"
        )
    return tool


def _pg_snapshot(target: Path) -> dict[str, int]:
    """pg_dump 用一个导出的快照：行数和转储出自同一时刻。"""
    import psycopg

    tool = _pg_tool("pg_dump")
    db = settings.DATABASES["default"]
    args, env = _pg_settings()
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
    ) as conn:  # fmt: skip
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()
        assert snapshot is not None
        existing = {
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        }
        counts: dict[str, int] = {}
        for table in _tables():
            if table in existing:
                row = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()
                counts[table] = int(row[0]) if row else 0
        done = subprocess.run(
            [tool, *args, "-d", str(db["NAME"]), "-Fc", "--no-owner", "--no-privileges",
             f"--snapshot={snapshot[0]}", "-f", str(target)],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        conn.rollback()
    if done.returncode != 0:
        raise BackupError(f"pg_dump 失败：{done.stderr.strip()[:300]}")
    target.chmod(0o600)
    return counts


def backup_keys(*, out_dir: Path, passphrase: str, echo: Echo) -> Path:
    """密钥备份：审计签名密钥、字段加密密钥、Django 密钥文件、离线交换包私钥和信任库。不含
    任何数据。"""
    from shouhu.web.audit.chain import key_ring
    from shouhu.web.exchange.sealing import field_ring

    passphrase_check(passphrase)
    ring = key_ring()  # 还没有密钥文件时先生成，免得备份一个空的
    fields = field_ring()
    members: dict[str, Path] = {
        "audit.keys": Path(settings.AUDIT_KEY_FILE),
        "field.keys": Path(settings.FIELD_KEY_FILE),
    }
    secret = Path(settings.DATA_DIR) / "secret_key"
    if not os.environ.get("SHOUHU_SECRET_KEY") and not os.environ.get("SHOUHU_SECRET_KEY_FILE"):
        members["secret_key"] = secret
    if settings.PACKAGE_KEY_FILE and Path(settings.PACKAGE_KEY_FILE).is_file():
        members["package/private.pem"] = Path(settings.PACKAGE_KEY_FILE)
    if settings.PACKAGE_TRUST_DIR and Path(settings.PACKAGE_TRUST_DIR).is_dir():
        members["package/trusted"] = Path(settings.PACKAGE_TRUST_DIR)
    manifest = {
        "format": FORMAT,
        "kind": "keys",
        "created_at": _stamp(),
        "audit_key_ids": sorted(ring.keys),
        "field_key_ids": sorted(fields.keys),
        "members": sorted(members),
    }
    path = _write_archive(out_dir, "keys", passphrase, members, manifest)
    echo(f"密钥备份已写入 {path}：{'、'.join(sorted(members))}。")
    echo("请与数据备份分开保管（另一介质、另一保管人、另一口令）；轮换审计或字段加密密钥后要重做。")
    return path


# ------------------------------------------------------------------ 恢复


def target_problems() -> list[str]:
    """恢复目标不空的地方（空目标才能直接恢复）。"""
    problems = []
    tables = set(connection.introspection.table_names())
    if tables & set(_tables()):
        problems.append(f"数据库里已有 {len(tables & set(_tables()))} 张平台的表")
    witness = Path(settings.AUDIT_WITNESS_FILE)
    if witness.exists() and witness.stat().st_size:
        problems.append(f"已有审计见证文件 {witness}")
    return problems


def restore(
    *, data: Path, keys: Path, data_passphrase: str, keys_passphrase: str, force: bool, echo: Echo
) -> RestoreReport:
    """完整解开、核对两个文件 → 查目标 → 放入数据库、密钥、见证文件 → 核对行数、校验审计链。"""
    problems = target_problems()
    if problems and not force:
        raise BackupError(
            "恢复目标不是空的（" + "；".join(problems) + "）。请换一个空的数据目录或空库；"
            "确要覆盖现有数据，加 --force。"
        )
    work = _private_dir(Path(settings.DATA_DIR))
    try:
        try:
            manifest = _open_archive(data, data_passphrase, "data", work / "data")
            key_manifest = _open_archive(keys, keys_passphrase, "keys", work / "keys")
        except BackupCryptError as exc:
            raise BackupError(exc.message) from None
        if manifest["engine"] != _engine():
            raise BackupError(
                f"这是 {manifest['engine']} 数据库的备份，目标是 {_engine()}：不能跨数据库恢复"
            )
        missing = set(manifest["audit_key_ids"]) - set(key_manifest["audit_key_ids"])
        if missing:
            raise BackupError(
                f"密钥备份与数据备份不配套：缺少审计密钥 {'、'.join(sorted(missing))}"
                "（请用这次数据备份之前最后一次轮换密钥之后做的密钥备份）"
            )
        missing = set(manifest.get("field_key_ids", ())) - set(
            key_manifest.get("field_key_ids", ())
        )
        if missing:
            raise BackupError(
                f"密钥备份与数据备份不配套：缺少字段加密密钥 {'、'.join(sorted(missing))}"
                "（请用这次数据备份之前最后一次轮换密钥之后做的密钥备份）"
            )
        echo("两个备份文件已解开并核对无误，开始恢复。")
        _database_put(work / "data", manifest["engine"], force=force)
        notes = _keys_put(work / "keys")
        _file_put(work / "data" / "audit-witness.log", Path(settings.AUDIT_WITNESS_FILE))
        media = work / "data" / "media"
        if media.is_dir():
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _restore_check(manifest["counts"], notes)


def _database_put(unpacked: Path, engine: str, *, force: bool) -> None:
    connections.close_all()
    if engine == "sqlite":
        name = Path(str(settings.DATABASES["default"]["NAME"]))
        staged = name.with_name(name.name + ".restoring")
        shutil.copyfile(unpacked / "database.sqlite3", staged)
        staged.chmod(0o600)
        for suffix in ("-wal", "-shm"):
            name.with_name(name.name + suffix).unlink(missing_ok=True)
        os.replace(staged, name)
        return
    tool = _pg_tool("pg_restore")
    args, env = _pg_settings()
    options = ["--clean", "--if-exists"] if force else []
    done = subprocess.run(
        [tool, *args, "-d", str(settings.DATABASES["default"]["NAME"]), "--single-transaction",
         "--exit-on-error", "--no-owner", "--no-privileges", *options,
         str(unpacked / "database.pgdump")],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise BackupError(f"pg_restore 失败，数据库未改动：{done.stderr.strip()[:300]}")


def _file_put(source: Path, target: Path) -> None:
    """整文件替换（先写临时名再改名），属主可读写。原有的不同文件留一份 .before-restore。"""
    if not source.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and target.read_bytes() != source.read_bytes():
        kept = target.with_name(f"{target.name}.before-restore-{_stamp()}")
        shutil.copyfile(target, kept)
        kept.chmod(0o600)
    staged = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(source, staged)
    staged.chmod(0o600)
    os.replace(staged, target)


def _keys_put(unpacked: Path) -> list[str]:
    from shouhu.web.audit.chain import key_ring
    from shouhu.web.exchange.sealing import field_ring

    notes = []
    _file_put(unpacked / "audit.keys", Path(settings.AUDIT_KEY_FILE))
    key_ring.cache_clear()
    _file_put(unpacked / "field.keys", Path(settings.FIELD_KEY_FILE))
    field_ring.cache_clear()
    if (unpacked / "secret_key").exists():
        if os.environ.get("SHOUHU_SECRET_KEY") or os.environ.get("SHOUHU_SECRET_KEY_FILE"):
            notes.append("Django 密钥由环境变量给出，备份中的密钥文件未使用。")
        else:
            _file_put(unpacked / "secret_key", Path(settings.DATA_DIR) / "secret_key")
            notes.append("已恢复 Django 密钥文件：重启平台后生效（此前的会话全部失效）。")
    package = unpacked / "package"
    if package.is_dir():
        keep = Path(settings.DATA_DIR) / "restored-package-keys"
        shutil.copytree(package, keep, dirs_exist_ok=True)
        notes.append(
            f"离线交换包私钥和信任库已放在 {keep}：按原配置设 SHOUHU_PACKAGE_KEY_FILE 和 "
            "SHOUHU_PACKAGE_TRUST_DIR 指向它们。"
        )
    return notes


def _restore_check(expected: dict[str, int], notes: list[str]) -> RestoreReport:
    """核对行数（先于迁移和本次恢复的审计记录），再迁移到本版本、校验审计链、记一条审计。"""
    from django.core.management import call_command

    from shouhu.web.accounts.commands import cli_actor, cli_ctx
    from shouhu.web.audit.models import Action, ObjectType
    from shouhu.web.audit.selectors import audit_chain_verify
    from shouhu.web.audit.services import audit_record

    connections.close_all()
    counts = _counts(expected)
    differ = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
    if differ:
        table, (want, got) = next(iter(sorted(differ.items())))
        raise BackupError(f"恢复后的行数与备份清单不符：{table} 应有 {want} 行，实有 {got} 行")
    call_command("migrate", interactive=False, verbosity=0)  # 备份出自旧版本时补上新的迁移
    verdict = audit_chain_verify()
    audit_record(ctx=cli_ctx(), action=Action.UPDATE, object_type=ObjectType.ADMINISTRATION,
                 detail={"restore": "data", "rows": sum(counts.values())},
                 actor_username=cli_actor())  # fmt: skip
    return RestoreReport(counts, verdict.ok, verdict.message, notes)


def _counts(expected: dict[str, int]) -> dict[str, int]:
    with connection.cursor() as cursor:
        out = {}
        for table in expected:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            out[table] = int(cursor.fetchone()[0])
        return out
