"""核查到期日（docs/rules.md §5）和探访频次、重大变故（§6）。"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shouhu.core.policy.reviews import review_due, review_interval_months, review_overdue
from shouhu.core.policy.visits import (
    MAJOR_CHANGE_LABELS,
    MAJOR_CHANGES,
    effective_risk,
    major_change_visit_due,
    next_visit_due,
)

OPENED = date(2026, 1, 31)


@pytest.mark.parametrize(("per_year", "months"), [(1, 12), (2, 6), (3, 4), (4, 3), (5, 2)])
def test_interval_is_twelve_over_n_months_rounded_down(per_year: int, months: int) -> None:
    assert review_interval_months(per_year) == months


def test_no_periodic_review_for_zero_a_year() -> None:
    assert review_due(opened=OPENED, last_review=None, reviews_per_year=0) is None


def test_first_review_is_due_from_the_case_opening_in_calendar_months() -> None:
    assert review_due(opened=OPENED, last_review=None, reviews_per_year=2) == date(2026, 7, 31)
    assert review_due(opened=OPENED, last_review=None, reviews_per_year=4) == date(2026, 4, 30)


def test_later_reviews_are_due_from_the_last_review() -> None:
    due = review_due(opened=OPENED, last_review=date(2026, 5, 10), reviews_per_year=1)
    assert due == date(2027, 5, 10)


def test_a_review_recorded_before_the_case_opened_does_not_count() -> None:
    due = review_due(opened=OPENED, last_review=date(2025, 12, 1), reviews_per_year=2)
    assert due == date(2026, 7, 31)


def test_when_n_rises_the_due_date_is_recomputed_from_the_last_review() -> None:
    """每年1次 → 父亲入狱后每年2次：不等原定的次年到期日，从最近一次核查起算6个月。"""
    last = date(2026, 3, 1)
    assert review_due(opened=OPENED, last_review=last, reviews_per_year=1) == date(2027, 3, 1)
    assert review_due(opened=OPENED, last_review=last, reviews_per_year=2) == date(2026, 9, 1)


def test_overdue_the_day_after_the_due_date() -> None:
    def overdue(today: date) -> bool:
        return review_overdue(opened=OPENED, last_review=None, reviews_per_year=2, today=today)

    assert not overdue(date(2026, 7, 31))
    assert overdue(date(2026, 8, 1))


@given(
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 12, 31))),
    st.sampled_from((1, 2, 3, 4, 6, 12)),
)
def test_more_reviews_a_year_never_push_the_due_date_later(
    opened: date, last: date | None, n: int
) -> None:
    due = review_due(opened=opened, last_review=last, reviews_per_year=n)
    more = review_due(opened=opened, last_review=last, reviews_per_year=min(12, n * 2))
    assert due is not None
    assert more is not None
    assert more <= due
    assert due > max(opened, last or opened)


def test_routine_visits_weekly_monthly_quarterly() -> None:
    last = date(2026, 8, 31)
    assert next_visit_due(risk="high", opened=OPENED, last_visit=last) == date(2026, 9, 7)
    assert next_visit_due(risk="key", opened=OPENED, last_visit=last) == date(2026, 9, 30)
    assert next_visit_due(risk="general", opened=OPENED, last_visit=last) == date(2026, 11, 30)
    assert next_visit_due(risk=None, opened=OPENED, last_visit=None) == date(2026, 4, 30)


def test_a_major_change_makes_the_child_high_risk_until_reviewed() -> None:
    assert effective_risk(confirmed="general", unreviewed_major_change=True) == "high"
    assert effective_risk(confirmed="key", unreviewed_major_change=False) == "key"
    assert effective_risk(confirmed=None, unreviewed_major_change=False) == "general"


def test_a_major_change_needs_a_visit_within_24_hours() -> None:
    reported = datetime(2026, 11, 1, 9, 30)
    for change in MAJOR_CHANGES:
        assert major_change_visit_due(change, reported) == reported + timedelta(hours=24)
    with pytest.raises(ValueError, match="未知的重大变故"):
        major_change_visit_due("bad_weather", reported)


def test_major_changes_follow_the_spec_list() -> None:
    assert set(MAJOR_CHANGE_LABELS) == set(MAJOR_CHANGES)
    assert {"mandatory_report", "carer_unable", "child_missing"} <= set(MAJOR_CHANGES)
    assert not any(label.isascii() for label in MAJOR_CHANGE_LABELS.values())
