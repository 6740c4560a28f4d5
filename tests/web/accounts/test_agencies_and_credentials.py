"""Departments and the items they provide (narrowed by the administrator, all by default), and API
credentials with an expiry: issued once, listed, revoked, refused when expired."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from shouhu.core.errors import InvalidInput, NotFound
from shouhu.web.accounts.agencies import agency_items
from shouhu.web.accounts.credentials import MAX_VALIDITY_DAYS, credential_create, expiry_day
from shouhu.web.accounts.models import Agency, SystemCredential
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry
from shouhu.web.exchange.items import item_for_agency
from tests.web.accounts.conftest import signed_in

pytestmark = pytest.mark.django_db
CLI = RequestContext(user=None, client_ip="", purpose="administration")


def _court(region) -> Agency:
    return Agency.objects.get(agency_type="court", division=region.county_a)


# ---------------------------------------------------------------- departments


def test_an_agency_is_opened_once_per_type_and_division(admin_client, region):
    form = {"agency_type": "education", "division": "150802", "name": "临河区教育局"}
    assert admin_client.post("/manage/agencies/new/", form).status_code == 302
    again = admin_client.post("/manage/agencies/new/", form)
    assert again.status_code == 400
    assert "已有教育部门" in again.content.decode()
    assert Agency.objects.filter(agency_type="education").count() == 1
    entry = AuditEntry.objects.get(action="create", object_type="agency")
    assert entry.detail == {"agency_type": "education", "division": "150802"}


def test_narrowing_the_items_changes_what_the_department_may_submit(admin_client, region):
    court = _court(region)
    assert [i.code for i in agency_items(court)] == ["court_judgment", "court_criminal_judgment"]
    assert "刑事" in signed_in_clerk(region).get("/submissions/new/").content.decode()
    response = admin_client.post(
        f"/manage/agencies/{court.pk}/", {"name": court.name, "items": ["court_judgment"]}
    )
    assert response.status_code == 302
    court.refresh_from_db()
    assert court.item_codes == ["court_judgment"]
    assert item_for_agency(court, "court_judgment").code == "court_judgment"
    with pytest.raises(NotFound):
        item_for_agency(court, "court_criminal_judgment")
    upload_form = signed_in_clerk(region).get("/submissions/new/").content.decode()
    assert "刑事" not in upload_form
    # every item ticked again means "all", including items the catalog adds later
    admin_client.post(
        f"/manage/agencies/{court.pk}/",
        {"name": court.name, "items": ["court_judgment", "court_criminal_judgment"]},
    )
    court.refresh_from_db()
    assert court.item_codes is None
    assert [e.detail["items"] for e in AuditEntry.objects.filter(object_type="agency")] == [
        ["court_judgment"], "all",
    ]  # fmt: skip


def signed_in_clerk(region):
    from shouhu.web.accounts.models import User

    return signed_in(User.objects.get(username="court_clerk_a"))


def test_no_items_at_all_is_refused(admin_client, region):
    court = _court(region)
    response = admin_client.post(f"/manage/agencies/{court.pk}/", {"name": court.name})
    assert response.status_code == 400
    assert "至少选择一个" in response.content.decode()


def test_an_agency_of_another_county_is_not_found(admin_client, region):
    other = Agency.objects.get(agency_type="civil_affairs", division=region.county_b)
    assert admin_client.get(f"/manage/agencies/{other.pk}/").status_code == 404


# ---------------------------------------------------------------- credentials


def test_a_credential_is_issued_with_an_expiry_and_its_token_shown_once(admin_client, region):
    court = _court(region)
    step = admin_client.get(f"/manage/credentials/new/?agency={court.pk}").content.decode()
    assert "court_judgment" in step  # the items of the chosen department, to tick
    until = timezone.localdate() + timedelta(days=90)
    response = admin_client.post(
        "/manage/credentials/new/",
        {"agency": court.pk, "name": "法院审判系统", "items": ["court_judgment"],
         "expires_on": until.isoformat()},
    )  # fmt: skip
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = re.search(r'data-testid="token">([^<]+)<', response.content.decode()).group(1)
    credential = SystemCredential.objects.get()
    assert timezone.localtime(credential.expires_at).date() == until + timedelta(days=1)
    assert expiry_day(credential.expires_at) == until
    listed = admin_client.get("/manage/credentials/").content.decode()
    assert "法院审判系统" in listed
    assert token not in listed
    assert token not in str(AuditEntry.objects.get(object_type="credential").detail)


def test_the_administrator_issues_and_revokes_a_share_credential_on_the_page(admin_client, region):
    from django.test import Client

    from tests.web import factories as f

    insurance = f.agency("medical_insurance", region.county_a, "临河区医疗保障局")
    step = admin_client.get(f"/manage/credentials/new/?agency={insurance.pk}").content.decode()
    assert "资助参保和医疗救助" in step  # 这个部门有名单授权的用途
    assert "康复救助" not in step  # 没有授权的不列
    form = {
        "agency": insurance.pk,
        "name": "医保信息系统",
        "kind": "shares",
        "items": ["x"],
        "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }
    refused = admin_client.post(
        "/manage/credentials/new/", {**form, "share_purposes": ["rehabilitation"]}
    )
    assert refused.status_code == 400
    assert "没有所选用途的推送名单授权" in refused.content.decode()
    issued = admin_client.post("/manage/credentials/new/",
                               {**form, "share_purposes": ["insurance_enrolment"]})  # fmt: skip
    token = re.search(r'data-testid="token">([^<]+)<', issued.content.decode()).group(1)
    credential = SystemCredential.objects.get()
    assert (credential.item_codes, credential.share_purposes) == ([], ["insurance_enrolment"])
    assert credential.account.agency_id == insurance.pk
    listed = admin_client.get("/manage/credentials/").content.decode()
    assert "推送名单：资助参保和医疗救助" in listed
    assert token not in listed
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/share-lists").status_code == 200
    assert admin_client.post(f"/manage/credentials/{credential.pk}/revoke/",
                             {"confirm": "yes"}).status_code == 302  # fmt: skip
    assert api.get("/api/v1/share-lists").status_code == 401
    kinds = ("create", "close")
    audited = AuditEntry.objects.filter(object_type="credential", action__in=kinds).values_list(
        "action", "detail"
    )
    assert [(a, d.get("share_purposes")) for a, d in audited.order_by("pk")] == [
        ("create", ["insurance_enrolment"]), ("close", None)]  # fmt: skip
    assert token not in str(list(audited))


def test_expired_tokens_are_refused_and_the_refusal_names_the_credential(region, personas):
    from tests.web.api.conftest import Api

    issued = credential_create(ctx=CLI, name="法院审判系统", agency=_court(region),
                               item_codes=["court_judgment"])  # fmt: skip
    api = Api(issued.token)
    assert api.get("/items").status_code == 200
    SystemCredential.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    refused = api.get("/items")
    assert refused.status_code == 401
    assert "已过期" in refused.json()["message"]
    denial = AuditEntry.objects.filter(action="deny", object_type="credential").last()
    assert denial.detail == {"why": "expired"}
    assert denial.object_id == issued.credential.token_prefix


@pytest.mark.parametrize("days", [-1, MAX_VALIDITY_DAYS + 1])
def test_an_expiry_in_the_past_or_beyond_three_years_is_refused(region, personas, days):
    with pytest.raises(InvalidInput):
        credential_create(ctx=CLI, name="x", agency=_court(region), item_codes=["court_judgment"],
                          expires_on=timezone.localdate() + timedelta(days=days))  # fmt: skip


def test_items_narrowed_away_cannot_be_put_on_a_credential(region, personas):
    court = _court(region)
    court.item_codes = ["court_judgment"]
    court.save()
    with pytest.raises(InvalidInput):
        credential_create(ctx=CLI, name="x", agency=court, item_codes=["court_criminal_judgment"])


def test_revoking_needs_the_confirmation_and_ends_the_token(admin_client, region, personas):
    from tests.web.api.conftest import Api

    issued = credential_create(ctx=CLI, name="法院审判系统", agency=_court(region),
                               item_codes=["court_judgment"])  # fmt: skip
    url = f"/manage/credentials/{issued.credential.pk}/revoke/"
    assert admin_client.post(url, {}).status_code == 400
    assert Api(issued.token).get("/items").status_code == 200
    assert admin_client.post(url, {"confirm": "yes"}).status_code == 302
    assert Api(issued.token).get("/items").status_code == 401
    assert "已吊销" in admin_client.get("/manage/credentials/").content.decode()


def test_the_list_shows_whether_a_client_certificate_is_bound(admin_client, region, personas):
    from shouhu.web.accounts.credentials import credential_bind

    issued = credential_create(ctx=CLI, name="民政平台", agency=_court(region),
                               item_codes=["court_judgment"])  # fmt: skip
    assert "未绑定" in admin_client.get("/manage/credentials/").content.decode()
    credential_bind(ctx=CLI, credential=issued.credential, fingerprint="AB:" * 31 + "CD")
    listed = admin_client.get("/manage/credentials/").content.decode()
    assert "已绑定" in listed
    assert "abababababababab" in listed


def test_the_contact_phone_for_chasing_sms_is_set_and_checked(admin_client, region):
    court = _court(region)
    form = {"name": court.name, "items": ["court_judgment", "court_criminal_judgment"]}
    bad = admin_client.post(f"/manage/agencies/{court.pk}/", {**form, "contact_phone": "电话"})
    assert bad.status_code == 400
    assert "联系电话只能由数字组成" in bad.content.decode()
    admin_client.post(f"/manage/agencies/{court.pk}/", {**form, "contact_phone": "13812341234"})
    court.refresh_from_db()
    assert court.contact_phone == "13812341234"
    entry = AuditEntry.objects.filter(object_type="agency").last()
    assert entry.detail["contact_phone_changed"] is True
    assert "13812341234" not in str(entry.detail)
