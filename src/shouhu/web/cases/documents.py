"""证明材料的文件：查类型（按文件开头的字节，不看扩展名）和大小，加密后存放，读出时解密。

只收 PDF、JPEG、PNG，每份不超过 10 MB。文件用 AES-256-GCM 加密（`cryptography`，密钥
`settings.DOCUMENT_KEY`），文件 = 12 字节随机数 ‖ 密文；附加数据是存放文件名，所以文件被调换、
改动都解不开。文件名随机，不含个人信息。写文件在数据库事务之内做，事务失败时调用方删掉
（`document_discard`），不留半截。
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from shouhu.core.errors import InvalidInput, NotFound

MAX_BYTES: Final = 10 * 1024 * 1024
# 文件开头的字节 → (存放时的类型, 中文名)
SIGNATURES: Final = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
NONCE: Final = 12


@dataclass(frozen=True)
class Scan:
    """通过检查的一份扫描件。"""

    data: bytes
    content_type: str


def document_check(data: bytes, *, label: str) -> Scan:
    """上传的材料：非空、不超过 10 MB、是 PDF/JPEG/PNG（看内容，不看扩展名）。"""
    if not data:
        raise InvalidInput(f"“{label}”：没有收到文件，请重新选择。")
    if len(data) > MAX_BYTES:
        mb = len(data) / 1024 / 1024
        raise InvalidInput(f"“{label}”：文件 {mb:.1f} MB，超过 10 MB，请压缩或分页扫描后再传。")
    for start, content_type in SIGNATURES:
        if data.startswith(start):
            return Scan(data, content_type)
    raise InvalidInput(
        f"“{label}”：文件不是 PDF、JPEG 或 PNG（按文件内容判断），请扫描成这三种之一。"
    )


def document_dir() -> Path:
    where = Path(settings.DOCUMENT_DIR)
    where.mkdir(parents=True, exist_ok=True, mode=0o700)
    return where


def _cipher() -> AESGCM:
    return AESGCM(settings.DOCUMENT_KEY)


def document_write(scan: Scan, written: list[Path]) -> tuple[str, str]:
    """加密写成文件；返回（存放文件名, 明文的 SHA-256）。写下的路径记在 written 里。"""
    name = f"{secrets.token_hex(16)}.bin"
    nonce = os.urandom(NONCE)
    sealed = nonce + _cipher().encrypt(nonce, scan.data, name.encode())
    path = document_dir() / name
    path.write_bytes(sealed)
    path.chmod(0o600)
    written.append(path)
    return name, hashlib.sha256(scan.data).hexdigest()


def document_read(file_name: str) -> bytes:
    """解密一份材料；文件不在或解不开（被改动、密钥不对）答“未找到”，不报服务器错误。"""
    try:
        sealed = (document_dir() / file_name).read_bytes()
    except FileNotFoundError:
        raise NotFound("这份材料的文件已不在服务器上，请联系管理员。") from None
    try:
        return _cipher().decrypt(sealed[:NONCE], sealed[NONCE:], file_name.encode())
    except (InvalidTag, ValueError):
        raise NotFound("这份材料的文件无法解密（可能已损坏），请联系管理员。") from None


def document_discard(written: list[Path]) -> None:
    for path in written:
        path.unlink(missing_ok=True)
