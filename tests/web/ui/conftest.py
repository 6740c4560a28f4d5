"""A child of county A with both parents, a case, and facts from two departments
(one corrected, so it has an older version), for the page tests and the browser test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from shouhu.web.accounts.models import Agency
from shouhu.web.cases.models import Case
from shouhu.web.exchange.models import Fact, Submission
from shouhu.web.registry.models import Person
from tests.web import factories as f
from tests.web.conftest import Personas, Region


@dataclass
class FamilyA:
    child: Person
    father: Person
    mother: Person
    case: Case
    imprisoned: Fact
    school_v1: Fact
    school_v2: Fact


def _submission(agency: Agency, item_code: str, period: date, sha: str) -> Submission:
    return Submission.objects.create(
        agency=agency,
        item_code=item_code,
        period=period,
        channel="upload",
        filename=f"{item_code}.xlsx",
        content_sha256=sha * 64,
    )


@pytest.fixture
def family_a(region: Region, personas: Personas) -> FamilyA:
    court = Agency.objects.get(agency_type="court", division=region.county_a)
    school = f.agency("education", region.county_a, "临河区教育局")
    child, father, mother = f.family(region.village_a)
    sentence = _submission(court, "court_criminal_judgment", date(2025, 3, 1), "a")
    imprisoned = f.fact(
        father,
        court,
        "imprisoned",
        start=date(2024, 5, 1),
        end=date(2031, 4, 30),
        submission=sentence,
        link_method="exact_id",
        link_confidence=100,
    )
    # recorded_at is auto_now_add: pin it to a known UTC instant to check the Shanghai display.
    Fact.objects.filter(pk=imprisoned.pk).update(
        recorded_at=datetime(2025, 3, 5, 2, 30, tzinfo=UTC)
    )
    enrolment = _submission(school, "education_enrolment", date(2025, 9, 1), "b")
    school_v1 = f.fact(
        child,
        school,
        "in_school",
        date=date(2024, 9, 1),
        level="小学",
        submission=enrolment,
        is_current=False,
    )
    school_v2 = Fact.objects.create(
        person=child,
        type="in_school",
        date=date(2024, 9, 1),
        level="初中",
        agency=school,
        submission=enrolment,
        source_record_id=school_v1.source_record_id,
        record_sha256="c" * 64,
        version=2,
        supersedes=school_v1,
    )
    case = f.case(child)
    return FamilyA(child, father, mother, case, imprisoned, school_v1, school_v2)
