"""个案工作的排期：下次核查、下次例行探访的到期日，写在个案上，供待办和清单按日期查询。

次数和间隔只从规则来（`shouhu.core.policy.reviews` / `visits`），这里只取个案的立案日、最近一次
核查和探访、未复核的重大变故，算出日期写回个案。记录核查、探访、确认风险、报告变故时在同一
事务里重算；规则给出的每年核查次数随事实变化（父亲入狱：1 次变 2 次），由每日任务重算
（`cases_plans_refresh`，登记在 jobs.schedule）。
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from shouhu.core.policy.reviews import review_due
from shouhu.core.policy.visits import effective_risk, next_visit_due
from shouhu.web.cases.models import Case, CaseStatus, MajorChange
from shouhu.web.determination.selectors import determination_get

# 规则说儿童已不符合（应退未退，等经办人员处理）时规则不给次数：沿用原来的，原来没有就每年 1 次
UNSETTLED_REVIEWS_PER_YEAR = 1


def open_changes(case: Case) -> QuerySet[MajorChange]:
    """未经经办人员复核的重大变故：儿童临时按高风险。"""
    return case.major_changes.filter(reviewed_at__isnull=True)


def risk_in_effect(case: Case) -> str:
    """现在按哪个风险等级探访（有未复核的重大变故时临时为高风险）。"""
    return effective_risk(
        confirmed=case.risk_level, unreviewed_major_change=open_changes(case).exists()
    )


def reviews_per_year_for(case: Case, today: date) -> int:
    """规则给出的每年核查次数（policy §5），按儿童今天的全部事实。"""
    assessment = determination_get(child=case.child, as_of=today).assessment
    if assessment.status == "eligible":
        return assessment.reviews_per_year
    if case.reviews_per_year is not None:
        return case.reviews_per_year
    return UNSETTLED_REVIEWS_PER_YEAR


def _visit_due(case: Case) -> date:
    last = case.visits.aggregate(last=Max("visited_at"))["last"]
    routine = next_visit_due(
        risk=risk_in_effect(case),
        opened=case.opened_on,
        last_visit=timezone.localdate(last) if last else None,
    )
    urgent = open_changes(case).filter(visit__isnull=True).aggregate(due=Min("visit_due_at"))
    if urgent["due"] is None:
        return routine
    return min(routine, timezone.localdate(urgent["due"]))


def plans_set(case: Case, *, today: date, reviews: bool = True) -> None:
    """重算个案的下次探访（和下次核查）到期日并保存；个案行应已加锁（或刚刚创建）。"""
    fields: list[str] = ["visit_due_on"]
    case.visit_due_on = _visit_due(case)
    if reviews:
        n = reviews_per_year_for(case, today)
        last = case.reviews.aggregate(last=Max("reviewed_on"))["last"]
        case.reviews_per_year = n
        case.review_due_on = review_due(opened=case.opened_on, last_review=last, reviews_per_year=n)
        fields += ["reviews_per_year", "review_due_on"]
    case.save(update_fields=fields)


def cases_plans_refresh(*, today: date | None = None) -> dict[str, int]:
    """每日：按规则重算每个保障中个案的每年核查次数和到期日（次数变多时从最近一次核查重算）。"""
    day = today or timezone.localdate()
    changed = 0
    ids = list(Case.objects.filter(status=CaseStatus.ACTIVE).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().select_related("child").filter(pk=pk).first()
            if case is None or case.status != CaseStatus.ACTIVE:
                continue
            before = (case.reviews_per_year, case.review_due_on, case.visit_due_on)
            plans_set(case, today=day)
            changed += before != (case.reviews_per_year, case.review_due_on, case.visit_due_on)
    return {"cases": len(ids), "changed": changed}


def handle_case_plans(job: Any, progress: Any) -> dict[str, int]:
    """后台任务：每日重算个案排期，并按规则提出困境儿童名册登记（jobs.registry 按名字找到这里）。"""
    from shouhu.web.cases.registers import register_proposals_refresh

    return {**cases_plans_refresh(), **register_proposals_refresh()}
