"""部门系统的接口：凭证只取本部门、获授权用途的名单（别的与不存在同一答复），分页取名单，
报反馈（同一幂等键只记一次，键重用于不同内容 409，有问题的整批不记、逐行说明）。"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shouhu.web.accounts.credentials import credential_create
from shouhu.web.accounts.models import Agency
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry
from shouhu.web.shares.models import FeedbackBatch, ShareFeedback
from shouhu.web.shares.services import share_list_publish
from tests.web.shares.conftest import ctx_for

pytestmark = pytest.mark.django_db
ADMIN = RequestContext(user=None, client_ip="", purpose="administration")


def _client(agency: Agency, purposes: list[str], items: tuple[str, ...] = ()) -> Client:
    issued = credential_create(ctx=ADMIN, name="医保系统", agency=agency, item_codes=items,
                               share_purposes=purposes)  # fmt: skip
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.token}")


def test_the_department_pulls_its_list_in_pages_and_answers_once(personas, region, shares) -> None:
    ctx = ctx_for(personas.caseworker_a)
    first = share_list_publish(ctx=ctx, division=region.county_a, agency=shares.insurance_a,
                               purpose="insurance_enrolment")  # fmt: skip
    api = _client(shares.insurance_a, ["insurance_enrolment"])
    listed = api.get("/api/v1/share-lists").json()["lists"]
    assert [(item["id"], item["full"], item["enrol_count"]) for item in listed] == [
        (first.pk, True, 4)
    ]

    page = api.get(f"/api/v1/share-lists/{first.pk}", {"page": 2, "page_size": 3}).json()
    assert (page["page"], page["num_pages"], len(page["entries"])) == (2, 2, 1)
    assert "carer_phone" not in page["fields"]
    assert page["fields"]["id_number"] == "身份证号"
    refs = [e["ref"] for e in api.get(f"/api/v1/share-lists/{first.pk}").json()["entries"]]

    done_on = (timezone.localdate() - timedelta(days=2)).isoformat()
    done = {"ref": refs[0], "outcome": "done", "done_on": done_on, "reference": "YB9"}
    body = {"rows": [done, {"ref": refs[1], "outcome": "could_not", "reason": "户籍不在本县"}]}
    url = f"/api/v1/share-lists/{first.pk}/feedback"
    sent = api.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert sent.status_code == 201
    assert sent.json()["changed"] == 2
    again = api.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert FeedbackBatch.objects.count() == 1
    other = {"rows": [{"ref": refs[2], "outcome": "not_applicable"}]}
    reused = api.post(url, other, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert reused.status_code == 409

    # 有问题的整批不记：逐行说明
    bad = {"rows": [{"ref": refs[2], "outcome": "not_applicable"},
                    {"ref": refs[3], "outcome": "done"}, {"ref": "1-999999", "outcome": "done",
                                                          "done_on": done_on}]}  # fmt: skip
    refused = api.post(url, bad, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert refused.status_code == 422
    problems = refused.json()["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(2, "done_on"), (3, "ref")]
    assert ShareFeedback.objects.count() == 2
    assert AuditEntry.objects.filter(object_type="share_list", action="view").exists()

    missing = api.get("/api/v1/share-lists/987654321")
    assert missing.status_code == 404
    # 别的县的医保、本部门另一用途的凭证、报送数据的凭证：取不到这份名单
    county_b = Agency.objects.get(name="五原县医疗保障局")
    for client in (_client(county_b, ["insurance_enrolment"]),
                   _client(shares.insurance_a, ["funding"])):  # fmt: skip
        answer = client.get(f"/api/v1/share-lists/{first.pk}")
        assert (answer.status_code, answer.json()) == (404, missing.json())
        assert client.get("/api/v1/share-lists").json()["lists"] == []
    court = Agency.objects.get(agency_type="court", division=region.county_a)
    submitter = credential_create(
        ctx=ADMIN, name="法院", agency=court, item_codes=["court_judgment"]
    )
    answer = Client(HTTP_AUTHORIZATION=f"Bearer {submitter.token}").get("/api/v1/share-lists")
    assert answer.status_code == 403
    openapi = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/share-lists/{list_id}/feedback" in openapi["paths"]
    # 一张凭证不能兼做报送和接收
    with pytest.raises(Exception, match="分别签发"):
        _client(shares.insurance_a, ["insurance_enrolment"], ("medical_insurance_enrolment",))
