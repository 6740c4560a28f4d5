"""个案工作清单和待办：应探访、探访逾期、24 小时内须走访、应核查、核查逾期、重大变故待复核。

每张清单是辖区内保障中个案的一个查询（到期日写在个案上，见 cases.plans），待办只给数量和链接，
清单页列出儿童、所在村（居）、到期日，督导员还看到该村的儿童主任（名册）。
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Final, TypeVar

from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from shouhu.core.policy.visits import RISK_LABELS
from shouhu.core.policy.wording import date_text
from shouhu.core.registers import REGISTER_LABELS
from shouhu.web.accounts.models import RosterMember, User
from shouhu.web.accounts.permissions import Role
from shouhu.web.cases.models import Case, CaseStatus, MajorChange, Review, ReviewOutcome
from shouhu.web.cases.register_models import RegisterEntry

REVIEW_SOON_DAYS: Final = 30
WEEK_DAYS: Final = 7


@dataclass(frozen=True)
class Moment:
    today: date
    now: datetime

    @property
    def week_end(self) -> date:
        """“本周”取今天起的 7 天（含今天）：周六登录的儿童主任也能看到下周初到期的探访。"""
        return self.today + timedelta(days=WEEK_DAYS - 1)


# 探访和重大变故的清单对个案和没有个案的名册登记（都有 visit_due_on，变故挂在 case 或 entry 上）
# 同样适用：按查询集的模型取变故的外键
Held = TypeVar("Held", Case, RegisterEntry)


def _open(held: QuerySet[Held], *, unvisited: bool = False) -> QuerySet[MajorChange]:
    on = "entry" if held.model is RegisterEntry else "case"
    changes = MajorChange.objects.filter(**{on: OuterRef("pk")}, reviewed_at__isnull=True)
    return changes.filter(visit__isnull=True) if unvisited else changes


def _urgent(cases: QuerySet[Held], m: Moment) -> QuerySet[Held]:
    """重大变故（含强制报告）后还没走访、24 小时期限未过的。"""
    return cases.filter(Exists(_open(cases, unvisited=True).filter(visit_due_at__gte=m.now)))


def _visits_overdue(cases: QuerySet[Held], m: Moment) -> QuerySet[Held]:
    late_change = Exists(_open(cases, unvisited=True).filter(visit_due_at__lt=m.now))
    return cases.filter(Q(visit_due_on__lt=m.today) | late_change)


def _visits_week(cases: QuerySet[Held], m: Moment) -> QuerySet[Held]:
    week = cases.filter(visit_due_on__gte=m.today, visit_due_on__lte=m.week_end)
    return week.exclude(pk__in=_visits_overdue(cases, m).values("pk"))


def _reviews_overdue(cases: QuerySet[Case], m: Moment) -> QuerySet[Case]:
    return cases.filter(review_due_on__lt=m.today)


def _reviews_soon(cases: QuerySet[Case], m: Moment) -> QuerySet[Case]:
    soon = m.today + timedelta(days=REVIEW_SOON_DAYS)
    return cases.filter(review_due_on__gte=m.today, review_due_on__lte=soon)


def _changes_open(cases: QuerySet[Held], m: Moment) -> QuerySet[Held]:
    return cases.filter(Exists(_open(cases)))


def _termination_proposed(cases: QuerySet[Case], m: Moment) -> QuerySet[Case]:
    """最近一次核查的结论是“建议终止”、还在保障中的：等县级经办人员书面说明理由后终止。"""
    latest = Review.objects.filter(case=OuterRef("pk")).order_by("-reviewed_on", "-pk")
    return cases.annotate(last_outcome=Subquery(latest.values("outcome")[:1])).filter(
        last_outcome=ReviewOutcome.TERMINATION_PROPOSED
    )


# ------------------------------------------------ 没有个案的名册儿童（困境、留守）：探访和重大变故


def entries_on_their_own(entries: QuerySet[RegisterEntry]) -> QuerySet[RegisterEntry]:
    """在册、自己排探访的登记（没有个案，或个案已终止）；有保障中个案的在个案上。"""
    return entries.filter(ended_on__isnull=True, visit_due_on__isnull=False).exclude(
        case__status=CaseStatus.ACTIVE
    )


# 名册儿童上的清单：探访和重大变故（核查清单没有：名册儿童的探访就是核实），与个案同一套筛选
EntryPick = Callable[[QuerySet[RegisterEntry], Moment], QuerySet[RegisterEntry]]
ENTRY_PICKS: Final[Mapping[str, EntryPick]] = MappingProxyType(
    {
        "visits_urgent": _urgent,
        "visits_overdue": _visits_overdue,
        "visits_week": _visits_week,
        "changes_open": _changes_open,
    }
)


def work_list_entries(
    entries: QuerySet[RegisterEntry], code: str, moment: Moment
) -> QuerySet[RegisterEntry]:
    """清单上的名册儿童（核查清单没有：名册儿童的探访就是核实，policy §6 / sixian §2(一)6）。"""
    pick = ENTRY_PICKS.get(code)
    return pick(entries_on_their_own(entries), moment) if pick else entries.none()


@dataclass(frozen=True)
class WorkList:
    code: str
    label: str
    pick: Callable[[QuerySet[Case], Moment], QuerySet[Case]]
    due: str  # 到期日一栏取个案的哪个字段
    urgent: bool


WORK_LISTS: Final = MappingProxyType(
    {
        w.code: w
        for w in (
            WorkList("visits_urgent", "24 小时内须走访（重大变故、强制报告）", _urgent,
                     "visit_due_on", True),
            WorkList("visits_overdue", "探访逾期", _visits_overdue, "visit_due_on", True),
            WorkList("visits_week", "一周内应探访", _visits_week, "visit_due_on", False),
            WorkList("changes_open", "重大变故待复核（临时按高风险）", _changes_open,
                     "visit_due_on", True),
            WorkList("reviews_overdue", "核查逾期", _reviews_overdue, "review_due_on", True),
            WorkList("reviews_soon", f"{REVIEW_SOON_DAYS} 天内应核查", _reviews_soon,
                     "review_due_on", False),
            WorkList("reviews_termination", "核查建议终止，待办理", _termination_proposed,
                     "review_due_on", True),
        )
    }
)  # fmt: skip
# 各角色首页的待办列哪几张清单：儿童主任管探访，督导员看所辖各村的逾期，经办人员管复核和核查
TODO_LISTS: Final = MappingProxyType(
    {
        Role.CHILD_DIRECTOR: ("visits_urgent", "visits_overdue", "visits_week"),
        Role.SUPERVISOR: ("visits_urgent", "visits_overdue", "reviews_overdue"),
        Role.CASEWORKER: ("changes_open", "reviews_termination", "reviews_overdue", "reviews_soon"),
    }
)


def lists_for(role: str) -> tuple[str, ...]:
    """这个角色首页待办里的清单；没有的角色看全部清单。"""
    return (
        TODO_LISTS.get(Role(role), tuple(WORK_LISTS)) if role in Role.values else tuple(WORK_LISTS)
    )


def work_list_cases(cases: QuerySet[Case], code: str, moment: Moment) -> QuerySet[Case]:
    return WORK_LISTS[code].pick(cases, moment)


def now_moment() -> Moment:
    return Moment(today=timezone.localdate(), now=timezone.now())


@dataclass(frozen=True)
class WorkRow:
    case_pk: int
    child_pk: int
    child_name: str
    place: str  # 村（居）
    directors: str  # 该村的儿童主任（名册）
    risk_label: str
    due_text: str
    overdue: bool
    entry_pk: int = 0  # 没有个案的名册儿童：名册登记（case_pk 为 0）
    entry_label: str = ""  # 如“困境儿童”
    due_on: date | None = None  # 排序用


def _directors(division_ids: set[str]) -> dict[str, str]:
    """各村（居）的儿童主任：名册上在任的，加上该村儿童主任角色的平台账户（名册还没登记时）。"""
    roster = RosterMember.objects.filter(
        division_id__in=division_ids, duty=Role.CHILD_DIRECTOR, left_at__isnull=True
    ).values_list("division_id", "full_name")
    accounts = (
        User.objects.filter(division_id__in=division_ids, role=Role.CHILD_DIRECTOR, is_active=True)
        .exclude(full_name="")
        .values_list("division_id", "full_name")
    )
    found: dict[str, list[str]] = {}
    for division_id, name in [*roster.order_by("pk"), *accounts.order_by("pk")]:
        names = found.setdefault(division_id, [])
        if name not in names:
            names.append(name)
    return {code: "、".join(names) for code, names in found.items()}


def work_rows(
    cases: QuerySet[Case], code: str, moment: Moment, limit: int = 200,
    entries: QuerySet[RegisterEntry] | None = None,
) -> list[WorkRow]:  # fmt: skip
    """清单的行（个案，和没有个案的名册儿童），按到期日先后。"""
    rows = _case_rows(cases, code, moment, limit)
    if entries is not None:
        rows += _entry_rows(work_list_entries(entries, code, moment), code, moment, limit)
        rows.sort(key=lambda r: (r.due_on or date.max, r.child_name))
    return rows[:limit]


def _entry_rows(
    entries: QuerySet[RegisterEntry], code: str, moment: Moment, limit: int
) -> list[WorkRow]:
    """名册儿童的行：一名儿童在册几条登记的，只列到期最早的一条。"""
    chosen = list(entries.select_related("child", "division")
                  .order_by("visit_due_on", "pk")[:limit])  # fmt: skip
    directors = _directors({e.division_id for e in chosen})
    picked = RegisterEntry.objects.filter(pk__in=[e.pk for e in chosen])
    provisional = set(_changes_open(picked, moment).values_list("pk", flat=True))
    urgent = _entry_urgent_due(chosen) if code == "visits_urgent" else {}
    rows: dict[int, WorkRow] = {}
    for e in chosen:
        rows.setdefault(e.child_id, WorkRow(
            case_pk=0, child_pk=e.child_id, child_name=e.child.name, place=e.division.name,
            directors=directors.get(e.division_id, ""),
            risk_label="高风险（临时）" if e.pk in provisional else RISK_LABELS[e.risk_level],
            due_text=urgent.get(e.pk) or _day_text(e.visit_due_on),
            overdue=e.pk not in urgent and _before(e.visit_due_on, moment.today),
            entry_pk=e.pk, entry_label=REGISTER_LABELS[e.register], due_on=e.visit_due_on,
        ))  # fmt: skip
    return list(rows.values())


def _entry_urgent_due(entries: list[RegisterEntry]) -> dict[int, str]:
    found = (
        MajorChange.objects.filter(entry__in=entries, reviewed_at__isnull=True, visit__isnull=True)
        .values("entry_id")
        .annotate(due=Min("visit_due_at"))
    )
    return {row["entry_id"]: _moment_text(row["due"]) for row in found}


def _moment_text(due: datetime) -> str:
    return f"{date_text(timezone.localdate(due))} {timezone.localtime(due):%H:%M} 前"


def _case_rows(cases: QuerySet[Case], code: str, moment: Moment, limit: int) -> list[WorkRow]:
    due_field = WORK_LISTS[code].due
    chosen = list(
        work_list_cases(cases, code, moment)
        .select_related("child", "division")
        .order_by(due_field, "pk")[:limit]
    )
    directors = _directors({c.division_id for c in chosen})
    provisional = set(
        _changes_open(Case.objects.filter(pk__in=[c.pk for c in chosen]), moment).values_list(
            "pk", flat=True
        )
    )
    urgent = _urgent_due(chosen) if code == "visits_urgent" else {}
    return [
        WorkRow(
            case_pk=c.pk,
            child_pk=c.child_id,
            child_name=c.child.name,
            place=c.division.name,
            directors=directors.get(c.division_id, ""),
            risk_label="高风险（临时）" if c.pk in provisional else RISK_LABELS[c.risk_level],
            due_text=urgent.get(c.pk) or _day_text(getattr(c, due_field)),
            overdue=c.pk not in urgent and _before(getattr(c, due_field), moment.today),
            due_on=getattr(c, due_field),
        )
        for c in chosen
    ]


def _day_text(day: date | None) -> str:
    return date_text(day) if day else "—"


def _before(day: date | None, today: date) -> bool:
    return day is not None and day < today


def _urgent_due(cases: list[Case]) -> dict[int, str]:
    """24 小时清单的到期一栏：最早一项未走访的重大变故须走访到位的时刻（北京时间）。"""
    found = (
        MajorChange.objects.filter(case__in=cases, reviewed_at__isnull=True, visit__isnull=True)
        .values("case_id")
        .annotate(due=Min("visit_due_at"))
    )
    return {row["case_id"]: _moment_text(row["due"]) for row in found}


@dataclass(frozen=True)
class WorkCount:
    code: str
    label: str
    count: int
    url: str
    urgent: bool


def work_count(
    cases: QuerySet[Case], entries: QuerySet[RegisterEntry] | None, code: str, moment: Moment
) -> int:
    """一张清单上的儿童数：个案，加上没有个案的名册儿童（一名儿童几条登记只算一次）。"""
    count = WORK_LISTS[code].pick(cases, moment).count()
    if entries is not None:
        count += work_list_entries(entries, code, moment).values("child_id").distinct().count()
    return count


def work_counts(
    user: User, cases: QuerySet[Case], entries: QuerySet[RegisterEntry] | None = None
) -> list[WorkCount]:
    """这名用户首页待办里的个案工作（数量和清单链接），没有的不列。"""
    moment = now_moment()
    counts = []
    for code in TODO_LISTS.get(Role(user.role), ()) if user.role in Role.values else ():
        work = WORK_LISTS[code]
        count = work_count(cases, entries, code, moment)
        if count:
            url = f"{reverse('case_work_list')}?list={code}"
            counts.append(WorkCount(code, work.label, count, url, work.urgent))
    return counts
