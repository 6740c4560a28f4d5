"""The dashboard: counts only, by category, next-level division and orphan type; audited."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shouhu.core.policy.dates import adult_cutoff
from shouhu.web.audit.models import AuditEntry
from shouhu.web.statistics.selectors import dashboard_counts
from tests.web import factories as f
from tests.web.factories import CLIENT_IP, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(region):
    """County A: 2 de facto unsupported + 1 scattered orphan in 城关镇, 1 institutional orphan
    in a second township, 1 closed case; county B: 1 scattered orphan."""
    second_township = f.division("150802101", "新华镇", region.county_a)
    second_village = f.division("150802101201", "新华村", second_township)
    for name in ("甲一", "甲二"):
        f.case(f.person(region.village_a, name=name))
    orphan = f.case(f.person(region.village_a, name="甲三"), "orphan")
    orphan.orphan_type = "scattered"
    orphan.save(update_fields=["orphan_type"])
    institutional = f.case(f.person(second_village, name="乙一"), "orphan")
    institutional.orphan_type = "institutional"
    institutional.save(update_fields=["orphan_type"])
    closed = f.case(f.person(region.village_a, name="甲四"))
    closed.status, closed.closed_on, closed.close_reason = "closed", date(2025, 6, 1), "已被收养"
    closed.save(update_fields=["status", "closed_on", "close_reason"])
    b_orphan = f.case(f.person(region.village_b, name="丙一"), "orphan")
    b_orphan.orphan_type = "scattered"
    b_orphan.save(update_fields=["orphan_type"])
    f.person(region.village_a, name="成年人", birth=date(1980, 1, 1))


def by_key(rows):
    return {row.key: row.count for row in rows}


def test_county_counts_by_category_township_and_orphan_type(personas, register):
    counts = dashboard_counts(user=personas.caseworker_a)
    assert counts.active_total == 4
    assert by_key(counts.by_category) == {"orphan": 2, "de_facto_unsupported": 2}
    assert by_key(counts.by_orphan_type) == {"scattered": 1, "institutional": 1}
    assert [(r.name, r.orphan, r.de_facto_unsupported, r.total) for r in counts.by_division] == [
        ("城关镇", 1, 2, 3),
        ("新华镇", 1, 0, 1),
    ]
    assert counts.minors == 5  # four children with cases in A, one closed; the adult is not


def test_city_leader_sees_both_counties(personas, register):
    counts = dashboard_counts(user=personas.leader_city)
    assert counts.active_total == 5
    assert [(r.name, r.total) for r in counts.by_division] == [("临河区", 4), ("五原县", 1)]


def test_village_director_sees_their_village_only(personas, register):
    counts = dashboard_counts(user=personas.child_director_a)
    assert counts.active_total == 3
    assert [(r.name, r.total) for r in counts.by_division] == [("示范村", 3)]


def test_adult_cutoff_handles_a_leap_day():
    assert adult_cutoff(date(2028, 2, 29)) == date(2010, 2, 28)
    assert adult_cutoff(date(2026, 3, 1)) == date(2008, 3, 1)


def test_leader_gets_counts_only_and_no_link_to_persons(personas, register):
    response = client_for(personas.leader_city).get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "保障中儿童" in page
    assert "临河区" in page
    assert "五原县" in page
    for name in ("甲一", "乙一", "丙一"):
        assert name not in page
    assert 'href="/persons/' not in page
    assert 'action="/persons/' not in page


def test_dashboard_is_audited_as_a_statistics_view(personas, register):
    client_for(personas.caseworker_a).get("/")
    entry = AuditEntry.objects.get(action="view")
    assert (entry.object_type, entry.object_id, entry.purpose, entry.client_ip) == (
        "dashboard",
        "150802",
        "statistics",
        CLIENT_IP,
    )


@pytest.mark.parametrize("who", ["auditor_city", "court_clerk_a"])
def test_roles_without_dashboards_are_refused_and_audited(personas, who):
    user = getattr(personas, who)
    assert client_for(user).get("/").status_code == 403
    assert AuditEntry.objects.filter(
        action="deny", actor_id=user.pk, object_type="dashboard"
    ).exists()


def test_a_child_who_turns_eighteen_today_is_no_longer_counted(personas, region):
    cutoff = adult_cutoff(timezone.localdate())
    f.person(region.village_a, name="今天成年", birth=cutoff)
    f.person(region.village_a, name="明天成年", birth=cutoff + timedelta(days=1))
    assert dashboard_counts(user=personas.caseworker_a).minors == 1


# ---------------------------------------------------------------- leaders: trend, progress, drill


def test_the_trend_counts_enrolments_exits_and_children_in_care_month_by_month(region, register):
    from shouhu.web.statistics.progress import monthly_trend

    spring = f.case(f.person(region.village_a, name="春生"))
    spring.opened_on = date(2026, 3, 15)
    spring.status, spring.closed_on, spring.close_reason = "closed", date(2026, 8, 20), "已收养"
    spring.save()
    trend = {r.month: r for r in monthly_trend(region.county_a, today=date(2026, 12, 5))}
    assert len(trend) == 12
    assert min(trend) == date(2026, 1, 1)
    assert (trend[date(2026, 1, 1)].active, trend[date(2026, 2, 1)].active) == (4, 4)
    assert (trend[date(2026, 3, 1)].enrolled, trend[date(2026, 3, 1)].active) == (1, 5)
    assert (trend[date(2026, 8, 1)].exited, trend[date(2026, 8, 1)].active) == (1, 4)
    assert trend[date(2026, 12, 1)].active == 4


def _progress_run(region, personas):
    from tests.web.comparison.conftest import done_run, finding

    run = done_run(region.county_a, personas.caseworker_a)
    run.finished_at = timezone.now() - timedelta(days=40)
    run.save(update_fields=["finished_at"])
    a, b, c = (f.person(region.village_a, name=n) for n in ("应纳甲", "应纳乙", "应退丙"))
    finding(run, "enrol", a, category="orphan")
    finding(run, "enrol", b, category="orphan", status="confirmed")
    finding(run, "exit", c, case=f.case(c))
    return run


def test_the_leader_sees_progress_by_county_and_an_overdue_exit_on_the_to_do(region, personas):
    _progress_run(region, personas)
    leader = client_for(personas.leader_city)
    page = leader.get("/").content.decode()
    assert "应纳尽纳、应退尽退" in page
    assert "应退未退逾期未处理（按县区督办）" in page
    from shouhu.web.statistics.progress import finding_progress

    [row] = finding_progress(region.city)
    assert (row.name, row.enrol_open, row.enrol_done, row.exit_open, row.exit_overdue) == (
        "临河区", 1, 1, 1, 1,
    )  # fmt: skip
    assert row.done_percent == 33


def test_a_province_leader_sees_progress_per_city_summed_over_its_counties(region, personas):
    """省里看办理进度：每个市一行（其下比对过的县区合计，基准日取最早的），点进去看各县区；
    导出的统计表按市也带上进度。"""
    from shouhu.web.statistics.progress import finding_progress
    from tests.web.comparison.conftest import done_run, finding

    _progress_run(region, personas)
    run_b = done_run(region.county_b, personas.caseworker_b)
    run_b.as_of = run_b.as_of - timedelta(days=31)
    run_b.save(update_fields=["as_of"])
    finding(run_b, "enrol", f.person(region.village_b, name="应纳丁"), category="orphan")
    province = region.city.parent
    [row] = finding_progress(province)
    assert (row.code, row.name, row.counties) == (region.city.code, "巴彦淖尔市", 2)
    assert (row.enrol_open, row.enrol_done, row.exit_open, row.exit_overdue) == (2, 1, 1, 1)
    assert row.run_as_of == run_b.as_of
    assert [r.name for r in finding_progress(region.city)] == ["临河区", "五原县"]
    leader = f.user("leader_province", "leader", province, personas.leader_city.agency)
    client = client_for(leader)
    page = client.get("/").content.decode()
    table = page.split('data-testid="progress-table"', 1)[1].split("</table>", 1)[0]
    assert f'href="?division={region.city.code}#progress"' in table
    assert "2 个县区合计" in table
    assert '<th scope="col">市/盟</th>' in table
    sheet = load_workbook(io.BytesIO(client.get("/export.xlsx").content)).worksheets[0]
    [city_row] = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == "巴彦淖尔市"]
    assert city_row[5:8] == (2, 1, 1)  # 应纳未纳待处理、已纳入、应退未退待处理


def test_the_leader_drills_down_and_exports_counts_only(region, personas, register):
    leader = client_for(personas.leader_city)
    city = leader.get("/").content.decode()
    assert 'href="?division=150802"' in city
    county = leader.get("/?division=150802").content.decode()
    assert "城关镇" in county
    assert "新华镇" in county
    assert "返回上一级" in county
    assert client_for(personas.caseworker_a).get("/?division=150821").status_code == 404
    export = leader.get("/export.xlsx?division=150802")
    assert export.status_code == 200
    entry = AuditEntry.objects.filter(action="export").latest("pk")
    assert (entry.purpose, entry.object_id) == ("statistics", "150802")
