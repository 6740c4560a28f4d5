"""The child page: what it shows, to whom, and the audit it leaves."""

from __future__ import annotations

import pytest

from shouhu.core.identity import mask_id_number
from shouhu.web.audit.models import AuditEntry
from tests.web import factories as f
from tests.web.factories import CLIENT_IP, client_for

pytestmark = pytest.mark.django_db
MISSING_ID = 10**9


def url(pk: int) -> str:
    return f"/persons/{pk}/"


def test_caseworker_sees_the_child_with_parents_case_and_timeline(personas, family_a):
    page = client_for(personas.caseworker_a).get(url(family_a.child.pk)).content.decode()
    assert family_a.child.name in page
    assert family_a.child.id_number in page
    assert f'href="{url(family_a.father.pk)}"' in page
    assert family_a.father.name in page
    assert f'href="{url(family_a.mother.pk)}"' in page
    assert "事实无人抚养儿童" in page
    assert "保障中" in page
    assert "内蒙古自治区 · 巴彦淖尔市 · 临河区 · 城关镇 · 示范村" in page


def test_timeline_shows_each_fact_with_its_provenance(personas, family_a):
    detail = f"{url(family_a.child.pk)}?purpose=determination"
    page = client_for(personas.caseworker_a).get(detail).content.decode()
    # the father's imprisonment, from the court, on the child's page
    assert "服刑在押" in page
    assert "2024年5月1日至2031年4月30日" in page
    assert "临河区人民法院" in page
    assert "判处刑罚的刑事判决（有未成年子女的） · 2025年3月 · 网页上传" in page
    assert family_a.imprisoned.source_record_id in page
    assert "2025年3月5日 10:30" in page  # 02:30 UTC shown in Asia/Shanghai
    assert "身份证号精确（置信度 100）" in page


def test_a_corrected_fact_shows_the_current_version_with_older_ones_collapsed(personas, family_a):
    page = client_for(personas.caseworker_a).get(url(family_a.child.pk)).content.decode()
    current, older = page.split('<details class="tl-older">', 1)
    assert "初中" in current
    assert "小学" not in current
    assert "此前 1 个版本（已被更正）" in older
    assert "小学" in older.split("</details>", 1)[0]


def test_another_county_gets_the_same_404_as_a_child_that_does_not_exist(personas, family_a):
    client = client_for(personas.caseworker_b)
    foreign = client.get(url(family_a.child.pk))
    missing = client.get(url(MISSING_ID))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert family_a.child.name.encode() not in foreign.content


def test_denied_attempts_are_in_the_audit_log(personas, family_a):
    client = client_for(personas.caseworker_b)
    client.get(url(family_a.child.pk))
    client.get(url(MISSING_ID))
    denied = AuditEntry.objects.filter(action="deny", actor_id=personas.caseworker_b.pk)
    assert {(e.object_type, e.object_id, e.detail["why"]) for e in denied} == {
        ("person", str(family_a.child.pk), "out_of_scope"),
        ("person", str(MISSING_ID), "not_found"),
    }
    assert {e.client_ip for e in denied} == {CLIENT_IP}
    assert not AuditEntry.objects.filter(action="view", actor_id=personas.caseworker_b.pk).exists()


@pytest.mark.parametrize("who", ["court_clerk_a", "leader_city", "auditor_city"])
def test_roles_without_case_work_get_404_for_a_child_of_their_own_area(personas, family_a, who):
    client = client_for(getattr(personas, who))
    denied = client.get(url(family_a.child.pk))
    assert denied.status_code == 404
    assert denied.content == client.get(url(MISSING_ID)).content
    assert AuditEntry.objects.filter(
        action="deny", actor_id=getattr(personas, who).pk, object_id=str(family_a.child.pk)
    ).exists()


@pytest.mark.parametrize(
    ("who", "where", "status"),
    [
        ("caseworker_a", "village_a", 200),
        ("caseworker_a", "village_b", 404),
        ("caseworker_b", "village_b", 200),
        ("caseworker_b", "village_a", 404),
        ("child_director_a", "village_a", 200),
        ("child_director_a", "other_village_a", 404),
        ("child_director_a", "village_b", 404),
        ("court_clerk_a", "village_a", 404),
        ("leader_city", "village_a", 404),
        ("auditor_city", "village_b", 404),
    ],
)
def test_person_page_allow_and_deny_matrix(personas, region, who, where, status):
    divisions = {
        "village_a": region.village_a,
        "village_b": region.village_b,
        "other_village_a": f.division("150802100202", "另一村", region.township_a),
    }
    person = f.person(divisions[where], name="周小雨")
    response = client_for(getattr(personas, who)).get(url(person.pk))
    assert response.status_code == status
    assert (person.name in response.content.decode()) is (status == 200)


def test_ids_are_masked_for_the_child_director_and_whole_for_the_caseworker(personas, family_a):
    director = client_for(personas.child_director_a).get(url(family_a.child.pk)).content.decode()
    caseworker = client_for(personas.caseworker_a).get(url(family_a.child.pk)).content.decode()
    for person in (family_a.child, family_a.father, family_a.mother):
        assert person.id_number not in director
        assert mask_id_number(person.id_number) in director
        assert person.id_number in caseworker
    assert "********" not in caseworker


def test_a_view_writes_exactly_one_view_entry_with_purpose_and_client_address(personas, family_a):
    client = client_for(personas.caseworker_a)
    before = AuditEntry.objects.count()  # the fixture's uploads are audited too
    client.get(url(family_a.child.pk))
    entry = AuditEntry.objects.get(action="view")
    assert (entry.object_type, entry.object_id) == ("person", str(family_a.child.pk))
    assert (entry.purpose, entry.client_ip) == ("case_work", CLIENT_IP)
    assert (entry.actor_username, entry.role, entry.agency, entry.division_code) == (
        "caseworker_a",
        "caseworker",
        "临河区民政局",
        "150802",
    )
    assert AuditEntry.objects.count() == before + 1


def test_a_parent_outside_the_users_area_is_shown_without_name_or_link(personas, region):
    child = f.person(region.village_a, name="吴小花")
    mother = f.person(region.village_b, name="郑美兰", gender="F")
    child.parent_links.create(parent=mother, relation="mother")
    page = client_for(personas.caseworker_a).get(url(child.pk)).content.decode()
    assert "母亲" in page
    assert "不在您的辖区内" in page
    assert mother.name not in page
    assert mother.id_number not in page
    assert url(mother.pk) not in page


def test_a_parents_page_links_to_their_children(personas, family_a):
    page = client_for(personas.caseworker_a).get(url(family_a.father.pk)).content.decode()
    assert "子女" in page
    assert f'href="{url(family_a.child.pk)}"' in page


def test_signed_out_visitors_are_sent_to_login_and_see_nothing(client, family_a):
    response = client.get(url(family_a.child.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_an_id_beyond_the_database_integer_range_gets_the_same_404(personas, family_a):
    client = client_for(personas.caseworker_b)
    huge = client.get("/persons/99999999999999999999999/")
    assert huge.status_code == 404
    assert huge.content == client.get(url(MISSING_ID)).content
