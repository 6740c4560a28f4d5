"""A child of county A whose father the county court declared missing, delivered through the real
ingest path (JSON rows → submission_store), and the people who doubt and answer it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from shouhu.core.exchange.json_rows import read_json_rows
from shouhu.web.accounts.models import Agency, User
from shouhu.web.audit.context import RequestContext
from shouhu.web.exchange.items import catalog_for
from shouhu.web.exchange.models import Fact
from shouhu.web.exchange.services import submission_store
from shouhu.web.registry.models import Person
from tests.web import factories as f
from tests.web.conftest import Personas, Region
from tests.web.factories import CLIENT_IP

ITEM = "court_judgment"
PERIOD = date(2025, 3, 1)


@dataclass
class Missing:
    child: Person
    father: Person
    court: Agency
    fact: Fact
    row: dict[str, object]


def judgment_row(father: Person, child: Person, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "案号": "（2025）蒙0802民特7号",
        "文书类型": "宣告失踪",
        "当事人身份证号": father.id_number,
        "当事人姓名": father.name,
        "判决生效日期": "2025-02-10",
        "子女身份证号": child.id_number,
        "子女姓名": child.name,
        "法院名称": "临河区人民法院",
    }
    row.update(changes)
    return row


def court_submit(court: Agency, clerk: User, rows: list[dict[str, object]], key: str = ""):
    item = catalog_for(court).item(ITEM)
    source = f"{ITEM}-{PERIOD:%Y-%m}.json"
    result = read_json_rows(rows, source=source, item=item)
    ctx = RequestContext(user=clerk, client_ip=CLIENT_IP, purpose="submission")
    return submission_store(
        ctx=ctx,
        agency=court,
        item_code=ITEM,
        period=PERIOD,
        channel="api",
        filename=source,
        result=result,
        idempotency_key=key,
    )


@pytest.fixture
def missing(region: Region, personas: Personas) -> Missing:
    court = Agency.objects.get(agency_type="court", division=region.county_a)
    child, father, _ = f.family(region.village_a)
    f.case(child)
    row = judgment_row(father, child)
    outcome = court_submit(court, personas.court_clerk_a, [row])
    assert outcome.facts_created == 1, outcome.errors
    fact = Fact.objects.get(agency=court, is_current=True)
    assert fact.person == father
    return Missing(child, father, court, fact, row)


@pytest.fixture
def education_clerk_a(region: Region) -> User:
    school = f.agency("education", region.county_a, "临河区教育局")
    return f.user("school_clerk_a", "data_submitter", region.county_a, school)
