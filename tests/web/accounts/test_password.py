"""Changing one's own password: the current one is asked, the rules apply, the session stays;
a forced change (after a reset) blocks every other page until done, but sign-out still works."""

from __future__ import annotations

import pytest

from shouhu.web.accounts.models import User
from shouhu.web.audit.models import AuditEntry
from tests.web.accounts.conftest import signed_in
from tests.web.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW = "Another-secret-2027"


def _change(client, current=PASSWORD, new=NEW, repeat=NEW):
    return client.post("/me/password/", {"current": current, "new": new, "repeat": repeat})


def test_a_user_changes_their_password_and_stays_signed_in(personas):
    client = signed_in(personas.caseworker_a)
    assert "修改密码" in client.get("/me/").content.decode()  # linked from 我的账户
    response = _change(client)
    assert response.status_code == 302
    user = User.objects.get(pk=personas.caseworker_a.pk)
    assert user.check_password(NEW)
    assert user.password_changed_at is not None
    assert client.get("/persons/").status_code == 200
    entry = AuditEntry.objects.get(action="update", object_type="user")
    assert entry.detail == {"change": "password", "forced": False}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"current": "wrong-password"}, "当前密码不对"),
        ({"repeat": "Something-else-2027"}, "不一致"),
        ({"new": "short", "repeat": "short"}, "太短"),
        ({"new": "password123", "repeat": "password123"}, "常见"),
        ({"new": PASSWORD, "repeat": PASSWORD}, "不能与当前密码相同"),
    ],
)
def test_bad_changes_are_refused_with_a_chinese_reason(personas, fields, message):
    client = signed_in(personas.caseworker_a)
    response = _change(client, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.get(pk=personas.caseworker_a.pk).check_password(PASSWORD)


def test_a_forced_change_blocks_other_pages_until_done(personas):
    user = personas.child_director_a
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    client = signed_in(user)
    for url in ("/", "/persons/", "/me/", "/objections/mine/"):
        assert client.get(url)["Location"] == "/me/password/", url
    page = client.get("/me/password/")
    assert page.status_code == 200
    assert "临时密码" in page.content.decode()
    assert client.get("/logout/").status_code == 200  # signing out is never blocked
    assert _change(client).status_code == 302
    assert client.get("/persons/").status_code == 200
    assert AuditEntry.objects.get(action="update", object_type="user").detail["forced"] is True
