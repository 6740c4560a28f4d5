"""The access layer: division subtree and role, the same answer for 'missing' and 'not yours'."""

from __future__ import annotations

import pytest

from shouhu.core.errors import NotFound, PermissionDenied
from shouhu.web import access
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry
from tests.web import factories as f

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
