"""The small-cell rule (docs/ARCHITECTURE.md, invariant 9): statistics by category for a reader
who may not see HIV fold the HIV category into 事实无人抚养儿童等 and show 1–2 as "<3"; the
county caseworker reads the exact figures, which stay equal to the lists behind them."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shouhu.web.statistics.cells import row_cells
from shouhu.web.statistics.models import ReportStatus, StatReport
from shouhu.web.statistics.report_pages import report_detail
from shouhu.web.statistics.reports import FIGURES, period_of, report_figures
from tests.web import factories as f
from tests.web.pages import visible_text

pytestmark = pytest.mark.django_db
OCTOBER = period_of("month", date(2026, 10, 1))


def test_a_row_shows_small_cells_as_under_three_and_its_total_as_a_lower_bound() -> None:
    assert row_cells([5, 7], exact=False) == (("5", "7"), "12")
    assert row_cells([1, 7], exact=False) == (("<3", "7"), "≥8")  # 12 − 7 would give the 1 back
    assert row_cells([1, 1], exact=False) == (("<3", "<3"), "<3")
    assert row_cells([0, 2, 9], exact=False) == (("0", "<3", "9"), "≥10")
    assert row_cells([1, 7], exact=True) == (("1", "7"), "8")


@pytest.fixture
def county(region):
    """临河区 in care: one scattered orphan, four de facto unsupported children, one HIV child."""
    for name, category in (("甲", "orphan"), ("乙", "de_facto_unsupported"),
                           ("丙", "de_facto_unsupported"), ("丁", "de_facto_unsupported"),
                           ("戊", "de_facto_unsupported"), ("己", "hiv_infected")):  # fmt: skip
        case = f.case(f.person(region.village_a, name=name), category)
        case.orphan_type = "scattered" if category == "orphan" else ""
        case.save()


def _page(client) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", visible_text(client.get("/").content.decode()))


def _sheet(response) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(body), read_only=True)
    return [row for sheet in book for row in sheet.iter_rows(values_only=True)]


def test_the_dashboard_and_its_export_fold_hiv_and_hide_small_cells_below_the_caseworker(
    county, region, personas
) -> None:
    leader = f.client_for(personas.leader_city)
    page = _page(leader)
    assert "艾滋病" not in page
    assert "事实无人抚养儿童等" in page
    assert "保障中儿童 ≥6 孤儿 <3 事实无人抚养儿童等 5" in page  # 6 − 5 would give the orphan
    rows = _sheet(leader.get("/export.xlsx"))
    assert any("事实无人抚养儿童等" in r for r in rows)
    county_row = next(r for r in rows if r and r[0] == "临河区")
    assert county_row[1:4] == ("<3", 5, "≥6")
    caseworker = _page(f.client_for(personas.caseworker_a))
    assert "艾滋病病毒感染儿童 1" in caseworker
    assert "<3" not in caseworker
    assert "事实无人抚养儿童等" not in caseworker


def test_a_report_reads_folded_for_the_city_and_exact_for_the_county_that_keeps_the_lists(
    county, region, personas
) -> None:
    figures = report_figures(region.county_a, OCTOBER)
    assert figures["in_care_total"] == 6
    assert figures["in_care_de_facto"] == 4
    report = StatReport.objects.create(
        division=region.county_a, period_kind="month", period_start=OCTOBER.start,
        period_end=OCTOBER.end, figures=figures, status=ReportStatus.SUBMITTED,
        submitted_by=personas.caseworker_a, submitted_at=timezone.now(),
    )  # fmt: skip
    city = dict(report_detail(user=personas.leader_city, report=report).figures)
    assert city["期末在保散居孤儿"] == "<3"
    assert city["期末在保事实无人抚养儿童等"] == 5  # the HIV child folded in: total − orphans
    assert city["期末在保合计"] == "≥6"
    county_view = report_detail(user=personas.caseworker_a, report=report).figures
    assert county_view == tuple((label, figures[code]) for code, label in FIGURES.items())
