"""The audit log of the exchange: every step is there, with purpose "submission", and no one's
name or ID number is in it."""

from __future__ import annotations

import json

from shouhu.web.audit.models import AuditEntry
from shouhu.web.audit.selectors import audit_chain_verify
from shouhu.web.audit.witness import witness_head
from shouhu.web.exchange.models import Submission, Upload
from tests.web.exchange.conftest import judgment_rows, run_jobs, xlsx_of
from tests.web.factories import client_for


def test_the_whole_flow_is_audited_without_personal_data(courts, court_item) -> None:
    client = client_for(courts.clerk_a)
    rows = judgment_rows(court_item, 3)
    rows[2]["effective_date"] = "2025-02-30"
    data = xlsx_of(court_item, rows)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.get(f"/submissions/templates/{court_item.code}.xlsx")
    client.post(
        "/submissions/new/",
        {
            "item": court_item.code,
            "period": "2025-09",
            "mode": "check",
            "file": SimpleUploadedFile("王秀英等.xlsx", data),
        },
    )
    run_jobs()
    upload = Upload.objects.get()
    client.get(f"/submissions/uploads/{upload.pk}/")
    client.post(f"/submissions/uploads/{upload.pk}/confirm/")
    run_jobs()
    submission = Submission.objects.get()
    for suffix in ("", "receipt.json", "errors.xlsx"):
        client.get(f"/submissions/receipts/{submission.pk}/{suffix}")
    client_for(courts.clerk_b).get(f"/submissions/receipts/{submission.pk}/")

    entries = list(AuditEntry.objects.exclude(action="login").order_by("seq"))
    steps = [(e.action, e.object_type) for e in entries]
    assert steps == [
        ("export", "template"),
        ("create", "upload"),
        ("view", "upload"),
        ("update", "upload"),
        ("create", "submission"),
        ("view", "submission"),
        ("export", "receipt"),
        ("export", "error_report"),
        ("deny", "submission"),
    ]
    assert {e.purpose for e in entries} == {"submission"}
    logged = json.dumps([e.detail for e in entries], ensure_ascii=False)
    for row in rows:
        assert str(row["id_number"]) not in logged
        assert str(row["id_number"])[-8:] not in logged
    assert "王秀英" not in logged
    witness_head()  # 测试事务不提交，见证由这里补上
    assert audit_chain_verify().ok
