"""核查和探访的完成情况（领导看的进展，只有数字）：home 的每个下一级区划里保障中的儿童，核查、
例行探访按时的（下次到期日还没过）和逾期的，近 30 天做了的核查和探访次数，按时率。

到期日写在个案上（cases.plans 每天重算），所以“按时”就是“下次到期日不早于今天”。
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from shouhu.web.cases.models import Case, CaseStatus, Review, Visit
from shouhu.web.registry.models import Division

RECENT_DAYS = 30


@dataclass(frozen=True)
class CompletionRow:
    code: str
    name: str
    active: int
    reviews_overdue: int
    visits_overdue: int
    reviews_recent: int  # 近 30 天做的核查
    visits_recent: int  # 近 30 天的探访

    @property
    def reviews_on_time(self) -> int | None:
        return _rate(self.active - self.reviews_overdue, self.active)

    @property
    def visits_on_time(self) -> int | None:
        return _rate(self.active - self.visits_overdue, self.active)


def _rate(part: int, whole: int) -> int | None:
    return part * 100 // whole if whole else None


def _below(home: Division, path: str) -> str:
    return path[len(home.path) :].split("/", 1)[0] or home.code


def work_completion(home: Division, *, today: date | None = None) -> tuple[CompletionRow, ...]:
    today = today or timezone.localdate()
    since = today - timedelta(days=RECENT_DAYS)
    active = Case.objects.filter(division__path__startswith=home.path, status=CaseStatus.ACTIVE)
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counted = active.values("division__path").annotate(
        n=Count("pk"),
        r=Count("pk", filter=Q(review_due_on__lt=today)),
        v=Count("pk", filter=Q(visit_due_on__lt=today)),
    )
    for row in counted:
        t = tally[_below(home, row["division__path"])]
        t["active"] += row["n"]
        t["reviews_overdue"] += row["r"]
        t["visits_overdue"] += row["v"]
    recent = (
        (Review.objects.filter(case__in=active, reviewed_on__gte=since), "reviews_recent"),
        (Visit.objects.filter(case__in=active, visited_at__date__gte=since), "visits_recent"),
    )
    for done, key in recent:
        for row in done.values("case__division__path").annotate(n=Count("pk")):
            tally[_below(home, row["case__division__path"])][key] += row["n"]
    names = dict(Division.objects.filter(parent=home).values_list("code", "name"))
    names.setdefault(home.code, home.name)
    return tuple(_row(code, names.get(code, code), tally[code]) for code in sorted(tally))


def _row(code: str, name: str, t: dict[str, int]) -> CompletionRow:
    return CompletionRow(code=code, name=name, active=t["active"],
                         reviews_overdue=t["reviews_overdue"], visits_overdue=t["visits_overdue"],
                         reviews_recent=t["reviews_recent"],
                         visits_recent=t["visits_recent"])  # fmt: skip
