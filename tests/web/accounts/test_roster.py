"""The roster of child directors (per village) and supervisors (per township): real name, phone,
area; linked to an account when they have one; leaving the post disables the account."""

from __future__ import annotations

import pytest

from shouhu.web.accounts.models import RosterMember
from shouhu.web.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _add(client, **fields):
    form = {"duty": "child_director", "full_name": "张海军", "phone": "13900001111",
            "division": "150802100201"}  # fmt: skip
    return client.post("/manage/roster/new/", {**form, **fields})


def test_a_director_is_registered_and_listed_with_the_phone(admin_client):
    assert _add(admin_client).status_code == 302
    listed = admin_client.get("/manage/roster/").content.decode()
    assert "张海军" in listed
    assert "13900001111" in listed
    assert "示范村" in listed
    entry = AuditEntry.objects.get(action="create", object_type="roster_member")
    assert entry.detail == {"duty": "child_director", "division": "150802100201"}
    assert "13900001111" not in str(list(AuditEntry.objects.values_list("detail", flat=True)))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"division": "150802100"}, "村（居）一级"),  # a director belongs to a village
        ({"duty": "supervisor"}, "乡镇"),  # a supervisor to a township
        ({"phone": "12345"}, "手机号"),
        ({"full_name": ""}, "真实姓名"),
        ({"division": "150821100201"}, "不在您的辖区内"),
    ],
)
def test_bad_entries_are_refused(admin_client, fields, message):
    response = _add(admin_client, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RosterMember.objects.exists()


def test_a_supervisor_of_a_township_with_a_landline(admin_client):
    response = _add(admin_client, duty="supervisor", division="150802100", phone="0478-8123456")
    assert response.status_code == 302
    assert RosterMember.objects.get().get_duty_display() == "儿童督导员"


def test_linking_an_existing_account_checks_role_and_area(admin_client, personas):
    _add(admin_client)
    member = RosterMember.objects.get()
    url = f"/manage/roster/{member.pk}/action/"
    wrong = admin_client.post(url, {"action": "link", "username": "caseworker_a"})
    assert wrong.status_code == 400
    assert "不符" in wrong.content.decode()
    assert admin_client.post(url, {"action": "link", "username": "director_a"}).status_code == 302
    member.refresh_from_db()
    assert member.user == personas.child_director_a


def test_leaving_the_post_keeps_the_entry_and_disables_the_account(admin_client, personas):
    _add(admin_client)
    member = RosterMember.objects.get()
    url = f"/manage/roster/{member.pk}/action/"
    admin_client.post(url, {"action": "link", "username": "director_a"})
    assert admin_client.post(url, {"action": "close"}).status_code == 302
    member.refresh_from_db()
    personas.child_director_a.refresh_from_db()
    assert member.left_at is not None
    assert not personas.child_director_a.is_active
    assert "张海军" not in admin_client.get("/manage/roster/").content.decode()
    assert "张海军" in admin_client.get("/manage/roster/?show=all").content.decode()
    edit = admin_client.post(f"/manage/roster/{member.pk}/",
                             {"full_name": "改名", "division": "150802100201"})  # fmt: skip
    assert edit.status_code == 400  # a closed entry is kept as it was


def test_the_roster_of_another_county_is_not_found(admin_client, region):
    other = RosterMember.objects.create(
        duty="child_director", full_name="外县人", division=region.village_b
    )
    assert admin_client.get(f"/manage/roster/{other.pk}/").status_code == 404
    assert "外县人" not in admin_client.get("/manage/roster/").content.decode()
