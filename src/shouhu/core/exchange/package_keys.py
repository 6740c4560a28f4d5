"""离线交换包的密钥：每个部门一套，私钥文件留在本机，公钥文件交给对方登记进信任库。

一套密钥有四把，用途分开（签名和加密不共用一把，这也是国密双证书的做法）：
- ed25519-sign、sm2-sign：发送时签名（两种签名都要验过才接收）；
- x25519-encrypt、sm2-encrypt：接收时解开内容密钥（两者合起来派生，见 package.py）。

文件是 UTF-8 文本：几行 `shouhu-<键>: <值>` 说明（名称、部门、密钥编号），每把密钥一个 PEM 块
（私钥 PKCS#8，公钥 SubjectPublicKeyInfo，OpenSSL 可读），块前一行 `shouhu-block: <用途>`。
密钥指纹是对部门、名称和四把公钥的 SHA-256，密钥编号取其前16位；双方电话核对指纹后才登记。
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from shouhu.core.catalog import AGENCY_LABELS
from shouhu.core.errors import InvalidInput
from shouhu.core.exchange.package_sm2 import (
    Sm2Error,
    Sm2KeyPair,
    sm2_generate,
    sm2_private_der,
    sm2_private_from_der,
    sm2_public_der,
    sm2_public_from_der,
)

BLOCKS = ("ed25519-sign", "sm2-sign", "x25519-encrypt", "sm2-encrypt")
_PEM_BLOCK = re.compile(
    rb"-----BEGIN (PRIVATE KEY|PUBLIC KEY)-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END \1-----"
)
_META_LINE = re.compile(r"^shouhu-([a-z-]+): (.*)$")
_DIVISION = re.compile(r"^[0-9]{6}$")


class KeyFileError(InvalidInput):
    """密钥文件读不了或不对。消息是中文，不含密钥内容。"""


@dataclass(frozen=True, slots=True)
class AgencyRef:
    """部门：类型（glossary 的部门代码）+ 6位行政区划代码。"""

    agency_type: str
    division_code: str

    def __post_init__(self) -> None:
        if self.agency_type not in AGENCY_LABELS:
            raise KeyFileError(f"部门类型“{self.agency_type}”不存在")
        if not _DIVISION.match(self.division_code):
            raise KeyFileError(f"行政区划代码“{self.division_code}”应为6位数字")

    @property
    def label(self) -> str:
        return f"{self.division_code} {AGENCY_LABELS[self.agency_type]}"


@dataclass(frozen=True, slots=True)
class PublicKeys:
    """一个部门的四把公钥。key_id / fingerprint 由内容算出，改一个字就对不上。"""

    agency: AgencyRef
    name: str
    ed25519: Ed25519PublicKey
    sm2_sign: bytes
    x25519: X25519PublicKey
    sm2_encrypt: bytes

    def ders(self) -> tuple[bytes, bytes, bytes, bytes]:
        spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        return (
            self.ed25519.public_bytes(*spki),
            sm2_public_der(self.sm2_sign),
            self.x25519.public_bytes(*spki),
            sm2_public_der(self.sm2_encrypt),
        )

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256(b"shouhu-package-key v1\n")
        for part in (self.agency.agency_type, self.agency.division_code, self.name):
            digest.update(part.encode("utf-8") + b"\n")
        for der in self.ders():
            digest.update(len(der).to_bytes(2, "big") + der)
        return digest.hexdigest()

    @property
    def key_id(self) -> str:
        return self.fingerprint[:16]


@dataclass(frozen=True, slots=True)
class PrivateKeys:
    """一个部门的四把私钥及其公钥。私钥不进 repr。"""

    public: PublicKeys
    ed25519: Ed25519PrivateKey = field(repr=False)
    sm2_sign: Sm2KeyPair = field(repr=False)
    x25519: X25519PrivateKey = field(repr=False)
    sm2_encrypt: Sm2KeyPair = field(repr=False)


def fingerprint_display(fingerprint: str) -> str:
    """指纹分组显示，便于电话逐组核对。"""
    return " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))


def keys_generate(*, agency: AgencyRef, name: str) -> PrivateKeys:
    _check_name(name)
    ed, x = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    sm2s, sm2e = sm2_generate(), sm2_generate()
    public = PublicKeys(agency, name, ed.public_key(), sm2s.public, x.public_key(), sm2e.public)
    return PrivateKeys(public, ed, sm2s, x, sm2e)


def _check_name(name: str) -> None:
    if not name.strip() or len(name) > 100 or any(c in name for c in "\r\n\t\x00"):
        raise KeyFileError("密钥名称应为1–100个字符的一行文字")


# ------------------------------------------------------------------ 写出


def private_keys_pem(keys: PrivateKeys) -> bytes:
    pkcs8 = (
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    ders = (
        keys.ed25519.private_bytes(*pkcs8),
        sm2_private_der(keys.sm2_sign),
        keys.x25519.private_bytes(*pkcs8),
        sm2_private_der(keys.sm2_encrypt),
    )
    title = "守护离线交换包私钥：只留在本机，切勿外传，切勿拷入移动介质"
    return _key_file(title, "private", keys.public, "PRIVATE KEY", ders)


def public_keys_pem(keys: PublicKeys) -> bytes:
    title = "守护离线交换包公钥：交给对方登记前，请电话核对指纹"
    return _key_file(title, "public", keys, "PUBLIC KEY", keys.ders())


def _key_file(
    title: str, kind: str, public: PublicKeys, label: str, ders: Iterable[bytes]
) -> bytes:
    lines = [
        title,
        f"shouhu-key-file: {kind} v1",
        f"shouhu-name: {public.name}",
        f"shouhu-agency: {public.agency.agency_type} {public.agency.division_code}",
        f"shouhu-key-id: {public.key_id}",
        f"shouhu-fingerprint: {public.fingerprint}",
    ]
    for block, der in zip(BLOCKS, ders, strict=True):
        lines.append(f"shouhu-block: {block}")
        lines.append(_pem(label, der))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _pem(label: str, der: bytes) -> str:
    body = base64.b64encode(der).decode("ascii")
    rows = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *rows, f"-----END {label}-----"])


# ------------------------------------------------------------------ 读入


@dataclass(frozen=True, slots=True)
class _KeyFile:
    kind: str
    meta: dict[str, str]
    blocks: dict[str, bytes]


def _parse(data: bytes, label: str) -> _KeyFile:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFileError("密钥文件不是 UTF-8 文本") from None
    meta: dict[str, str] = {}
    blocks: dict[str, bytes] = {}
    pending: str | None = None
    for line in _logical_lines(text):
        if line.startswith("-----BEGIN"):
            if pending is None or pending in blocks:
                raise KeyFileError("密钥文件中的密钥块缺少或重复 shouhu-block 说明")
            blocks[pending] = _pem_der(line, label)
            pending = None
            continue
        match = _META_LINE.match(line)
        if match and match.group(1) == "block":
            pending = match.group(2)
        elif match:
            if match.group(1) in meta:
                raise KeyFileError(f"密钥文件中 shouhu-{match.group(1)} 重复")
            meta[match.group(1)] = match.group(2)
    if tuple(blocks) != BLOCKS:
        raise KeyFileError("密钥文件应依次含四把密钥：" + "、".join(BLOCKS))
    return _KeyFile(meta.get("key-file", ""), meta, blocks)


def _logical_lines(text: str) -> Iterator[str]:
    """逐行给出；PEM 块合成一行交给 _pem_der。"""
    lines = iter(text.replace("\r\n", "\n").split("\n"))
    for line in lines:
        if not line.startswith("-----BEGIN"):
            yield line
            continue
        block = [line]
        for inner in lines:
            block.append(inner)
            if inner.startswith("-----END"):
                break
        yield "\n".join(block)


def _pem_der(block: str, label: str) -> bytes:
    match = _PEM_BLOCK.fullmatch(block.encode("ascii", "replace"))
    if not match or match.group(1).decode() != label:
        kind = "私钥" if label == "PRIVATE KEY" else "公钥"
        raise KeyFileError(f"密钥文件中有一个 PEM 块不是{kind}或已损坏")
    try:
        return base64.b64decode(match.group(2).replace(b"\n", b""), validate=True)
    except binascii.Error:
        raise KeyFileError("密钥文件中有一个 PEM 块已损坏") from None


def _meta_public(meta: Mapping[str, str], ders: Mapping[str, bytes]) -> PublicKeys:
    try:
        ed = serialization.load_der_public_key(ders["ed25519-sign"])
        x = serialization.load_der_public_key(ders["x25519-encrypt"])
        sm2s = sm2_public_from_der(ders["sm2-sign"])
        sm2e = sm2_public_from_der(ders["sm2-encrypt"])
    except (ValueError, UnsupportedAlgorithm, Sm2Error):
        raise KeyFileError("密钥文件中的公钥已损坏") from None
    if not isinstance(ed, Ed25519PublicKey) or not isinstance(x, X25519PublicKey):
        raise KeyFileError("密钥文件中的公钥类型不对")
    public = PublicKeys(_meta_agency(meta), _meta_name(meta), ed, sm2s, x, sm2e)
    _check_id(meta, public)
    return public


def _meta_agency(meta: Mapping[str, str]) -> AgencyRef:
    try:
        agency_type, division_code = meta["agency"].split(" ")
    except (KeyError, ValueError):
        raise KeyFileError("密钥文件缺少 shouhu-agency（部门类型 区划代码）") from None
    return AgencyRef(agency_type, division_code)


def _meta_name(meta: Mapping[str, str]) -> str:
    name = meta.get("name", "")
    _check_name(name)
    return name


def _check_id(meta: Mapping[str, str], public: PublicKeys) -> None:
    if meta.get("key-id") != public.key_id or meta.get("fingerprint") != public.fingerprint:
        raise KeyFileError("密钥文件的密钥编号或指纹与内容不符（文件被改动过）")


def public_keys_load(data: bytes) -> PublicKeys:
    parsed = _parse(data, "PUBLIC KEY")
    if parsed.kind != "public v1":
        raise KeyFileError("这不是守护离线交换包的公钥文件")
    return _meta_public(parsed.meta, parsed.blocks)


def private_keys_load(data: bytes) -> PrivateKeys:
    parsed = _parse(data, "PRIVATE KEY")
    if parsed.kind != "private v1":
        raise KeyFileError("这不是守护离线交换包的私钥文件")
    try:
        ed = serialization.load_der_private_key(parsed.blocks["ed25519-sign"], None)
        x = serialization.load_der_private_key(parsed.blocks["x25519-encrypt"], None)
        sm2s = sm2_private_from_der(parsed.blocks["sm2-sign"], purpose="sign")
        sm2e = sm2_private_from_der(parsed.blocks["sm2-encrypt"], purpose="encrypt")
    except (ValueError, TypeError, UnsupportedAlgorithm, Sm2Error):
        raise KeyFileError("私钥文件中的私钥已损坏") from None
    if not isinstance(ed, Ed25519PrivateKey) or not isinstance(x, X25519PrivateKey):
        raise KeyFileError("私钥文件中的私钥类型不对")
    meta = parsed.meta
    public = PublicKeys(
        _meta_agency(meta),
        _meta_name(meta),
        ed.public_key(),
        sm2s.public,
        x.public_key(),
        sm2e.public,
    )
    _check_id(meta, public)
    return PrivateKeys(public, ed, sm2s, x, sm2e)


# ------------------------------------------------------------------ 信任库


class TrustStore:
    """接收方登记的发送方公钥：密钥编号 → 公钥（含所属部门）。"""

    def __init__(self, keys: Iterable[PublicKeys]) -> None:
        self._keys: dict[str, PublicKeys] = {}
        for key in keys:
            if key.key_id in self._keys:
                raise KeyFileError(f"信任库中密钥编号 {key.key_id} 重复")
            self._keys[key.key_id] = key

    def get(self, key_id: str) -> PublicKeys | None:
        return self._keys.get(key_id)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[PublicKeys]:
        return iter(self._keys.values())


def trust_load(directory: Path) -> TrustStore:
    """读入信任库目录中的全部公钥文件（*.pub.pem）。目录不存在或为空时报错，免得误以为全都可信。"""
    if not directory.is_dir():
        raise KeyFileError(f"信任库目录 {directory} 不存在")
    files = sorted(directory.glob("*.pub.pem"))
    if not files:
        raise KeyFileError(f"信任库目录 {directory} 中没有公钥文件（*.pub.pem）")
    keys = []
    for path in files:
        try:
            keys.append(public_keys_load(path.read_bytes()))
        except KeyFileError as exc:
            raise KeyFileError(f"信任库中的 {path.name}：{exc.message}") from None
    return TrustStore(keys)
