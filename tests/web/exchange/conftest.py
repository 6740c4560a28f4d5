"""The court of county A sends its monthly judgments; the court of county B is its neighbour.
Files are real workbooks and CSV files made from the catalog's templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pytest

from shouhu.core.catalog import DataItem, catalog_load
from shouhu.web.accounts.models import Agency, User
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Purpose
from shouhu.web.exchange.services import IngestResult, submission_ingest
from shouhu.web.jobs.worker import job_run_next
from shouhu.web.registry.models import Person
from tests.core.exchange.exchange_helpers import filled_template, item_csv, valid_id, valid_row
from tests.web import factories as f
from tests.web.conftest import Personas, Region
from tests.web.factories import CLIENT_IP

PERIOD = date(2025, 9, 1)


@dataclass
class Courts:
    a: Agency
    b: Agency
    clerk_a: User
    clerk_b: User


@pytest.fixture
def courts(region: Region, personas: Personas) -> Courts:
    court_a = Agency.objects.get(agency_type="court", division=region.county_a)
    court_b = f.agency("court", region.county_b, "五原县人民法院")
    clerk_b = f.user("court_clerk_b", "data_submitter", region.county_b, court_b)
    return Courts(court_a, court_b, personas.court_clerk_a, clerk_b)


@pytest.fixture
def court_item() -> DataItem:
    return catalog_load("150802").item("court_judgment")


def ctx_for(user: User | None) -> RequestContext:
    return RequestContext(user=user, client_ip=CLIENT_IP, purpose=Purpose.SUBMISSION)


def judgment_rows(item: DataItem, count: int, *, start: int = 0) -> list[dict[str, object]]:
    """Valid rows, each with its own case number and parent's ID number."""
    rows = []
    for index in range(start, start + count):
        row: dict[str, object] = dict(valid_row(item, index))
        row["case_number"] = f"（2025）蒙0802民特{index + 1}号"
        row["id_number"] = valid_id(index)
        rows.append(row)
    return rows


def xlsx_of(item: DataItem, rows: Sequence[dict[str, object]]) -> bytes:
    return filled_template(item, rows)


def csv_of(item: DataItem, rows: Sequence[dict[str, object]], encoding: str = "utf-8") -> bytes:
    return item_csv(item, rows, encoding=encoding)


def ingest(
    user: User,
    agency: Agency,
    item: DataItem,
    data: bytes,
    *,
    filename: str = "判决.xlsx",
    period: date = PERIOD,
    **kwargs: object,
) -> IngestResult:
    return submission_ingest(
        ctx=ctx_for(user),
        agency=agency,
        item_code=item.code,
        period=period,
        channel="upload",
        filename=filename,
        data=data,
        **kwargs,  # type: ignore[arg-type]
    )


def registry_person(region: Region, index: int) -> Person:
    """A person of the household registry with the ID number that row `index` carries."""
    number = valid_id(index)
    return Person.objects.create(
        id_number=number, name="王秀英", name_pinyin="wangxiuying", division=region.village_a
    )


def run_jobs() -> int:
    """Run queued jobs in this thread (what the worker does in the background)."""
    count = 0
    while job_run_next(worker="test"):
        count += 1
    return count
