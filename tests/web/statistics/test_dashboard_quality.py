"""The leaders' dashboard, beyond counts: a chart over each table (drawn from a JSON script tag, the
table stays under it), review and visit completion, and each department's data quality — rejected
rows, invalid IDs, unlinked records, objections raised and answered — drilled down the hierarchy
and exported through the one export path."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from django.utils import timezone
from openpyxl import load_workbook

from shouhu.core.catalog import catalog_load
from shouhu.core.exchange import CellError
from shouhu.web.exchange.errorlists import errors_pack, invalid_id_count
from shouhu.web.exchange.models import Submission, SubmissionErrors
from shouhu.web.objections.models import Objection
from shouhu.web.statistics.completion import work_completion
from shouhu.web.statistics.quality import data_quality
from tests.web import factories as f
from tests.web.exchange.conftest import csv_of, ingest, judgment_rows


def _court_history(personas) -> None:
    court = personas.court_clerk_a.agency
    sub = Submission.objects.create(agency=court, item_code="court_judgment",
                                    period=date(2026, 10, 1), channel="upload",
                                    content_sha256="0" * 64, rows_total=10, rows_accepted=7,
                                    rows_rejected=3)  # fmt: skip
    errors = [CellError(2, "身份证号", "150802********1234", "第2行身份证号校验码不对"),
              CellError(3, "判决日期", "2026-13-01", "日期不对"),
              CellError(4, "身份证号", "1508", "位数不对")]  # fmt: skip
    SubmissionErrors.objects.create(submission=sub, errors=errors_pack(errors))
    sub.invalid_ids = invalid_id_count(errors)  # as ingest stores it
    sub.save(update_fields=["invalid_ids"])
    unlinked = f.fact(f.person(personas.child_director_a.division), court, "guardianship")
    unlinked.person = None
    unlinked.save(update_fields=["person"])
    now = timezone.now()
    for answered in (True, False):
        Objection.objects.create(
            fact=f.fact(f.person(personas.child_director_a.division, name="张三"), court, "death"),
            agency=court, reason="核实", raised_by=personas.caseworker_a, raised_at=now,
            due_on=date.today() - timedelta(days=1), status="confirmed" if answered else "open",
            reply="无误" if answered else "", answered_at=now if answered else None,
            resolved_at=now if answered else None,
        )  # fmt: skip


def test_each_department_has_its_rejected_rows_invalid_ids_unlinked_and_objections(
    region, personas
) -> None:
    _court_history(personas)
    (court,) = [q for q in data_quality(region.city) if q.agency == "临河区人民法院"]
    assert (court.rows_total, court.rows_rejected) == (10, 3)
    assert (court.invalid_ids, court.unlinked) == (2, 1)
    assert (court.objections, court.answered, court.overdue) == (2, 1, 1)
    assert "临河区人民法院" not in [q.agency for q in data_quality(region.county_b)]


def test_invalid_ids_count_accepted_rows_kept_for_repair_as_well_as_rejected_rows(
    region, personas
) -> None:
    """校验码不对的号码（宽松字段）照样接收、留待更正：这一栏也要数它，不只数退回的行。"""
    court = personas.court_clerk_a.agency
    item = catalog_load("150802").item("court_judgment")
    rows = judgment_rows(item, 3)
    good = str(rows[0]["id_number"])
    rows[0]["id_number"] = good[:-1] + ("1" if good[-1] != "1" else "2")  # 校验码不对，接收
    rows[1]["effective_date"] = "2025-13-01"  # 日期不对，退回；号码也不对
    rows[1]["id_number"] = "1508021985"
    ingest(personas.court_clerk_a, court, item, csv_of(item, rows), filename="判决.csv")
    submission = Submission.objects.get(agency=court)
    assert (submission.rows_accepted, submission.rows_rejected) == (2, 1)
    assert submission.invalid_ids == 2
    (row,) = [q for q in data_quality(region.city) if q.agency == court.name]
    assert (row.rows_total, row.rows_rejected, row.invalid_ids) == (3, 1, 2)


def test_completion_counts_overdue_reviews_and_visits_per_division_below(region, personas) -> None:
    today = timezone.localdate()
    for n, late in enumerate((True, False)):
        case = f.case(f.person(region.village_a, name=f"儿童{n}"))
        case.review_due_on = today + timedelta(days=-3 if late else 30)
        case.visit_due_on = today + timedelta(days=10)
        case.save()
    (row,) = work_completion(region.county_a, today=today)
    assert (row.name, row.active, row.reviews_overdue, row.visits_overdue) == ("城关镇", 2, 1, 0)
    assert (row.reviews_on_time, row.visits_on_time) == (50, 100)


def test_the_dashboard_draws_charts_over_its_tables_and_exports_data_quality(
    region, personas
) -> None:
    _court_history(personas)
    client = f.client_for(personas.leader_city)
    page = client.get("/").content.decode()
    assert 'data-chart="trend"' in page
    assert 'data-testid="trend-table"' in page
    assert "statistics/vendor/echarts/echarts.min.js" in page
    assert "onclick" not in page
    tag = 'id="dashboard-charts" type="application/json">'
    data = json.loads(page.split(tag, 1)[1].split("</script>", 1)[0])
    assert set(data) == {"trend", "progress", "completion"}
    assert len(data["trend"]["months"]) == 12
    assert "月末在保" in data["trend"]["series"]
    assert "临河区人民法院" in page.split('data-testid="quality-table"', 1)[1]
    drilled = client.get(f"/?division={region.county_b.code}").content.decode()
    assert "临河区人民法院" not in drilled
    response = client.get(f"/quality.xlsx?division={region.county_a.code}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "临河区人民法院" in cells
    assert "身份证号不合格" in cells
