"""The child page shows the decision with reasons and the next change, and answers 'what if'."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.models import Case
from tests.web import factories as f
from tests.web.factories import PASSWORD
from tests.web.pages import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def imprisoned_family(region, personas):
    child, father, mother = f.family(region.village_a)
    court = f.agency("court", region.county_a, "临河区人民法院")
    f.fact(father, court, "imprisoned", start=date(2025, 1, 10), end=date(2031, 1, 9))
    f.fact(mother, court, "deceased", date=date(2020, 5, 1))
    return child


def _page(child, query: str = "?purpose=determination") -> str:
    client = Client()
    assert client.login(username="caseworker_a", password=PASSWORD)
    response = client.get(f"/persons/{child.pk}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_page_shows_the_decision_its_reasons_and_the_next_change(imprisoned_family):
    html = _page(imprisoned_family)
    assert "符合事实无人抚养儿童条件" in html
    assert "服刑在押" in html
    assert "bayannur §3" in html
    assert "不少于 2 次" in html
    assert "下一次变化" in html
    assert "2031年1月9日" in html


def test_what_if_date_decides_on_that_day_and_says_so(imprisoned_family):
    html = _page(imprisoned_family, "?as_of=2031-06-01&purpose=determination")
    assert "假设日期" in html
    assert "符合事实无人抚养儿童条件" not in html
    assert "不符合" in html
    assert AuditEntry.objects.filter(action="view", detail__what_if=True).count() == 1


def test_a_bad_what_if_date_falls_back_to_today_with_a_message(imprisoned_family):
    html = _page(imprisoned_family, "?as_of=2031-13-45")
    assert "日期格式应为" in html
    assert "符合事实无人抚养儿童条件" in html


PANEL = re.compile(r'<section class="panel determination".*?</section>', re.S)
OUTCOME = re.compile(r'<p class="det-outcome ([^"]+)"[^>]*>(.*?)</p>', re.S)
REASONS = re.compile(r'<ol class="det-reasons">.*?</ol>', re.S)


def _panel(client: Client, child, query: str = "") -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/persons/{child.pk}/{query}")
    if response.status_code != 200:
        return f"status {response.status_code}"
    found = PANEL.search(response.content.decode())
    return found.group(0) if found else ""


def test_a_reader_without_the_hiv_grant_cannot_tell_an_hiv_child_in_care_by_its_decision(
    region, personas
):
    """Issue 11: a child in care as 艾滋病病毒感染儿童 is 不符合 by the rule (the category is the
    region's own). A reader who sees 保障对象 for every case (director, supervisor) reads one
    outcome, 在保（保障对象）, for every child in care: the panel of the HIV child and of an
    orphan of the same age are the same once the orphan's reasons (its parents' deaths, shown as
    facts) are set aside — same outcome and colour, no review count, no subsidy, no what-if, the
    next change as the month of the 18th birthday. A department user reads neither. The county
    caseworker still reads the rule's real outcome on both."""
    civil = f.agency("civil_affairs", region.county_a, "临河区民政局（测试）")
    health = f.agency("health", region.county_a, "临河区卫生健康委员会")
    education = f.agency("education", region.county_a, "临河区教育局")
    orphan, father, mother = f.family(region.village_a, child_name="郑小孤")
    f.fact(father, civil, "deceased", date=date(2020, 5, 1))
    f.fact(mother, civil, "deceased", date=date(2021, 5, 1))
    Case.objects.create(child=orphan, category="orphan", orphan_type="scattered",
                        division=orphan.division, opened_on=date(2025, 1, 1))  # fmt: skip
    hiv, _, _ = f.family(region.village_a, child_name="周小同")
    f.fact(hiv, health, "hiv_infected", date=date(2025, 7, 31), consent=True)
    f.case(hiv, "hiv_infected")
    readers = (
        personas.child_director_a,
        f.user("supervisor_a", "supervisor", region.township_a, personas.child_director_a.agency),
        f.user("education_a", "department_user", region.county_a, education),
    )
    for user in readers:
        client = f.client_for(user)
        for query in ("", "?purpose=determination", "?as_of=2030-01-01&purpose=determination"):
            panels = [REASONS.sub("", _panel(client, c, query)) for c in (orphan, hiv)]
            assert panels[0] == panels[1], (user.username, query, panels)
            if user.role != "department_user":
                outcome = OUTCOME.search(panels[1])
                assert outcome is not None
                assert outcome.group(1) == "det-in_care"
                assert visible_text(outcome.group(2)).split()[0] == "在保（保障对象）"
                assert "2030年3月起须重新认定" in panels[1]  # born 2012-03-04
                assert "艾滋病" not in _panel(client, hiv, query)
                assert "不符合" not in _panel(client, hiv, query)
    caseworker = f.client_for(personas.caseworker_a)
    assert "符合孤儿条件" in _panel(caseworker, orphan)
    assert "不符合" in _panel(caseworker, hiv)
