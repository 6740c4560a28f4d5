"""Raising an objection: who may, what it records, where it shows, and that nothing blocks."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.utils import timezone

from shouhu.web.audit.models import AuditEntry
from shouhu.web.objections.models import Objection
from shouhu.web.objections.services import build_due_on
from tests.web.factories import CLIENT_IP, client_for

pytestmark = pytest.mark.django_db
REASON = "走访核实：王大山本人上月已返乡，并提供了撤销宣告失踪的判决书复印件。"
MISSING_ID = 10**9


def raise_objection(client, fact_id: int, reason: str = REASON):
    return client.post(f"/objections/new/{fact_id}/", {"reason": reason})


def test_caseworker_raises_an_objection_with_times_due_date_and_audit(personas, missing):
    response = raise_objection(client_for(personas.caseworker_a), missing.fact.pk)
    objection = Objection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/objections/{objection.pk}/"
    assert (objection.status, objection.reason, objection.raised_by) == (
        "open",
        REASON,
        personas.caseworker_a,
    )
    assert objection.agency == missing.court
    assert objection.due_on == build_due_on(timezone.localdate())
    assert objection.answered_at is None
    assert objection.resolved_at is None
    entry = AuditEntry.objects.get(action="create", object_type="objection")
    assert (entry.object_id, entry.purpose, entry.client_ip) == (
        str(objection.pk),
        "case_work",
        CLIENT_IP,
    )
    assert entry.detail["fact"] == missing.fact.pk


def test_no_personal_data_in_the_audit_log(personas, missing):
    raise_objection(client_for(personas.caseworker_a), missing.fact.pk)
    logged = json.dumps([e.detail for e in AuditEntry.objects.all()], ensure_ascii=False)
    for secret in (REASON, missing.father.name, missing.father.id_number, missing.child.name):
        assert secret not in logged


def test_due_date_counts_five_working_days_skipping_weekends():
    assert build_due_on(date(2026, 11, 20)) == date(2026, 11, 27)  # Friday → next Friday
    assert build_due_on(date(2026, 11, 21)) == date(2026, 11, 27)  # Saturday
    assert build_due_on(date(2026, 11, 23)) == date(2026, 11, 30)  # Monday → next Monday


def test_the_open_objection_shows_on_the_childs_timeline_and_the_case_goes_on(personas, missing):
    client = client_for(personas.caseworker_a)
    raise_objection(client, missing.fact.pk)
    objection = Objection.objects.get()
    page = client.get(f"/persons/{missing.child.pk}/?purpose=review")
    assert page.status_code == 200
    html = page.content.decode()
    assert "疑义校核中" in html
    assert f'href="/objections/{objection.pk}/"' in html
    assert "保障中" in html  # the case is untouched


def test_the_badge_goes_when_the_objection_is_answered(personas, missing):
    raise_objection(client_for(personas.caseworker_a), missing.fact.pk)
    objection = Objection.objects.get()
    client_for(personas.court_clerk_a).post(
        f"/objections/{objection.pk}/answer/",
        {"resolution": "confirm", "reply": "经核对判决书无误。"},
    )
    html = client_for(personas.caseworker_a).get(f"/persons/{missing.child.pk}/").content.decode()
    assert "疑义校核中" not in html
    assert "对此事实有疑义" in html


def test_mine_lists_what_i_raised(personas, missing):
    client = client_for(personas.caseworker_a)
    raise_objection(client, missing.fact.pk)
    html = client.get("/objections/mine/").content.decode()
    assert "宣告失踪" in html
    assert "临河区人民法院" in html
    assert "待校核" in html
    other = client_for(personas.child_director_a).get("/objections/mine/").content.decode()
    assert "您还没有提出过疑义" in other


def test_a_second_open_objection_by_the_same_user_is_refused(personas, missing):
    client = client_for(personas.caseworker_a)
    raise_objection(client, missing.fact.pk)
    again = raise_objection(client, missing.fact.pk)
    assert again.status_code == 400
    assert "已有一条待校核的疑义" in again.content.decode()
    assert Objection.objects.count() == 1
    # a colleague may still raise their own
    assert (
        raise_objection(client_for(personas.child_director_a), missing.fact.pk).status_code == 302
    )


def test_an_empty_reason_is_refused_with_a_message(personas, missing):
    response = raise_objection(client_for(personas.caseworker_a), missing.fact.pk, reason="  ")
    assert response.status_code == 400
    assert "请填写疑义理由" in response.content.decode()
    assert not Objection.objects.exists()


def test_a_superseded_version_cannot_be_objected_to(personas, missing):
    from tests.web.objections.conftest import court_submit, judgment_row

    corrected = judgment_row(missing.father, missing.child, 判决生效日期="2025-02-11")
    court_submit(missing.court, personas.court_clerk_a, [corrected])
    response = raise_objection(client_for(personas.caseworker_a), missing.fact.pk)
    assert response.status_code == 400
    assert "请对最新版本提出疑义" in response.content.decode()


def test_another_county_gets_the_same_404_as_a_missing_fact_and_is_audited(personas, missing):
    client = client_for(personas.caseworker_b)
    foreign = raise_objection(client, missing.fact.pk)
    absent = raise_objection(client, MISSING_ID)
    assert foreign.status_code == absent.status_code == 404
    assert foreign.content == absent.content
    assert client.get(f"/objections/new/{missing.fact.pk}/").status_code == 404
    denied = AuditEntry.objects.filter(action="deny", actor_id=personas.caseworker_b.pk)
    assert {(e.object_type, e.detail["why"]) for e in denied} == {
        ("fact", "out_of_scope"),
        ("fact", "not_found"),
    }
    assert not Objection.objects.exists()


@pytest.mark.parametrize("who", ["court_clerk_a", "leader_city", "auditor_city"])
def test_roles_that_do_not_read_persons_cannot_raise(personas, missing, who):
    response = raise_objection(client_for(getattr(personas, who)), missing.fact.pk)
    assert response.status_code == 404
    assert not Objection.objects.exists()


def test_the_form_shows_the_fact_and_names_the_provider(personas, missing):
    html = (
        client_for(personas.caseworker_a)
        .get(f"/objections/new/{missing.fact.pk}/")
        .content.decode()
    )
    assert "宣告失踪" in html
    assert "2025年2月10日" in html
    assert "临河区人民法院" in html
    assert "个案照常办理" in html
