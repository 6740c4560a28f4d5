"""统计概览：辖区内保障中儿童的数量，按类别、按下一级区划、按孤儿类型（只有数字）。

看不到真实类别的人按小数字规则显示（`statistics.cells`）。"""

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
from shouhu.web.statistics.cells import FOLDED_LABEL, bar_count, cell, row_cells

# ---------------------------------------------------------------- 统计概览


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    count: int
    percent: int  # 条形长度（整数百分比，仅用于显示）
    shown: str = ""  # 显示的数（小数字规则，`statistics.cells`）


@dataclass(frozen=True)
class DivisionCountRow:
    code: str
    name: str
    orphan: int
    de_facto_unsupported: int
    total: int
    percent: int
    orphan_shown: str = ""
    de_facto_shown: str = ""
    total_shown: str = ""


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
    active_total_shown: str = ""
    de_facto_label: str = "事实无人抚养儿童"  # 看不到真实类别的人：事实无人抚养儿童等


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
    exact = access.categories_shown(access.disclosure_for(user))
    by_category = _tally(active, "category")
    orphan_types = _tally(active.filter(category=Category.ORPHAN), "orphan_type")
    home = home or user.division
    minors = _minors(home, divisions, today)
    types = [orphan_types.get(code, 0) for code, _ in OrphanType.choices]
    orphans = by_category.get(Category.ORPHAN, 0)
    parts = [*types, orphans - sum(types)]  # 孤儿类型不详的也算在孤儿里
    if exact:
        # 艾滋病病毒感染儿童只在补贴他们的地区有，没有时不占一行
        choices = [c for c in Category.choices if c[0] != "hiv_infected" or by_category.get(c[0])]
        counted = by_category
    else:  # 感染儿童（和其他类别）并入“事实无人抚养儿童等”
        choices = [(Category.ORPHAN, "孤儿"), (Category.DE_FACTO_UNSUPPORTED, FOLDED_LABEL)]
        counted = {Category.ORPHAN: orphans, Category.DE_FACTO_UNSUPPORTED:
                   sum(by_category.values()) - orphans}  # fmt: skip
    folded = counted.get(Category.DE_FACTO_UNSUPPORTED, 0)
    _, orphan_total = row_cells(parts, exact=exact)
    _, active_total = row_cells([*parts, *(n for k, n in counted.items() if k != "orphan")],
                                exact=exact)  # fmt: skip
    shown = {"orphan": orphan_total, "de_facto_unsupported": cell(folded, exact=exact)}
    return DashboardCounts(
        division_name=home.name,
        child_level=_child_level(home),
        as_of=today,
        active_total=sum(by_category.values()),
        by_category=_count_rows(choices, counted, exact, shown),
        by_division=_division_rows(home, active, exact),
        by_orphan_type=_count_rows(OrphanType.choices, orphan_types, exact),
        minors=minors,
        active_total_shown=active_total,
        de_facto_label="事实无人抚养儿童" if exact else FOLDED_LABEL,
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


def _count_rows(
    choices: list[tuple[str, str]],
    counts: dict[str, int],
    exact: bool,
    shown: dict[str, str] | None = None,
) -> tuple[CountRow, ...]:
    bars = {key: bar_count(n, exact=exact) for key, n in counts.items()}
    biggest = max(bars.values(), default=0)
    shown = shown or {}
    return tuple(
        CountRow(
            key,
            label,
            counts.get(key, 0),
            _percent(bars.get(key, 0), biggest),
            shown.get(key) or cell(counts.get(key, 0), exact=exact),
        )
        for key, label in choices
    )


def _division_rows(
    home: Division, active: QuerySet[Case], exact: bool
) -> tuple[DivisionCountRow, ...]:
    """按下一级区划汇总：先在数据库里按（区划, 类别）计数，再按路径的下一段归并。看不到真实类别
    的人，第二列是“事实无人抚养儿童等”（合计减去孤儿），数字按小数字规则显示。"""
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in active.values("division__path", "category").annotate(n=Count("pk")):
        below = row["division__path"][len(home.path) :].split("/", 1)[0]
        tally[below or home.code][row["category"]] += row["n"]
    children = list(Division.objects.filter(parent=home).order_by("code"))
    named = [(d.code, d.name) for d in children]
    if home.code in tally or not children:
        named.append((home.code, f"{home.name}（本级）" if children else home.name))
    totals = {code: sum(tally[code].values()) for code, _ in named}
    biggest = max((bar_count(n, exact=exact) for n in totals.values()), default=0)
    rows = []
    for code, name in named:
        orphan = tally[code][Category.ORPHAN]
        second = tally[code][Category.DE_FACTO_UNSUPPORTED] if exact else totals[code] - orphan
        (orphan_shown, second_shown), total_shown = row_cells([orphan, second], exact=exact)
        rows.append(DivisionCountRow(
            code=code, name=name, orphan=orphan, de_facto_unsupported=second,
            total=totals[code], percent=_percent(bar_count(totals[code], exact=exact), biggest),
            orphan_shown=orphan_shown, de_facto_shown=second_shown,
            total_shown=str(totals[code]) if exact else total_shown,
        ))  # fmt: skip
    return tuple(rows)
