"""统计概览：辖区内保障中儿童的数量，按类别、按下一级区划、按孤儿类型（只有数字）。"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.utils import timezone

from shouhu.core.policy.dates import adult_cutoff
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.cases.models import Case, CaseStatus, Category, OrphanType
from shouhu.web.registry.models import Division, DivisionLevel, Person

# ---------------------------------------------------------------- 统计概览


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    count: int
    percent: int  # 条形长度（整数百分比，仅用于显示）


@dataclass(frozen=True)
class DivisionCountRow:
    code: str
    name: str
    orphan: int
    de_facto_unsupported: int
    total: int
    percent: int


@dataclass(frozen=True)
class DashboardCounts:
    """只有数字，没有任何个人信息；领导也看这一页。"""

    division_name: str
    child_level: str  # 下一级区划的层级名称，如“乡镇/苏木/街道”；没有下级为空
    as_of: date
    active_total: int
    by_category: tuple[CountRow, ...]
    by_division: tuple[DivisionCountRow, ...]
    by_orphan_type: tuple[CountRow, ...]
    minors: int


def _percent(count: int, biggest: int) -> int:
    return count * 100 // biggest if biggest else 0


def dashboard_counts(*, user: User, home: Division | None = None) -> DashboardCounts:
    """用户辖区内（或其中的 home，已经过 access.division_in_scope）：保障中个案按类别、按下一级
    区划、孤儿按类型的数量，以及未成年人数。"""
    today = timezone.localdate()
    divisions = access.divisions_visible_to(user)
    if home is not None:
        divisions = divisions.filter(path__startswith=home.path)
    active = Case.objects.filter(division__in=divisions, status=CaseStatus.ACTIVE)
    by_category = _tally(active, "category")
    orphan_types = _tally(active.filter(category=Category.ORPHAN), "orphan_type")
    home = home or user.division
    minors = _minors(home, divisions, today)
    return DashboardCounts(
        division_name=home.name,
        child_level=_child_level(home),
        as_of=today,
        active_total=sum(by_category.values()),
        # 艾滋病病毒感染儿童只在补贴他们的地区有，没有时不占一行
        by_category=_count_rows(
            [c for c in Category.choices if c[0] != "hiv_infected" or by_category.get(c[0])],
            by_category,
        ),
        by_division=_division_rows(home, active),
        by_orphan_type=_count_rows(OrphanType.choices, orphan_types),
        minors=minors,
    )


MINORS_CACHE_SECONDS = 300


def _minors(home: Division, divisions: QuerySet[Division], today: date) -> int:
    """辖区内未成年人数：要数遍辖区里每一个人（百万人口的市要数秒），而它只随户籍载入和日期
    变化，所以按辖区路径和日期缓存 5 分钟（本进程内存；同一辖区的人看到的本来就是同一个数，
    不跨辖区）。审计照记，每次打开概览都记。"""
    key = f"dashboard:minors:{home.path}:{today.isoformat()}"
    cached = cache.get(key)
    if cached is None:
        cutoff = adult_cutoff(today)
        cached = Person.objects.filter(division__in=divisions, birth_date__gt=cutoff).count()
        cache.set(key, cached, MINORS_CACHE_SECONDS)
    return int(cached)


def _tally(cases: QuerySet[Case], field: str) -> dict[str, int]:
    return {row[field]: row["n"] for row in cases.values(field).annotate(n=Count("pk"))}


def _child_level(home: Division) -> str:
    levels = [level.value for level in DivisionLevel]
    index = levels.index(home.level) if home.level in levels else len(levels) - 1
    return DivisionLevel(levels[index + 1]).label if index + 1 < len(levels) else ""


def _count_rows(choices: list[tuple[str, str]], counts: dict[str, int]) -> tuple[CountRow, ...]:
    biggest = max(counts.values(), default=0)
    return tuple(
        CountRow(key, label, counts.get(key, 0), _percent(counts.get(key, 0), biggest))
        for key, label in choices
    )


def _division_rows(home: Division, active: QuerySet[Case]) -> tuple[DivisionCountRow, ...]:
    """按下一级区划汇总：先在数据库里按（区划, 类别）计数，再按路径的下一段归并。"""
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in active.values("division__path", "category").annotate(n=Count("pk")):
        below = row["division__path"][len(home.path) :].split("/", 1)[0]
        tally[below or home.code][row["category"]] += row["n"]
    children = list(Division.objects.filter(parent=home).order_by("code"))
    named = [(d.code, d.name) for d in children]
    if home.code in tally or not children:
        named.append((home.code, f"{home.name}（本级）" if children else home.name))
    totals = {code: sum(tally[code].values()) for code, _ in named}
    biggest = max(totals.values(), default=0)
    return tuple(
        DivisionCountRow(
            code=code,
            name=name,
            orphan=tally[code][Category.ORPHAN],
            de_facto_unsupported=tally[code][Category.DE_FACTO_UNSUPPORTED],
            total=totals[code],
            percent=_percent(totals[code], biggest),
        )
        for code, name in named
    )
