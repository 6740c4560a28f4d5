"""记录入库：每条通过校验的记录成为一条事实（带来源），同一记录不重复，更正的记录生成新版本。

一条记录由（部门、数据项、部门的记录编号）确定：
- 当前版本的内容哈希相同 → 未变，不写任何东西；
- 不同 → 新版本（version + 1，supersedes 指向旧版），旧版 is_current=False，历史保留；
- 没有 → 第 1 版。
数据目录列为高度敏感的自由文本（案号、病种……）入库时即加密（sealing.py），记录编号用确定性
加密，按编号找旧版本照常；
身份证号合规且在户籍库中的（现用号码或曾用号码），入库时即按号码精确关联到人员（exact_id，
置信度 100）；
其余留给比对引擎按姓名、出生日期、区划模糊关联。

分批处理（每批一次查询当前版本、一次查询人员、一次批量插入），内存只随批大小增长。
必须在调用方的事务中运行：任何一批失败，整份报送都不入库。
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.db import connection, models
from django.utils import timezone

from shouhu.core.catalog import DataItem
from shouhu.core.exchange import ValidRecord
from shouhu.core.identity import division_table, is_valid_id_number
from shouhu.core.identity.links import EXACT_ID
from shouhu.core.policy.vocabulary import FACT_FIELDS
from shouhu.web.exchange.choices import Acceptance
from shouhu.web.exchange.models import Fact, Submission
from shouhu.web.exchange.sealing import fact_row_seal, record_id_stored
from shouhu.web.registry.models import FormerNumber, Person

BATCH_SIZE: Final = 2000


@dataclass
class FactCounts:
    created: int = 0
    superseded: int = 0
    unchanged: int = 0
    held: int = 0  # 关于本部门辖区以外的人：待当地民政接收


@dataclass(frozen=True, slots=True)
class _Current:
    pk: int
    record_sha256: str
    version: int


def facts_store(
    *,
    submission: Submission,
    item: DataItem,
    records: Sequence[ValidRecord],
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> FactCounts:
    """把记录写成事实；progress(已处理记录数, 总数) 每批回调一次。"""
    counts = FactCounts()
    if item.fact is None:  # 户籍基线、婚姻登记等：接收，但不产生 docs/rules.md §2 的事实
        return counts
    for start in range(0, len(records), batch_size):
        batch = records[start : start + batch_size]
        facts_store_batch(submission, item, batch, counts)
        if progress is not None:
            progress(start + len(batch), len(records))
    return counts


def facts_store_batch(
    submission: Submission, item: DataItem, batch: Sequence[ValidRecord], counts: FactCounts
) -> None:
    current = _current_versions(submission, item, [r.record_id for r in batch])
    changed = [
        (record, current.get(record.record_id))
        for record in batch
        if record.record_id not in current
        or current[record.record_id].record_sha256 != record.record_sha256
    ]
    counts.unchanged += len(batch) - len(changed)
    persons = _persons_by_id_number([record for record, _ in changed])
    area = _Area.of(submission)
    new = [_fact_row(submission, item, record, old, persons, area) for record, old in changed]
    counts.held += sum(1 for row in new if row["acceptance"] == Acceptance.PENDING)
    retired = [old.pk for _, old in changed if old is not None]
    if retired:  # 先退下旧版，“每条记录只有一个当前版本”的约束才允许插入新版
        Fact.objects.filter(pk__in=retired).update(is_current=False)
    _facts_insert(new)
    counts.created += len(new) - len(retired)
    counts.superseded += len(retired)


def _current_versions(
    submission: Submission, item: DataItem, record_ids: list[str]
) -> dict[str, _Current]:
    rows = Fact.objects.filter(
        agency_id=submission.agency_id,
        item_code=item.code,
        source_record_id__stored_in=record_id_stored(item, record_ids),  # 加密的：各密钥的令牌
        is_current=True,
    ).values_list("source_record_id", "pk", "record_sha256", "version")  # 编号读出时已解开
    return {record_id: _Current(pk, sha, version) for record_id, pk, sha, version in rows}


def _persons_by_id_number(batch: Sequence[ValidRecord]) -> dict[str, tuple[int, str]]:
    """号码 → (人员, 户籍地的区划路径)。"""
    numbers = {n for r in batch if isinstance(n := r.subject.get("id_number"), str)}
    valid = [n for n in numbers if is_valid_id_number(n)]
    if not valid:
        return {}
    rows = Person.objects.filter(id_number__in=valid).values_list(
        "id_number", "pk", "division__path"
    )
    found = {number: (pk, path) for number, pk, path in rows if number}
    missing = [n for n in valid if n not in found]
    if missing:  # 部门仍用旧号码（重新编号、15 位升 18 位之前的号码）
        former = FormerNumber.objects.filter(id_number__in=missing).values_list(
            "id_number", "person_id", "person__division__path"
        )
        found.update((number, (pk, path)) for number, pk, path in former)
    return found


@dataclass(frozen=True)
class _Area:
    """报送部门的辖区：关于辖区以外的人的事实，先由当地民政接收（安全测试 M5）。"""

    code: str
    path: str

    @classmethod
    def of(cls, submission: Submission) -> _Area:
        division = submission.agency.division
        return cls(division.code, division.path)

    def holds(self, person_path: str | None, division_code: str) -> bool:
        if person_path:
            return not person_path.startswith(self.path)
        if division_code:
            return not division_table().is_within(division_code, self.code)
        return False


def _fact_row(
    submission: Submission,
    item: DataItem,
    record: ValidRecord,
    old: _Current | None,
    persons: dict[str, tuple[int, str]],
    area: _Area,
) -> dict[str, Any]:
    subject = record.subject
    id_number = str(subject.get("id_number") or "")
    person, person_path = persons.get(id_number, (None, None))
    division_code = str(subject.get("division_code") or "")[:12]
    held = area.holds(person_path, division_code)
    birth = subject.get("birth_date")
    row = {
        "person_id": person,
        "type": record.fact["type"],
        "agency_id": submission.agency_id,
        "submission_id": submission.pk,
        "item_code": item.code,
        "source_record_id": record.record_id,
        "record_sha256": record.record_sha256,
        "subject_id_number": id_number[:40],
        "subject_name": str(subject.get("name") or "")[:50],
        "subject_gender": str(subject.get("gender") or "")[:1],
        "subject_birth_date": birth if isinstance(birth, date) else None,
        "subject_division_code": division_code,
        "extra": {key: _json_value(value) for key, value in record.extra.items()},
        "link_method": EXACT_ID if person else "",
        "link_confidence": 100 if person else None,
        "version": old.version + 1 if old else 1,
        "supersedes_id": old.pk if old else None,
        "acceptance": Acceptance.PENDING if held else Acceptance.NOT_NEEDED,
        **_fact_values(record.fact),
    }
    return fact_row_seal(item, row)


# ---------------------------------------------------------------- the insert itself
#
# Django's bulk_create compiles every field of every object through the ORM (about 3 µs per
# value, 30 values per fact): for 100,000 facts that alone took most of the import. The facts
# are written instead with one prepared INSERT and executemany. The statement is built from the
# model's own metadata (table and column names only); every value travels as a parameter,
# adapted for the database by Django's backend operations.


def _facts_insert(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = _insert_columns()
    defaults = [(name, default) for name, default, _ in columns]
    adapted = [(index, adapt) for index, (_, _, adapt) in enumerate(columns) if adapt is not None]
    values = []
    for row in rows:
        value = [row.get(name, default) for name, default in defaults]
        for index, adapt in adapted:
            value[index] = adapt(value[index])
        values.append(tuple(value))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor.cursor, values)  # COPY: PostgreSQL's bulk path, ~10× executemany
        else:
            cursor.executemany(_insert_sql(), values)


def _copy(cursor: Any, values: list[tuple[Any, ...]]) -> None:
    from psycopg import sql

    columns = [f.column for f in Fact._meta.concrete_fields if not f.primary_key]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(Fact._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with cursor.copy(statement) as copy:
        for row in values:
            copy.write_row(row)


def _insert_columns() -> list[tuple[str, Any, Any]]:
    """(attribute, default, adapter or None) for every column of the fact table but the id."""
    ops = connection.ops
    out = []
    for field in Fact._meta.concrete_fields:
        if field.primary_key:
            continue
        adapt: Any = None
        if isinstance(field, models.DateTimeField):
            adapt = ops.adapt_datetimefield_value
        elif isinstance(field, models.DateField):
            adapt = ops.adapt_datefield_value
        elif isinstance(field, models.JSONField):
            adapt = functools.partial(field.get_db_prep_save, connection=connection)
        default = timezone.now() if field.attname == "recorded_at" else field.get_default()
        out.append((field.attname, default, adapt))
    return out


def _insert_sql() -> str:
    quote = connection.ops.quote_name
    names = [quote(f.column) for f in Fact._meta.concrete_fields if not f.primary_key]
    marks = ", ".join(["%s"] * len(names))
    return f"INSERT INTO {quote(Fact._meta.db_table)} ({', '.join(names)}) VALUES ({marks})"


def _fact_values(fact: dict[str, object]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in FACT_FIELDS:
        if name not in fact:
            continue
        value = fact[name]
        values[name] = str(value) if name == "level" else value  # 等级、学段在库中存文本
    return values


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value
