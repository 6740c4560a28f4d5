"""SM4-GCM 加密：备份文件（backup_crypt）和数据库里的高度敏感字段共用这一个原语。

字段值加密后存成一段短文本（令牌）：`sm4:<密钥 id>:<base64url(随机数 ‖ 密文 ‖ 标签)>`（随机数
12 字节，标签 16 字节）。
附加数据（aad）把令牌绑在它所在的表和字段上：把病种的密文抄到案号一栏解不开。

密钥 32 字节：前 16 字节是 SM4 密钥，后 16 字节只用于“确定性”加密的随机数——同一密钥下同一
明文得同一令牌（随机数 = SM3-HMAC(后半密钥, aad ‖ 明文) 的前 12 字节，SIV 的做法），用于要
按值查找的字段（记录编号：同一记录的更正要找到旧版本）。它只泄露“两个值相等”；其余字段每次用新的
随机数。只用 `cryptography`（OpenSSL 的 SM4、SM3），不自己实现密码算法。
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from shouhu.core.errors import DomainError

PREFIX = "sm4:"
NONCE = 12
TAG = 16


class SealError(DomainError):
    """令牌解不开：缺少密钥、密钥不对或令牌被改动。消息是中文，不含明文。"""


def sm4_gcm_encrypt(key: bytes, nonce: bytes, plain: bytes, aad: bytes) -> bytes:
    """密文 ‖ 16 字节标签。"""
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(plain) + encryptor.finalize() + encryptor.tag


def sm4_gcm_decrypt(key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    """解开 `密文 ‖ 标签`；标签不符时抛 cryptography 的 InvalidTag。"""
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-TAG:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(sealed[:-TAG]) + decryptor.finalize()


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def token_key_id(token: str) -> str:
    return token[len(PREFIX) :].partition(":")[0]


def token_seal(
    key_id: str, key: bytes, plain: str, *, aad: str, deterministic: bool = False
) -> str:
    """把明文封成令牌；deterministic 时同一密钥下同一明文得同一令牌（见模块说明）。"""
    data, bound = plain.encode("utf-8"), aad.encode("utf-8")
    if deterministic:
        signer = hmac.HMAC(key[16:], hashes.SM3())
        signer.update(bound + b"\x00" + data)
        nonce = signer.finalize()[:NONCE]
    else:
        nonce = os.urandom(NONCE)
    body = nonce + sm4_gcm_encrypt(key[:16], nonce, data, bound)
    return f"{PREFIX}{key_id}:{base64.urlsafe_b64encode(body).decode('ascii').rstrip('=')}"


def token_open(token: str, keys: Mapping[str, bytes], *, aad: str) -> str:
    """解开令牌；缺少密钥、令牌损坏或不属于这个字段时抛 SealError。"""
    key_id, _, text = token[len(PREFIX) :].partition(":")
    key = keys.get(key_id)
    if key is None:
        raise SealError(
            f"缺少字段加密密钥 {key_id}：请把含有它的密钥文件放回（SHOUHU_FIELD_KEY_FILE）"
        )
    try:
        body = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        plain = sm4_gcm_decrypt(key[:16], body[:NONCE], body[NONCE:], aad.encode("utf-8"))
        return plain.decode("utf-8")
    except (InvalidTag, ValueError, binascii.Error):
        raise SealError(f"加密字段解不开（密钥 {key_id} 不对或数据被改动）") from None


BYTES_PREFIX = PREFIX.encode("ascii")


def bytes_seal(key_id: str, key: bytes, data: bytes, *, aad: str) -> bytes:
    """整个文件：`sm4:<密钥 id>:` ‖ 随机数 ‖ 密文 ‖ 标签（保存的原文件用，随机随机数）。"""
    nonce = os.urandom(NONCE)
    sealed = sm4_gcm_encrypt(key[:16], nonce, data, aad.encode("utf-8"))
    return BYTES_PREFIX + key_id.encode("ascii") + b":" + nonce + sealed


def bytes_key_id(blob: bytes) -> str:
    return blob[len(BYTES_PREFIX) :].partition(b":")[0].decode("ascii", "replace")


def bytes_open(blob: bytes, keys: Mapping[str, bytes], *, aad: str) -> bytes:
    """解开 bytes_seal 的结果；缺少密钥或被改动时抛 SealError。"""
    key_id = bytes_key_id(blob)
    key = keys.get(key_id)
    if key is None:
        raise SealError(
            f"缺少字段加密密钥 {key_id}：请把含有它的密钥文件放回（SHOUHU_FIELD_KEY_FILE）"
        )
    body = blob[len(BYTES_PREFIX) + len(key_id) + 1 :]
    try:
        return sm4_gcm_decrypt(key[:16], body[:NONCE], body[NONCE:], aad.encode("utf-8"))
    except (InvalidTag, ValueError):
        raise SealError(f"加密保存的文件解不开（密钥 {key_id} 不对或数据被改动）") from None
