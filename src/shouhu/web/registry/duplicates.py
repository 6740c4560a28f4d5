"""读取：疑似重复的人员（同一个人两条记录），和最近的合并。

同姓名、同出生日期的两条记录，再满足其一才列出：户籍地相同；身份证号只差一两位（录错）；
其中一条没有身份证号。同名同日生、住在两处、号码也不相近的，多半是两个人，不列。
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from itertools import combinations

from django.db.models import Count, QuerySet
from django.utils import timezone

from shouhu.web.accounts.models import User
from shouhu.web.exchange.models import Fact
from shouhu.web.registry.models import Person, PersonMerge
from shouhu.web.registry.selectors import id_number_display

GROUPS_LIMIT = 300  # 一次最多看这么多组同名同日生的人；处理掉一批再看下一批
NEAR_DIGITS = 2


@dataclass(frozen=True)
class DuplicateSide:
    pk: int
    name: str
    id_display: str
    birth_date: date | None
    division: str
    status: str
    facts: int
    active_case: bool


@dataclass(frozen=True)
class DuplicatePair:
    a: DuplicateSide
    b: DuplicateSide
    reason: str


@dataclass(frozen=True)
class MergeLine:
    pk: int
    kept_pk: int
    kept_name: str
    merged_name: str
    merged_id: str
    reason: str
    merged_by: str
    merged_at: datetime
    undone: bool


def duplicate_pairs(*, user: User, persons: QuerySet[Person]) -> list[DuplicatePair]:
    groups = (
        persons.filter(birth_date__isnull=False)
        .values("name", "birth_date")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("name", "birth_date")[:GROUPS_LIMIT]
    )
    wanted = {(g["name"], g["birth_date"]) for g in groups}
    if not wanted:
        return []
    candidates = persons.filter(
        name__in={name for name, _ in wanted}, birth_date__in={born for _, born in wanted}
    ).select_related("division")
    by_group: dict[tuple[str, date], list[Person]] = defaultdict(list)
    for person in candidates:
        key = (person.name, person.birth_date)
        if key in wanted:
            by_group[key].append(person)  # type: ignore[index]
    facts = _fact_counts([p.pk for group in by_group.values() for p in group])
    pairs = []
    for group in by_group.values():
        for a, b in combinations(sorted(group, key=lambda p: p.pk), 2):
            reason = _reason(a, b)
            if reason:
                pairs.append(DuplicatePair(_side(user, a, facts), _side(user, b, facts), reason))
    return pairs


_SIDE_HEADER = ("姓名", "身份证号", "出生日期", "户籍地", "户籍状态", "共享记录数", "在保")
DUPLICATE_EXPORT_HEADER = ("疑似原因", *(f"记录一{h}" for h in _SIDE_HEADER),
                           *(f"记录二{h}" for h in _SIDE_HEADER))  # fmt: skip


def duplicate_export_rows(pairs: list[DuplicatePair]) -> list[tuple[object, ...]]:
    """页面上的每一对（同样的顺序），一对一行；身份证号已按角色脱敏（`id_number_display`）。"""
    return [(pair.reason, *_side_cells(pair.a), *_side_cells(pair.b)) for pair in pairs]


def _side_cells(side: DuplicateSide) -> tuple[object, ...]:
    return (side.name, side.id_display, side.birth_date or "", side.division, side.status,
            side.facts, "是" if side.active_case else "否")  # fmt: skip


def _reason(a: Person, b: Person) -> str:
    if not a.id_number or not b.id_number:
        return "姓名、出生日期相同，其中一条没有身份证号"
    if len(a.id_number) == len(b.id_number):
        differ = sum(x != y for x, y in zip(a.id_number, b.id_number, strict=True))
        if differ <= NEAR_DIGITS:
            return f"姓名、出生日期相同，身份证号只差 {differ} 位"
    if a.division_id == b.division_id:
        return "姓名、出生日期、户籍地都相同"
    return ""


def _fact_counts(pks: list[int]) -> dict[int, int]:
    rows = Fact.objects.filter(person_id__in=pks, is_current=True).values("person_id")
    return {row["person_id"]: row["n"] for row in rows.annotate(n=Count("pk"))}


def _side(user: User, person: Person, facts: dict[int, int]) -> DuplicateSide:
    return DuplicateSide(
        pk=person.pk,
        name=person.name,
        id_display=id_number_display(user=user, id_number=person.id_number),
        birth_date=person.birth_date,
        division=person.division.name,
        status=person.get_registry_status_display(),
        facts=facts.get(person.pk, 0),
        active_case=person.cases.filter(status="active").exists(),
    )


def duplicate_pair(*, user: User, kept: Person, merged: Person) -> DuplicatePair:
    """合并确认页：两条记录并排（kept 在前）。"""
    facts = _fact_counts([kept.pk, merged.pk])
    return DuplicatePair(
        _side(user, kept, facts), _side(user, merged, facts), _reason(kept, merged)
    )


def merge_list(*, user: User, limit: int = 50) -> list[MergeLine]:
    merges = (
        PersonMerge.objects.filter(kept__division__path__startswith=user.division.path)
        .select_related("kept", "merged", "merged_by")
        .order_by("-pk")[:limit]
    )
    return [
        MergeLine(
            pk=m.pk,
            kept_pk=m.kept_id,
            kept_name=m.kept.name,
            merged_name=m.merged.name,
            merged_id=id_number_display(user=user, id_number=m.merged_id_number),
            reason=m.reason,
            merged_by=m.merged_by.get_full_name() or m.merged_by.username,
            merged_at=timezone.localtime(m.merged_at),
            undone=m.undone_at is not None,
        )
        for m in merges
    ]
