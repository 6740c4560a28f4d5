"""`shouhu user|agency|roster` on the server: the same services as the web pages, audited with the
operating-system user; the command line may open the three separated roles' accounts."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from shouhu.cli import main
from shouhu.web.accounts.models import Agency, RosterMember, User
from shouhu.web.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_user_create_prints_a_temporary_password_that_must_be_changed(region):
    done = run("user", "create", "--username", "shenji", "--name", "沈计", "--role", "auditor",
               "--division", "150800")  # fmt: skip
    assert done.exit_code == 0, done.output
    password = done.output.strip().splitlines()[-1]
    user = User.objects.get(username="shenji")
    assert user.check_password(password)
    assert user.must_change_password
    entry = AuditEntry.objects.get(action="create", object_type="user")
    assert entry.actor_username.startswith("cli")
    assert password not in str(entry.detail)
    assert "沈计" in run("user", "list", "--division", "150800").output


def test_reset_update_disable_and_bad_input(personas):
    reset = run("user", "reset-password", "caseworker_a")
    assert reset.exit_code == 0
    assert User.objects.get(username="caseworker_a").must_change_password
    moved = run("user", "update", "caseworker_a", "--role", "leader", "--name", "刘晓燕")
    assert moved.exit_code == 0
    assert User.objects.get(username="caseworker_a").role == "leader"
    assert run("user", "disable", "caseworker_a").exit_code == 0
    assert not User.objects.get(username="caseworker_a").is_active
    wrong = run("user", "create", "--username", "x1y", "--name", "某", "--role", "child_director",
                "--division", "150802")  # fmt: skip
    assert wrong.exit_code != 0
    assert "村（居）" in wrong.output
    unknown = run("user", "disable", "nobody")
    assert unknown.exit_code != 0


def test_agency_items_can_be_narrowed_and_restored(personas):
    narrowed = run("agency", "items", "150802:court", "--set", "court_judgment")
    assert narrowed.exit_code == 0, narrowed.output
    assert Agency.objects.get(agency_type="court", division_id="150802").item_codes == [
        "court_judgment"
    ]
    assert "  court_criminal_judgment" in narrowed.output  # listed, not ticked
    run("agency", "items", "150802:court", "--all")
    assert Agency.objects.get(agency_type="court", division_id="150802").item_codes is None


def test_roster_add_with_an_account(personas):
    added = run("roster", "add", "--duty", "child_director", "--name", "张海军", "--phone",
                "13900001111", "--division", "150802100201", "--username", "zhanghj",
                "--agency", "150802:civil_affairs")  # fmt: skip
    assert added.exit_code == 0, added.output
    member = RosterMember.objects.get()
    assert member.user.username == "zhanghj"
    assert "张海军" in run("roster", "list").output
    assert run("roster", "close", str(member.pk)).exit_code == 0
    assert not User.objects.get(username="zhanghj").is_active
