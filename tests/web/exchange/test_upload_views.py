"""The submitter's pages: upload, background check with progress, preview, confirm, templates."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from shouhu.core.catalog import catalog_load
from shouhu.web.audit.models import AuditEntry
from shouhu.web.exchange.models import Fact, Submission, Upload
from shouhu.web.jobs.models import Job
from tests.web.exchange.conftest import csv_of, judgment_rows, run_jobs, xlsx_of
from tests.web.factories import client_for

PERIOD = "2025-09"


def _post_file(client, item_code: str, name: str, data: bytes, mode: str = "check"):
    upload = SimpleUploadedFile(name, data)
    return client.post(
        "/submissions/new/", {"item": item_code, "period": PERIOD, "file": upload, "mode": mode}
    )


def test_submitter_lands_on_the_submission_page_with_what_is_due(courts) -> None:
    client = client_for(courts.clerk_a)
    assert client.get("/login/").url == "/submissions/"
    page = client.get("/submissions/").content.decode()
    assert "待报送" in page
    assert "宣告失踪、宣告死亡、撤销监护资格判决" in page
    assert "逾期未报" in page  # nothing was ever sent: every past month is overdue


def test_upload_check_preview_and_confirm(courts, court_item) -> None:
    client = client_for(courts.clerk_a)
    rows = judgment_rows(court_item, 3)
    rows[1]["effective_date"] = "2025-02-30"
    response = _post_file(client, court_item.code, "九月判决.xlsx", xlsx_of(court_item, rows))
    job = Job.objects.get()
    assert response.url == f"/submissions/jobs/{job.pk}/"
    assert "正在校验" in client.get(response.url).content.decode()
    assert client.get(f"/submissions/jobs/{job.pk}/status.json").json()["status"] == "queued"

    assert run_jobs() == 1
    status = client.get(f"/submissions/jobs/{job.pk}/status.json").json()
    upload = Upload.objects.get()
    assert (status["progress"], status["next"]) == (100, f"/submissions/uploads/{upload.pk}/")
    preview = client.get(status["next"]).content.decode()
    assert "第 3 行" in preview
    assert "判决生效日期" in preview
    assert "2025-02-30" in preview
    assert rows[0]["id_number"] not in preview  # sample rows show masked ID numbers
    assert Submission.objects.count() == 0  # nothing stored before confirming

    confirmed = client.post(f"/submissions/uploads/{upload.pk}/confirm/")
    run_jobs()
    receipt_url = client.get(f"/submissions/jobs/{Job.objects.latest('pk').pk}/status.json").json()[
        "next"
    ]
    submission = Submission.objects.get()
    assert confirmed.status_code == 302
    assert receipt_url == f"/submissions/receipts/{submission.pk}/"
    assert (submission.rows_accepted, submission.rows_rejected) == (2, 1)
    assert Fact.objects.count() == 2
    upload.refresh_from_db()
    assert (upload.status, bytes(upload.content)) == ("stored", b"")


def test_store_in_one_step_gives_the_receipt(courts, court_item) -> None:
    client = client_for(courts.clerk_a)
    data = csv_of(court_item, judgment_rows(court_item, 4), encoding="gbk")
    response = _post_file(client, court_item.code, "判决.csv", data, mode="store")
    run_jobs()
    submission = Submission.objects.get()
    assert client.get(response.url).url == f"/submissions/receipts/{submission.pk}/"
    assert (submission.encoding.lower(), submission.rows_accepted) == ("gb18030", 4)


def test_second_upload_of_the_same_file_adds_nothing(courts, court_item) -> None:
    client = client_for(courts.clerk_a)
    data = xlsx_of(court_item, judgment_rows(court_item, 2))
    _post_file(client, court_item.code, "a.xlsx", data, mode="store")
    _post_file(client, court_item.code, "a-copy.xlsx", data, mode="store")
    run_jobs()
    assert (Submission.objects.count(), Fact.objects.count()) == (1, 2)
    assert set(Upload.objects.values_list("submission_id", flat=True)) == {
        Submission.objects.get().pk
    }


def test_wrong_template_is_rejected_whole_with_the_reason(courts, court_item) -> None:
    client = client_for(courts.clerk_a)
    deaths = catalog_load("150802").item("health_death")
    _post_file(client, court_item.code, "死亡.xlsx", xlsx_of(deaths, []))
    run_jobs()
    upload = Upload.objects.get()
    page = client.get(f"/submissions/uploads/{upload.pk}/").content.decode()
    assert "整份文件未被接收" in page
    assert "死亡.xlsx" in page
    assert (upload.status, bytes(upload.content)) == ("rejected", b"")
    assert (Submission.objects.count(), Fact.objects.count()) == (0, 0)
    assert AuditEntry.objects.filter(object_type="submission_attempt").count() == 1


def test_preview_error_report_marks_the_bad_cells(courts, court_item) -> None:
    client = client_for(courts.clerk_a)
    rows = judgment_rows(court_item, 2)
    rows[0]["judgment_kind"] = "离婚"
    _post_file(client, court_item.code, "判决.xlsx", xlsx_of(court_item, rows))
    run_jobs()
    upload = Upload.objects.get()
    response = client.get(f"/submissions/uploads/{upload.pk}/errors.xlsx")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    marked = [
        c.value
        for r in sheet.iter_rows(min_row=2)
        for c in r
        if c.fill.fgColor.rgb.endswith("FFC7CE")
    ]
    assert marked == ["离婚"]
    entry = AuditEntry.objects.filter(action="export").latest("seq")
    assert (entry.object_type, entry.purpose) == ("upload_error_report", "submission")


def test_discarding_drops_the_file(courts, court_item) -> None:
    client = client_for(courts.clerk_a)
    _post_file(client, court_item.code, "a.xlsx", xlsx_of(court_item, judgment_rows(court_item, 1)))
    run_jobs()
    upload = Upload.objects.get()
    client.post(f"/submissions/uploads/{upload.pk}/discard/")
    upload.refresh_from_db()
    assert (upload.status, bytes(upload.content), Submission.objects.count()) == (
        "discarded",
        b"",
        0,
    )
    assert client.post(f"/submissions/uploads/{upload.pk}/confirm/").status_code == 400


def test_file_over_the_limit_is_refused_before_anything_is_kept(
    settings, courts, court_item
) -> None:
    settings.UPLOAD_MAX_BYTES = 1024
    client = client_for(courts.clerk_a)
    response = _post_file(client, court_item.code, "big.csv", b"x" * 2048)
    assert response.status_code == 400
    assert "上限" in response.content.decode()
    assert (Upload.objects.count(), Job.objects.count()) == (0, 0)


def test_templates_download_for_own_items_only(courts, court_item) -> None:
    client = client_for(courts.clerk_a)
    xlsx = client.get(f"/submissions/templates/{court_item.code}.xlsx")
    csv = client.get(f"/submissions/templates/{court_item.code}.csv")
    other = client.get("/submissions/templates/health_death.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert csv.content.decode("utf-8-sig").startswith("案号,")
    assert other.status_code == 404
    exports = AuditEntry.objects.filter(action="export", object_type="template")
    assert sorted(exports.values_list("detail__format", flat=True)) == ["csv", "xlsx"]
    assert AuditEntry.objects.filter(action="deny", object_type="data_item").count() == 1


def test_other_roles_cannot_upload(personas) -> None:
    client = client_for(personas.caseworker_a)
    assert client.get("/submissions/new/").status_code == 403
    assert client.get("/submissions/").status_code == 403
    assert AuditEntry.objects.filter(action="deny", object_type="submission_form").count() == 2


def test_uploads_and_jobs_of_another_court_are_not_found(courts, court_item) -> None:
    client_a = client_for(courts.clerk_a)
    _post_file(
        client_a, court_item.code, "a.xlsx", xlsx_of(court_item, judgment_rows(court_item, 1))
    )
    run_jobs()
    upload, job = Upload.objects.get(), Job.objects.get()
    client_b = client_for(courts.clerk_b)
    for url in (
        f"/submissions/uploads/{upload.pk}/",
        f"/submissions/jobs/{job.pk}/",
        f"/submissions/uploads/{upload.pk}/errors.xlsx",
    ):
        assert client_b.get(url).status_code == 404, url
    assert client_b.post(f"/submissions/uploads/{upload.pk}/confirm/").status_code == 404


def test_nil_return_from_the_due_panel(courts, court_item) -> None:
    client = client_for(courts.clerk_a)
    response = client.post("/submissions/nil-return/", {"item": court_item.code, "period": PERIOD})
    submission = Submission.objects.get()
    assert response.url == f"/submissions/receipts/{submission.pk}/"
    assert submission.nil_return
    assert "零报告" in client.get(response.url).content.decode()


def test_unconfirmed_uploads_are_dropped_after_a_week(courts, court_item) -> None:
    client = client_for(courts.clerk_a)
    _post_file(client, court_item.code, "a.xlsx", xlsx_of(court_item, judgment_rows(court_item, 1)))
    run_jobs()
    old = Upload.objects.get()
    Upload.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - timedelta(days=8))
    _post_file(client, court_item.code, "b.xlsx", xlsx_of(court_item, judgment_rows(court_item, 2)))
    old.refresh_from_db()
    assert (old.status, bytes(old.content), old.summary) == ("discarded", b"", {})
    assert Upload.objects.exclude(pk=old.pk).get().status == "received"
