"""推送名单测试的共同数据：临河区的医疗保障局和它的部门用户、五原县的医疗保障局（别的部门），
临河区四名保障中的儿童（有照料人的联系电话——资助参保名单不该带它），五原县一名。"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from openpyxl import Workbook

from shouhu.web.accounts.models import Agency, User
from shouhu.web.audit.context import RequestContext
from shouhu.web.cases.models import CareArrangement, Case
from tests.web import factories as f


@dataclass
class Shares:
    insurance_a: Agency
    department_a: User
    department_b: User
    cases: list[Case]


@pytest.fixture
def shares(personas, region) -> Shares:  # type: ignore[no-untyped-def]
    insurance_a = f.agency("medical_insurance", region.county_a, "临河区医疗保障局")
    insurance_b = f.agency("medical_insurance", region.county_b, "五原县医疗保障局")
    cases = []
    for i, name in enumerate(("王小一", "王小二", "王小三", "王小四")):
        case = f.case(f.person(region.village_a, name=name), "orphan")
        CareArrangement.objects.create(case=case, carer_name=f"王大{i}", phone="13900000000",
                                       started_on=case.opened_on)  # fmt: skip
        cases.append(case)
    f.case(f.person(region.village_b, name="李小五"), "orphan")
    return Shares(
        insurance_a,
        f.user("insurance_a", "department_user", region.county_a, insurance_a),
        f.user("insurance_b", "department_user", region.county_b, insurance_b),
        cases,
    )


def ctx_for(user: User, purpose: str = "insurance_enrolment") -> RequestContext:
    return RequestContext(user=user, client_ip="127.0.0.1", purpose=purpose)


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, list_id: int, data: bytes, name: str = "反馈.xlsx"):  # type: ignore[no-untyped-def]
    file = io.BytesIO(data)
    file.name = name
    return client.post(f"/shares/{list_id}/upload/", {"file": file})
