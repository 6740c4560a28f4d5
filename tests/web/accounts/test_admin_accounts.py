"""Accounts administered on the web: create with a temporary password, change role and scope,
disable, enable, unlock, reset — each audited without passwords; only inside the administrator's
subtree; never the administrator's own account nor the three separated roles (三员分立)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shouhu.web.accounts.models import SecondFactor, SignInFailure, User
from shouhu.web.audit.models import AuditEntry
from tests.web.accounts.conftest import signed_in
from tests.web.factories import PASSWORD, enrol

pytestmark = pytest.mark.django_db


def _new(client: Client, **fields: object):
    form = {"username": "wangwu", "full_name": "王五", "role": "caseworker", "division": "150802"}
    return client.post("/manage/users/new/", {**form, **fields})


def _password(html: str) -> str:
    found = re.search(r'data-testid="temporary-password">([^<]+)<', html)
    assert found
    return found.group(1)


def test_a_new_account_gets_a_temporary_password_shown_once_and_must_change_it(admin_client):
    response = _new(admin_client)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = _password(response.content.decode())
    user = User.objects.get(username="wangwu")
    assert user.must_change_password
    assert user.check_password(password)
    entry = AuditEntry.objects.get(action="create", object_type="user")
    assert entry.actor_username == "admin_a"
    assert entry.detail == {"role": "caseworker", "division": "150802", "agency": None}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"username": "caseworker_a"}, "已被使用"),
        ({"username": "张三"}, "用户名"),
        ({"full_name": " "}, "真实姓名"),
        ({"role": "child_director"}, "村"),  # a director's scope is a village, not a county
        ({"role": "data_submitter"}, "部门"),
    ],
)
def test_bad_accounts_are_refused_with_a_reason_and_nothing_is_stored(
    admin_client, fields, message
):
    before = User.objects.count()
    response = _new(admin_client, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == before


@pytest.mark.parametrize("role", ["administrator", "security_admin", "auditor"])
def test_the_web_cannot_grant_the_three_separated_roles(admin_client, role):
    response = _new(admin_client, role=role)
    assert response.status_code == 400  # the form again, saying why
    assert "三员" in response.content.decode()
    assert not User.objects.filter(username="wangwu").exists()
    assert AuditEntry.objects.filter(action="deny", detail__why="separated_role").exists()


def test_scope_outside_the_subtree_is_refused_like_a_missing_division(admin_client, region):
    outside = _new(admin_client, division=region.county_b.code).content.decode()
    missing = _new(admin_client, division="150899").content.decode()
    assert "未找到该区划，或不在您的辖区内" in outside
    assert "未找到该区划，或不在您的辖区内" in missing
    assert not User.objects.filter(username="wangwu").exists()
    assert AuditEntry.objects.filter(action="deny", object_type="division").count() == 2


def test_role_and_scope_change_is_audited_with_codes_only(admin_client, personas, region):
    caseworker = personas.caseworker_a
    response = admin_client.post(
        f"/manage/users/{caseworker.pk}/",
        {"full_name": "刘晓燕", "role": "supervisor", "division": region.township_a.code},
    )
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert (caseworker.role, caseworker.division_id) == ("supervisor", region.township_a.code)
    entry = AuditEntry.objects.filter(action="update", object_type="user").last()
    assert entry.detail["role"] == ["caseworker", "supervisor"]
    assert entry.detail["division"] == ["150802", region.township_a.code]
    assert "刘晓燕" not in str(entry.detail)


def test_an_account_of_another_county_is_not_found(admin_client, personas):
    other = personas.caseworker_b
    assert admin_client.get(f"/manage/users/{other.pk}/").status_code == 404
    response = admin_client.post(f"/manage/users/{other.pk}/action/", {"action": "disable"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.is_active
    assert AuditEntry.objects.filter(action="deny", object_type="user").count() == 2


def test_own_account_and_separated_roles_are_read_only(admin_client, admin_a, personas):
    own = admin_client.post(f"/manage/users/{admin_a.pk}/action/", {"action": "disable"})
    assert own.status_code == 403
    auditor = User.objects.create(username="aud_a", role="auditor", division=admin_a.division)
    response = admin_client.post(
        f"/manage/users/{auditor.pk}/action/", {"action": "reset_password"}
    )
    assert response.status_code == 403
    assert admin_client.get(f"/manage/users/{auditor.pk}/").status_code == 200  # may look


def test_disable_ends_sign_in_and_the_session_and_enable_restores(admin_client, personas):
    caseworker = personas.caseworker_a
    session = signed_in(caseworker)
    assert session.get("/persons/").status_code == 200
    admin_client.post(f"/manage/users/{caseworker.pk}/action/", {"action": "disable"})
    assert session.get("/persons/").status_code == 302  # signed out on the next request
    refused = Client().post("/login/", {"username": "caseworker_a", "password": PASSWORD})
    assert refused.status_code == 200  # the sign-in page again, with an error
    admin_client.post(f"/manage/users/{caseworker.pk}/action/", {"action": "enable"})
    again = Client().post("/login/", {"username": "caseworker_a", "password": PASSWORD})
    assert again.status_code == 302
    changes = AuditEntry.objects.filter(object_type="user", object_id=str(caseworker.pk))
    assert [e.detail.get("change") for e in changes if "change" in e.detail] == [
        "disable", "enable",
    ]  # fmt: skip


def test_unlock_clears_a_lockout(admin_client, personas):
    caseworker = personas.caseworker_a
    caseworker.locked_until = timezone.now() + timedelta(minutes=10)
    caseworker.save()
    for _ in range(5):
        Client().post("/login/", {"username": "caseworker_a", "password": "wrong-password"})
    assert "已锁定" in admin_client.get("/manage/users/?status=locked").content.decode()
    admin_client.post(f"/manage/users/{caseworker.pk}/action/", {"action": "unlock"})
    caseworker.refresh_from_db()
    assert caseworker.locked_until is None
    assert not SignInFailure.objects.filter(username="caseworker_a").exists()
    signed = Client().post("/login/", {"username": "caseworker_a", "password": PASSWORD})
    assert signed["Location"] == "/login/enrol/"


def test_an_administrator_resets_a_lost_second_factor(admin_client, personas):
    caseworker = personas.caseworker_a
    enrol(caseworker)
    page = admin_client.get(f"/manage/users/{caseworker.pk}/").content.decode()
    assert "重置动态验证码" in page
    admin_client.post(f"/manage/users/{caseworker.pk}/action/", {"action": "reset_second_factor"})
    assert not SecondFactor.objects.filter(user=caseworker).exists()
    entry = AuditEntry.objects.filter(detail__change="second_factor_reset").get()
    assert entry.object_id == str(caseworker.pk)
    signed = Client().post("/login/", {"username": "caseworker_a", "password": PASSWORD})
    assert signed["Location"] == "/login/enrol/"


def test_reset_password_invalidates_the_old_one_and_forces_a_change(admin_client, personas):
    caseworker = personas.caseworker_a
    session = signed_in(caseworker)
    response = admin_client.post(
        f"/manage/users/{caseworker.pk}/action/", {"action": "reset_password"}
    )
    temporary = _password(response.content.decode())
    caseworker.refresh_from_db()
    assert caseworker.must_change_password
    assert not caseworker.check_password(PASSWORD)
    assert session.get("/persons/").status_code == 302  # old session ended
    assert temporary not in str(list(AuditEntry.objects.values_list("detail", flat=True)))


def test_an_empty_action_does_nothing(admin_client, personas):
    response = admin_client.post(f"/manage/users/{personas.caseworker_a.pk}/action/", {})
    assert response.status_code == 400
    personas.caseworker_a.refresh_from_db()
    assert personas.caseworker_a.is_active


def test_the_list_is_the_subtree_without_service_accounts(admin_client, personas):
    html = admin_client.get("/manage/users/").content.decode()
    assert "caseworker_a" in html
    assert "director_a" in html
    assert "caseworker_b" not in html
    assert "leader_city" not in html
    assert AuditEntry.objects.filter(action="view", object_type="user_list").exists()
    filtered = admin_client.get("/manage/users/?q=director").content.decode()
    assert "director_a" in filtered
    assert "caseworker_a" not in filtered


@pytest.mark.parametrize("who", ["caseworker_a", "auditor_city", "leader_city"])
def test_other_roles_cannot_open_administration(personas, who):
    client = signed_in(User.objects.get(username=who))
    for url in ("/manage/", "/manage/users/", "/manage/roster/", "/manage/divisions/"):
        assert client.get(url).status_code == 403
    assert AuditEntry.objects.filter(action="deny", object_type="administration").count() == 4
