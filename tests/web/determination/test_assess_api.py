"""POST /api/v1/assess: the assess-format contract over HTTP, authenticated and audited."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from shouhu.web.audit.models import AuditEntry
from tests.web.factories import PASSWORD

pytestmark = pytest.mark.django_db

CASE = {
    "case_id": "c1",
    "as_of": "2026-11-01",
    "region": "150800",
    "child": {"birth_date": "2012-03-04", "facts": []},
    "father": {"facts": [{"type": "imprisoned", "start": "2025-01-10", "end": "2031-01-09"}]},
    "mother": {"facts": [{"type": "deceased", "date": "2020-05-01"}]},
}


def _client(username: str) -> Client:
    client = Client(enforce_csrf_checks=False)
    assert client.login(username=username, password=PASSWORD)
    return client


def _post(client: Client, body: object, query: str = ""):
    return client.post(
        f"/api/v1/assess{query}", data=json.dumps(body), content_type="application/json"
    )


def test_one_case_gives_one_result_object(personas):
    response = _post(_client("caseworker_a"), CASE)
    assert response.status_code == 200
    result = response.json()
    assert result["case_id"] == "c1"
    assert (result["status"], result["category"]) == ("eligible", "de_facto_unsupported")
    assert result["reviews_per_year"] == 2
    assert {r["code"] for r in result["reasons"]} >= {"father_imprisoned", "mother_deceased"}
    entry = AuditEntry.objects.get(action="assess")
    assert (entry.purpose, entry.detail) == ("determination", {"cases": 1})


def test_a_list_gives_a_list_and_query_defaults_fill_in(personas):
    second = {**CASE, "case_id": "c2"}
    del second["as_of"]
    response = _post(_client("caseworker_a"), [CASE, second], "?as_of=2032-01-01")
    assert response.status_code == 200
    first, later = response.json()
    assert first["status"] == "eligible"
    assert later["as_of"] == "2032-01-01"
    assert later["status"] == "not_eligible"  # released on 2031-01-09


def test_malformed_input_is_400_naming_case_and_field(personas):
    bad = {**CASE, "father": {"facts": [{"type": "jailed", "start": "2025-01-10"}]}}
    response = _post(_client("caseworker_a"), bad)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_input"
    assert "father.facts[0].type" in body["message"]
    assert not AuditEntry.objects.filter(action="assess").exists()


def test_anonymous_callers_are_refused(personas):
    response = _post(Client(), CASE)
    assert response.status_code == 401


def test_roles_without_the_right_to_assess_are_refused_and_audited(personas):
    response = _post(_client("court_clerk_a"), CASE)
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="deny", object_type="assess").count() == 1
