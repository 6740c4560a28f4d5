"""Bearer tokens: missing, malformed, unknown, revoked → 401; an item not granted → 403; a
credential sees only its own department's receipts. Every refusal is a Chinese JSON answer."""

from __future__ import annotations

import pytest

from shouhu.web.accounts.credentials import credential_revoke, token_sha256
from shouhu.web.accounts.models import SystemCredential
from shouhu.web.audit.models import AuditEntry
from shouhu.web.exchange.models import Submission
from tests.web import factories as f
from tests.web.api.conftest import ADMIN, Api, issue, judgment

pytestmark = pytest.mark.django_db


def test_the_token_is_stored_only_as_a_hash(court_credential):
    stored = SystemCredential.objects.get()
    assert stored.token_sha256 == token_sha256(court_credential.token)
    assert court_credential.token not in str(SystemCredential.objects.values().get())
    assert court_credential.token.startswith(f"shouhu_{stored.token_prefix}_")


def test_the_service_account_cannot_sign_in(court_credential):
    account = court_credential.credential.account
    assert not account.has_usable_password()
    assert (account.role, account.agency) == ("data_submitter", court_credential.court)


@pytest.mark.parametrize(
    ("header", "why"),
    [
        (None, "missing"),
        ("Basic dXNlcjpwYXNz", "malformed"),
        ("Bearer", "malformed"),
        ("Bearer not-a-shouhu-token", "malformed"),
        ("Bearer shouhu_deadbeef_wrong", "unknown"),
    ],
)
def test_missing_or_invalid_tokens_get_401_in_chinese(court_credential, family, header, why):
    api = Api(None)
    headers = {"Authorization": header} if header else {}
    for response in (
        api.client.get("/api/v1/items", headers=headers),
        api.client.post(
            "/api/v1/submissions", data="{}", content_type="application/json", headers=headers
        ),
    ):
        assert response.status_code == 401
        body = response.json()
        assert body["error"] == "unauthenticated"
        assert "凭证" in body["message"]
    assert set(AuditEntry.objects.filter(action="deny").values_list("detail__why", flat=True)) == {
        why
    }


def test_a_right_prefix_with_a_wrong_secret_is_refused(court_credential):
    forged = court_credential.token[:-4] + "AAAA"
    assert Api(forged).get("/items").status_code == 401


def test_a_revoked_credential_gets_401_and_stores_nothing(court_credential, family):
    credential_revoke(ctx=ADMIN, credential=court_credential.credential)
    response = Api(court_credential.token).submit([judgment(family.father)])
    assert response.status_code == 401
    assert "已吊销" in response.json()["message"]
    assert not Submission.objects.exists()


def test_a_signed_in_web_session_is_not_a_credential(personas):
    client = Api(None).client
    client.force_login(personas.court_clerk_a)
    assert client.get("/api/v1/items").status_code == 401


def test_an_item_not_granted_gets_403_and_is_audited(region, family):
    police = f.agency("public_security", region.county_a, "临河区公安分局")
    issued = issue(police, ["public_security_death_cancellation"])
    response = Api(issued.token).submit([{}], item="public_security_restriction")
    assert response.status_code == 403
    assert "未获授权" in response.json()["message"]
    denied = AuditEntry.objects.get(action="deny", object_type="data_item")
    assert (denied.object_id, denied.actor_username) == (
        "public_security_restriction",
        issued.credential.account.username,
    )
    assert not Submission.objects.exists()


def test_another_departments_item_is_refused_even_if_named(api, family):
    response = api.submit([judgment(family.father)], item="education_enrolment")
    assert response.status_code == 403


def test_items_of_another_agency_cannot_be_granted(court_credential):
    from shouhu.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="不是临河区人民法院报送的数据项"):
        issue(court_credential.court, ["education_enrolment"])


def test_a_credential_sees_only_its_own_departments_receipts(api, region, family):
    created = api.submit([judgment(family.father)]).json()
    other_court = f.agency("court", region.county_b, "五原县人民法院")
    other = Api(issue(other_court, ["court_judgment"]).token)
    foreign = other.get(f"/submissions/{created['id']}")
    missing = other.get("/submissions/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert api.get(f"/submissions/{created['id']}").status_code == 200


def test_calls_are_audited_as_the_credentials_service_account(api, court_credential, family):
    api.submit([judgment(family.father)])
    entry = AuditEntry.objects.get(action="create", object_type="submission")
    account = court_credential.credential.account
    assert (entry.actor_id, entry.agency, entry.purpose) == (
        account.pk,
        "临河区人民法院",
        "submission",
    )
    court_credential.credential.refresh_from_db()
    assert court_credential.credential.last_used_at is not None


def test_a_credential_past_its_limit_per_minute_gets_429_and_one_audit_entry(api, settings):
    settings.API_LIMIT_PER_MINUTE = 3
    assert [api.get("/items").status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("/items")
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many"
    assert "每分钟最多 3 次" in refused.json()["message"]
    assert api.get("/items").status_code == 429
    denials = AuditEntry.objects.filter(action="deny", detail__why="rate_limit")
    assert denials.count() == 1
    assert "no-store" in refused["Cache-Control"]
