"""离线交换包的文件格式：分帧、文件头（规范 JSON）和拒收原因。加解密和签名在 package.py。

一个包是一个文件，每个字节都有归属，多一个少一个都拒收：

    "SHOUHU-PKG"  版本(1字节)  文件头长度(4字节)  文件头(规范 JSON，UTF-8)
    密文长度(8字节)  密文(SM4-GCM，末尾16字节认证标签)
    Ed25519签名长度(2字节)  Ed25519签名  SM2签名长度(2字节)  SM2签名(DER)

前四段（到文件头为止）是 GCM 的附加认证数据；到密文为止的全部字节是两种签名的签名对象。
整数一律大端。文件头必须是规范形式（键排序、无空白、无重复键），解析后再编码须逐字节相同。
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from shouhu.core.errors import DomainError, ErrorCode, InvalidInput
from shouhu.core.exchange.package_keys import AgencyRef

MAGIC = b"SHOUHU-PKG"
VERSION = 1
MAX_HEADER_BYTES = 64 * 1024
MAX_CONTENT_BYTES = 100 * 1024 * 1024  # 与读取上限 ReadLimits.max_bytes 一致
NONCE_SIZE = 12
TAG_SIZE = 16
EPHEMERAL_SIZE = 32
CIPHER = "SM4-GCM"
KEY_AGREEMENT = "X25519+SM2/HKDF-SM3"
SIGNATURE = "Ed25519+SM2"

_KEY_ID = re.compile(r"^[0-9a-f]{16}$")
_HEX = re.compile(r"^(?:[0-9a-f]{2})+$")
_ITEM = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_PERIOD = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
_CREATED = "%Y-%m-%dT%H:%M:%SZ"


class RefusalReason(StrEnum):
    NOT_A_PACKAGE = "not_a_package"
    UNSUPPORTED_VERSION = "unsupported_version"
    TRUNCATED = "truncated"
    TAMPERED = "tampered"
    UNSIGNED = "unsigned"
    UNTRUSTED_SIGNER = "untrusted_signer"
    WRONG_KEY = "wrong_key"
    REPLAYED = "replayed"


REFUSAL_TITLES = {
    RefusalReason.NOT_A_PACKAGE: "不是离线交换包",
    RefusalReason.UNSUPPORTED_VERSION: "版本不支持",
    RefusalReason.TRUNCATED: "文件被截断",
    RefusalReason.TAMPERED: "内容被篡改（签名或认证标签不符）",
    RefusalReason.UNSIGNED: "未签名",
    RefusalReason.UNTRUSTED_SIGNER: "发送方公钥不受信任",
    RefusalReason.WRONG_KEY: "密钥不符（无法解密）",
    RefusalReason.REPLAYED: "重复导入（包编号已导入过）",
}


class PackageRefused(DomainError):
    """离线交换包被拒收。reason 供程序判断，message 是给人看的中文（不含包内数据）。"""

    def __init__(self, reason: RefusalReason, detail: str = "") -> None:
        text = f"离线交换包被拒收：{REFUSAL_TITLES[reason]}"
        if detail:
            text += f"。{detail}"
        text += "。未导入任何数据。"
        code = ErrorCode.CONFLICT if reason is RefusalReason.REPLAYED else ErrorCode.INVALID_INPUT
        super().__init__(text, code=code)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class PackageHeader:
    """包的业务信息（明文，任何拿到介质的人都能看到，所以不放内容哈希等可被猜证的信息）。"""

    package_id: str
    created_at: datetime
    sender: AgencyRef
    sender_key_id: str
    recipient: AgencyRef
    recipient_key_id: str
    item_code: str
    period: date
    filename: str
    content_length: int


@dataclass(frozen=True, slots=True)
class CryptoFields:
    """文件头中的密码参数：GCM 随机数、X25519 临时公钥、SM2 数字信封。"""

    nonce: bytes
    ephemeral: bytes
    envelope: bytes


@dataclass(frozen=True, slots=True)
class Frame:
    """按长度切好的包。aad 是 GCM 附加认证数据，signed 是签名对象。"""

    aad: bytes
    header_raw: bytes
    ciphertext: bytes
    signed: bytes
    ed25519_signature: bytes
    sm2_signature: bytes


# ------------------------------------------------------------------ 分帧


def frame_prefix(header_raw: bytes) -> bytes:
    return MAGIC + bytes([VERSION]) + len(header_raw).to_bytes(4, "big") + header_raw


def frame_signed(aad: bytes, ciphertext: bytes) -> bytes:
    return aad + len(ciphertext).to_bytes(8, "big") + ciphertext


def frame_signatures(ed25519_signature: bytes, sm2_signature: bytes) -> bytes:
    return b"".join(len(s).to_bytes(2, "big") + s for s in (ed25519_signature, sm2_signature))


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, size: int) -> bytes:
        if self.at + size > len(self.data):
            raise PackageRefused(
                RefusalReason.TRUNCATED, "文件比包内记载的长度短，可能没有拷贝完整"
            )
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk

    def number(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def remaining(self) -> int:
        return len(self.data) - self.at


def frame_parse(data: bytes) -> Frame:
    """按长度切分；截断、尾部多余、缺签名、版本不对都在这里拒收。"""
    _check_magic(data)
    cursor = _Cursor(data)
    cursor.take(len(MAGIC) + 1)
    header_size = cursor.number(4)
    if header_size > MAX_HEADER_BYTES:
        raise PackageRefused(RefusalReason.TAMPERED, "文件头长度异常")
    header_raw = cursor.take(header_size)
    aad = data[: cursor.at]
    ct_size = cursor.number(8)
    if not TAG_SIZE <= ct_size <= MAX_CONTENT_BYTES + TAG_SIZE:
        raise PackageRefused(RefusalReason.TAMPERED, "密文长度异常")
    ciphertext = cursor.take(ct_size)
    signed = data[: cursor.at]
    if cursor.remaining() == 0:
        raise PackageRefused(RefusalReason.UNSIGNED, "包中没有签名")
    ed_sig = cursor.take(cursor.number(2))
    sm2_sig = cursor.take(cursor.number(2))
    if cursor.remaining():
        raise PackageRefused(RefusalReason.TAMPERED, "文件末尾有多余的数据")
    for name, signature in (("Ed25519", ed_sig), ("SM2", sm2_sig)):
        if not signature.strip(b"\x00"):
            raise PackageRefused(RefusalReason.UNSIGNED, f"缺少 {name} 签名")
    return Frame(aad, header_raw, ciphertext, signed, ed_sig, sm2_sig)


def _check_magic(data: bytes) -> None:
    if not data.startswith(MAGIC):
        if data and MAGIC.startswith(data):
            raise PackageRefused(RefusalReason.TRUNCATED, "只有文件开头的几个字节")
        raise PackageRefused(RefusalReason.NOT_A_PACKAGE, "请选择 shouhu package export 生成的文件")
    if len(data) == len(MAGIC):
        raise PackageRefused(RefusalReason.TRUNCATED, "只有文件开头的几个字节")
    if data[len(MAGIC)] != VERSION:
        raise PackageRefused(
            RefusalReason.UNSUPPORTED_VERSION,
            f"包的格式版本是 {data[len(MAGIC)]}，本系统只支持版本 {VERSION}，"
            "请升级或让发送方用同一版本导出",
        )


# ------------------------------------------------------------------ 文件头


def header_encode(header: PackageHeader, crypto: CryptoFields) -> bytes:
    header_check(header)
    doc = {
        "package_id": header.package_id,
        "created_at": header.created_at.astimezone(UTC).strftime(_CREATED),
        "sender": _party(header.sender, header.sender_key_id),
        "recipient": _party(header.recipient, header.recipient_key_id),
        "item_code": header.item_code,
        "period": header.period.strftime("%Y-%m"),
        "filename": header.filename,
        "content_length": header.content_length,
        "cipher": CIPHER,
        "nonce": crypto.nonce.hex(),
        "key_agreement": KEY_AGREEMENT,
        "ephemeral_key": crypto.ephemeral.hex(),
        "sm2_envelope": crypto.envelope.hex(),
        "signature": SIGNATURE,
    }
    return _canonical(doc)


def _canonical(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _party(agency: AgencyRef, key_id: str) -> dict[str, str]:
    return {
        "agency_type": agency.agency_type,
        "division_code": agency.division_code,
        "key_id": key_id,
    }


def header_check(header: PackageHeader) -> None:
    """发送前检查字段（导出时给出清楚的错误，而不是写出一个对方必拒的包）。"""
    problems = []
    if not _uuid4_ok(header.package_id):
        problems.append("包编号应为小写的 UUIDv4")
    if not _ITEM.match(header.item_code):
        problems.append("数据项代码应为小写英文、数字和下划线")
    if not _filename_ok(header.filename):
        problems.append("文件名应为1–255个字符，不含路径和控制字符")
    if not 0 <= header.content_length <= MAX_CONTENT_BYTES:
        problems.append(f"内容超过 {MAX_CONTENT_BYTES // (1024 * 1024)} MB 上限")
    if header.created_at.tzinfo is None:
        problems.append("创建时间须带时区")
    if header.period.day != 1:
        problems.append("所属月份须为当月1日")
    for key_id in (header.sender_key_id, header.recipient_key_id):
        if not _KEY_ID.match(key_id):
            problems.append("密钥编号应为16位小写十六进制")
    if problems:
        raise InvalidInput("不能导出离线交换包：" + "；".join(problems))


def _uuid4_ok(text: str) -> bool:
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        return False
    return parsed.version == 4 and str(parsed) == text


def _filename_ok(name: str) -> bool:
    return (
        0 < len(name) <= 255
        and name not in (".", "..")
        and not any(c in name for c in "/\\") and all(c.isprintable() for c in name)
    )  # fmt: skip


def header_decode(raw: bytes) -> tuple[PackageHeader, CryptoFields]:
    """严格解析文件头；任何不合规都按“被篡改”拒收。"""
    try:
        doc = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
        header, crypto = _from_doc(doc)
        if header_encode(header, crypto) != raw:
            raise ValueError("not canonical")
    except (ValueError, TypeError, KeyError, AttributeError, InvalidInput, RecursionError):
        raise PackageRefused(RefusalReason.TAMPERED, "文件头无效") from None
    return header, crypto


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    doc = dict(pairs)
    if len(doc) != len(pairs):
        raise ValueError("duplicate key")
    return doc


def _from_doc(doc: dict[str, Any]) -> tuple[PackageHeader, CryptoFields]:
    if doc["cipher"] != CIPHER or doc["key_agreement"] != KEY_AGREEMENT:
        raise ValueError("algorithm")
    if doc["signature"] != SIGNATURE:
        raise ValueError("algorithm")
    period = _PERIOD.match(_text(doc["period"]))
    length = doc["content_length"]
    if not period or type(length) is not int or length < 0:
        raise ValueError("field")
    sender, sender_key = _party_from(doc["sender"])
    recipient, recipient_key = _party_from(doc["recipient"])
    created = datetime.strptime(_text(doc["created_at"]), _CREATED).replace(tzinfo=UTC)
    header = PackageHeader(
        _text(doc["package_id"]), created, sender, sender_key, recipient, recipient_key,
        _text(doc["item_code"]), date(int(period.group(1)), int(period.group(2)), 1),
        _text(doc["filename"]), doc["content_length"],
    )  # fmt: skip
    crypto = CryptoFields(
        _hex(doc["nonce"], NONCE_SIZE), _hex(doc["ephemeral_key"], EPHEMERAL_SIZE),
        _hex(doc["sm2_envelope"], None),
    )  # fmt: skip
    return header, crypto


def _party_from(value: Any) -> tuple[AgencyRef, str]:
    if not isinstance(value, dict):
        raise TypeError("party")
    return AgencyRef(_text(value["agency_type"]), _text(value["division_code"])), _text(
        value["key_id"]
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("text")
    return value


def _hex(value: Any, size: int | None) -> bytes:
    text = _text(value)
    if not _HEX.match(text) or (size is not None and len(text) != 2 * size):
        raise ValueError("hex")
    return bytes.fromhex(text)
