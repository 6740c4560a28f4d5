"""两边的表格：民政的“待核查人员”表和部门自己的名单，都用平台读报送文件的同一个读取器校验。

待核查人员表的列取自所查数据项的主体身份列（身份证号、姓名、性别、出生日期），外加民政自己的
“案件编号”（只留在民政本机，不进请求）。部门名单就是该数据项的报送模板——部门原本要推送的那张表。
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from shouhu.core.catalog import DataItem
from shouhu.core.catalog.model import FieldSpec, FieldType
from shouhu.core.exchange import ReadResult
from shouhu.core.pprl.answers import Term
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
        )
        out.append(DepartmentRecord(r.record_id, _person(r.subject), term))
    return out
