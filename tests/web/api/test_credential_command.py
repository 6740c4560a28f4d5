"""`shouhu credential create|list|revoke`: the token is printed once and works; revoking ends it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from shouhu.cli import main
from shouhu.web.accounts.models import SystemCredential
from shouhu.web.audit.models import AuditEntry
from tests.web.api.conftest import Api

pytestmark = pytest.mark.django_db


def run(*args: str):
    return CliRunner().invoke(main, ["credential", *args])


def test_create_prints_a_working_token_once_and_list_never_shows_it(personas):
    created = run(
        "create", "--agency", "150802:court", "--items", "court_judgment", "--name", "法院审判系统"
    )
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    assert token.startswith("shouhu_")
    assert Api(token).get("/items").status_code == 200
    listed = run("list")
    assert "法院审判系统" in listed.output
    assert "有效" in listed.output
    assert token not in listed.output
    entry = AuditEntry.objects.get(action="create", object_type="credential")
    assert entry.actor_username.startswith("cli")
    assert token not in str(entry.detail)


def test_revoke_ends_the_token(personas):
    token = run("create", "--agency", "150802:court", "--items", "court_judgment").output
    token = token.strip().splitlines()[-1]
    prefix = SystemCredential.objects.get().token_prefix
    assert run("revoke", prefix).exit_code == 0
    assert Api(token).get("/items").status_code == 401
    assert "已吊销" in run("list").output


def test_bad_agency_or_items_exit_non_zero_with_a_message(personas):
    unknown = run("create", "--agency", "150802:nothing", "--items", "court_judgment")
    foreign = run("create", "--agency", "150802:court", "--items", "education_enrolment")
    assert unknown.exit_code != 0
    assert "没有部门" in unknown.output
    assert foreign.exit_code != 0
    assert "不是临河区人民法院报送的数据项" in foreign.output
    assert not SystemCredential.objects.exists()
