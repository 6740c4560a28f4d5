"""演示的个案工作：让儿童主任、督导员和经办人员一登录就有真实的事可做。

全部经由真实的服务（核查、探访、风险确认、重大变故、强制报告），所以排期、风险历史和审计
与真实使用一样。为了快，只在儿童主任所在乡镇记探访。
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from shouhu.core.policy.dates import add_months
from shouhu.web.accounts.models import User
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Purpose
from shouhu.web.cases.models import Case, CaseStatus, ReviewOutcome
from shouhu.web.cases.reports import ReportInput, mandatory_report_create
from shouhu.web.cases.reviews import review_record
from shouhu.web.cases.risk import major_change_record, risk_confirm
from shouhu.web.cases.visits import Check, VisitInput, visit_record

# 各个案下次例行探访的到期日相对今天的天数（负数即已逾期），依次循环
VISIT_DUE_OFFSETS = (40, 30, -12, 3, 2, -30, 60, 5)
LEFT_OVERDUE = 12  # 每 12 个个案留 1 个不记核查（按台账导入时的排期，较早纳入的已逾期）
ALL_OK = {code: Check("ok") for code in ("safety", "food", "school", "health", "carer")}


def _ctx(user: User) -> RequestContext:
    return RequestContext(user=user, client_ip="", purpose=Purpose.CASE_WORK)


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _visit(ctx: RequestContext, case: Case, when: datetime, **changes: object) -> None:
    checks = {**ALL_OK, **changes.pop("checks", {})}  # type: ignore[dict-item]
    data = VisitInput(visited_at=when, place="儿童家中", seen="儿童本人、祖母", checks=checks)
    visit_record(ctx=ctx, case=case, data=data)


def _reviews(ctx: RequestContext, cases: list[Case], today: date) -> None:
    for i, case in enumerate(cases):
        if i % LEFT_OVERDUE == 0:
            continue  # 留几个逾期的
        day = max(case.opened_on, today - timedelta(days=(i * 37) % 170))
        review_record(ctx=ctx, case=case, reviewed_on=day, outcome=ReviewOutcome.CONTINUE, note="")


def _visits(ctx: RequestContext, cases: list[Case], today: date) -> None:
    for i, case in enumerate(cases):
        due = today + timedelta(days=VISIT_DUE_OFFSETS[i % len(VISIT_DUE_OFFSETS)])
        day = max(case.opened_on, add_months(due, -3))
        concern = {"school": Check("concern", "近两周经常缺课")} if i % 4 == 1 else {}
        _visit(ctx, case, _at(min(day, today)), checks=concern)


def _events(caseworker: RequestContext, director: RequestContext, cases: list[Case]) -> None:
    """一份待走访的强制报告、一项已走访待复核的重大变故、一次经评估确认的“重点”。"""
    now = timezone.now()
    if cases:
        report = ReportInput("school", "示范小学", "王老师", "", now - timedelta(hours=3),
                             "儿童身上有多处淤青，自述被打。")  # fmt: skip
        mandatory_report_create(ctx=caseworker, case=cases[0], data=report)
    if len(cases) > 1:
        occurred = now - timedelta(days=2)
        major_change_record(ctx=director, case=cases[1], kind="child_hospitalised",
                            occurred_at=occurred, note="儿童因肺炎住院。")  # fmt: skip
        _visit(director, cases[1], occurred + timedelta(hours=5))
    if len(cases) > 2:
        answers = {"care": "strained", "harm": "none", "health": "ill", "school": "normal",
                   "family": "none"}  # fmt: skip
        risk_confirm(ctx=caseworker, case=cases[2], level="key", reason="祖母年迈，照料吃力。",
                     answers=answers)  # fmt: skip


def demo_casework(*, caseworker: User, director: User, today: date) -> None:
    """在演示县记下核查、探访、风险确认、重大变故和强制报告。"""
    active = Case.objects.filter(status=CaseStatus.ACTIVE).select_related("child").order_by("pk")
    county = list(active.filter(division__path__startswith=caseworker.division.path))
    township = [c for c in county if c.division_id.startswith(director.division_id[:9])]
    village = [c for c in township if c.division_id == director.division_id]
    _reviews(_ctx(caseworker), [c for c in county if c not in township] + township, today)
    _visits(_ctx(director), village, today)
    _visits(_ctx(caseworker), [c for c in township if c not in village], today)
    _events(_ctx(caseworker), _ctx(director), village)


def demo_registers(*, caseworkers: list[User], director: User, today: date) -> None:
    """名册：规则提出的待登记（各县登记前两个），儿童主任所在村手工登记一名留守儿童。"""
    from shouhu.web.cases.register_models import RegisterProposal
    from shouhu.web.cases.registers import (
        EntryInput,
        register_entry_create,
        register_proposal_accept,
        register_proposals_refresh,
    )
    from shouhu.web.registry.models import Person

    register_proposals_refresh(today=today)
    for caseworker in caseworkers:
        mine = RegisterProposal.objects.filter(division__path__startswith=caseworker.division.path)
        for proposal in mine.order_by("pk")[:2]:
            register_proposal_accept(ctx=_ctx(caseworker), proposal=proposal)
    child = (
        Person.objects.filter(
            division=director.division, birth_date__gt=add_months(today, -16 * 12)
        )
        .exclude(cases__isnull=False)
        .exclude(register_entries__isnull=False)
        .order_by("pk")
        .first()
    )
    if child is not None:
        away = "away_out_of_province"
        data = EntryInput("left_behind", "父母均在外省务工，由祖母照护。",
                          today - timedelta(days=100), away, away, "王奶奶", "祖母")  # fmt: skip
        register_entry_create(ctx=_ctx(caseworkers[0]), child=child, data=data)
