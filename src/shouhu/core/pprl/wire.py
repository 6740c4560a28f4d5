"""请求和答复的文件格式（装进离线交换包之前的明文内容）。

请求（民政 → 部门）：numpy 的 .npz（只含数值数组，读时 allow_pickle=False，不执行任何代码），
  meta 为 JSON（UTF-8 字节数组）：格式版本、请求编号、方案名、本次的比对密钥、数据项、
  截至日期、用途、人数；其余数组是编码。请求里没有姓名、号码的明文。
答复（部门 → 民政）：JSON，每个对上的人一条：序号、是否在执行、起、止、依据、分数。
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from shouhu.core.errors import InvalidInput
from shouhu.core.pprl.answers import Answer
from shouhu.core.pprl.encode import Encoded
from shouhu.core.pprl.ids import IdKeys
from shouhu.core.pprl.keys import KEY_SIZE, LinkageKey
from shouhu.core.pprl.schema import SCHEMAS, Schema

REQUEST_FILENAME = "pprl-request.npz"
RESPONSE_FILENAME = "pprl-response.json"
_VERSION = 1
_ARRAYS = ("clk", "blocks", "id_hashes", "id_owners", "id_exact", "rows", "psi_request")


@dataclass(frozen=True, slots=True)
class Request:
    """count：请求的总人数；encoded 第 i 条是第 rows[i] 人（集合求交时只编码没有号码可用的人）。"""

    request_id: str
    schema: Schema
    key: LinkageKey
    item_code: str
    as_of: date
    purpose: str
    encoded: Encoded
    count: int
    rows: NDArray[np.int64]
    psi_request: bytes = b""
    psi_items: int = 0


@dataclass(frozen=True, slots=True)
class Response:
    request_id: str
    item_code: str
    as_of: date
    checked: int
    answers: list[Answer]
    psi_setup: bytes = b""
    psi_response: bytes = b""
    psi_dates: bytes = b""  # 集合求交对上的号码的加密起止日期表（core/pprl/psi.py）


def request_dump(request: Request) -> bytes:
    meta = {
        "version": _VERSION,
        "request_id": request.request_id,
        "schema": request.schema.name,
        "key": request.key.secret.hex(),
        "item_code": request.item_code,
        "as_of": request.as_of.isoformat(),
        "purpose": request.purpose,
        "count": request.count,
        "encoded": len(request.encoded),
        "psi_items": request.psi_items,
    }
    out = io.BytesIO()
    e = request.encoded
    np.savez_compressed(
        out,
        meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        clk=e.clk, blocks=e.blocks,
        id_hashes=e.ids.hashes, id_owners=e.ids.owners, id_exact=e.ids.exact,
        rows=request.rows, psi_request=np.frombuffer(request.psi_request, dtype=np.uint8),
    )  # fmt: skip
    return out.getvalue()


def request_load(data: bytes) -> Request:
    """读请求；格式不对时抛 InvalidInput（中文说明），不返回部分内容。"""
    bad = InvalidInput("比对请求文件格式不对（不是 shouhu pprl encode 生成的，或已损坏）")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            meta = json.loads(bytes(npz["meta"]).decode())
            arrays = {name: npz[name] for name in _ARRAYS}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        raise bad from None
    if not isinstance(meta, dict) or meta.get("version") != _VERSION:
        raise bad
    return _request_from(meta, arrays, bad)


def _request_from(meta: dict[str, Any], arrays: dict[str, Any], bad: InvalidInput) -> Request:
    try:
        schema = SCHEMAS[meta["schema"]]
        key = LinkageKey(bytes.fromhex(meta["key"]))
        encoded = Encoded(
            clk=arrays["clk"].astype(np.uint64, copy=False),
            blocks=arrays["blocks"].astype(np.uint64, copy=False),
            ids=IdKeys(
                hashes=arrays["id_hashes"].astype(np.uint64, copy=False),
                owners=arrays["id_owners"].astype(np.int64, copy=False),
                exact=arrays["id_exact"].astype(np.bool_, copy=False),
            ),
        )
        request = Request(
            request_id=str(meta["request_id"]), schema=schema, key=key,
            item_code=str(meta["item_code"]), as_of=date.fromisoformat(meta["as_of"]),
            purpose=str(meta["purpose"]), encoded=encoded, count=int(meta["count"]),
            rows=arrays["rows"].astype(np.int64, copy=False),
            psi_request=arrays["psi_request"].astype(np.uint8, copy=False).tobytes(),
            psi_items=int(meta["psi_items"]),
        )  # fmt: skip
    except (KeyError, ValueError, TypeError):
        raise bad from None
    if not _shapes_ok(request, int(meta.get("encoded", -1))) or len(key.secret) != KEY_SIZE:
        raise bad
    return request


def _shapes_ok(request: Request, count: int) -> bool:
    e, s = request.encoded, request.schema
    n = len(e)
    ids = e.ids
    rows = request.rows
    return (
        n == count
        and rows.shape == (n,)
        and bool(((rows >= 0) & (rows < request.count)).all())
        and e.clk.ndim == 2
        and e.clk.shape[1] == s.words
        and e.blocks.shape == (n, len(s.blocks))
        and ids.hashes.shape == ids.owners.shape == ids.exact.shape
        and bool(((ids.owners >= 0) & (ids.owners < n)).all())
    )


def response_dump(response: Response) -> bytes:
    body = {
        "version": _VERSION,
        "request_id": response.request_id,
        "item_code": response.item_code,
        "as_of": response.as_of.isoformat(),
        "checked": response.checked,
        "psi_setup": base64.b64encode(response.psi_setup).decode(),
        "psi_response": base64.b64encode(response.psi_response).decode(),
        "psi_dates": base64.b64encode(response.psi_dates).decode(),
        "answers": [
            {
                "row": a.row,
                "in_force": a.in_force,
                "since": a.since.isoformat() if a.since else None,
                "until": a.until.isoformat() if a.until else None,
                "basis": a.basis,
                "score": a.score,
                "kind": a.kind,
                "life": a.life,
            }
            for a in response.answers
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode()


def response_load(data: bytes) -> Response:
    bad = InvalidInput("比对答复文件格式不对（不是 shouhu pprl match 生成的，或已损坏）")
    try:
        body = json.loads(data.decode())
        if body["version"] != _VERSION:
            raise bad
        answers = [_answer(a) for a in body["answers"]]
        return Response(
            request_id=str(body["request_id"]), item_code=str(body["item_code"]),
            as_of=date.fromisoformat(body["as_of"]), checked=int(body["checked"]),
            answers=answers, psi_setup=base64.b64decode(body["psi_setup"], validate=True),
            psi_response=base64.b64decode(body["psi_response"], validate=True),
            psi_dates=base64.b64decode(body.get("psi_dates", ""), validate=True),
        )  # fmt: skip
    except (KeyError, ValueError, TypeError, UnicodeDecodeError, binascii.Error):
        raise bad from None


def _answer(a: dict[str, Any]) -> Answer:
    def day(v: object) -> date | None:
        return date.fromisoformat(str(v)) if v else None

    return Answer(
        row=int(a["row"]), in_force=bool(a["in_force"]), since=day(a["since"]),
        until=day(a["until"]), basis=str(a["basis"]), score=float(a["score"]),
        kind=str(a.get("kind", "")), life=bool(a.get("life", False)),
    )  # fmt: skip
