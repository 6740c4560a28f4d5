"""Receipts (回执): what they say, who sees them, and that refusals look like absences."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from shouhu.web.audit.models import AuditEntry
from tests.web.exchange.conftest import ingest, judgment_rows, xlsx_of
from tests.web.factories import client_for


def _stored(courts, court_item, *, bad: bool = False, a: bool = True):
    rows = judgment_rows(court_item, 3)
    if bad:
        rows[2]["effective_date"] = "明天"
    clerk, agency = (courts.clerk_a, courts.a) if a else (courts.clerk_b, courts.b)
    result = ingest(clerk, agency, court_item, xlsx_of(court_item, rows))
    assert result.submission is not None
    return result.submission


def test_receipt_page_and_downloads_say_what_was_received(courts, court_item) -> None:
    submission = _stored(courts, court_item, bad=True)
    client = client_for(courts.clerk_a)
    page = client.get(f"/submissions/receipts/{submission.pk}/").content.decode()
    data = client.get(f"/submissions/receipts/{submission.pk}/receipt.json").json()
    table = client.get(f"/submissions/receipts/{submission.pk}/receipt.csv").content.decode(
        "utf-8-sig"
    )

    assert submission.receipt_number in page
    assert submission.content_sha256 in page
    assert "部分接收" in page
    assert "临河区民政局（守护平台）" in page  # the receiver: the county's civil-affairs bureau
    assert data["receipt_number"] == submission.receipt_number
    assert (data["rows_total"], data["rows_accepted"], data["rows_rejected"]) == (3, 2, 1)
    assert (data["period"], data["status"], data["agency"]) == (
        "2025-09",
        "partial",
        "临河区人民法院",
    )
    assert data["submitted_at"].endswith("+08:00")
    rows = dict(csv.reader(io.StringIO(table)))
    assert (rows["回执编号"], rows["退回行数"]) == (submission.receipt_number, "1")
    exports = AuditEntry.objects.filter(action="export", object_type="receipt")
    assert sorted(exports.values_list("detail__format", flat=True)) == ["csv", "json"]
    assert AuditEntry.objects.filter(action="view", object_type="submission").count() == 1


def test_sender_downloads_the_error_report_again(courts, court_item) -> None:
    submission = _stored(courts, court_item, bad=True)
    client = client_for(courts.clerk_a)
    assert "下载错误报告" in client.get(f"/submissions/receipts/{submission.pk}/").content.decode()
    response = client.get(f"/submissions/receipts/{submission.pk}/errors.xlsx")
    assert response.status_code == 200
    assert "%E9%94%99%E8%AF%AF%E6%8A%A5%E5%91%8A" in response["Content-Disposition"]  # 错误报告
    entry = AuditEntry.objects.filter(object_type="error_report").get()
    assert (entry.action, entry.detail) == ("export", {"errors": 1})


def test_county_b_submitter_gets_the_same_404_as_for_a_missing_receipt(courts, court_item) -> None:
    submission = _stored(courts, court_item)
    client = client_for(courts.clerk_b)
    for suffix in ("", "receipt.json", "receipt.csv", "errors.xlsx"):
        theirs = client.get(f"/submissions/receipts/{submission.pk}/{suffix}")
        missing = client.get(f"/submissions/receipts/999999/{suffix}")
        assert (theirs.status_code, missing.status_code) == (404, 404)
        assert theirs.content == missing.content, suffix
    denials = AuditEntry.objects.filter(action="deny", object_type="submission")
    assert sorted(set(denials.values_list("detail__why", flat=True))) == [
        "not_found",
        "out_of_scope",
    ]


def test_receipt_lists_follow_the_scope(courts, court_item, personas) -> None:
    own = _stored(courts, court_item)
    other = _stored(courts, court_item, a=False)
    listed = {
        user.username: client_for(user).get("/submissions/receipts/").content.decode()
        for user in (
            courts.clerk_a,
            courts.clerk_b,
            personas.caseworker_a,
            personas.caseworker_b,
            personas.leader_city,
        )
    }
    assert own.receipt_number in listed["court_clerk_a"]
    assert other.receipt_number not in listed["court_clerk_a"]
    assert other.receipt_number in listed["court_clerk_b"]
    assert own.receipt_number not in listed["court_clerk_b"]
    assert own.receipt_number in listed["caseworker_a"]
    assert other.receipt_number not in listed["caseworker_a"]
    assert own.receipt_number not in listed["caseworker_b"]
    assert own.receipt_number in listed["leader_city"]
    assert other.receipt_number in listed["leader_city"]


def test_receipts_export_for_reconciliation_within_scope(courts, court_item, personas) -> None:
    own = _stored(courts, court_item, bad=True)
    other = _stored(courts, court_item, a=False)
    listed = client_for(courts.clerk_a).get("/submissions/receipts/").content.decode()
    assert "/submissions/receipts/export.xlsx" in listed
    for user, purpose in ((courts.clerk_a, "submission"), (personas.leader_city, "statistics")):
        answer = client_for(user).get("/submissions/receipts/export.xlsx")
        sheet = load_workbook(io.BytesIO(answer.content))["数据"]
        rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert own.receipt_number in rows
        assert (other.receipt_number in rows) == (user == personas.leader_city)
        assert rows[own.receipt_number][6:9] == (3, 2, 1)  # rows: total, accepted, rejected
        assert AuditEntry.objects.filter(action="export", purpose=purpose).exists()


def test_civil_affairs_reads_receipts_but_not_error_reports(courts, court_item, personas) -> None:
    submission = _stored(courts, court_item, bad=True)
    client = client_for(personas.caseworker_a)
    assert client.get(f"/submissions/receipts/{submission.pk}/").status_code == 200
    assert client.get(f"/submissions/receipts/{submission.pk}/errors.xlsx").status_code == 404


def test_roles_without_receipts_are_refused(personas) -> None:
    for user in (personas.auditor_city, personas.child_director_a):
        assert client_for(user).get("/submissions/receipts/").status_code == 403
