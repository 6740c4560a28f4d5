"""记录入库：每条通过校验的记录成为一条事实（带来源），同一记录不重复，更正的记录生成新版本。

一条记录由（部门、数据项、部门的记录编号）确定：
- 当前版本的内容哈希相同 → 未变，不写任何东西；
- 不同 → 新版本（version + 1，supersedes 指向旧版），旧版 is_current=False，历史保留；
- 没有 → 第 1 版。
身份证号合规且在户籍库中的，入库时即按号码精确关联到人员（exact_id，置信度 100）；
其余留给比对引擎按姓名、出生日期、区划模糊关联。

分批处理（每批一次查询当前版本、一次查询人员、一次批量插入），内存只随批大小增长。
必须在调用方的事务中运行：任何一批失败，整份报送都不入库。
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from shouhu.core.catalog import DataItem
from shouhu.core.exchange import ValidRecord
from shouhu.core.identity import is_valid_id_number
from shouhu.web.exchange.models import Fact, Submission
from shouhu.web.registry.models import Person

BATCH_SIZE: Final = 2000
LINK_EXACT_ID: Final = "exact_id"
FACT_FIELDS: Final = (
    "date", "start", "end", "valid_until", "life", "level", "category", "disease", "qualifying",
    "consent",
)  # fmt: skip


@dataclass
class FactCounts:
    created: int = 0
    superseded: int = 0
    unchanged: int = 0


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
    if item.fact is None:  # 户籍基线、婚姻登记等：接收，但不产生 policy.md §2 的事实
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
    persons = _persons_by_id_number(batch)
    new: list[Fact] = []
    retired: list[int] = []
    for record in batch:
        old = current.get(record.record_id)
        if old is not None and old.record_sha256 == record.record_sha256:
            counts.unchanged += 1
            continue
        new.append(_fact(submission, item, record, old, persons))
        if old is not None:
            retired.append(old.pk)
    if retired:  # 先退下旧版，“每条记录只有一个当前版本”的约束才允许插入新版
        Fact.objects.filter(pk__in=retired).update(is_current=False)
    Fact.objects.bulk_create(new, batch_size=len(new) or 1)
    counts.created += len(new) - len(retired)
    counts.superseded += len(retired)


def _current_versions(
    submission: Submission, item: DataItem, record_ids: list[str]
) -> dict[str, _Current]:
    rows = Fact.objects.filter(
        agency_id=submission.agency_id, item_code=item.code, source_record_id__in=record_ids,
        is_current=True,
    ).values_list("source_record_id", "pk", "record_sha256", "version")  # fmt: skip
    return {record_id: _Current(pk, sha, version) for record_id, pk, sha, version in rows}


def _persons_by_id_number(batch: Sequence[ValidRecord]) -> dict[str, int]:
    numbers = {n for r in batch if isinstance(n := r.subject.get("id_number"), str)}
    valid = [n for n in numbers if is_valid_id_number(n)]
    if not valid:
        return {}
    rows = Person.objects.filter(id_number__in=valid).values_list("id_number", "pk")
    return {number: pk for number, pk in rows if number}


def _fact(
    submission: Submission,
    item: DataItem,
    record: ValidRecord,
    old: _Current | None,
    persons: dict[str, int],
) -> Fact:
    subject = record.subject
    id_number = str(subject.get("id_number") or "")
    person = persons.get(id_number)
    fact = record.fact
    birth = subject.get("birth_date")
    return Fact(
        person_id=person,
        type=fact["type"],
        agency_id=submission.agency_id,
        submission=submission,
        item_code=item.code,
        source_record_id=record.record_id,
        record_sha256=record.record_sha256,
        subject_id_number=id_number[:40],
        subject_name=str(subject.get("name") or "")[:50],
        subject_gender=str(subject.get("gender") or "")[:1],
        subject_birth_date=birth if isinstance(birth, date) else None,
        subject_division_code=str(subject.get("division_code") or "")[:12],
        extra={key: _json_value(value) for key, value in record.extra.items()},
        link_method=LINK_EXACT_ID if person else "",
        link_confidence=100 if person else None,
        version=old.version + 1 if old else 1,
        supersedes_id=old.pk if old else None,
        **_fact_values(fact),
    )


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
