"""The access layer: division subtree and role, the same answer for 'missing' and 'not yours'."""

from __future__ import annotations

from datetime import date

import pytest

from shouhu.core.errors import NotFound, PermissionDenied
from shouhu.web import access
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry
from tests.web import factories as f
from tests.web.factories import client_for

pytestmark = pytest.mark.django_db


def ctx(user) -> RequestContext:
    return RequestContext(user=user, client_ip="10.9.9.9", purpose="case_work")


@pytest.fixture
def children(region):
    child_a, father_a, _ = f.family(region.village_a)
    child_b, _, _ = f.family(region.village_b, child_name="赵小红")
    return child_a, child_b, father_a


def test_caseworker_reads_a_child_of_their_county(personas, children):
    child_a, _, _ = children
    assert access.access_person(ctx(personas.caseworker_a), child_a.pk) == child_a


def test_other_county_gets_the_same_error_as_a_missing_child_and_is_audited(personas, children):
    child_a, _, _ = children
    with pytest.raises(NotFound) as foreign:
        access.access_person(ctx(personas.caseworker_b), child_a.pk)
    with pytest.raises(NotFound) as missing:
        access.access_person(ctx(personas.caseworker_b), 10**9)
    assert foreign.value.message == missing.value.message
    denied = AuditEntry.objects.filter(action="deny", actor_id=personas.caseworker_b.pk)
    assert denied.count() == 2
    assert {e.detail["why"] for e in denied} == {"out_of_scope", "not_found"}


@pytest.mark.parametrize("who", ["court_clerk_a", "leader_city", "auditor_city"])
def test_roles_without_case_work_cannot_read_children(personas, children, who):
    with pytest.raises(NotFound):
        access.access_person(ctx(getattr(personas, who)), children[0].pk)
    assert not access.persons_visible_to(getattr(personas, who)).exists()


def test_child_director_sees_only_their_village(personas, children, region):
    child_a, child_b, _ = children
    other_village = f.division("150802100202", "另一村", region.township_a)
    neighbour = f.person(other_village, name="孙小丽")
    visible = set(access.persons_visible_to(personas.child_director_a))
    assert child_a in visible
    assert neighbour not in visible
    assert child_b not in visible


def test_child_director_sees_served_children_and_their_parents_not_the_population(
    personas, children, region
):
    """数据最小化（issue 11 第4项）：儿童主任看得到村里的未成年人、有个案的人和这些儿童的父母，
    看不到村里别的成年人；民政经办看得到辖区全体居民。"""
    child_a, _, father_a = children
    neighbour = f.person(region.village_a, name="钱大伯", birth=date(1960, 1, 1))
    young_adult = f.person(region.village_a, name="孙大成", birth=date(2006, 5, 5))
    f.case(young_adult)  # 年满18周岁、仍有个案（在校就读延续保障等）
    director = access.persons_visible_to(personas.child_director_a)
    assert {child_a, father_a, young_adult} <= set(director)
    assert neighbour not in set(director)
    with pytest.raises(NotFound):
        access.access_person(ctx(personas.child_director_a), neighbour.pk)
    assert neighbour in set(access.persons_visible_to(personas.caseworker_a))


def test_searches_past_the_limit_are_refused_in_chinese_and_audited(personas):
    client = client_for(personas.caseworker_a)
    per_minute = access.SEARCH_LIMITS[0][1]
    for _ in range(per_minute):
        assert client.post("/persons/", {"q": "王"}).status_code == 200
    refused = client.post("/persons/", {"q": "王"})
    assert refused.status_code == 429
    assert "每分钟最多查询" in refused.content.decode()
    searches = AuditEntry.objects.filter(actor_id=personas.caseworker_a.pk, action="search")
    assert searches.count() == per_minute
    assert AuditEntry.objects.filter(action="deny", detail__why="search_limit").count() == 1


def test_finding_list_pages_past_the_limit_are_refused(personas):
    from shouhu.web.access import findings

    client = client_for(personas.caseworker_a)
    limit = findings.FINDING_LIST_LIMITS[0][1]
    for _ in range(limit):
        assert client.get("/comparison/findings/").status_code == 200
    refused = client.get("/comparison/findings/")
    assert refused.status_code == 429
    assert "每分钟最多翻页" in refused.content.decode()


def test_each_search_records_which_persons_it_showed(personas, children):
    client_for(personas.caseworker_a).post("/persons/", {"q": "王小明"})
    entry = AuditEntry.objects.get(actor_id=personas.caseworker_a.pk, action="search")
    assert entry.detail["shown"] == [children[0].pk]


def test_city_scope_covers_both_counties_for_case_readers(region, children):
    city_worker = f.user("city_worker", "caseworker", region.city)
    visible = set(access.persons_visible_to(city_worker))
    assert {children[0], children[1]} <= visible


def test_cases_follow_the_same_scope_and_writes_need_the_caseworker_role(personas, children):
    case = f.case(children[0])
    assert access.access_case(ctx(personas.caseworker_a), case.pk, for_write=True) == case
    with pytest.raises(NotFound):
        access.access_case(ctx(personas.caseworker_b), case.pk)
    with pytest.raises(PermissionDenied):
        access.access_case(ctx(personas.child_director_a), case.pk, for_write=True)


def test_only_caseworkers_see_id_numbers(personas):
    assert access.may_see_id_numbers(personas.caseworker_a)
    assert not access.may_see_id_numbers(personas.child_director_a)
    assert not access.may_see_id_numbers(personas.leader_city)


def test_garbage_ids_are_not_found_not_errors(personas):
    with pytest.raises(NotFound):
        access.access_person(ctx(personas.caseworker_a), "1 OR 1=1")
