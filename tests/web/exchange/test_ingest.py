"""The ingest service: provenance, idempotence, versions, atomicity, whole-file rejection."""

from __future__ import annotations

import functools
import io
import re

import pytest
from openpyxl import load_workbook

from shouhu.core.catalog import catalog_load
from shouhu.core.errors import NotFound
from shouhu.core.exchange import ReadResult, read_table
from shouhu.web.audit.models import AuditEntry
from shouhu.web.exchange import factstore, services
from shouhu.web.exchange.errorlists import errors_unpack
from shouhu.web.exchange.models import Fact, Submission, SubmissionErrors
from shouhu.web.exchange.selectors import submission_error_report
from shouhu.web.exchange.services import submission_nil_return, submission_store
from tests.core.exchange.exchange_helpers import valid_id
from tests.web.exchange.conftest import (
    PERIOD,
    csv_of,
    ctx_for,
    ingest,
    judgment_rows,
    registry_person,
    xlsx_of,
)

RECEIPT = re.compile(r"HZ-\d{8}-\d{6}")


def test_template_round_trip_stores_facts_with_provenance(region, courts, court_item) -> None:
    known = registry_person(region, 0)
    rows = judgment_rows(court_item, 3)
    result = ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, rows))

    assert (result.rows_total, result.rows_accepted, result.facts_created) == (3, 3, 3)
    submission = result.submission
    assert submission is not None
    assert not result.duplicate
    assert RECEIPT.fullmatch(submission.receipt_number)
    assert (submission.status, submission.received_by) == ("accepted", courts.clerk_a)
    facts = {fact.source_record_id: fact for fact in Fact.objects.all()}
    first = facts["（2025）蒙0802民特1号"]
    assert (first.agency, first.submission, first.item_code) == (
        courts.a,
        submission,
        court_item.code,
    )
    assert first.subject_id_number == rows[0]["id_number"]
    assert first.subject_name == "王秀英"
    assert (first.person, first.link_method, first.link_confidence) == (known, "exact_id", 100)
    assert len(first.record_sha256) == 64
    assert first.is_current
    assert first.version == 1
    assert first.type == "declared_missing"
    assert first.date is not None
    # Not in the registry: left for the comparison engine to link.
    assert facts["（2025）蒙0802民特2号"].person is None
    assert facts["（2025）蒙0802民特2号"].link_method == ""
    entry = AuditEntry.objects.get(object_type="submission", object_id=str(submission.pk))
    assert (entry.purpose, entry.detail["outcome"], entry.detail["created"]) == (
        "submission",
        "stored",
        3,
    )


def test_same_file_twice_stores_once(courts, court_item) -> None:
    data = xlsx_of(court_item, judgment_rows(court_item, 4))
    first = ingest(courts.clerk_a, courts.a, court_item, data)
    again = ingest(courts.clerk_a, courts.a, court_item, data)

    assert again.duplicate
    assert again.submission == first.submission
    assert (again.facts_created, again.rows_accepted) == (0, 4)
    assert (Submission.objects.count(), Fact.objects.count()) == (1, 4)


def test_same_file_from_another_court_is_its_own_delivery(courts, court_item) -> None:
    data = xlsx_of(court_item, judgment_rows(court_item, 2))
    ingest(courts.clerk_a, courts.a, court_item, data)
    other = ingest(courts.clerk_b, courts.b, court_item, data)

    assert not other.duplicate
    assert other.facts_created == 2
    assert Fact.objects.count() == 4


def test_same_records_in_a_new_file_add_nothing(courts, court_item) -> None:
    rows = judgment_rows(court_item, 5)
    ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, rows))
    # The same records as CSV, in another order, for the next month: a new delivery, nothing new.
    result = ingest(
        courts.clerk_a,
        courts.a,
        court_item,
        csv_of(court_item, rows[::-1]),
        filename="判决.csv",
        period=PERIOD.replace(month=10),
    )

    assert not result.duplicate
    assert result.submission is not None
    assert (result.facts_created, result.facts_superseded, result.facts_unchanged) == (0, 0, 5)
    assert Fact.objects.count() == 5


def test_corrected_record_supersedes_and_keeps_history(courts, court_item) -> None:
    rows = judgment_rows(court_item, 3)
    ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, rows))
    rows[1] = rows[1] | {"revoked_date": "2025-08-20", "effective_date": "2024-01-05"}
    result = ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, rows[1:2]))

    assert (result.facts_created, result.facts_superseded, result.facts_unchanged) == (0, 1, 0)
    versions = Fact.objects.filter(source_record_id=rows[1]["case_number"]).order_by("version")
    old, new = list(versions)
    assert (old.is_current, new.is_current, new.version, new.supersedes) == (False, True, 2, old)
    assert (str(old.end), str(new.end)) == ("2030-06-30", "2025-08-20")
    assert Fact.objects.filter(is_current=True).count() == 3


def test_crash_part_way_stores_nothing(monkeypatch, courts, court_item) -> None:
    real_batch = factstore.facts_store_batch
    calls = []

    def failing_batch(*args: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")  # the second batch of rows fails
        real_batch(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(factstore, "facts_store_batch", failing_batch)
    monkeypatch.setattr(
        services, "facts_store", functools.partial(factstore.facts_store, batch_size=2)
    )
    audit_before = AuditEntry.objects.count()
    rows = judgment_rows(court_item, 5)
    rows[4]["effective_date"] = "2025-02-30"  # one bad row, so an error list would be stored too
    with pytest.raises(RuntimeError):
        ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, rows))

    assert len(calls) == 2
    assert (Submission.objects.count(), Fact.objects.count()) == (0, 0)
    assert SubmissionErrors.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_wrong_template_stores_nothing_but_the_audited_attempt(courts, court_item) -> None:
    other = catalog_load("150802").item("health_death")
    data = xlsx_of(other, [])
    result = ingest(courts.clerk_a, courts.a, court_item, data)

    assert result.submission is None
    assert result.rejected_whole
    assert "health_death" in result.rejected_whole or "模板" in result.rejected_whole
    assert (Submission.objects.count(), Fact.objects.count()) == (0, 0)
    entry = AuditEntry.objects.get(object_type="submission_attempt")
    assert entry.detail["outcome"] == "rejected_whole"
    assert entry.purpose == "submission"


def test_bad_rows_are_kept_masked_for_the_error_report(courts, court_item) -> None:
    rows = judgment_rows(court_item, 4)
    bad_id = rows[2]["id_number"]
    rows[2]["effective_date"] = "2025-13-40"
    result = ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, rows))

    assert (result.rows_accepted, result.rows_rejected) == (3, 1)
    submission = result.submission
    assert submission is not None
    assert submission.status == "partial"
    stored = SubmissionErrors.objects.get(submission=submission)
    errors = errors_unpack(stored.errors)
    assert [(e.row, e.column) for e in errors] == [(4, "判决生效日期")]
    assert "第4行" in errors[0].message
    assert "2025-13-40" in errors[0].message
    assert bad_id not in bytes(stored.errors).decode("latin-1")
    sheet = load_workbook(io.BytesIO(submission_error_report(submission=submission))).worksheets[0]
    marked = [
        c
        for row in sheet.iter_rows(min_row=2)
        for c in row
        if c.fill.fgColor.rgb.endswith("FFC7CE")
    ]
    assert [c.value for c in marked] == ["2025-13-40"]


def test_idempotency_key_makes_a_repeated_batch_a_duplicate(courts, court_item) -> None:
    first_read = read_table(
        csv_of(court_item, judgment_rows(court_item, 2)), filename="a.csv", item=court_item
    )
    second_read = read_table(
        csv_of(court_item, judgment_rows(court_item, 3)), filename="b.csv", item=court_item
    )
    kwargs = {
        "ctx": ctx_for(courts.clerk_a),
        "agency": courts.a,
        "item_code": court_item.code,
        "period": PERIOD,
        "channel": "api",
        "filename": "",
        "idempotency_key": "batch-7",
    }
    first = submission_store(result=first_read, **kwargs)  # type: ignore[arg-type]
    again = submission_store(result=second_read, **kwargs)  # type: ignore[arg-type]

    assert again.duplicate
    assert again.submission == first.submission
    assert Fact.objects.count() == 2


def test_nil_return_is_a_submission_without_rows(courts, court_item) -> None:
    result = submission_nil_return(
        ctx=ctx_for(courts.clerk_a), agency=courts.a, item_code=court_item.code, period=PERIOD
    )
    again = submission_nil_return(
        ctx=ctx_for(courts.clerk_a), agency=courts.a, item_code=court_item.code, period=PERIOD
    )

    assert result.submission is not None
    assert result.submission.nil_return
    assert result.submission.rows_total == 0
    assert again.duplicate


def test_item_of_another_department_is_refused(courts) -> None:
    deaths = catalog_load("150802").item("health_death")
    with pytest.raises(NotFound):
        ingest(courts.clerk_a, courts.a, deaths, xlsx_of(deaths, []))
    assert AuditEntry.objects.filter(object_type="submission").count() == 0


def test_same_record_number_in_two_items_is_two_records(region, personas) -> None:
    from tests.web import factories as f

    police = f.agency("public_security", region.county_a, "临河区公安局")
    catalog = catalog_load("150802")
    for code in ("public_security_restriction", "public_security_deportation"):
        item = catalog.item(code)
        rows = [{**row, item.fields[0].key: "2025-001"} for row in judgment_rows(item, 1)]
        result = ingest(personas.court_clerk_a, police, item, xlsx_of(item, rows))
        assert result.facts_created == 1, code
    assert Fact.objects.filter(source_record_id="2025-001", is_current=True).count() == 2


def test_rejected_whole_result_from_another_channel_is_not_stored(courts, court_item) -> None:
    empty = ReadResult("0" * 64, 0, [], [], "文件「x.json」不是本数据项的格式")
    result = submission_store(
        ctx=ctx_for(None),
        agency=courts.a,
        item_code=court_item.code,
        period=PERIOD,
        channel="api",
        filename="x.json",
        result=empty,
    )
    assert result.submission is None
    assert Submission.objects.count() == 0
    assert valid_id(0) not in str(AuditEntry.objects.values_list("detail", flat=True)[0])
