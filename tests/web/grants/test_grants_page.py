"""安全管理员在网页上管共享授权：新增、撤销立即改变谁能看到什么；对一类部门的授权只有省级能改；
每次都记入审计；表单错误用中文说明、不写半条。"""

from __future__ import annotations

import pytest

from shouhu.web import access
from shouhu.web.audit.models import AuditEntry
from shouhu.web.grants.models import Grant
from tests.web import factories as f
from tests.web.factories import client_for

pytestmark = pytest.mark.django_db
ITEM = "court_judgment"  # 敏感：儿童主任默认只看概况


@pytest.fixture
def province_security(region):
    return f.user("security_province", "security_admin", region.city.parent)


@pytest.fixture
def county_security(region):
    return f.user("security_county", "security_admin", region.county_a)


def _form(**fields: object) -> dict[str, object]:
    return {"item": ITEM, "purpose": "review", "roles": ["child_director"], "level": "detail",
            "basis": "县联席会议纪要〔2026〕3号", **fields}  # fmt: skip


def test_a_grant_to_one_department_gives_its_directors_the_detail_at_once(
    personas, county_security
):
    director = personas.child_director_a
    assert access.disclosure_for(director, purpose="review").granted(ITEM, "review") == "exists"
    civil_a = director.agency
    response = client_for(county_security).post("/grants/", _form(agency=civil_a.pk))
    assert response.status_code == 302
    assert access.disclosure_for(director, purpose="review").granted(ITEM, "review") == "detail"
    grant = Grant.objects.get(agency=civil_a)
    assert grant.created_by == county_security
    entry = AuditEntry.objects.get(action="create", object_type="grant", object_id=str(grant.pk))
    assert entry.detail == {"item": ITEM, "purpose": "review", "level": "detail"}
    page = client_for(county_security).get("/grants/").content.decode()
    assert "宣告失踪、宣告死亡、撤销监护资格判决" in page
    assert "县联席会议纪要〔2026〕3号" in page


def test_revoking_takes_effect_at_once_and_is_audited(personas, province_security):
    director = personas.child_director_a
    [default] = [
        g
        for g in Grant.objects.filter(agency__isnull=True, item_code=ITEM, purpose="review")
        if "child_director" in g.roles
    ]
    response = client_for(province_security).post(f"/grants/{default.pk}/revoke/")
    assert response.status_code == 302
    assert access.disclosure_for(director, purpose="review").granted(ITEM, "review") == "none"
    assert AuditEntry.objects.filter(action="close", object_id=str(default.pk)).count() == 1


def test_a_county_cannot_change_what_every_department_of_a_type_sees(personas, county_security):
    client = client_for(county_security)
    default = Grant.objects.filter(agency__isnull=True).first()
    assert client.post(f"/grants/{default.pk}/revoke/").status_code == 403
    refused = client.post("/grants/", _form(agency="", agency_type="civil_affairs"))
    assert refused.status_code == 403
    assert "省级安全管理员" in refused.content.decode()
    assert Grant.objects.filter(revoked_at__isnull=False).count() == 0
    assert AuditEntry.objects.filter(action="deny", detail__why="type_wide").count() == 2


def test_another_countys_department_is_not_found(personas, county_security, region):
    civil_b = personas.caseworker_b.agency
    response = client_for(county_security).post("/grants/", _form(agency=civil_b.pk))
    assert response.status_code == 404
    assert not Grant.objects.filter(agency=civil_b).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"purpose": "subsidy"}, "没有声明“基本生活补贴发放”这一用途"),
        ({"roles": ["auditor"]}, "请至少选择一个角色"),
        ({"basis": " "}, "请写明授权的依据"),
        ({"valid_until": "2020-01-01"}, "有效期不能早于今天"),
        ({"valid_until": "明年"}, "年-月-日"),
        ({"level": "all"}, "概况或详情"),
    ],
)
def test_a_bad_form_says_what_is_wrong_and_writes_nothing(
    personas, county_security, change, message
):
    before = Grant.objects.count()
    form = _form(agency=personas.child_director_a.agency.pk, **change)
    response = client_for(county_security).post("/grants/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Grant.objects.count() == before


def test_only_the_security_administrator_manages_grants(personas):
    for who in (personas.caseworker_a, personas.leader_city, personas.auditor_city):
        assert client_for(who).post("/grants/", _form()).status_code == 403
