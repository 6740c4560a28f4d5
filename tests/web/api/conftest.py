"""A system credential of county A's court for its judgments, and a client that sends JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from shouhu.web.accounts.credentials import credential_create
from shouhu.web.accounts.models import Agency, SystemCredential
from shouhu.web.audit.context import RequestContext
from shouhu.web.registry.models import Person
from tests.web import factories as f
from tests.web.conftest import Personas, Region

CLIENT_IP = "10.20.30.42"
ITEM = "court_judgment"
ADMIN = RequestContext(user=None, client_ip="", purpose="administration")


@dataclass
class Issued:
    credential: SystemCredential
    token: str
    court: Agency


def issue(agency: Agency, items: list[str], name: str = "法院审判系统") -> Issued:
    issued = credential_create(ctx=ADMIN, name=name, agency=agency, item_codes=items)
    return Issued(issued.credential, issued.token, agency)


@pytest.fixture
def court_credential(region: Region, personas: Personas) -> Issued:
    court = Agency.objects.get(agency_type="court", division=region.county_a)
    return issue(court, [ITEM])


@dataclass
class Family:
    child: Person
    father: Person
    mother: Person


@pytest.fixture
def family(region: Region) -> Family:
    return Family(*f.family(region.village_a))


def judgment(father: Person, number: int = 7, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "case_number": f"（2025）蒙0802民特{number}号",
        "judgment_kind": "declared_missing",
        "id_number": father.id_number,
        "name": father.name,
        "effective_date": "2025-02-10",
    }
    row.update(changes)
    return row


class Api:
    """Sends JSON with a bearer token, the way a department's system would."""

    def __init__(self, token: str | None) -> None:
        self.client = Client(REMOTE_ADDR=CLIENT_IP)
        self.token = token

    def headers(self, key: str | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def submit(
        self,
        rows: list,
        *,
        key: str | None = "batch-1",
        item: str = ITEM,
        period: str = "2025-03",
        **body: object,
    ):
        payload = {"item_code": item, "period": period, "rows": rows, **body}
        return self.post_raw(json.dumps(payload, ensure_ascii=False), key=key)

    def post_raw(self, data: str | bytes, *, key: str | None = "batch-1"):
        return self.client.post(
            "/api/v1/submissions",
            data=data,
            content_type="application/json",
            headers=self.headers(key),
        )

    def get(self, path: str):
        return self.client.get(f"/api/v1{path}", headers=self.headers(None))


@pytest.fixture
def api(court_credential: Issued) -> Api:
    return Api(court_credential.token)
