"""The child page shows the decision with reasons and the next change, and answers 'what if'."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from shouhu.web.audit.models import AuditEntry
from tests.web import factories as f
from tests.web.factories import PASSWORD

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
