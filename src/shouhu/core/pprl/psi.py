"""身份证号的私有集合求交（ECDH-PSI，openmined.psi，可选依赖 `shouhu[psi]`）。

用于“只问在不在执行”：民政是客户端，部门是服务端。民政把号码（不合格的号码取近似纠错的各个
候选）盲化后发出；部门用自己的密钥再盲化，并把本部门截至日期在执行的号码（不合格的同样取候选）
盲化成一个集合（GCS）发回；只有民政算得出交集，部门只知道民政问了多少个号码——不知道是谁，
也没有可供穷举的号码哈希（见 docs/pprl-threat-model.md）。代价：只有“在执行 / 不在执行”，没有
起止日期；部门名单里没有号码的记录对不上持号码询问的人。

实测（本机，2 核与他人共用）：10 万个客户端号码 × 2 万个部门号码约 56 秒，所以适合个案级的
查询（几百、几千人），不适合每月 100 万人的全量比对——后者仍用带密钥的布隆过滤器。
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


def psi_answer(request: bytes, own_items: Sequence[str], asked: int) -> tuple[bytes, bytes]:
    """部门：(本部门号码集合的盲化摘要, 对请求的再盲化)。"""
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
    return bytes(setup.SerializeToString()), bytes(response.SerializeToString())


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
