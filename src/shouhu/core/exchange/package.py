"""离线交换包（巴彦淖尔通知 §4（二）4：不具备联网条件的，用移动存储介质在加密措施下定期批量交换）。

发送方用 `shouhu package export` 把一个月的报送文件封成一个包，拷到移动介质上带到民政部门；
接收方用 `shouhu package import`（或网页）验签、解密、入库。格式见 package_format.py。

密码方案（GB/T 39786 的思路：国密算法保机密性和完整性，签名保来源真实、不可否认）：
- 内容：SM4-GCM（`cryptography` 库，底层 OpenSSL），每包一个新的128位内容密钥，12字节随机数，
  文件头作附加认证数据，所以改文件头和改密文一样过不了认证标签；
- 内容密钥：每包临时生成，用接收方的两把公钥封装——X25519 密钥协商和 SM2 公钥加密的数字信封
  各得一个秘密，二者合在一起用 HKDF-SM3 派生出 SM4 密钥。只破一种算法拿不到内容密钥；
  SM2 数字信封符合 GB/T 39786 用 SM2 做密钥交换的做法，X25519 由审计充分的 OpenSSL 实现兜底；
  不用“双方预先共享对称密钥”，因为那样每对部门都得线下传递秘密，且一处泄露即全部泄露；
- 签名：Ed25519（`cryptography`）和 SM2/SM3（gmssl-pyx，GmSSL 3 的 C 实现，随机数取自
  /dev/urandom，见 package_sm2.py）各签一次，签名对象是签名块之前的全部字节；两个都验过才接收，
  不接受只有一种签名的包（防降级）。不用纯 Python 的 gmssl：它的 SM2 签名随机数不是密码学安全的。
- 信任：接收方的信任库登记发送方公钥及其所属部门；包声称的发送部门必须是公钥登记的部门。
- 防重放：包编号（UUIDv4）由签名保护，调用方传入 seen(包编号) 判断是否已导入过。

检查顺序：分帧（截断、尾部多余、缺签名）→ 文件头 → 信任库 → Ed25519 → SM2 → 接收方密钥 →
重放 → 解密。签名在解密之前验，所以被改动的包不会走到解密，拒收原因也就分得清。
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shouhu.core.exchange.package_format import (
    NONCE_SIZE,
    TAG_SIZE,
    CryptoFields,
    Frame,
    PackageHeader,
    PackageRefused,
    RefusalReason,
    frame_parse,
    frame_prefix,
    frame_signatures,
    frame_signed,
    header_decode,
    header_encode,
)
from shouhu.core.exchange.package_keys import PrivateKeys, PublicKeys, TrustStore
from shouhu.core.exchange.package_sm2 import sm2_decrypt, sm2_encrypt, sm2_sign, sm2_verify

__all__ = [
    "OpenedPackage",
    "PackageHeader",
    "PackageRefused",
    "RefusalReason",
    "package_open",
    "package_seal",
]

_SECRET_SIZE = 32
_KDF_LABEL = b"shouhu-package v1 content key\x00"


@dataclass(frozen=True, slots=True)
class OpenedPackage:
    """验签、解密后的包。content 是原报送文件（交给 read_table），不进 repr。"""

    header: PackageHeader
    content: bytes = field(repr=False)
    content_sha256: str
    package_sha256: str


def package_seal(
    *,
    content: bytes,
    filename: str,
    item_code: str,
    period: date,
    sender: PrivateKeys,
    recipient: PublicKeys,
    package_id: str | None = None,
    created_at: datetime | None = None,
) -> bytes:
    """把一份报送文件封成离线交换包：加密给 recipient，用 sender 的两把签名私钥签名。"""
    header = PackageHeader(
        package_id=package_id or str(uuid.uuid4()),
        created_at=(created_at or datetime.now(UTC)).replace(microsecond=0),
        sender=sender.public.agency,
        sender_key_id=sender.public.key_id,
        recipient=recipient.agency,
        recipient_key_id=recipient.key_id,
        item_code=item_code,
        period=period.replace(day=1),
        filename=filename,
        content_length=len(content),
    )
    ephemeral = X25519PrivateKey.generate()
    secret = os.urandom(_SECRET_SIZE)
    crypto = CryptoFields(
        nonce=os.urandom(NONCE_SIZE),
        ephemeral=ephemeral.public_key().public_bytes_raw(),
        envelope=sm2_encrypt(recipient.sm2_encrypt, secret),
    )
    key = _content_key(ephemeral.exchange(recipient.x25519), secret, header, crypto)
    aad = frame_prefix(header_encode(header, crypto))
    signed = frame_signed(aad, _encrypt(key, crypto.nonce, aad, content))
    signatures = frame_signatures(sender.ed25519.sign(signed), sm2_sign(sender.sm2_sign, signed))
    return signed + signatures


def package_open(
    data: bytes,
    *,
    trust: TrustStore,
    recipient: PrivateKeys,
    seen: Callable[[str], bool],
) -> OpenedPackage:
    """验签并解密；任何问题抛 PackageRefused（原因见 RefusalReason），不返回部分内容。

    seen(包编号) 返回 True 表示该包已导入过（调用方在入库的同一事务中查）。
    """
    frame = frame_parse(data)
    header, crypto = header_decode(frame.header_raw)
    signer = _trusted_signer(trust, header)
    _verify_signatures(signer, frame)
    _check_recipient(recipient, header)
    if seen(header.package_id):
        raise PackageRefused(RefusalReason.REPLAYED, f"包编号 {header.package_id}")
    content = _decrypt_package(recipient, header, crypto, frame)
    return OpenedPackage(
        header=header,
        content=content,
        content_sha256=hashlib.sha256(content).hexdigest(),
        package_sha256=hashlib.sha256(data).hexdigest(),
    )


def _trusted_signer(trust: TrustStore, header: PackageHeader) -> PublicKeys:
    signer = trust.get(header.sender_key_id)
    if signer is None:
        raise PackageRefused(
            RefusalReason.UNTRUSTED_SIGNER,
            f"签名公钥（密钥编号 {header.sender_key_id}）未登记在信任库中，"
            "请先核对指纹并登记发送方公钥（若已登记，则包的文件头可能被改动过）",
        )
    if signer.agency != header.sender:
        raise PackageRefused(
            RefusalReason.UNTRUSTED_SIGNER,
            f"签名公钥登记的部门是 {signer.agency.label}，包却声称来自 {header.sender.label}",
        )
    return signer


def _verify_signatures(signer: PublicKeys, frame: Frame) -> None:
    # 先验 Ed25519：被改动的包在这里就被拒，不必交给 SM2 库（它验签失败时会往标准错误打印调试信息）
    try:
        signer.ed25519.verify(frame.ed25519_signature, frame.signed)
    except InvalidSignature:
        raise PackageRefused(RefusalReason.TAMPERED, "Ed25519 签名验证失败") from None
    if not sm2_verify(signer.sm2_sign, frame.signed, frame.sm2_signature):
        raise PackageRefused(RefusalReason.TAMPERED, "SM2 签名验证失败")


def _check_recipient(recipient: PrivateKeys, header: PackageHeader) -> None:
    mine = recipient.public
    if header.recipient_key_id != mine.key_id or header.recipient != mine.agency:
        raise PackageRefused(
            RefusalReason.WRONG_KEY,
            f"此包是发给 {header.recipient.label}（密钥编号 {header.recipient_key_id}）的，"
            f"本机密钥是 {mine.agency.label}（密钥编号 {mine.key_id}）",
        )


def _decrypt_package(
    recipient: PrivateKeys, header: PackageHeader, crypto: CryptoFields, frame: Frame
) -> bytes:
    wrong_key = PackageRefused(
        RefusalReason.WRONG_KEY, "内容密钥解不开（发送方用的不是本机公钥，或包内容与文件头不符）"
    )
    secret = sm2_decrypt(recipient.sm2_encrypt, crypto.envelope)
    if secret is None or len(secret) != _SECRET_SIZE:
        raise wrong_key
    try:
        shared = recipient.x25519.exchange(X25519PublicKey.from_public_bytes(crypto.ephemeral))
        key = _content_key(shared, secret, header, crypto)
        content = _decrypt(key, crypto.nonce, frame.aad, frame.ciphertext)
    except (ValueError, InvalidTag):
        raise wrong_key from None
    if len(content) != header.content_length:
        raise PackageRefused(RefusalReason.TAMPERED, "解密后的长度与文件头不符")
    return content


def _content_key(
    shared: bytes, secret: bytes, header: PackageHeader, crypto: CryptoFields
) -> bytes:
    """HKDF-SM3(X25519 共享秘密 ‖ SM2 信封中的秘密)，绑定包编号、接收方密钥和临时公钥。"""
    info = b"\x00".join(
        [
            _KDF_LABEL,
            header.package_id.encode(),
            header.recipient_key_id.encode(),
            crypto.ephemeral,
        ]
    )
    return HKDF(algorithm=hashes.SM3(), length=16, salt=None, info=info).derive(shared + secret)


def _encrypt(key: bytes, nonce: bytes, aad: bytes, content: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(content) + encryptor.finalize() + encryptor.tag


def _decrypt(key: bytes, nonce: bytes, aad: bytes, ciphertext: bytes) -> bytes:
    body, tag = ciphertext[:-TAG_SIZE], ciphertext[-TAG_SIZE:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()
