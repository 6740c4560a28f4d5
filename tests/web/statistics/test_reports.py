"""Statistics reported up the hierarchy: a county's monthly report, each figure the count of the
list behind it, submitted to the city, returned with a reason, resubmitted, approved and locked."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from shouhu.core.errors import DomainError, PermissionDenied
from shouhu.web.audit.models import AuditEntry
from shouhu.web.statistics.models import StatReport
from shouhu.web.statistics.reports import (
    FIGURES,
    figure_cases,
    period_of,
    report_decide,
    report_submit,
)
from shouhu.web.todo import todo_for
from tests.web import factories as f
from tests.web.comparison.conftest import ctx_for

OCTOBER = period_of("month", date(2026, 10, 1))


@pytest.fixture
def register(region):
    """临河区: in care through October — a scattered orphan and a de facto child opened in 2025,
    one enrolled on 15 October, one closed on 20 October, one opened in November."""

    def case(name, opened, category="de_facto_unsupported", orphan_type="", closed=None):
        c = f.case(f.person(region.village_a, name=name), category)
        c.opened_on, c.orphan_type = opened, orphan_type
        if closed:
            c.status, c.closed_on, c.close_reason = "closed", closed, "已收养"
        c.save()
        return c

    case("甲", date(2025, 1, 1), "orphan", "scattered")
    case("乙", date(2025, 1, 1))
    case("丙", date(2026, 10, 15))
    case("丁", date(2025, 3, 1), closed=date(2026, 10, 20))
    case("戊", date(2026, 11, 2))


def test_each_figure_is_the_count_of_its_list(region, register):
    report = {code: figure_cases(region.county_a, OCTOBER, code) for code in FIGURES}
    names = {code: sorted(c.child.name for c in cases) for code, cases in report.items()}
    assert names["in_care_scattered"] == ["甲"]
    assert names["in_care_de_facto"] == ["丙", "乙"]
    assert names["in_care_total"] == ["丙", "乙", "甲"]
    assert (names["enrolled"], names["exited"]) == (["丙"], ["丁"])
    assert names["in_care_institutional"] == []


def test_a_county_report_goes_up_is_returned_resubmitted_approved_and_locked(
    region, personas, register
):
    city_caseworker = f.user("city_cw", "caseworker", region.city, personas.leader_city.agency)
    report = report_submit(ctx=ctx_for(personas.caseworker_a), period=OCTOBER)
    assert report.figures["in_care_total"] == 3
    assert report.status == "submitted"
    with pytest.raises(DomainError, match="已上报"):
        report_submit(ctx=ctx_for(personas.caseworker_a), period=OCTOBER)
    assert "下级上报的统计报表待审核" in {i.label for i in todo_for(personas.leader_city)}
    with pytest.raises(PermissionDenied):  # 同级不能审自己的，五原县也不能
        report_decide(ctx=ctx_for(personas.caseworker_b), report=report, approve=True)
    with pytest.raises(DomainError, match="理由"):
        report_decide(ctx=ctx_for(city_caseworker), report=report, approve=False)
    report_decide(ctx=ctx_for(city_caseworker), report=report, approve=False, reason="纳入数核实")
    again = report_submit(ctx=ctx_for(personas.caseworker_a), period=OCTOBER)
    assert (again.pk, again.status, again.return_reason) == (report.pk, "submitted", "")
    report_decide(ctx=ctx_for(personas.leader_city), report=again, approve=True)
    with pytest.raises(DomainError, match="已上报"):
        report_submit(ctx=ctx_for(personas.caseworker_a), period=OCTOBER)  # 锁定：不能重报
    with pytest.raises(DomainError, match="不能再审核"):
        report_decide(ctx=ctx_for(personas.leader_city), report=again, approve=False, reason="x")
    assert StatReport.objects.get().status == "approved"
    actions = AuditEntry.objects.filter(object_type="stat_report").values_list("action", flat=True)
    assert list(actions).count("update") == 2


def test_the_pages_submit_show_print_and_export(region, personas, register):
    today = timezone.localdate()
    client = f.client_for(personas.caseworker_a)
    page = client.get("/reports/").content.decode()
    assert "本级待上报" in page
    assert "统计报表待上报" in {i.label for i in todo_for(personas.caseworker_a)}
    last_month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    client.post("/reports/submit/", {"kind": "month", "start": last_month.isoformat()})
    report = StatReport.objects.get(period_kind="month")
    detail = f.client_for(personas.leader_city).get(f"/reports/{report.pk}/").content.decode()
    assert "期末在保合计" in detail
    assert "审核通过（锁定）" in detail
    assert "审核通过（锁定）" not in client.get(f"/reports/{report.pk}/").content.decode()
    assert client.get(f"/reports/{report.pk}/export.xlsx").status_code == 200
    assert f.client_for(personas.caseworker_b).get(f"/reports/{report.pk}/").status_code == 404
    future = client.post("/reports/submit/", {"kind": "month", "start": today.replace(day=1)},
                         follow=True)  # fmt: skip
    assert "还没有结束" in future.content.decode()
