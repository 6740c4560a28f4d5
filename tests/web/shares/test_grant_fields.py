"""名单上的字段跟着共享授权走：安全管理员在授权页把医保的名单收窄到姓名和身份证号，新名单就只带
这两项；撤销后部门再打开名单，连这两项也看不到（已推送的值不再显示）。"""

from __future__ import annotations

import pytest

from shouhu.web.grants.models import Grant
from shouhu.web.grants.services import grant_revoke
from shouhu.web.shares.services import share_list_publish
from tests.web import factories as f
from tests.web.shares.conftest import ctx_for

pytestmark = pytest.mark.django_db


def test_the_list_carries_only_the_granted_fields(personas, region, shares) -> None:
    security = f.user("security_county", "security_admin", region.county_a)
    admin = ctx_for(security, "administration")
    default = Grant.objects.get(agency_type="medical_insurance", purpose="insurance_enrolment")
    grant_revoke(ctx=admin, grant=default)
    form = {"agency": shares.insurance_a.pk, "item": "share_list",
            "purpose": "insurance_enrolment", "roles": ["department_user"], "level": "detail",
            "fields": ["id_number", "name"], "basis": "医保资助参保协议〔2026〕1号"}  # fmt: skip
    client = f.client_for(security)
    assert client.post("/grants/", form).status_code == 302
    assert "推送名单（可带：姓名、身份证号）" in client.get("/grants/").content.decode()
    refused = client.post("/grants/", {**form, "purpose": "case_work"})
    assert "请选择推送用途" in refused.content.decode()

    civil = ctx_for(personas.caseworker_a)
    share_list = share_list_publish(
        ctx=civil,
        division=region.county_a,
        agency=shares.insurance_a,
        purpose="insurance_enrolment",
    )
    assert share_list.fields == ["name", "id_number"]
    assert {tuple(e.data) for e in share_list.entries.all()} == {("name", "id_number")}
    dept = f.client_for(shares.department_a)
    assert "王小一" in dept.get(f"/shares/{share_list.pk}/").content.decode()

    narrowed = Grant.objects.get(agency=shares.insurance_a, revoked_at__isnull=True)
    grant_revoke(ctx=admin, grant=narrowed)
    assert "王小一" not in dept.get(f"/shares/{share_list.pk}/").content.decode()
    refused = f.client_for(personas.caseworker_a).post(
        "/shares/", {"receiver": f"{shares.insurance_a.pk}:insurance_enrolment"}
    )
    assert refused.status_code == 400
    assert "请选择接收部门和用途" in refused.content.decode()  # 没有授权：不在可推送的部门里
