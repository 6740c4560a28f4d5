"""The check of issue 10: an administrator creates a child director for a village (on the roster,
with an account), who signs in with the temporary password, must change it first, and then sees
that village's children and no one else's."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shouhu.web.accounts.models import Agency, RosterMember, User
from shouhu.web.audit.models import AuditEntry
from tests.web import factories as f
from tests.web.factories import CLIENT_IP

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Haijun-village-2027"


def _temporary_password(html: str) -> str:
    found = re.search(r'data-testid="temporary-password">([^<]+)<', html)
    assert found, "the page shows the temporary password"
    return found.group(1)


def test_an_administrator_creates_a_director_who_sees_only_that_village(
    region, personas, admin_client
):
    mine = f.person(region.village_a, name="王小雨")
    f.case(mine)
    next_village = f.division("150802100202", "邻村", region.township_a)
    neighbour = f.person(next_village, name="李思远")
    other_county = f.person(region.village_b, name="高晨曦")

    added = admin_client.post(
        "/manage/roster/new/",
        {"duty": "child_director", "full_name": "张海军", "phone": "13900001111",
         "division": region.village_a.code},
    )  # fmt: skip
    member = RosterMember.objects.get()
    assert added.status_code == 302
    civil = Agency.objects.get(agency_type="civil_affairs", division=region.county_a)
    opened = admin_client.post(
        f"/manage/roster/{member.pk}/action/",
        {"action": "account", "username": "zhanghaijun", "agency": civil.pk},
    )
    assert opened.status_code == 200
    assert "no-store" in opened["Cache-Control"]
    temporary = _temporary_password(opened.content.decode())
    director = User.objects.get(username="zhanghaijun")
    assert (director.role, director.division_id, director.full_name) == (
        "child_director", region.village_a.code, "张海军",
    )  # fmt: skip
    assert RosterMember.objects.get().user == director

    browser = Client(REMOTE_ADDR=CLIENT_IP)
    signed = browser.post("/login/", {"username": "zhanghaijun", "password": temporary})
    assert signed.status_code == 302
    assert browser.get("/persons/")["Location"] == "/me/password/"  # blocked until changed
    changed = browser.post(
        "/me/password/", {"current": temporary, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    )
    assert changed.status_code == 302

    listed = browser.get("/persons/").content.decode()
    assert "王小雨" in listed
    assert "李思远" not in listed
    assert "高晨曦" not in listed
    assert browser.get(f"/persons/{mine.pk}/").status_code == 200
    assert browser.get(f"/persons/{neighbour.pk}/").status_code == 404
    assert browser.get(f"/persons/{other_county.pk}/").status_code == 404

    entries = AuditEntry.objects.filter(object_type__in=["user", "roster_member"])
    assert {e.action for e in entries} >= {"create", "update"}
    assert all(temporary not in str(e.detail) and NEW_PASSWORD not in str(e.detail)
               for e in AuditEntry.objects.all())  # fmt: skip
