"""事实中高度敏感的自由文本加密存放（议题 12 第 4 项）：SM4-GCM，密钥在数据库之外。

哪些字段加密由数据目录决定（`DataItem.sealed_fields`：案号、病种、诊断编号、备注……）；日期、
代码、身份证号、姓名、事实类型不加密，批量规则要在 SQL 里用它们。入库时（`factstore`，上传、
命令行、接口、离线包都经过它）加密；从数据库读出时由模型字段（`SealedCharField`、
`SealedJSONField`）解开，所以经 `web/access` 显示、导出、异议和比对输入的导出拿到的都是明文，
数据库和它的备份里只有令牌 `sm4:<密钥 id>:<…>`（格式见 `shouhu.core.sealing`）。

密钥文件 `settings.FIELD_KEY_FILE`（SHOUHU_FIELD_KEY_FILE，默认在数据目录，首次使用时生成，
0600），格式与审计密钥相同（`shouhu.web.keyring`）：最后一把加密新值，旧的仍可解开。轮换：
`shouhu sealing rotate-key` → `shouhu sealing reseal` → `shouhu sealing retire-key ID`。

记录编号要按值找旧版本（更正），用确定性加密：同一密钥下同一编号得同一令牌；查找时按密钥环
里的每把密钥各算一个令牌，轮换后、重新加密完成前也找得到。
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import lookups

from shouhu.core.catalog import DataItem, catalog_load
from shouhu.core.catalog.model import TARGET_RECORD_ID
from shouhu.core.sealing import (
    BYTES_PREFIX,
    SealError,
    bytes_key_id,
    bytes_open,
    bytes_seal,
    is_sealed,
    token_key_id,
    token_open,
    token_seal,
)
from shouhu.web import keyring
from shouhu.web.keyring import KeyRing, KeyRingError

FACT_TABLE: Final = "exchange_fact"
RECORD_ID: Final = "source_record_id"
LABEL: Final = "字段加密密钥"


@cache
def field_ring() -> KeyRing:
    try:
        return keyring.ring_load(Path(settings.FIELD_KEY_FILE), label=LABEL)
    except KeyRingError as exc:
        raise SealError(str(exc)) from None


def field_key_add() -> str:
    """轮换：追加一把新密钥，此后新值用它加密。"""
    key_id = keyring.key_add(Path(settings.FIELD_KEY_FILE))
    field_ring.cache_clear()
    return key_id


def aad(column: str, key: str = "") -> str:
    """附加数据：令牌只在它所在的表和字段（附加信息里的哪一项）解得开。"""
    return f"{FACT_TABLE}.{column}" + (f".{key}" if key else "")


def value_seal(plain: str, column: str, key: str = "", *, deterministic: bool = False) -> str:
    ring = field_ring()
    return token_seal(
        ring.current,
        ring.key(ring.current),
        plain,
        aad=aad(column, key),
        deterministic=deterministic,
    )


def value_open(value: Any, column: str, key: str = "") -> Any:
    if not is_sealed(value):
        return value
    return token_open(value, field_ring().keys, aad=aad(column, key))


# ---------------------------------------------------------------- 数据项的哪些字段、在哪一列


@dataclass(frozen=True)
class SealedColumns:
    """一个数据项加密的列：记录编号、事实字段（如 disease）、附加信息的键。"""

    record_id: bool
    facts: tuple[str, ...]
    extra: tuple[str, ...]

    @classmethod
    def of(cls, item: DataItem) -> SealedColumns:
        specs = [item.field(key) for key in item.sealed_fields]
        return cls(
            record_id=any(spec.target == TARGET_RECORD_ID for spec in specs),
            facts=tuple(s.target_name for s in specs if s.target_kind == "fact"),
            extra=tuple(s.key for s in specs if s.target_kind == "extra"),
        )


def fact_row_seal(item: DataItem, row: dict[str, Any]) -> dict[str, Any]:
    """把一条事实（列名 → 值）里该加密的值换成令牌；已是令牌的不动。"""
    columns = SealedColumns.of(item)
    if columns.record_id and row.get(RECORD_ID) and not is_sealed(row[RECORD_ID]):
        ring = field_ring()
        key = ring.key(ring.current)
        row[RECORD_ID] = _record_token(ring.current, key, str(row[RECORD_ID]), aad(RECORD_ID))
    for name in columns.facts:
        if row.get(name) and not is_sealed(row[name]):
            row[name] = value_seal(str(row[name]), name)
    extra = row.get("extra")
    if isinstance(extra, dict):
        row["extra"] = {k: _extra_seal(k, v, columns) for k, v in extra.items()}
    return row


def _extra_seal(key: str, value: Any, columns: SealedColumns) -> Any:
    if key in columns.extra and isinstance(value, str) and value and not is_sealed(value):
        return value_seal(value, "extra", key)
    return value


def fact_row_open(row: dict[str, Any]) -> dict[str, Any]:
    """解开一条事实里的全部令牌（不看数据目录：令牌自己说明用的哪把密钥）。"""
    for name in (RECORD_ID, *_SEALABLE_FACT_COLUMNS):
        if is_sealed(row.get(name)):
            row[name] = value_open(row[name], name)
    extra = row.get("extra")
    if isinstance(extra, dict):
        row["extra"] = {k: value_open(v, "extra", k) for k, v in extra.items()}
    return row


_SEALABLE_FACT_COLUMNS: Final = ("disease",)


# ---------------------------------------------------------------- 模型字段：读出时解开


class SealedCharField(models.CharField):
    """存令牌或明文；从数据库读出时解开令牌（缺少密钥时抛 SealError，中文消息）。

    按值查找（`=`、`IN`）时，明文的查找值也配上它在每把密钥下的确定性令牌，所以加密存放的
    记录编号照样查得到；随机加密的值（病种）按值查不到，也没有地方这样查。"""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return value_open(value, self.column)

    def get_lookup(self, lookup_name: str) -> Any:
        found = super().get_lookup(lookup_name)
        if lookup_name in ("exact", "in"):
            return functools.partial(_sealed_lookup, found, column=self.column)
        return found


@SealedCharField.register_lookup
class StoredIn(lookups.In):
    """`列__stored_in=[…]`：按库中原样的值（令牌或明文）查，不再配令牌（入库时批量查旧版本用）。"""

    lookup_name = "stored_in"


def record_id_stored(item: DataItem, record_ids: list[str]) -> list[str]:
    """这些记录编号在库中的样子：加密的数据项为每把密钥下的令牌，其余即明文。"""
    if not SealedColumns.of(item).record_id:
        return record_ids
    return [token for r in record_ids for token in _tokens_for(r, RECORD_ID)]


def _sealed_lookup(plain_lookup: Any, lhs: Any, rhs: Any, *, column: str) -> lookups.Lookup:
    """明文查找值 → IN（明文, 各密钥下的令牌…）；表达式、子查询、None 照常。"""
    values = [rhs] if isinstance(rhs, str) else rhs
    if not isinstance(values, list | tuple | set) or not all(isinstance(v, str) for v in values):
        return plain_lookup(lhs, rhs)
    return lookups.In(lhs, [c for v in values for c in (v, *_tokens_for(v, column))])


def _tokens_for(value: str, column: str) -> list[str]:
    if not value or is_sealed(value):
        return []
    return [_record_token(k, key, value, aad(column)) for k, key in field_ring().keys.items()]


@functools.lru_cache(maxsize=8192)
def _record_token(key_id: str, key: bytes, value: str, aad_text: str) -> str:
    """确定性令牌，按（密钥、值）缓存：入库时同一批编号先查旧版本、再写入，各算一次就够了。"""
    return token_seal(key_id, key, value, aad=aad_text, deterministic=True)


class SealedJSONField(models.JSONField):
    """附加信息：一层键值，值可以是令牌；读出时解开。"""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        data = super().from_db_value(value, expression, connection)
        if isinstance(data, dict):
            return {k: value_open(v, self.column, k) for k, v in data.items()}
        return data


class SealedBinaryField(models.BinaryField):
    """保存的原文件（含案号、病种等）：写入时整份加密，读出时解开；空的仍是空的。"""

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        data = bytes(value) if isinstance(value, bytes | bytearray | memoryview) else value
        if isinstance(data, bytes) and data and not data.startswith(BYTES_PREFIX):
            ring = field_ring()
            aad_text = f"{self.model._meta.db_table}.{self.column}"
            data = bytes_seal(ring.current, ring.key(ring.current), data, aad=aad_text)
        return super().get_db_prep_value(data, connection, prepared)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        data = bytes(value) if isinstance(value, memoryview) else value
        if isinstance(data, bytes) and data.startswith(BYTES_PREFIX):
            aad_text = f"{self.model._meta.db_table}.{self.column}"
            return bytes_open(data, field_ring().keys, aad=aad_text)
        return value


# ---------------------------------------------------------------- 整表：迁移、重新加密、退役


@dataclass(frozen=True)
class RawFact:
    pk: int
    item_code: str
    record_id: str
    disease: str
    extra: dict[str, Any]

    def row(self) -> dict[str, Any]:
        return {RECORD_ID: self.record_id, "disease": self.disease, "extra": dict(self.extra)}


def raw_facts(*, after: int = 0, batch: int = 2000) -> Iterator[list[RawFact]]:
    """按主键分批读库中原样的值（不解开），供迁移和重新加密用。"""
    sql = (
        f"SELECT id, item_code, {RECORD_ID}, disease, extra FROM {FACT_TABLE} "
        "WHERE id > %s ORDER BY id LIMIT %s"
    )
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [after, batch])
            rows = cursor.fetchall()
        if not rows:
            return
        yield [RawFact(r[0], r[1], r[2], r[3] or "", _json(r[4])) for r in rows]
        after = rows[-1][0]


def _json(value: Any) -> dict[str, Any]:
    data = json.loads(value) if isinstance(value, str | bytes) else value
    return data if isinstance(data, dict) else {}


def raw_fact_update(pk: int, row: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {FACT_TABLE} SET {RECORD_ID} = %s, disease = %s, extra = %s WHERE id = %s",
            [
                row[RECORD_ID],
                row["disease"],
                connection.ops.adapt_json_value(row["extra"], None),
                pk,
            ],
        )


def item_by_code() -> dict[str, DataItem]:
    return {item.code: item for item in catalog_load().items}


def tokens_of(fact: RawFact) -> Iterable[str]:
    values = [fact.record_id, fact.disease, *fact.extra.values()]
    return (v for v in values if is_sealed(v))


def key_ids_in_use(fact: RawFact) -> set[str]:
    return {token_key_id(token) for token in tokens_of(fact)}


def token_reseal(token: str, column: str, key: str = "") -> str:
    """用当前密钥重新加密一个令牌（记录编号仍为确定性的）。"""
    plain = value_open(token, column, key)
    return value_seal(plain, column, key, deterministic=column == RECORD_ID)


def fact_reseal(fact: RawFact) -> dict[str, Any] | None:
    """不是全用当前密钥的事实：每个令牌换成当前密钥的；已是当前密钥的返回 None。"""
    current = field_ring().current
    if key_ids_in_use(fact) <= {current}:
        return None
    row = fact.row()
    for name in (RECORD_ID, "disease"):
        if is_sealed(row[name]) and token_key_id(row[name]) != current:
            row[name] = token_reseal(row[name], name)
    row["extra"] = {
        k: token_reseal(v, "extra", k) if is_sealed(v) and token_key_id(v) != current else v
        for k, v in row["extra"].items()
    }
    return row


def fact_seal_plain(fact: RawFact, items: dict[str, DataItem]) -> dict[str, Any] | None:
    """迁移：按数据目录把还是明文的值加密；没有要改的返回 None。"""
    item = items.get(fact.item_code)
    if item is None or not item.sealed_fields:
        return None
    row = fact_row_seal(item, fact.row())
    return row if row != fact.row() else None


def fact_open_all(fact: RawFact) -> dict[str, Any] | None:
    """迁移回退：把令牌全部解开成明文；没有令牌的返回 None。"""
    if not any(True for _ in tokens_of(fact)):
        return None
    return fact_row_open(fact.row())


# 整份加密保存的文件：（表、主键列、列）
BINARY_COLUMNS: Final = (
    ("exchange_submissionerrors", "submission_id", "source"),
    ("exchange_upload", "id", "content"),
)


def _blobs(table: str, pk: str, column: str, batch: int = 50) -> Iterator[list[tuple[int, bytes]]]:
    sql = (
        f"SELECT {pk}, {column} FROM {table} WHERE {pk} > %s AND length({column}) > 0 "
        f"ORDER BY {pk} LIMIT %s"
    )
    after = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [after, batch])
            rows = [(int(r[0]), bytes(r[1])) for r in cursor.fetchall()]
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def blobs_rewrite(change: Callable[[bytes, str], bytes | None]) -> int:
    """对每份保存的文件调用 change(原样的字节, aad)；返回新字节的写回，返回 None 的不动。"""
    count = 0
    for table, pk, column in BINARY_COLUMNS:
        update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s"
        for rows in _blobs(table, pk, column):
            with transaction.atomic():
                for key, blob in rows:
                    new = change(blob, f"{table}.{column}")
                    if new is not None:
                        with connection.cursor() as cursor:
                            cursor.execute(update, [new, key])
                        count += 1
    return count


def blob_seal(blob: bytes, aad_text: str) -> bytes | None:
    if blob.startswith(BYTES_PREFIX):
        return None
    ring = field_ring()
    return bytes_seal(ring.current, ring.key(ring.current), blob, aad=aad_text)


def blob_open(blob: bytes, aad_text: str) -> bytes | None:
    return (
        bytes_open(blob, field_ring().keys, aad=aad_text) if blob.startswith(BYTES_PREFIX) else None
    )


def blob_reseal(blob: bytes, aad_text: str) -> bytes | None:
    if not blob.startswith(BYTES_PREFIX) or bytes_key_id(blob) == field_ring().current:
        return None
    return blob_seal(bytes_open(blob, field_ring().keys, aad=aad_text), aad_text)


def _blob_key_count(key_id: str) -> int:
    return sum(
        1
        for table, pk, column in BINARY_COLUMNS
        for rows in _blobs(table, pk, column)
        for _, blob in rows
        if blob.startswith(BYTES_PREFIX) and bytes_key_id(blob) == key_id
    )


# ---------------------------------------------------------------- 轮换（shouhu sealing …）


def key_use_count(key_id: str) -> int:
    """还用这把密钥的事实条数（记录编号、病种、附加信息任一列）加保存的文件数。"""
    head, anywhere = f"sm4:{key_id}:%", f'%"sm4:{key_id}:%'
    sql = (
        f"SELECT count(*) FROM {FACT_TABLE} WHERE {RECORD_ID} LIKE %s OR disease LIKE %s "
        "OR CAST(extra AS TEXT) LIKE %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [head, head, anywhere])
        row = cursor.fetchone()
    return (int(row[0]) if row else 0) + _blob_key_count(key_id)


def facts_reseal(*, batch: int = 2000, progress: Callable[[int], None] | None = None) -> int:
    """把不是当前密钥加密的值全部用当前密钥重新加密，返回改写的事实条数（加保存的文件数）。

    每批一个事务：中途停下，已完成的批次留在库里，再运行一次从头扫、只改还没改的（可续做）。
    """
    rewritten = 0
    for rows in raw_facts(batch=batch):
        with transaction.atomic():
            for fact in rows:
                row = fact_reseal(fact)
                if row is not None:
                    raw_fact_update(fact.pk, row)
                    rewritten += 1
        if progress is not None:
            progress(rewritten)
    return rewritten + blobs_rewrite(blob_reseal)


def field_key_retire(key_id: str) -> None:
    """从密钥文件去掉一把旧密钥；还有值用它时拒绝（先 reseal）。"""
    in_use = key_use_count(key_id)
    if in_use:
        raise SealError(
            f"还有 {in_use} 条事实用密钥 {key_id} 加密，不能退役；请先运行 shouhu sealing reseal"
        )
    try:
        keyring.key_remove(Path(settings.FIELD_KEY_FILE), key_id, label=LABEL)
    except KeyRingError as exc:
        raise SealError(str(exc)) from None
    finally:
        field_ring.cache_clear()
