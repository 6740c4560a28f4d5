"""身份证号的私有集合求交（ECDH-PSI，openmined.psi，可选依赖 `shouhu[psi]`）。

用于“只问在不在执行”：民政是客户端，部门是服务端。民政把号码（不合格的号码取近似纠错的各个
候选）盲化后发出；部门用自己的密钥再盲化，并把本部门截至日期在执行的号码（不合格的同样取候选）
盲化成一个集合（GCS）发回；只有民政算得出交集，部门只知道民政问了多少个号码——不知道是谁，
也没有可供穷举的号码哈希（见 docs/pprl-threat-model.md）。代价：部门名单里没有号码的记录对不上
持号码询问的人。

起止日期（psi_answer 的 dates / psi_dates_read）：部门为每个在执行的号码 y 算出 b·H(y)（b 是它这次
求交用的私钥，H 是库的哈希到曲线），由这个点的 x 坐标派生一个标签和一把 SM4-GCM 密钥，把
（起、止、无期）加密后按标签排序发回。民政对自己的号码 x 拿到部门再盲化的 ab·H(x)，用自己的
私钥 a 的逆元去盲化得 b·H(x)——只有号码相同时才与部门的点相同，才找得到标签、解得开日期。
没对上的条目对民政是随机串（DDH 假设下）；部门仍只知道民政问了多少个号码。

实测（本机，2 核与他人共用）：10 万个客户端号码 × 2 万个部门号码约 56 秒，所以适合个案级的
查询（几百、几千人），不适合每月 100 万人的全量比对——后者仍用带密钥的布隆过滤器。
"""

from __future__ import annotations

import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shouhu.core.errors import InvalidInput
from shouhu.core.identity import near_misses
from shouhu.core.pprl.ids import ids_checked

FALSE_POSITIVE_RATE = 1e-9
MISSING = (
    "未安装私有集合求交组件（openmined.psi）。请安装可选依赖：pip install 'shouhu[psi]'，"
    "或不用 --psi-key"
)


def _psi() -> Any:
    try:
        import private_set_intersection.python as psi  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise InvalidInput(MISSING) from None
    return psi


def psi_available() -> bool:
    try:
        _psi()
    except InvalidInput:
        return False
    return True


def id_items(numbers: Sequence[str]) -> tuple[list[str], list[int]]:
    """(求交用的号码, 各号码属于第几行)。合格号码一项；18 位不合格的取 near_misses 各候选。"""
    valid = ids_checked(numbers).valid.tolist()
    items: list[str] = []
    rows: list[int] = []
    for row, (number, ok) in enumerate(zip(numbers, valid, strict=True)):
        candidates = [number] if ok else list(near_misses(number)) if len(number) == 18 else []
        items.extend(candidates)
        rows.extend([row] * len(candidates))
    return items, rows


def psi_request(items: Sequence[str]) -> tuple[bytes, bytes]:
    """民政：(盲化后的请求, 本次的客户端私钥——只留本机，读答复时要用)。"""
    psi = _psi()
    client = psi.client.CreateWithNewKey(True)
    request = client.CreateRequest(list(items)).SerializeToString()
    return bytes(request), bytes(client.GetPrivateKeyBytes())


@dataclass(frozen=True, slots=True)
class Dates:
    """在执行的号码的期间：起、止（无期或未定为 None）、是否无期。"""

    since: date | None
    until: date | None
    life: bool = False


@dataclass(frozen=True, slots=True)
class PsiAnswer:
    setup: bytes  # 本部门号码集合的盲化摘要（GCS）
    response: bytes  # 对请求的再盲化
    dates: bytes = b""  # 按标签排序的加密日期表（只有对上的号码解得开）


def psi_answer(
    request: bytes, own_items: Sequence[str], asked: int, dates: Sequence[Dates] = ()
) -> PsiAnswer:
    """部门：集合摘要、再盲化的请求，给了 dates（与 own_items 逐项对应）时另附加密的日期表。"""
    psi = _psi()
    parsed = psi.Request()
    try:
        parsed.ParseFromString(request)
        server = psi.server.CreateWithNewKey(True)
        setup = server.CreateSetupMessage(
            FALSE_POSITIVE_RATE, max(asked, 1), list(own_items), psi.DataStructure.GCS
        )
        response = server.ProcessRequest(parsed)
    except Exception:  # 库对坏输入抛各种异常
        raise InvalidInput("比对请求中的集合求交部分无法读取") from None
    table = b""
    if dates:
        # 同一个私钥 b 当作“客户端”盲化本部门的号码：库按输入顺序给出 b·H(y)
        own = psi.client.CreateFromKey(server.GetPrivateKeyBytes(), True)
        points = list(own.CreateRequest(list(own_items)).encrypted_elements) if own_items else []
        table = _dates_table(points, dates)
    return PsiAnswer(bytes(setup.SerializeToString()), bytes(response.SerializeToString()), table)


# ------------------------------------------------------------------ 起止日期

_TAG, _NONCE, _PLAIN = 16, 12, 9
ENTRY_SIZE = _TAG + _NONCE + _PLAIN + 16  # 标签 ‖ 随机数 ‖ 密文 ‖ GCM 校验值
_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # P-256 的阶
_INFO = b"shouhu-psi-dates v1\x00"


def _derive(x: bytes) -> tuple[bytes, bytes]:
    """由点的 x 坐标派生（标签, SM4 密钥）。"""
    out = HKDF(algorithm=hashes.SM3(), length=_TAG + 16, salt=None, info=_INFO).derive(x)
    return out[:_TAG], out[_TAG:]


def _pack(d: Dates) -> bytes:
    return struct.pack(
        "<IIB", d.since.toordinal() if d.since else 0, d.until.toordinal() if d.until else 0,
        d.life,
    )  # fmt: skip


def _unpack(data: bytes) -> Dates:
    since, until, life = struct.unpack("<IIB", data)
    return Dates(date.fromordinal(since) if since else None,
                 date.fromordinal(until) if until else None, bool(life))  # fmt: skip


def _dates_table(points: Sequence[bytes], dates: Sequence[Dates]) -> bytes:
    if len(points) != len(dates):
        raise ValueError("号码与日期条数不一致")
    entries: dict[bytes, bytes] = {}
    for point, d in zip(points, dates, strict=True):
        tag, key = _derive(bytes(point)[1:])  # 压缩点：首字节是 y 的奇偶，其后是 x 坐标
        nonce = os.urandom(_NONCE)
        enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
        sealed = enc.update(_pack(d)) + enc.finalize() + enc.tag
        entries.setdefault(tag, tag + nonce + sealed)  # 同一号码只留一条（调用方已取最该答的一段）
    return b"".join(entries[t] for t in sorted(entries))


def psi_dates_read(
    key: bytes, response: bytes, dates: bytes, hits: Sequence[int]
) -> dict[int, Dates]:
    """民政：对上的各项（序号）的起止日期。读不出的（表有误、被改过）不给日期。"""
    psi = _psi()
    parsed = psi.Response()
    try:
        parsed.ParseFromString(response)
        elements = list(parsed.encrypted_elements)
        unblind = ec.derive_private_key(pow(int.from_bytes(key, "big"), -1, _ORDER), ec.SECP256R1())
    except Exception:
        raise InvalidInput("答复中的集合求交部分无法读取，或与本机保存的私钥不配") from None
    size = ENTRY_SIZE
    table = {dates[i : i + _TAG]: dates[i + _TAG : i + size] for i in range(0, len(dates), size)}
    out: dict[int, Dates] = {}
    for index in hits:
        if not 0 <= index < len(elements):
            continue
        try:
            point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), elements[index])
            tag, secret = _derive(unblind.exchange(ec.ECDH(), point))
            entry = table.get(tag)
            if entry is None:
                continue
            nonce, sealed = entry[:_NONCE], entry[_NONCE:]
            dec = Cipher(algorithms.SM4(secret), modes.GCM(nonce, sealed[-16:])).decryptor()
            out[index] = _unpack(dec.update(sealed[:-16]) + dec.finalize())
        except Exception:
            continue
    return out


def psi_intersection(key: bytes, setup: bytes, response: bytes) -> list[int]:
    """民政：自己的哪些项（序号）在部门的集合中。"""
    psi = _psi()
    client = psi.client.CreateFromKey(key, True)
    server_setup, server_response = psi.ServerSetup(), psi.Response()
    try:
        server_setup.ParseFromString(setup)
        server_response.ParseFromString(response)
        return sorted(int(i) for i in client.GetIntersection(server_setup, server_response))
    except Exception:
        raise InvalidInput("答复中的集合求交部分无法读取，或与本机保存的私钥不配") from None
