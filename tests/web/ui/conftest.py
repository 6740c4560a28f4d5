"""A child of county A with both parents, a case, and facts from two departments
(one corrected, so it has an older version), for the page tests and the browser test.

The facts come in as production writes them: CSV files from the catalog's templates, through
`submission_ingest`, linked to the registry by ID number (`exact_id`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from shouhu.core.catalog import catalog_load
from shouhu.web.accounts.models import Agency, User
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Purpose
from shouhu.web.cases.models import Case
from shouhu.web.exchange.models import Fact
from shouhu.web.exchange.services import submission_ingest
from shouhu.web.registry.models import Person
from tests.core.exchange.exchange_helpers import item_csv
from tests.web import factories as f
from tests.web.conftest import Personas, Region
from tests.web.factories import CLIENT_IP

SENTENCE = "（2025）蒙0802刑初15号"
STUDENT = "G150802201203040012"


@dataclass
class FamilyA:
    child: Person
    father: Person
    mother: Person
    case: Case
    imprisoned: Fact
    school_v1: Fact
    school_v2: Fact


def _send(user: User, agency: Agency, item_code: str, period: date, row: dict[str, object]) -> Fact:
    """Upload one row as a CSV file made from the item's template; the fact it now makes current."""
    item = catalog_load(agency.division.code[:6]).item(item_code)
    result = submission_ingest(
        ctx=RequestContext(user=user, client_ip=CLIENT_IP, purpose=Purpose.SUBMISSION),
        agency=agency,
        item_code=item_code,
        period=period,
        channel="upload",
        filename=f"{item_code}.csv",
        data=item_csv(item, [row]),
    )
    assert result.rows_accepted == 1, result.errors
    return Fact.objects.get(agency=agency, item_code=item_code, is_current=True)


def _enrolment(child: Person, level: str) -> dict[str, object]:
    return {
        "student_number": STUDENT,
        "id_number": child.id_number,
        "name": child.name,
        "school_level": level,
        "school_name": "临河区第三小学",
        "enrolment_date": "2024-09-01",
    }


@pytest.fixture
def family_a(region: Region, personas: Personas) -> FamilyA:
    court = Agency.objects.get(agency_type="court", division=region.county_a)
    school = f.agency("education", region.county_a, "临河区教育局")
    teacher = f.user("school_clerk_a", "data_submitter", region.county_a, school)
    child, father, mother = f.family(region.village_a)
    sentence = {
        "case_number": SENTENCE,
        "id_number": father.id_number,
        "name": father.name,
        "start": "2024-05-01",
        "end": "2031-04-30",
    }
    imprisoned = _send(
        personas.court_clerk_a, court, "court_criminal_judgment", date(2025, 3, 1), sentence
    )
    # recorded_at is auto_now_add: pin it to a known UTC instant to check the Shanghai display.
    Fact.objects.filter(pk=imprisoned.pk).update(
        recorded_at=datetime(2025, 3, 5, 2, 30, tzinfo=UTC)
    )
    enrolment = date(2025, 9, 1)
    _send(teacher, school, "education_enrolment", enrolment, _enrolment(child, "小学"))
    school_v2 = _send(teacher, school, "education_enrolment", enrolment, _enrolment(child, "初中"))
    school_v1 = Fact.objects.get(pk=school_v2.supersedes_id)
    case = f.case(child)
    return FamilyA(child, father, mother, case, imprisoned, school_v1, school_v2)
