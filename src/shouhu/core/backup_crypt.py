"""备份文件的加密格式：口令经 scrypt 派生密钥，内容按 1 MiB 分块用 SM4-GCM 加密。

文件 = 文件头 + 若干块。文件头：魔数、种类（data 或 keys）、盐、随机数前缀、口令校验值；
每块：4 字节长度 + 密文（含 16 字节标签）。每块的随机数 = 前缀 ‖ 块序号，附加数据 = 文件头 ‖
块序号 ‖ 是否末块，所以块被删、换序、截断或改了一个字节都解不开；最后一块标记为末块，文件被
截短也能发现。口令校验值是派生密钥另一半的 SM3 摘要：口令不对与文件损坏分得开，各报各的。

只用 `cryptography`（OpenSSL 的 SM4、SM3、scrypt），不自己实现密码算法；SM4-GCM 的原语在
`shouhu.core.sealing`，与数据库字段加密共用。
"""

from __future__ import annotations

import hmac
import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from shouhu.core.errors import InvalidInput
from shouhu.core.sealing import sm4_gcm_decrypt, sm4_gcm_encrypt

MAGIC = b"SHOUHU-BACKUP\x01"
KINDS = (b"data", b"keys")
CHUNK = 1 << 20
PASSPHRASE_MIN = 12
_SCRYPT_N = 1 << 15
_HEADER = struct.Struct(f">{len(MAGIC)}s4s16s8s32s")  # 魔数 种类 盐 随机数前缀 口令校验
_LENGTH = struct.Struct(">I")


class BackupCryptError(InvalidInput):
    """备份文件解不开：口令不对、不是备份文件或已损坏。消息是中文。"""


class WrongPassphrase(BackupCryptError):
    pass


def _derive(passphrase: str, salt: bytes) -> tuple[bytes, bytes]:
    material = Scrypt(salt=salt, length=48, n=_SCRYPT_N, r=8, p=1).derive(
        passphrase.encode("utf-8")
    )
    return material[:16], _sm3(material[16:])


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def passphrase_check(passphrase: str) -> None:
    if len(passphrase) < PASSPHRASE_MIN:
        raise BackupCryptError(f"备份口令至少 {PASSPHRASE_MIN} 个字符")


class EncryptingWriter:
    """像文件一样写入明文，落盘的是密文；close() 写出末块。"""

    def __init__(self, out: BinaryIO, *, kind: bytes, passphrase: str) -> None:
        passphrase_check(passphrase)
        salt, self._prefix = os.urandom(16), os.urandom(8)
        self._key, check = _derive(passphrase, salt)
        self._header = _HEADER.pack(MAGIC, kind, salt, self._prefix, check)
        self._out = out
        self._out.write(self._header)
        self._buffer = bytearray()
        self._counter = 0

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]
        return len(data)

    def close(self) -> None:
        self._emit(bytes(self._buffer), final=True)
        self._buffer.clear()

    def _emit(self, plain: bytes, *, final: bool) -> None:
        nonce = self._prefix + struct.pack(">I", self._counter)
        sealed = sm4_gcm_encrypt(self._key, nonce, plain, _aad(self._header, self._counter, final))
        self._out.write(_LENGTH.pack(len(sealed)) + sealed)
        self._counter += 1


def _aad(header: bytes, counter: int, final: bool) -> bytes:
    return header + struct.pack(">I?", counter, final)


def _header_parse(header: bytes, *, name: str) -> tuple[bytes, bytes, bytes, bytes]:
    if len(header) != _HEADER.size or not header.startswith(MAGIC):
        raise BackupCryptError(f"{name} 不是守护备份文件")
    _, kind, salt, prefix, check = _HEADER.unpack(header)
    if kind not in KINDS:
        raise BackupCryptError(f"{name} 不是守护备份文件")
    return bytes(kind), salt, prefix, check


def header_kind(source: BinaryIO, *, name: str) -> bytes:
    """读文件头，返回种类（data / keys）；不是备份文件时报中文错误。"""
    kind = _header_parse(source.read(_HEADER.size), name=name)[0]
    source.seek(0)
    return kind


def decrypt_chunks(source: BinaryIO, *, passphrase: str, name: str) -> Iterator[bytes]:
    """逐块解密；口令不对、块被改动或文件被截断时抛 BackupCryptError（中文消息）。"""
    header = source.read(_HEADER.size)
    _, salt, prefix, check = _header_parse(header, name=name)
    key, expected = _derive(passphrase, salt)
    if not hmac.compare_digest(check, expected):
        raise WrongPassphrase(f"口令不对，解不开 {name}")
    damaged = f"{name} 已损坏或不完整（被截断或改动），不能用来恢复"
    counter = 0
    while True:
        length_bytes = source.read(_LENGTH.size)
        if len(length_bytes) != _LENGTH.size:
            raise BackupCryptError(damaged)
        (length,) = _LENGTH.unpack(length_bytes)
        sealed = source.read(length)
        if len(sealed) != length or length < 16 or length > CHUNK + 16:
            raise BackupCryptError(damaged)
        final = _at_end(source)
        nonce = prefix + struct.pack(">I", counter)
        try:
            plain = sm4_gcm_decrypt(key, nonce, sealed, _aad(header, counter, final))
        except InvalidTag:
            raise BackupCryptError(damaged) from None
        yield plain
        if final:
            return
        counter += 1


def _at_end(source: BinaryIO) -> bool:
    here = source.tell()
    at_end = source.read(1) == b""
    source.seek(here)
    return at_end
