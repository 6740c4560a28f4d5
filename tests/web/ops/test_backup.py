"""Backups that restore: a small platform (the demo region with a comparison run) is backed up
into a data file and a separate key file, restored into an empty data directory (SQLite) or an
empty database (PostgreSQL, when the tests run there), and then the audit chain verifies, every
table has as many rows, and the same comparison finds the same. Wrong passphrases, a cut file and
a non-empty target are refused in Chinese and change nothing.

The platforms run as `shouhu` subprocesses, each with its own data directory, as an operator
would run them.
"""

from __future__ import annotations

import io
import os
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from shouhu.core.backup_crypt import BackupCryptError, EncryptingWriter, decrypt_chunks
from tests.web.ops.platforms import Platform, platform, postgres_drop

pytestmark = pytest.mark.xdist_group("backup")
DATA_PASS = "data-passphrase-2026"
KEYS_PASS = "keys-passphrase-2026"


def _findings(output: str) -> str:
    """The comparison's counts, without the run number and the time it took."""
    return re.sub(r"运行 #\d+：|；用时.*", "", output.strip())


@dataclass
class Restored:
    source: Platform
    target: Platform
    data: Path
    keys: Path
    restore_output: str
    findings_before: str


@pytest.fixture(scope="module")
def restored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Restored]:
    base = tmp_path_factory.mktemp("backup")
    source, target = platform(base / "a", "bk_a"), platform(base / "b", "bk_b")
    source.run("demo", "--persons", "150")
    before = source.run("compare-db", "--division", "150802", "--as-of", "2026-11-01").stdout
    source.env |= {
        "SHOUHU_BACKUP_PASSPHRASE": DATA_PASS,
        "SHOUHU_BACKUP_KEYS_PASSPHRASE": KEYS_PASS,
    }
    source.run("backup", "--out", str(base / "data"))
    source.run("backup", "--keys", "--out", str(base / "keys"))
    (data,), (keys,) = (base / "data").glob("*.sbk"), (base / "keys").glob("*.sbk")
    target.env |= {
        "SHOUHU_BACKUP_PASSPHRASE": DATA_PASS,
        "SHOUHU_BACKUP_KEYS_PASSPHRASE": KEYS_PASS,
    }
    done = target.run("restore", str(data), "--keys", str(keys))
    yield Restored(source, target, data, keys, done.stdout, _findings(before))
    postgres_drop("bk_a", "bk_b", "bk_c")


def test_a_backup_restores_into_an_empty_directory_whole(restored: Restored) -> None:
    assert "与备份清单一致" in restored.restore_output
    assert "审计日志哈希链校验通过" in restored.restore_output
    verify = restored.target.run("audit", "verify")
    assert "哈希链校验通过" in verify.stdout
    # 每张表行数相同（恢复本身追加了一条审计记录，链头随之前进）
    source, target = restored.source.counts(), restored.target.counts()
    strip = re.compile(r"\('audit_(auditentry|audithead|chaincheck)', \d+\)")
    assert strip.sub("", source) == strip.sub("", target)
    after = restored.target.run("compare-db", "--division", "150802", "--as-of", "2026-11-01")
    assert _findings(after.stdout) == restored.findings_before


def _members(path: Path, passphrase: str) -> list[str]:
    with path.open("rb") as source:
        plain = b"".join(decrypt_chunks(source, passphrase=passphrase, name=path.name))
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        return tar.getnames()


def test_keys_and_data_are_never_in_one_file(restored: Restored) -> None:
    data = _members(restored.data, DATA_PASS)
    keys = _members(restored.keys, KEYS_PASS)
    assert "audit-witness.log" in data
    assert any(name.startswith("database.") for name in data)
    assert not {"audit.keys", "field.keys", "secret_key"} & set(data)
    assert {"audit.keys", "field.keys", "secret_key"} <= set(keys)
    assert not any(name.startswith("database.") or "witness" in name for name in keys)


def test_wrong_passphrase_cut_file_and_full_target_are_refused(
    restored: Restored, tmp_path: Path
) -> None:
    target = restored.target
    again = target.run("restore", str(restored.data), "--keys", str(restored.keys), check=False)
    assert again.returncode == 2
    assert "恢复目标不是空的" in again.stderr
    assert "--force" in again.stderr

    empty = platform(tmp_path / "c", "bk_c")
    empty.env |= {
        "SHOUHU_BACKUP_PASSPHRASE": "wrong-passphrase-1",
        "SHOUHU_BACKUP_KEYS_PASSPHRASE": KEYS_PASS,
    }
    wrong = empty.run("restore", str(restored.data), "--keys", str(restored.keys), check=False)
    assert wrong.returncode == 2
    assert "口令不对" in wrong.stderr
    cut = tmp_path / "cut.sbk"
    cut.write_bytes(restored.data.read_bytes()[:-100])
    empty.env["SHOUHU_BACKUP_PASSPHRASE"] = DATA_PASS
    broken = empty.run("restore", str(cut), "--keys", str(restored.keys), check=False)
    assert broken.returncode == 2
    assert "已损坏或不完整" in broken.stderr
    swapped = empty.run("restore", str(restored.keys), "--keys", str(restored.data), check=False)
    assert "不是数据备份" in swapped.stderr
    assert not (empty.root / "var" / "audit-witness.log").exists()  # 什么都没放进去
    assert empty.run("restore", str(restored.data), "--keys", str(restored.keys)).returncode == 0


def _sealed(plain: bytes) -> bytes:
    out = io.BytesIO()
    writer = EncryptingWriter(out, kind=b"data", passphrase=DATA_PASS)
    writer.write(plain)
    writer.close()
    return out.getvalue()


def test_a_changed_byte_or_a_dropped_chunk_is_found() -> None:
    plain = os.urandom(3 * (1 << 20) + 5)  # 四块
    sealed = _sealed(plain)
    assert b"".join(decrypt_chunks(io.BytesIO(sealed), passphrase=DATA_PASS, name="x")) == plain
    flipped = bytearray(sealed)
    flipped[len(sealed) // 2] ^= 1
    chunk = 4 + (1 << 20) + 16
    header = len(sealed) - 3 * chunk - (4 + 5 + 16)
    dropped = sealed[:header] + sealed[header + chunk :]  # 去掉第一块
    for bad in (bytes(flipped), dropped, sealed[: header + chunk]):
        with pytest.raises(BackupCryptError, match="已损坏或不完整"):
            b"".join(decrypt_chunks(io.BytesIO(bad), passphrase=DATA_PASS, name="x"))
