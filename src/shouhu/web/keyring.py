"""密钥环文件：审计日志的签名密钥（settings.AUDIT_KEY_FILE）和字段加密密钥
（settings.FIELD_KEY_FILE）共用这一种格式和这一份代码。

文件每行一把密钥 `id:hex`（id 为 8 位十六进制，密钥 32 字节），最后一行是“当前”密钥（签名或
加密新值用），前面的仍可校验或解开旧值。文件只有服务账户可读（0600），首次使用时生成；
新增密钥追加一行（轮换），退役密钥去掉一行（先确认没有值还在用它）。密钥不进数据库。
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes, hmac


class KeyRingError(Exception):
    """密钥文件缺失、损坏或没有所需的密钥。消息是中文，不含密钥。"""


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    current: str  # 签名或加密新值用的密钥 id

    def key(self, key_id: str) -> bytes:
        key = self.keys.get(key_id)
        if key is None:
            raise KeyError(key_id)
        return key

    def mac(self, key_id: str, message: bytes) -> str:
        """SM3-HMAC（GB/T 15852.2），十六进制。"""
        signer = hmac.HMAC(self.key(key_id), hashes.SM3())
        signer.update(message)
        return signer.finalize().hex()


def ring_read(path: Path, *, label: str) -> KeyRing:
    """读密钥文件；没有密钥或格式不对时抛 KeyRingError（label 说明是哪种密钥）。"""
    keys: dict[str, bytes] = {}
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        raise KeyRingError(f"{label}文件 {path} 无法读取") from None
    for line in lines:
        key_id, _, value = line.strip().partition(":")
        if not key_id or not value:
            continue
        try:
            keys[key_id] = bytes.fromhex(value)
        except ValueError:
            raise KeyRingError(f"{label}文件 {path} 中密钥 {key_id} 格式不对") from None
    if not keys:
        raise KeyRingError(f"{label}文件 {path} 中没有密钥")
    return KeyRing(keys=keys, current=list(keys)[-1])


def ring_load(path: Path, *, label: str) -> KeyRing:
    """读密钥文件，还没有时先生成第一把密钥。"""
    if not path.exists():
        key_file_create(path)
    return ring_read(path, label=label)


def key_add(path: Path) -> str:
    """在密钥文件末尾追加一把新密钥（文件不存在时新建，仅属主可读写），返回其 id。"""
    path.parent.mkdir(parents=True, exist_ok=True)
    key_id = secrets.token_hex(4)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="ascii") as out:
        out.write(f"{key_id}:{secrets.token_hex(32)}\n")
    return key_id


def key_file_create(path: Path) -> None:
    """第一把密钥：先写完整再让文件出现（几个进程同时启动时只有一个生效）。"""
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


def key_remove(path: Path, key_id: str, *, label: str) -> None:
    """从密钥文件去掉一把密钥（整文件替换）；当前密钥或最后一把不能去掉。"""
    ring = ring_read(path, label=label)
    if key_id not in ring.keys:
        raise KeyRingError(f"{label}文件中没有密钥 {key_id}")
    if key_id == ring.current:
        raise KeyRingError(f"密钥 {key_id} 是当前密钥，不能退役；先生成新密钥")
    lines = [f"{k}:{v.hex()}\n" for k, v in ring.keys.items() if k != key_id]
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write("".join(lines))
    os.replace(temporary, path)
