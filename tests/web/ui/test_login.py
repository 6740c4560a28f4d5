"""Signing in through the page: lockout message, landing page by role, local assets only."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from shouhu.web.audit.models import AuditEntry
from tests.web.factories import CLIENT_IP, PASSWORD, client_for

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: str):
    return client.post("/login/", {"username": username, "password": password, **extra})


def test_login_page_is_chinese_and_uses_only_local_assets(client, personas):
    page = client.get("/login/").content.decode()
    assert '<html lang="zh-Hans">' in page
    assert "登录" in page
    assert "守护" in page
    references = re.findall(r'(?:href|src)="([^"]+)"', page)
    assert references
    assert all(ref.startswith(("/", "#")) for ref in references)
    assert "<script" not in page
    css = client.get("/static/ui/shouhu.css")
    assert css.status_code == 200
    body = b"".join(css.streaming_content) if css.streaming else css.content
    assert b"PingFang SC" in body
    assert b"http" not in body
    assert b"@import" not in body


@pytest.mark.parametrize(
    ("who", "landing"),
    [
        ("caseworker_a", "/"),
        ("leader_city", "/"),
        ("child_director_a", "/"),
        ("auditor_city", "/audit/"),
    ],
)
def test_signing_in_lands_on_the_first_page_the_role_may_open(personas, who, landing):
    response = sign_in(Client(), getattr(personas, who).username)
    assert response.status_code == 302
    assert response["Location"] == landing


def test_a_safe_next_is_followed_and_a_foreign_one_ignored(personas):
    assert sign_in(Client(), "caseworker_a", next="/persons/")["Location"] == "/persons/"
    assert sign_in(Client(), "caseworker_a", next="https://evil.example/")["Location"] == "/"


def test_wrong_password_shows_one_message_for_unknown_users_too(client, personas):
    wrong = sign_in(client, "caseworker_a", "not-the-password").content.decode()
    unknown = sign_in(client, "nobody", "not-the-password").content.decode()
    assert "用户名或密码错误。" in wrong
    assert "用户名或密码错误。" in unknown


@override_settings(LOGIN_FAILURE_LIMIT=5)
def test_five_failures_lock_the_account_with_a_message_and_an_audit_entry(personas):
    client = Client(REMOTE_ADDR=CLIENT_IP)
    for _ in range(4):
        assert "用户名或密码错误。" in sign_in(client, "caseworker_a", "wrong").content.decode()
    fifth = sign_in(client, "caseworker_a", "wrong").content.decode()
    assert "账户已锁定" in fifth
    locked = sign_in(client, "caseworker_a")
    assert locked.status_code == 200
    assert "账户已锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    lockout = AuditEntry.objects.get(action="lockout")
    assert (lockout.actor_username, lockout.client_ip) == ("caseworker_a", CLIENT_IP)


def test_logout_is_a_post_and_is_audited(personas):
    client = client_for(personas.caseworker_a)
    confirm = client.get("/logout/")  # a bookmark or typed address asks, and does not sign out
    assert confirm.status_code == 200
    assert 'action="/logout/"' in confirm.content.decode()
    assert not AuditEntry.objects.filter(action="logout").exists()
    assert client.post("/logout/")["Location"] == "/login/"
    assert AuditEntry.objects.filter(action="logout", actor_id=personas.caseworker_a.pk).exists()
    assert client.get("/")["Location"].startswith("/login/")


def test_top_bar_names_the_user_role_and_division(personas):
    personas.caseworker_a.full_name = "刘经办"
    personas.caseworker_a.save(update_fields=["full_name"])
    page = client_for(personas.caseworker_a).get("/").content.decode()
    assert "刘经办" in page
    assert "民政经办 · 临河区" in page
    assert 'action="/logout/"' in page


def test_account_page_for_a_role_without_data_pages(personas):
    page = client_for(personas.auditor_city).get("/me/").content.decode()
    assert "安全审计员" in page
    assert "巴彦淖尔市" in page
    assert 'href="/persons/"' not in page
