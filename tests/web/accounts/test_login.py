"""Signing in: Argon2 hashes, lockout after repeated failures, every attempt audited."""

from __future__ import annotations

import pytest
from django.test import override_settings

from shouhu.web.accounts.models import User
from shouhu.web.accounts.services import login_attempt
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry
from tests.web.factories import PASSWORD

pytestmark = pytest.mark.django_db
CTX = RequestContext(user=None, client_ip="10.0.0.8", purpose="authentication")


def test_passwords_are_stored_as_argon2(personas):
    assert User.objects.get(username="caseworker_a").password.startswith("argon2")


def test_right_password_signs_in_and_is_audited(personas):
    outcome = login_attempt(ctx=CTX, username="caseworker_a", password=PASSWORD)
    assert outcome.user == personas.caseworker_a
    entry = AuditEntry.objects.get(action="login")
    assert (entry.actor_username, entry.client_ip) == ("caseworker_a", "10.0.0.8")


def test_wrong_password_and_unknown_user_get_the_same_message(personas):
    wrong = login_attempt(ctx=CTX, username="caseworker_a", password="nope")
    unknown = login_attempt(ctx=CTX, username="nobody", password="nope")
    assert wrong.user is None
    assert unknown.user is None
    assert wrong.message == unknown.message == "用户名或密码错误。"
    assert AuditEntry.objects.filter(action="login_failed").count() == 2


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_LOCKOUT_MINUTES=15)
def test_account_locks_after_repeated_failures_even_for_the_right_password(personas):
    for _ in range(3):
        login_attempt(ctx=CTX, username="caseworker_a", password="wrong")
    assert AuditEntry.objects.filter(action="lockout").count() == 1
    locked = login_attempt(ctx=CTX, username="caseworker_a", password=PASSWORD)
    assert locked.user is None
    assert "锁定" in locked.message


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_success_resets_the_failure_count(personas):
    login_attempt(ctx=CTX, username="caseworker_a", password="wrong")
    login_attempt(ctx=CTX, username="caseworker_a", password="wrong")
    login_attempt(ctx=CTX, username="caseworker_a", password=PASSWORD)
    login_attempt(ctx=CTX, username="caseworker_a", password="wrong")
    assert login_attempt(ctx=CTX, username="caseworker_a", password=PASSWORD).user is not None
