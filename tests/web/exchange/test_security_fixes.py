"""The security report's exchange findings stay fixed: control characters (M1), corrupt XLSX
(M2), formula injection in the receipt CSV (L1), CLI exit codes, retention of source files."""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from datetime import timedelta

import openpyxl
from click.testing import CliRunner
from django.utils import timezone

from shouhu.cli import main
from shouhu.web.audit.models import AuditEntry
from shouhu.web.exchange.models import Fact, Submission, SubmissionErrors, Upload, UploadStatus
from shouhu.web.exchange.retention import sources_purge
from shouhu.web.exchange.services import upload_create
from shouhu.web.jobs.models import Job, JobStatus
from tests.web.exchange.conftest import csv_of, ctx_for, ingest, judgment_rows, run_jobs, xlsx_of
from tests.web.factories import client_for

NAME = "王小明"


def control_csv(court_item) -> bytes:
    rows = judgment_rows(court_item, 2)
    rows[1]["name"] = f"{NAME}\x07\x1b"
    return csv_of(court_item, rows)


def corrupt_xlsx(court_item) -> bytes:
    """The report's M2 recipe: XOR bytes 8–40 of the sheet's compressed stream."""
    data = xlsx_of(court_item, judgment_rows(court_item, 3))
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    out = bytearray(data)
    for i in range(start + 8, start + 40):
        out[i] ^= 0x5A
    return bytes(out)


def cli(path, court_item, *extra: str):
    args = ["submission", "import", str(path), "--agency", "150802:court"]
    args += ["--item", court_item.code, "--period", "2025-09", *extra]
    return CliRunner().invoke(main, args)


def test_error_report_with_control_characters_downloads_and_logs_no_name(
    courts, court_item, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    result = ingest(courts.clerk_a, courts.a, court_item, control_csv(court_item), filename="c.csv")
    assert result.submission is not None
    assert result.rows_rejected == 1
    response = client_for(courts.clerk_a).get(
        f"/submissions/receipts/{result.submission.pk}/errors.xlsx"
    )

    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [str(c.value) for row in book["错误数据"].iter_rows() for c in row]
    assert f"{NAME}␇␛" in cells  # the control characters are shown, not dropped
    assert NAME not in caplog.text


def test_cli_stores_a_file_with_control_characters_and_writes_its_report(
    tmp_path, courts, court_item
) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(control_csv(court_item))
    report = tmp_path / "c-错误报告.xlsx"

    first = cli(path, court_item)
    report.unlink()
    again = cli(path, court_item)  # a duplicate run writes the report it did not have

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0
    assert "本次未重复导入" in again.output
    assert report.exists()
    assert "Traceback" not in first.output + again.output
    assert Submission.objects.count() == 1


def test_cli_exits_0_when_stored_even_if_the_report_cannot_be_written(
    tmp_path, courts, court_item, monkeypatch
) -> None:
    def broken(**kwargs: object) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("shouhu.web.exchange.selectors.submission_error_report", broken)
    path = tmp_path / "c.csv"
    path.write_bytes(control_csv(court_item))

    result = cli(path, court_item)

    assert result.exit_code == 0
    assert "数据已入库，但错误报告未能写入" in result.output
    assert Submission.objects.count() == 1


def test_cli_exit_codes_for_bad_input(tmp_path, courts, court_item) -> None:
    corrupt = tmp_path / "坏.xlsx"
    corrupt.write_bytes(corrupt_xlsx(court_item))
    empty = tmp_path / "空.csv"
    empty.write_bytes(b"")

    refused = cli(corrupt, court_item)
    nothing = cli(empty, court_item)
    wrong_item = CliRunner().invoke(
        main,
        ["submission", "import", str(empty), "--agency", "150802:court", "--item",
         "health_hiv_child", "--period", "2025-09"],
    )  # fmt: skip

    assert (refused.exit_code, nothing.exit_code, wrong_item.exit_code) == (2, 2, 2)
    assert "整份拒收" in refused.output
    assert "坏.xlsx" in refused.output
    assert "Traceback" not in refused.output + nothing.output + wrong_item.output
    assert Submission.objects.count() == 0
    assert "退出码" in CliRunner().invoke(main, ["submission", "import", "--help"]).output


def upload_and_check(courts, court_item, filename: str, data: bytes) -> None:
    """Upload on the web page's path ("校验并预览") and run the queued jobs."""
    upload_create(
        ctx=ctx_for(courts.clerk_a),
        agency=courts.a,
        item_code=court_item.code,
        period=timezone.localdate().replace(day=1),
        filename=filename,
        data=data,
    )
    run_jobs()


def test_corrupt_xlsx_upload_is_rejected_and_its_bytes_dropped(courts, court_item) -> None:
    upload_and_check(courts, court_item, "坏.xlsx", corrupt_xlsx(court_item))

    upload = Upload.objects.get()
    assert upload.status == UploadStatus.REJECTED
    assert bytes(upload.content) == b""
    assert Job.objects.get().status == JobStatus.DONE
    assert AuditEntry.objects.filter(object_type="submission_attempt").count() == 1


def test_upload_whose_job_fails_for_good_loses_its_bytes(courts, court_item, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"cell value {NAME}")

    monkeypatch.setattr("shouhu.web.exchange.jobs.read_table", broken)
    upload_and_check(courts, court_item, "a.csv", csv_of(court_item, judgment_rows(court_item, 1)))

    upload = Upload.objects.get()
    assert Job.objects.get().status == JobStatus.FAILED
    assert (upload.status, bytes(upload.content)) == (UploadStatus.REJECTED, b"")
    assert "处理失败" in upload.summary["rejected_whole"]
    assert AuditEntry.objects.filter(object_type="upload", detail__outcome="failed").count() == 1


def test_receipt_csv_escapes_a_file_name_that_is_a_formula(courts, court_item) -> None:
    name = "=HYPERLINK(CHAR(104),CHAR(120))+0.csv"
    data = csv_of(court_item, judgment_rows(court_item, 1))
    submission = ingest(courts.clerk_a, courts.a, court_item, data, filename=name).submission
    assert submission is not None

    text = (
        client_for(courts.clerk_a)
        .get(f"/submissions/receipts/{submission.pk}/receipt.csv")
        .content.decode("utf-8-sig")
    )

    rows = dict(csv.reader(io.StringIO(text)))
    assert rows["文件名"] == f"'{name}"
    assert not any(value.startswith("=") for value in rows.values())


def test_source_files_are_purged_after_the_retention_period(courts, court_item, settings) -> None:
    settings.SOURCE_RETENTION_DAYS = 30
    rows = judgment_rows(court_item, 2)
    rows[1]["effective_date"] = "明天"
    later = judgment_rows(court_item, 2, start=5)
    later[1]["effective_date"] = "明天"
    old = ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, rows)).submission
    new = ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, later)).submission
    assert old is not None
    assert new is not None
    Submission.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=31))

    first = sources_purge()
    second = CliRunner().invoke(main, ["submission", "purge"])

    assert first == 1
    assert "已清除 0 份" in second.output
    assert bytes(SubmissionErrors.objects.get(pk=old.pk).source) == b""
    assert bytes(SubmissionErrors.objects.get(pk=new.pk).source) != b""
    report = client_for(courts.clerk_a).get(f"/submissions/receipts/{old.pk}/errors.xlsx")
    assert report.status_code == 200  # the (masked) error list is still there
    purged = AuditEntry.objects.get(detail__outcome="source_purged")
    assert purged.detail["count"] == 1
    assert Fact.objects.count() == 2
