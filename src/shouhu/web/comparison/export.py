"""把平台数据库里一个辖区子树的数据导出成比对引擎的三张表（docs/formats/compare.md 的形状）。

- registry：子树内有身份证号的户籍人员，加上他们在子树外的父母（父母的事实决定孩子的结论）；
- register：子树内的个案（保障中和已终止）；
- facts：在“数据读取时刻”为当前版本的事实——联到上述人员的，和尚未联到任何人的（由子树内
  的部门报送，或由上级部门报送而记录的区划/号码指向本子树）。record_id 是 Fact 的主键。

联到人的方式：报送入库时按号码精确联上的（或人工确认的）事实带该人的号码；其余照部门原样
填写的号码和姓名交给引擎的关联算法。全部列为文本，与文件模式一致。

`snapshot_at`（运行记录的创建时刻）之后才记录的事实和人员不用，更正也按该时刻看版本：同一次
运行无论重跑几次，读到的都是同一批事实。
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow as pa
from django.db.models import Q, QuerySet

from shouhu.core.identity.links import TRUSTED_LINK_METHODS
from shouhu.web.cases.models import Case
from shouhu.web.exchange.choices import UNUSABLE_ACCEPTANCE
from shouhu.web.exchange.models import Fact
from shouhu.web.registry.models import Division, ParentLink, Person

REGISTRY_COLUMNS = (
    "id_number",
    "name",
    "gender",
    "birth_date",
    "division_code",
    "father_id_number",
    "mother_id_number",
)
REGISTER_COLUMNS = ("case_id", "child_id_number", "category", "status", "division_code")
# 事实的字段，按 docs/formats/compare.md 的列序（与 FACT_FIELDS 是同一组字段，有测试核对）
FACT_VALUE_COLUMNS = (
    "date", "start", "end", "valid_until", "category", "level", "disease", "qualifying", "life",
    "consent",
)  # fmt: skip

FACT_COLUMNS = (
    "record_id",
    "agency_type",
    "type",
    "id_number",
    "name",
    "birth_date",
    "gender",
    "division_code",
    *FACT_VALUE_COLUMNS,
)
# 入库时已可靠联上的方式：号码精确、人工确认。其余（含演示数据的真值）让引擎重新关联。
CHUNK = 5000


@dataclass(frozen=True)
class ExportedTables:
    registry: pa.Table
    register: pa.Table
    facts: pa.Table
    person_pks: dict[str, int]  # 号码 → Person.pk（含子树外的父母）
    in_scope: frozenset[int]  # 子树内人员的 Person.pk：只为他们写比对发现
    submission_ids: tuple[int, ...]


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _table(columns: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> pa.Table:
    data: dict[str, list[str | None]] = {name: [] for name in columns}
    for row in rows:
        for name in columns:
            data[name].append(_text(row.get(name)))
    return pa.table({name: pa.array(values, type=pa.string()) for name, values in data.items()})


def _persons(division: Division, snapshot_at: datetime) -> QuerySet[Person]:
    return Person.objects.filter(
        division__path__startswith=division.path,
        created_at__lte=snapshot_at,
        id_number__isnull=False,
    )


PERSON_FIELDS = ("pk", "id_number", "name", "gender", "birth_date", "division_id")


def _registry(division: Division, snapshot_at: datetime) -> tuple[list[dict[str, Any]], set[int]]:
    """子树内人员和子树外的父母，每人一行，带父母号码。"""
    people = {
        p["pk"]: p for p in _persons(division, snapshot_at).values(*PERSON_FIELDS).iterator(CHUNK)
    }
    in_scope = set(people)
    links = ParentLink.objects.filter(child__division__path__startswith=division.path)
    parents: dict[int, dict[str, int]] = {}
    for child, parent, relation in links.values_list("child_id", "parent_id", "relation").iterator(
        CHUNK
    ):
        parents.setdefault(child, {})[relation] = parent
    outside = {pk for rel in parents.values() for pk in rel.values()} - in_scope
    extra = Person.objects.filter(
        pk__in=outside, created_at__lte=snapshot_at, id_number__isnull=False
    )
    for row in extra.values(*PERSON_FIELDS).iterator(CHUNK):
        people[row["pk"]] = row
    rows = []
    for pk, person in people.items():
        rel = parents.get(pk, {})
        father, mother = people.get(rel.get("father", -1)), people.get(rel.get("mother", -1))
        rows.append(
            {
                **person,
                "division_code": person["division_id"],
                "father_id_number": father["id_number"] if father else None,
                "mother_id_number": mother["id_number"] if mother else None,
            }
        )
    return rows, in_scope


def _register(division: Division) -> list[dict[str, Any]]:
    cases = Case.objects.filter(
        division__path__startswith=division.path, child__id_number__isnull=False
    ).values("pk", "child__id_number", "category", "status", "division_id")
    return [
        {
            "case_id": c["pk"],
            "child_id_number": c["child__id_number"],
            "category": c["category"],
            "status": c["status"],
            "division_code": c["division_id"],
        }
        for c in cases.iterator(CHUNK)
    ]


def current_facts(snapshot_at: datetime) -> QuerySet[Fact]:
    """在 snapshot_at 时刻为当前版本的事实：已记录，且其更正版本尚未记录；外地部门报送、当地民政
    尚未接收（或未接收）的不用。"""
    return (
        Fact.objects.filter(recorded_at__lte=snapshot_at)
        .exclude(superseded_by__recorded_at__lte=snapshot_at)
        .exclude(acceptance__in=UNUSABLE_ACCEPTANCE)
    )


def _unlinked_here(division: Division) -> Q:
    """尚未联到人的事实中属于本子树的：子树内部门报送的；上级部门报送、记录的区划或号码前六位
    指向本子树的（县级以上的区划码前六位就是县码）。"""
    ancestors = [code for code in division.path.split("/") if code and code != division.code]
    own = Q(agency__division__path__startswith=division.path)
    from_above = Q(agency__division_id__in=ancestors) & (
        Q(subject_division_code__startswith=division.code)
        | Q(subject_id_number__startswith=division.code[:6])
    )
    return Q(person__isnull=True) & (own | from_above)


FACT_QUERY_FIELDS = (
    "pk",
    "person_id",
    "person__id_number",
    "link_method",
    "agency__agency_type",
    "type",
    "subject_id_number",
    "subject_name",
    "subject_birth_date",
    "subject_gender",
    "subject_division_code",
    "submission_id",
    *FACT_VALUE_COLUMNS,
)


def _fact_row(f: dict[str, Any]) -> dict[str, Any]:
    trusted = f["person__id_number"] is not None and f["link_method"] in TRUSTED_LINK_METHODS
    return {
        **{name: f[name] for name in FACT_VALUE_COLUMNS},
        "record_id": f["pk"],
        "agency_type": f["agency__agency_type"],
        "type": f["type"],
        "id_number": f["person__id_number"] if trusted else f["subject_id_number"],
        "name": f["subject_name"],
        "birth_date": f["subject_birth_date"],
        "gender": f["subject_gender"],
        "division_code": f["subject_division_code"],
    }


def _facts(
    division: Division, snapshot_at: datetime, parents_outside: list[int]
) -> tuple[list[dict[str, Any]], set[int]]:
    about_ours = Q(person__division__path__startswith=division.path)
    if parents_outside:
        about_ours |= Q(person_id__in=parents_outside)
    found = current_facts(snapshot_at).filter(about_ours | _unlinked_here(division))
    rows, submissions = [], set()
    for f in found.values(*FACT_QUERY_FIELDS).order_by("pk").iterator(CHUNK):
        rows.append(_fact_row(f))
        if f["submission_id"] is not None:
            submissions.add(f["submission_id"])
    return rows, submissions


def comparison_tables_get(*, division: Division, snapshot_at: datetime) -> ExportedTables:
    """一个子树在 snapshot_at 时刻的户籍、台账、事实（只读）。"""
    people, in_scope = _registry(division, snapshot_at)
    outside = [p["pk"] for p in people if p["pk"] not in in_scope]
    facts, submissions = _facts(division, snapshot_at, outside)
    return ExportedTables(
        registry=_table(REGISTRY_COLUMNS, people),
        register=_table(REGISTER_COLUMNS, _register(division)),
        facts=_table(FACT_COLUMNS, facts),
        person_pks={p["id_number"]: p["pk"] for p in people},
        in_scope=frozenset(in_scope),
        submission_ids=tuple(sorted(submissions)),
    )
