"""Deadlines: obligations per department, item and month, and their status from submissions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shouhu.core.catalog import catalog_load
from shouhu.web.accounts.models import Agency
from shouhu.web.exchange.deadlines import (
    Delivery,
    ObligationStatus,
    due_date,
    is_obliged,
    obligation_status,
    recent_periods,
)
from shouhu.web.exchange.selectors import obligations_for, submitter_home, timeliness_grid
from shouhu.web.exchange.services import submission_nil_return
from tests.web.exchange.conftest import ctx_for, ingest, judgment_rows, xlsx_of
from tests.web.factories import client_for

TODAY = date(2025, 11, 20)
SEPTEMBER, OCTOBER = date(2025, 9, 1), date(2025, 10, 1)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 8, tzinfo=UTC)  # noon in Beijing


def test_due_on_the_5th_of_the_next_month() -> None:
    item = catalog_load("150802").item("court_judgment")
    assert due_date(item, date(2025, 12, 1)) == date(2026, 1, 5)
    assert recent_periods(TODAY, 3) == [date(2025, 8, 1), SEPTEMBER, OCTOBER]


def test_event_items_owe_nothing_monthly() -> None:
    infants = catalog_load("150802").item("public_security_abandoned_infant")
    assert not is_obliged(infants, SEPTEMBER)


@pytest.mark.parametrize(
    ("deliveries", "today", "expected"),
    [
        ([], date(2025, 10, 5), ObligationStatus.PENDING),
        ([], date(2025, 10, 6), ObligationStatus.MISSING),
        ([Delivery(date(2025, 10, 5), False)], TODAY, ObligationStatus.ON_TIME),
        ([Delivery(date(2025, 10, 6), False)], TODAY, ObligationStatus.LATE),
        ([Delivery(date(2025, 10, 2), True)], TODAY, ObligationStatus.NIL_RETURN),
        ([Delivery(date(2025, 10, 9), True)], TODAY, ObligationStatus.LATE),
        (
            [Delivery(date(2025, 10, 3), True), Delivery(date(2025, 10, 20), False)],
            TODAY,
            ObligationStatus.ON_TIME,
        ),
    ],
)
def test_obligation_status(deliveries, today, expected) -> None:
    assert obligation_status(date(2025, 10, 5), today, deliveries)[0] is expected


def test_statuses_come_from_the_submissions(courts, court_item) -> None:
    # September: on time (the 5th, late evening in Beijing is still the 5th).
    late_evening = datetime(2025, 10, 5, 15, 30, tzinfo=UTC)  # 23:30 in Beijing
    ingest(
        courts.clerk_a,
        courts.a,
        court_item,
        xlsx_of(court_item, judgment_rows(court_item, 1)),
        period=SEPTEMBER,
        submitted_at=late_evening,
    )
    # October, court B: late; court A: a nil return on time.
    ingest(
        courts.clerk_b,
        courts.b,
        court_item,
        xlsx_of(court_item, judgment_rows(court_item, 1)),
        period=OCTOBER,
        submitted_at=_at(date(2025, 11, 7)),
    )
    submission_nil_return(
        ctx=ctx_for(courts.clerk_a),
        agency=courts.a,
        item_code=court_item.code,
        period=OCTOBER,
        submitted_at=_at(date(2025, 11, 3)),
    )
    # A file whose every row was rejected does not count as delivered.
    rows = judgment_rows(court_item, 1)
    rows[0]["effective_date"] = "不详"
    ingest(
        courts.clerk_b,
        courts.b,
        court_item,
        xlsx_of(court_item, rows),
        period=SEPTEMBER,
        submitted_at=_at(date(2025, 10, 2)),
    )

    found = {
        (o.agency_id, o.period): o
        for o in obligations_for(
            agencies=[courts.a, courts.b], periods=[SEPTEMBER, OCTOBER], today=TODAY
        )
        if o.item_code == court_item.code
    }
    assert found[(courts.a.pk, SEPTEMBER)].status is ObligationStatus.ON_TIME
    assert found[(courts.a.pk, OCTOBER)].status is ObligationStatus.NIL_RETURN
    assert found[(courts.b.pk, SEPTEMBER)].status is ObligationStatus.MISSING
    assert found[(courts.b.pk, OCTOBER)].status is ObligationStatus.LATE
    assert found[(courts.b.pk, OCTOBER)].submitted_on == date(2025, 11, 7)


def test_submitter_sees_what_is_due_and_overdue(courts, court_item) -> None:
    ingest(
        courts.clerk_a,
        courts.a,
        court_item,
        xlsx_of(court_item, judgment_rows(court_item, 1)),
        period=SEPTEMBER,
        submitted_at=_at(date(2025, 10, 3)),
    )
    home = submitter_home(agency=courts.a, today=date(2025, 11, 4), months=3)
    open_items = {(o.period, o.status) for o in home.open if o.item_code == court_item.code}
    assert open_items == {
        (date(2025, 8, 1), ObligationStatus.MISSING),
        (OCTOBER, ObligationStatus.PENDING),
    }


def test_timeliness_grid_for_civil_affairs_and_leaders(courts, court_item, personas) -> None:
    ingest(
        courts.clerk_a,
        courts.a,
        court_item,
        xlsx_of(court_item, judgment_rows(court_item, 1)),
        period=OCTOBER,
        submitted_at=_at(date(2025, 11, 8)),
    )
    grid = timeliness_grid(
        agencies=Agency.objects.filter(pk__in=[courts.a.pk, courts.b.pk]), today=TODAY, months=2
    )
    rows = {row.agency: row for row in grid.rows}
    assert [c.text for c in rows["临河区人民法院"].cells] == ["未报", "逾期报送"]
    assert [c.status for c in rows["五原县人民法院"].cells] == ["missing", "missing"]
    assert (rows["临河区人民法院"].owed, rows["临河区人民法院"].kept) == (2, 0)

    for user, sees_b in ((personas.caseworker_a, False), (personas.leader_city, True)):
        response = client_for(user).get("/submissions/timeliness/")
        page = response.content.decode()
        assert response.status_code == 200
        assert "临河区人民法院" in page
        assert ("五原县人民法院" in page) is sees_b
        assert "逾期未报" in page  # the legend and the detail name each status in words
    assert client_for(courts.clerk_a).get("/submissions/timeliness/").status_code == 403
