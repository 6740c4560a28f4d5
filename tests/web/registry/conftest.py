"""The household registry of county A, sent by its police, in files made from the template."""

from __future__ import annotations

from datetime import date

import pytest

from shouhu.core.catalog import DataItem, catalog_load
from shouhu.core.identity import id_number_generate
from shouhu.web.accounts.models import Agency, User
from shouhu.web.exchange.services import IngestResult
from shouhu.web.registry.models import RegistryLoad
from tests.web import factories as f
from tests.web.conftest import Region
from tests.web.exchange.conftest import ingest, xlsx_of

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
_numbers: dict[tuple[str, date, str], int] = {}


@pytest.fixture
def item() -> DataItem:
    return catalog_load("150802").item("household_registry")


@pytest.fixture
def police(region: Region) -> tuple[Agency, User]:
    agency = f.agency("public_security", region.county_a, "临河公安分局")
    return agency, f.user("police_clerk_a", "data_submitter", region.county_a, agency)


def number(birth: date, gender: str = "M", division: str = "150802") -> str:
    key = (division, birth, gender)
    _numbers[key] = _numbers.get(key, 0) + 1
    return id_number_generate(
        division_code=division, birth_date=birth, sequence=_numbers[key], gender=gender
    )


def person_row(
    name: str, birth: date, *, gender: str = "M", village: str = "150802100201", **more: object
) -> dict[str, object]:
    row: dict[str, object] = {
        "id_number": number(birth, gender),
        "name": name,
        "gender": "男" if gender == "M" else "女",
        "birth_date": birth,
        "division_code": village,
    }
    row.update(more)
    return row


def cn(index: int) -> str:
    """Names hold no digits: 12 → 一二."""
    return "".join("零一二三四五六七八九"[int(d)] for d in str(index))


def family_rows(index: int, *, household: str = "") -> list[dict[str, object]]:
    """A father, a mother and their child in one household."""
    household = household or f"H{index:04d}"
    father = person_row(f"张父{cn(index)}", date(1980, 1, 1), household_number=household)
    mother = person_row(
        f"李母{cn(index)}", date(1982, 2, 2), gender="F", household_number=household
    )
    child = person_row(
        f"张子{cn(index)}",
        date(2014, 3, 3),
        household_number=household,
        father_id_number=father["id_number"],
        mother_id_number=mother["id_number"],
    )
    return [father, mother, child]


def load(
    police: tuple[Agency, User],
    item: DataItem,
    rows: list[dict[str, object]],
    *,
    period: date = JAN,
    full: bool = False,
) -> IngestResult:
    agency, clerk = police
    return ingest(
        clerk,
        agency,
        item,
        xlsx_of(item, rows),
        filename="户籍.xlsx",
        period=period,
        full_snapshot=full,
    )


def the_load(result: IngestResult) -> RegistryLoad:
    assert result.submission is not None, result.rejected_whole or result.errors
    return RegistryLoad.objects.get(submission=result.submission)
