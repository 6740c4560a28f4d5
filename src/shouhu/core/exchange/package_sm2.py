"""SM2（GB/T 32918）签名与公钥加密：对 gmssl-pyx 的薄封装，只给离线交换包用。

为什么是 gmssl-pyx：
- `cryptography` 不支持 SM2 曲线（载入 SM2 私钥时报 UnsupportedAlgorithm）；
- 纯 Python 的 `gmssl`（duanhongyi）签名随机数不是密码学安全随机数，不用；
- gmssl-pyx 是 GmSSL 3.2（北京大学 GmSSL 项目）的 C 扩展，静态链接、无系统依赖，随机数取自
  /dev/urandom（GmSSL `rand_bytes`），签名带 GB/T 35276 的用户标识杂凑 Z；本模块的测试用
  OpenSSL 命令行交叉验证签名；
- tongsuopy 自 2023 年初未再发布；snowland-smx、sm-crypto 等为纯 Python 大数运算，不恒时。

私钥和公钥按 PKCS#8 / SubjectPublicKeyInfo（曲线 OID 1.2.156.10197.1.301）编码，OpenSSL 可直接读取。
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

import gmssl_pyx  # type: ignore[import-untyped]

SIGNER_ID = b"1234567812345678"  # GB/T 35276 的默认用户标识
PRIVATE_SIZE = 32
PUBLIC_SIZE = 64  # x‖y，不含 04 前缀

# GB/T 32918.5 推荐曲线参数
_P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
_A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
_B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
_N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123

# 定长 DER 模板：SM2 私钥和公钥的长度固定，逐字节比对前缀即可严格解析，不需要通用 ASN.1 解析器
_PKCS8_HEAD = bytes.fromhex(
    "308187020100301306072a8648ce3d020106082a811ccf5501822d046d306b0201010420"
)
_PKCS8_MID = bytes.fromhex("a14403420004")
_SPKI_HEAD = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d03420004")


class Sm2Error(Exception):
    """SM2 密钥或数据无效（调用方翻译成中文消息）。"""


@dataclass(frozen=True, slots=True)
class Sm2KeyPair:
    """SM2 密钥对。private 不进 repr，免得落进日志。"""

    public: bytes
    private: bytes = field(repr=False)


def sm2_generate() -> Sm2KeyPair:
    public, private = gmssl_pyx.sm2_key_generate()
    return Sm2KeyPair(public=bytes(public), private=bytes(private))


def sm2_public_valid(public: bytes) -> bool:
    """公钥是否为曲线上的点（坐标小于 p，满足 y² = x³ + ax + b）。"""
    if len(public) != PUBLIC_SIZE:
        return False
    x = int.from_bytes(public[:32], "big")
    y = int.from_bytes(public[32:], "big")
    if x >= _P or y >= _P:
        return False
    return (y * y - (x * x * x + _A * x + _B)) % _P == 0


def sm2_sign(pair: Sm2KeyPair, message: bytes) -> bytes:
    """带 Z 值的 SM2/SM3 签名，DER 编码（r, s）。"""
    return bytes(gmssl_pyx.sm2_sign(pair.private, pair.public, message, SIGNER_ID))


def sm2_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """验签；任何格式问题都只返回 False，不抛异常。"""
    if not sm2_public_valid(public) or not 8 <= len(signature) <= 72:
        return False
    try:
        return bool(gmssl_pyx.sm2_verify(public, message, signature, SIGNER_ID))
    except (gmssl_pyx.GmsslInnerError, ValueError, TypeError):
        return False


def sm2_encrypt(public: bytes, plaintext: bytes) -> bytes:
    """SM2 公钥加密（C1C3C2，DER），用于封装内容密钥（数字信封）。"""
    if not sm2_public_valid(public):
        raise Sm2Error("SM2 公钥无效")
    return bytes(gmssl_pyx.sm2_encrypt(public, plaintext))


def sm2_decrypt(pair: Sm2KeyPair, ciphertext: bytes) -> bytes | None:
    """解密；密钥不符或密文损坏时返回 None。"""
    if not 45 <= len(ciphertext) <= 366:
        return None
    try:
        return bytes(gmssl_pyx.sm2_decrypt(pair.private, ciphertext))
    except (gmssl_pyx.GmsslInnerError, ValueError, TypeError):
        return None


def sm2_private_der(pair: Sm2KeyPair) -> bytes:
    return _PKCS8_HEAD + pair.private + _PKCS8_MID + pair.public


def sm2_private_from_der(der: bytes, *, purpose: str) -> Sm2KeyPair:
    """严格解析本模块写出的（也是 OpenSSL 写出的）PKCS#8，并检查私钥与公钥配对。

    purpose 为 "sign" 或 "encrypt"：按用途做一次签名验签或加密解密自检。
    """
    size = len(_PKCS8_HEAD) + PRIVATE_SIZE + len(_PKCS8_MID) + PUBLIC_SIZE
    mid_at = len(_PKCS8_HEAD) + PRIVATE_SIZE
    mid = der[mid_at : mid_at + len(_PKCS8_MID)]
    if len(der) != size or not der.startswith(_PKCS8_HEAD) or mid != _PKCS8_MID:
        raise Sm2Error("不是 SM2 私钥")
    private = der[len(_PKCS8_HEAD) : mid_at]
    pair = Sm2KeyPair(public=der[mid_at + len(_PKCS8_MID) :], private=private)
    if not 0 < int.from_bytes(private, "big") < _N - 1 or not sm2_public_valid(pair.public):
        raise Sm2Error("SM2 私钥或公钥不在曲线上")
    if not _pair_consistent(pair, purpose):
        raise Sm2Error("SM2 私钥与公钥不配对")
    return pair


def _pair_consistent(pair: Sm2KeyPair, purpose: str) -> bool:
    probe = b"shouhu sm2 key check"
    if purpose == "sign":
        return sm2_verify(pair.public, probe, sm2_sign(pair, probe))
    decrypted = sm2_decrypt(pair, sm2_encrypt(pair.public, probe))
    return decrypted is not None and hmac.compare_digest(decrypted, probe)


def sm2_public_der(public: bytes) -> bytes:
    return _SPKI_HEAD + public


def sm2_public_from_der(der: bytes) -> bytes:
    if len(der) != len(_SPKI_HEAD) + PUBLIC_SIZE or not der.startswith(_SPKI_HEAD):
        raise Sm2Error("不是 SM2 公钥")
    public = der[len(_SPKI_HEAD) :]
    if not sm2_public_valid(public):
        raise Sm2Error("SM2 公钥不在曲线上")
    return public
