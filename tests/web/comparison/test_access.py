"""Who may see and act on findings and runs: the caseworkers of the subtree; the same answer for
'missing' and 'not yours'; every refusal audited."""

from __future__ import annotations

import pytest

from shouhu.core.errors import NotFound, PermissionDenied
from shouhu.web import access
from shouhu.web.audit.models import AuditEntry
from tests.web import factories as f
from tests.web.comparison.conftest import ctx_for

pytestmark = pytest.mark.django_db

NOT_READERS = ["court_clerk_a", "child_director_a", "leader_city", "auditor_city"]


def test_caseworker_reads_and_may_act_on_a_finding_of_their_county(personas, made):
    ctx = ctx_for(personas.caseworker_a)
    assert access.access_finding(ctx, made.enrol.pk) == made.enrol
    assert access.access_finding(ctx, made.unlinked.pk, for_write=True) == made.unlinked


def test_other_county_gets_the_same_error_as_a_missing_finding_and_is_audited(personas, made):
    ctx = ctx_for(personas.caseworker_b)
    with pytest.raises(NotFound) as foreign:
        access.access_finding(ctx, made.enrol.pk, for_write=True)
    with pytest.raises(NotFound) as missing:
        access.access_finding(ctx, 10**9)
    with pytest.raises(NotFound) as garbage:
        access.access_finding(ctx, "abc")
    assert foreign.value.message == missing.value.message == garbage.value.message
    denied = AuditEntry.objects.filter(
        action="deny", actor_id=personas.caseworker_b.pk, object_type="finding"
    )
    assert sorted(e.detail["why"] for e in denied) == ["not_found", "not_found", "out_of_scope"]


@pytest.mark.parametrize("who", NOT_READERS)
def test_roles_that_do_not_work_the_queue_get_not_found(personas, made, who):
    user = getattr(personas, who)
    with pytest.raises(NotFound):
        access.access_finding(ctx_for(user), made.enrol.pk)
    assert not access.findings_visible_to(user).exists()
    with pytest.raises(PermissionDenied):
        access.access_findings_queue(ctx_for(user))
    assert AuditEntry.objects.filter(action="deny", actor_id=user.pk).count() == 2


def test_administrator_starts_runs_but_reads_no_findings(administrator_a, made):
    assert not access.findings_visible_to(administrator_a).exists()
    assert set(access.runs_visible_to(administrator_a)) == {made.run_a}
    with pytest.raises(NotFound):
        access.access_finding(ctx_for(administrator_a), made.enrol.pk)


def test_findings_follow_the_subtree(personas, made, region):
    a = set(access.findings_visible_to(personas.caseworker_a))
    assert a == {made.enrol, made.exit, made.change, made.review, made.unlinked}
    assert set(access.findings_visible_to(personas.caseworker_b)) == {made.in_b}
    city = f.user("city_caseworker", "caseworker", region.city)
    assert len(set(access.findings_visible_to(city))) == 6
    township = f.user("township_caseworker", "caseworker", region.township_a)
    # the unlinked record belongs to the run's division (the county), not to the township
    assert made.unlinked not in set(access.findings_visible_to(township))
    assert made.enrol in set(access.findings_visible_to(township))


def test_runs_are_visible_in_the_subtree_only(personas, made):
    ctx = ctx_for(personas.caseworker_a)
    assert access.access_run(ctx, made.run_a.pk) == made.run_a
    with pytest.raises(NotFound) as foreign:
        access.access_run(ctx, made.run_b.pk)
    with pytest.raises(NotFound) as missing:
        access.access_run(ctx, 10**9)
    assert foreign.value.message == missing.value.message


@pytest.mark.parametrize("who", NOT_READERS)
def test_roles_that_do_not_compare_see_no_runs(personas, made, who):
    user = getattr(personas, who)
    assert not access.runs_visible_to(user).exists()
    with pytest.raises(NotFound):
        access.access_run(ctx_for(user), made.run_a.pk)
    with pytest.raises(PermissionDenied):
        access.access_run_list(ctx_for(user))


def test_a_run_may_cover_the_users_division_or_one_below_it(personas, region, administrator_a):
    ctx = ctx_for(personas.caseworker_a)
    assert access.access_run_start(ctx, region.county_a.code) == region.county_a
    assert access.access_run_start(ctx, region.township_a.code) == region.township_a
    assert access.access_run_start(ctx_for(administrator_a), "150802") == region.county_a
    with pytest.raises(NotFound) as foreign:
        access.access_run_start(ctx, region.county_b.code)
    with pytest.raises(NotFound) as above:
        access.access_run_start(ctx, region.city.code)
    with pytest.raises(NotFound) as missing:
        access.access_run_start(ctx, "999999")
    assert foreign.value.message == above.value.message == missing.value.message
    assert AuditEntry.objects.filter(action="deny", actor_id=personas.caseworker_a.pk).count() == 3


@pytest.mark.parametrize("who", NOT_READERS)
def test_roles_that_do_not_compare_cannot_start_a_run(personas, region, who):
    user = getattr(personas, who)
    with pytest.raises(PermissionDenied):
        access.access_run_start(ctx_for(user), user.division_id)
    assert AuditEntry.objects.filter(action="deny", actor_id=user.pk).exists()
