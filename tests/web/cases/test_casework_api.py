"""强制报告的接口：与表单同一服务；辖区外答 404，坏输入答中文说明，什么也不写入。"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from shouhu.web.cases.models import MajorChange
from tests.web.factories import client_for

pytestmark = pytest.mark.django_db

REPORT = {"reporter_kind": "hospital", "reporter_org": "临河区人民医院", "reporter_name": "刘医生",
          "what_seen": "儿童营养不良，无人陪护"}  # fmt: skip


def _post(client, case_id: int, body: dict):
    return client.post(f"/api/v1/cases/{case_id}/reports", json.dumps(body),
                       content_type="application/json")  # fmt: skip


def test_a_report_by_api_asks_for_a_visit_within_24_hours(casework, personas) -> None:
    seen = (timezone.localtime() - timedelta(hours=1)).replace(tzinfo=None).isoformat()
    response = _post(client_for(personas.child_director_a), casework.case.pk,
                     REPORT | {"seen_at": seen})  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    due = timezone.datetime.fromisoformat(body["visit_due_at"])
    reported = timezone.datetime.fromisoformat(body["reported_at"])
    assert due - reported == timedelta(hours=24)
    assert MajorChange.objects.get().report.reporter_kind == "hospital"


def test_out_of_scope_and_bad_reports_write_nothing(casework, personas) -> None:
    seen = timezone.now().isoformat()
    assert _post(client_for(personas.caseworker_b), casework.case.pk,
                 REPORT | {"seen_at": seen}).status_code == 404  # fmt: skip
    director = client_for(personas.child_director_a)
    old = _post(director, casework.case.pk, REPORT | {"seen_at": "0001-01-01T00:00:00"})
    assert old.status_code == 400
    assert "发现的时间" in old.json()["message"]
    assert _post(director, casework.case.pk, REPORT).status_code == 422
    assert not MajorChange.objects.exists()
