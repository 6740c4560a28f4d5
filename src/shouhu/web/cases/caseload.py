"""工作量（issue 14 第 9 项）：名册上每名儿童主任、督导员，以及每个乡镇（街道）——服务的儿童
（负责区域内保障中的个案，和没有个案的困境、留守儿童）、近 30 天的探访（区域内的，和本人账户
记录的）、探访逾期的儿童。

只有数量，不含个人信息。整个辖区取五次（个案、名册登记各自的区划路径和逾期的，近 30 天的
探访），在内存里按区划路径前缀归并：一页名册不论多少行，查询次数不变。
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from django.db.models import Q
from django.db.models.functions import Coalesce

from shouhu.web.cases.models import Case, CaseStatus, Visit
from shouhu.web.cases.register_models import RegisterEntry
from shouhu.web.cases.worklists import (
    entries_on_their_own,
    now_moment,
    work_list_cases,
    work_list_entries,
)
from shouhu.web.registry.models import Division, DivisionLevel

RECENT_DAYS: Final = 30


@dataclass(frozen=True)
class Load:
    served: int  # 服务的儿童（保障中的个案，和没有个案、自己排探访的名册儿童）
    visits: int  # 近 30 天区域内的探访
    own_visits: int | None  # 近 30 天本人账户记录的探访；没有账户为 None
    overdue: int  # 探访逾期的儿童（含重大变故后超过 24 小时未走访的）


@dataclass(frozen=True)
class AreaLoad:
    name: str
    load: Load


@dataclass(frozen=True)
class _Facts:
    cases: list[str]  # 每个个案的区划路径
    overdue: list[str]
    visits: list[tuple[str, int]]  # （区划路径, 记录人）


def _per_child(rows: Iterable[tuple[int, str]]) -> list[str]:
    """名册儿童一人几条登记只算一次（取最早一条的区划）。"""
    return list(dict(reversed(list(rows))).values())


def _facts(area_path: str) -> _Facts:
    moment = now_moment()
    active = Case.objects.filter(status=CaseStatus.ACTIVE, division__path__startswith=area_path)
    overdue = work_list_cases(active, "visits_overdue", moment)
    # 没有个案的名册儿童（困境、留守）：登记上排探访，也是本人、本区域服务的儿童
    entries = RegisterEntry.objects.filter(division__path__startswith=area_path)
    own = entries_on_their_own(entries).order_by("pk")
    late = work_list_entries(entries, "visits_overdue", moment).order_by("pk")
    since = moment.now - timedelta(days=RECENT_DAYS)
    visits = Visit.objects.filter(
        Q(case__division__path__startswith=area_path)
        | Q(entry__division__path__startswith=area_path),
        visited_at__gte=since,
    ).annotate(path=Coalesce("case__division__path", "entry__division__path"))
    return _Facts(
        cases=[*active.values_list("division__path", flat=True),
               *_per_child(own.values_list("child_id", "division__path"))],
        overdue=[*overdue.values_list("division__path", flat=True),
                 *_per_child(late.values_list("child_id", "division__path"))],
        visits=list(visits.values_list("path", "recorded_by_id")),
    )  # fmt: skip


def _load(facts: _Facts, path: str, user_id: int | None) -> Load:
    return Load(
        served=sum(1 for p in facts.cases if p.startswith(path)),
        visits=sum(1 for p, _ in facts.visits if p.startswith(path)),
        own_visits=sum(1 for _, by in facts.visits if by == user_id) if user_id else None,
        overdue=sum(1 for p in facts.overdue if p.startswith(path)),
    )


def caseload(
    *, area: Division, members: Iterable[tuple[int, str, int | None]]
) -> tuple[dict[int, Load], list[AreaLoad]]:
    """`members`：（名册编号, 负责区域的路径, 账户编号）。答每人的工作量和各乡镇（街道）的。"""
    facts = _facts(area.path)
    per_member = {pk: _load(facts, path, user) for pk, path, user in members}
    townships = Division.objects.filter(
        path__startswith=area.path, level=DivisionLevel.TOWNSHIP
    ).order_by("path")
    areas = [AreaLoad(t.name, _load(facts, t.path, None)) for t in townships]
    return per_member, [a for a in areas if a.load.served or a.load.visits]
