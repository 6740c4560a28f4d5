"""个案工作的服务：核查和探访的排期（次数来自规则）、风险等级及其历史、重大变故和强制报告的
24 小时走访、审计（只记编号和代码），坏输入不写入任何东西。"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from shouhu.core.errors import DomainError, InvalidInput
from shouhu.core.policy.dates import add_months
from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.models import Case, MajorChange, Review, RiskChange, Visit
from shouhu.web.cases.plans import cases_plans_refresh, risk_in_effect
from shouhu.web.cases.reports import ReportInput, mandatory_report_create
from shouhu.web.cases.reviews import case_close_after_review, review_record
from shouhu.web.cases.risk import major_change_record, risk_confirm
from shouhu.web.cases.services import case_close
from shouhu.web.cases.visits import Check, VisitInput, visit_record
from shouhu.web.cases.work_panel import case_work_panel
from shouhu.web.cases.worklists import now_moment, work_counts, work_list_cases
from tests.web import factories as f
from tests.web.cases.conftest import work_ctx

OK = {code: Check("ok") for code in ("safety", "food", "school", "health", "carer")}


def _visit(when, **overrides) -> VisitInput:
    values = {"visited_at": when, "place": "儿童家中", "seen": "儿童、祖母", "checks": OK}
    return VisitInput(**(values | overrides))


def _refresh(case):
    case.refresh_from_db()
    return case


def test_opening_a_case_schedules_its_first_review_and_visit_from_the_rules(casework) -> None:
    case = _refresh(casework.case)
    assert case.reviews_per_year == 1  # 父亲重病：每年不少于1次（policy §5）
    assert case.review_due_on == date(2026, 1, 1)
    assert case.visit_due_on == date(2025, 4, 1)  # 一般：每季度


def test_a_review_moves_the_due_date_and_more_reviews_recompute_it(casework) -> None:
    review_record(ctx=casework.caseworker, case=casework.case, reviewed_on=date(2026, 6, 1),
                  outcome="continue", note="情况未变")  # fmt: skip
    assert _refresh(casework.case).review_due_on == date(2027, 6, 1)
    # 父亲入狱：每年2次，从最近一次核查重算
    f.fact(
        casework.father, casework.court, "imprisoned", start=date(2026, 5, 1), end=date(2030, 5, 1)
    )
    assert cases_plans_refresh()["changed"] == 1
    case = _refresh(casework.case)
    assert (case.reviews_per_year, case.review_due_on) == (2, date(2026, 12, 1))
    entry = AuditEntry.objects.filter(object_type="review").get()
    assert entry.detail["outcome"] == "continue"
    assert entry.detail["note_chars"] == 4
    assert "情况未变" not in str(entry.detail)


@pytest.mark.parametrize(
    ("day", "outcome", "note", "message"),
    [
        (None, "continue", "", "核查日期"),
        (date(2099, 1, 1), "continue", "", "晚于今天"),
        (date(2024, 12, 31), "continue", "", "早于纳入保障"),
        (date(2026, 1, 1), "termination_proposed", " ", "须写明"),
        (date(2026, 1, 1), "maybe", "", "核查结论"),
    ],
)
def test_a_bad_review_is_refused_and_writes_nothing(casework, day, outcome, note, message):
    with pytest.raises(InvalidInput, match=message):
        review_record(ctx=casework.caseworker, case=casework.case, reviewed_on=day,
                      outcome=outcome, note=note)  # fmt: skip
    assert not Review.objects.exists()
    assert not AuditEntry.objects.filter(object_type="review").exists()


def test_termination_proposed_then_closed_with_a_listed_reason(casework) -> None:
    review_record(ctx=casework.caseworker, case=casework.case, reviewed_on=date(2026, 1, 2),
                  outcome="termination_proposed", note="父亲已康复")  # fmt: skip
    with pytest.raises(InvalidInput, match="终止原因"):
        case_close_after_review(ctx=casework.caseworker, case=casework.case,
                                reason_code="whatever", reason="理由")  # fmt: skip
    closed = case_close_after_review(
        ctx=casework.caseworker, case=casework.case, reason_code="aged_out", reason="已成年"
    )
    assert closed.status == "closed"
    with pytest.raises(DomainError, match="不在保障中"):  # 已终止的个案不能再记探访
        visit_record(ctx=casework.director, case=casework.case,
                     data=_visit(timezone.now() - timedelta(hours=1)))  # fmt: skip


def test_a_visit_records_the_checks_and_schedules_the_next(casework) -> None:
    when = timezone.now() - timedelta(days=1)
    concern = OK | {"school": Check("concern", "经常缺课")}
    visit = visit_record(
        ctx=casework.director, case=casework.case, data=_visit(when, checks=concern)
    )
    assert visit.checks["school"] == {"status": "concern", "note": "经常缺课"}
    assert _refresh(casework.case).visit_due_on == add_months(timezone.localdate(when), 3)
    again = visit_record(ctx=casework.director, case=casework.case,
                         data=_visit(when, client_ref="app-1"))  # fmt: skip
    same = visit_record(ctx=casework.director, case=casework.case,
                        data=_visit(when, client_ref="app-1"))  # fmt: skip
    assert again.pk == same.pk
    assert Visit.objects.count() == 2
    entry = AuditEntry.objects.filter(object_type="visit").first()
    assert entry.detail["concerns"] == ["school"]
    assert "缺课" not in str(entry.detail)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"checks": OK | {"food": Check("concern")}}, "饮食"),
        ({"checks": {k: v for k, v in OK.items() if k != "carer"}}, "照料人"),
        ({"place": " "}, "探访地点"),
        ({"visited_at": None}, "探访时间"),
        ({"visited_at": timezone.now() + timedelta(days=1)}, "晚于现在"),
    ],
)
def test_a_bad_visit_is_refused_and_writes_nothing(casework, overrides, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        visit_record(ctx=casework.director, case=casework.case,
                     data=_visit(timezone.now(), **overrides))  # fmt: skip
    assert not Visit.objects.exists()


def test_a_major_change_is_provisionally_high_until_a_caseworker_confirms(casework) -> None:
    case = casework.case
    occurred = timezone.now() - timedelta(hours=30)
    major_change_record(ctx=casework.director, case=case, kind="child_hospitalised",
                        occurred_at=occurred, note="肺炎住院")  # fmt: skip
    assert risk_in_effect(case) == "high"
    moment = now_moment()
    assert list(work_list_cases(casework_cases(case), "visits_overdue", moment)) == [case]
    visit_record(ctx=casework.director, case=case, data=_visit(occurred + timedelta(hours=26)))
    change = MajorChange.objects.get()
    assert change.visit is not None
    panel = case_work_panel(user=casework.director.user, case=_refresh(case))
    assert panel.provisional
    assert panel.changes[0].hours == "26.0"
    assert panel.changes[0].late
    assert not panel.may_confirm
    assert panel.may_visit

    risk_confirm(ctx=casework.caseworker, case=case, level="key", reason="住院后需多关注",
                 answers={"care": "strained", "harm": "none", "health": "ill",
                          "school": "normal", "family": "none"})  # fmt: skip
    change.refresh_from_db()
    assert change.reviewed_at is not None
    assert risk_in_effect(_refresh(case)) == "key"
    rows = list(RiskChange.objects.order_by("pk").values_list("kind", "from_level", "to_level"))
    assert rows == [("major_change", "general", "high"), ("confirmed", "high", "key")]
    assert RiskChange.objects.order_by("pk").last().assessment["proposed"] == "key"


def casework_cases(case):
    return Case.objects.filter(pk=case.pk)


def test_a_mandatory_report_asks_the_director_to_visit_within_24_hours(casework, personas):
    seen = timezone.now() - timedelta(hours=2)
    data = ReportInput("school", "示范小学", "王老师", "", seen, "身上有淤青")
    report = mandatory_report_create(ctx=casework.director, case=casework.case, data=data)
    assert report.change.kind == "mandatory_report"
    due = report.change.visit_due_at - report.change.occurred_at
    assert due == timedelta(hours=24)
    director = [(w.code, w.count) for w in work_counts(personas.child_director_a,
                                                      casework_cases(casework.case))]  # fmt: skip
    assert ("visits_urgent", 1) in director
    caseworker = [w.code for w in work_counts(personas.caseworker_a, casework_cases(casework.case))]
    assert "changes_open" in caseworker
    blank = ReportInput("school", "小学", "王老师", "", seen, "")
    with pytest.raises(InvalidInput, match="发现的情况"):
        mandatory_report_create(ctx=casework.director, case=casework.case, data=blank)
    assert MajorChange.objects.count() == 1


def test_nothing_can_be_recorded_on_a_case_closed_meanwhile(casework) -> None:
    stale = casework.case  # 页面上打开时还在保障中
    case_close(ctx=casework.caseworker, case=casework.case, reason_code="other", reason="迁出")
    with pytest.raises(DomainError, match="不在保障中"):
        risk_confirm(ctx=casework.caseworker, case=stale, level="key", reason="理由")
    assert not RiskChange.objects.exists()


def test_the_audit_log_never_names_the_hiv_category(region, personas) -> None:
    """艾滋病病毒感染儿童的类别在个案上；审计日志里只写“敏感类别”（开案和类别变更都是）。"""
    from shouhu.web.cases.services import case_change_category, case_open

    ctx = work_ctx(personas.caseworker_a)
    case = case_open(ctx=ctx, child=f.person(region.village_a, birth=date(2015, 1, 1)),
                     category="hiv_infected")  # fmt: skip
    case_change_category(ctx=ctx, case=case, category="orphan", orphan_type="scattered")
    details = [e.detail for e in AuditEntry.objects.filter(object_type="case",
                                                           object_id=str(case.pk))]  # fmt: skip
    assert details[0]["category"] == "敏感类别"
    assert details[1]["from"]["category"] == "敏感类别"
    assert details[1]["to"]["category"] == "orphan"
    assert "hiv" not in str(details)
    case.refresh_from_db()
    assert case.category_changes[0]["from"]["category"] == "hiv_infected"  # 个案上照实
