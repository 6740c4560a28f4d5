"""两边的表格：民政的“待核查人员”表和部门自己的名单，都用平台读报送文件的同一个读取器校验。

待核查人员表的列取自所查数据项的主体身份列（身份证号、姓名、性别、出生日期），外加民政自己的
“案件编号”（只留在民政本机，不进请求）。部门名单就是该数据项的报送模板——部门原本要推送的那张表。
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from shouhu.core.catalog import DataItem
from shouhu.core.catalog.model import FieldSpec, FieldType
from shouhu.core.exchange import CellError, ReadResult
from shouhu.core.pprl.answers import Answer, Term
from shouhu.core.pprl.persons import Person

_IDENTITY = ("subject.id_number", "subject.name", "subject.gender", "subject.birth_date")
CASE_FIELD = FieldSpec(
    key="case_number", header="案件编号", type=FieldType.TEXT, max_length=100, required=True,
    note="民政自己的案件编号（有案由才能查），只留在本机，不进请求",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PersonRow:
    row: int  # 表格行号
    case_number: str
    person: Person


def persons_item(item: DataItem) -> DataItem:
    """查询 item 时民政一侧填写的表：item 的身份列 + 案件编号。"""
    identity = tuple(f for f in item.fields if f.target in _IDENTITY)
    return replace(
        item, code=f"{item.code}.query", name=f"待核查人员（{item.name}）",
        agency_type="civil_affairs", fields=(CASE_FIELD, *identity), fact=None,
    )  # fmt: skip


def _person(subject: dict[str, object]) -> Person:
    birth = subject.get("birth_date")
    return Person(
        name=str(subject.get("name", "")),
        id_number=str(subject.get("id_number", "")),
        birth_date=birth if isinstance(birth, date) else None,
        gender=str(subject.get("gender", "")),
    )


def persons_read(result: ReadResult) -> list[PersonRow]:
    return [
        PersonRow(r.row, str(r.extra.get("case_number", "")), _person(r.subject))
        for r in result.records
    ]


@dataclass(frozen=True, slots=True)
class DepartmentRecord:
    record_id: str
    person: Person
    term: Term


def department_read(result: ReadResult) -> list[DepartmentRecord]:
    out = []
    for r in result.records:
        # 有期间的事实（服刑、戒毒）取起止；只有一个日期的（宣告失踪、死亡）以该日为起、无止
        since, until = r.fact.get("start") or r.fact.get("date"), r.fact.get("end")
        term = Term(
            since=since if isinstance(since, date) else None,
            until=until if isinstance(until, date) else None,
            life=bool(r.fact.get("life", False)),
            kind=str(r.fact.get("type", "")),
        )
        out.append(DepartmentRecord(r.record_id, _person(r.subject), term))
    return out


def answer_rows(
    item: DataItem, persons: Sequence[PersonRow], answers: Sequence[Answer]
) -> list[dict[str, object]]:
    """对上的人写成该数据项的报送行（字段键 → 值），供民政平台入库、进入每月比对。

    身份（号码、姓名、性别、出生日期）取自民政自己的名单，事实（类型、起、止、无期）取自部门
    的答复；部门名单的其余内容本来就没有。没有事实类型或起日的答复（集合求交的结果）不入库。
    """
    key_of = {f.target: f.key for f in item.fields}
    type_by = item.fact.type_by if item.fact else None
    code_of = {t: c for c, t in item.fact.type_map.items()} if item.fact else {}
    rows = []
    for answer in answers:
        if not answer.kind or answer.since is None or (type_by and answer.kind not in code_of):
            continue
        person = persons[answer.row].person
        values: dict[str, object] = {
            "subject.id_number": person.id_number,
            "subject.name": person.name,
            "subject.gender": person.gender,
            "subject.birth_date": person.birth_date.isoformat() if person.birth_date else "",
            "fact.start": answer.since.isoformat(),
            "fact.date": answer.since.isoformat(),
            "fact.end": answer.until.isoformat() if answer.until else "",
            "fact.life": answer.life,
        }
        row = {key_of[t]: v for t, v in values.items() if t in key_of and v not in ("", None)}
        if type_by:
            row[type_by] = code_of[answer.kind]
        rows.append(row)
    return rows


def persons_errors(result: ReadResult) -> list[CellError]:
    """待核查人员表中真正的错误。同一人列在几个个案下（兄弟姐妹的父母）不算错：读取器把后几次
    当作重复记录略去，只查一次，结果列在第一次出现的个案下。"""
    kept = {r.row for r in result.records}
    return [
        e for e in result.errors
        if not (e.column == "" and e.row not in kept and e.message.endswith("重复记录"))
    ]  # fmt: skip
