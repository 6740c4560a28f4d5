"""Each outbound purpose lists only the children it concerns (web/shares/scopes.py), and a child
who stops qualifying is listed as 停止 on the department's next list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from shouhu.core.catalog import catalog_load
from shouhu.web.cases.models import Case, CaseStatus
from shouhu.web.shares.scopes import ALL_CHILDREN, SCOPE_NOTES, cases_for_purpose, scope_note
from shouhu.web.shares.services import share_list_publish
from tests.web import factories as f
from tests.web.shares.conftest import ctx_for

pytestmark = pytest.mark.django_db


def _names(cases) -> set[str]:  # type: ignore[no-untyped-def]
    return {c.child.name for c in cases.select_related("child")}


def test_every_share_purpose_has_one_stated_rule() -> None:
    shares = {code for code, p in catalog_load().purposes.items() if p.kind == "share"}
    assert set(SCOPE_NOTES) == shares
    for purpose in ("insurance_enrolment", "funding", "care_services"):
        assert scope_note(purpose) == ALL_CHILDREN
    with pytest.raises(KeyError):  # a purpose without a rule never defaults to every child
        cases_for_purpose(Case.objects.none(), "statistics", date(2026, 1, 1))


def test_each_purpose_chooses_its_children(personas, region, shares) -> None:
    today = timezone.localdate()
    federation = f.agency("disabled_federation", region.county_a, "临河区残联")
    education = f.agency("education", region.county_a, "临河区教育局")
    first, second, third, fourth = (c.child for c in shares.cases)
    f.fact(first, federation, "severe_disability", level="1", valid_until=today)
    f.fact(second, federation, "severe_disability", level="1", valid_until=today - timedelta(1))
    f.fact(third, federation, "severe_disability", level="2", start=today + timedelta(1))
    second.registry_status = "not_local"  # no record in the local household registry
    second.save(update_fields=["registry_status"])
    third.birth_date = date(today.year - 3, 1, 1)  # not yet of school age
    third.save(update_fields=["birth_date"])
    fourth.birth_date = date(today.year - 5, 1, 1)  # under 6 but already in school
    fourth.save(update_fields=["birth_date"])
    f.fact(fourth, education, "in_school", level="preschool", start=today - timedelta(30))
    active = Case.objects.filter(
        division__path__startswith=region.county_a.path, status=CaseStatus.ACTIVE
    )
    # only the child whose certificate is valid today (expired and not-yet-issued ones are not)
    assert _names(cases_for_purpose(active, "rehabilitation", today)) == {first.name}
    assert _names(cases_for_purpose(active, "registry_check", today)) == {second.name}
    assert _names(cases_for_purpose(active, "education_aid", today)) == {
        first.name, second.name, fourth.name
    }  # fmt: skip
    everyone = {c.child.name for c in shares.cases}
    for purpose in ("insurance_enrolment", "funding", "care_services"):
        assert _names(cases_for_purpose(active, purpose, today)) == everyone


def test_a_child_who_stops_qualifying_is_stopped_on_the_next_list(personas, region, shares):
    federation = f.agency("disabled_federation", region.county_a, "临河区残联")
    child = shares.cases[0].child
    disability = f.fact(child, federation, "severe_disability", level="1")
    ctx = ctx_for(personas.caseworker_a, "rehabilitation")
    first = share_list_publish(ctx=ctx, division=region.county_a, agency=federation,
                               purpose="rehabilitation")  # fmt: skip
    assert [e.child_id for e in first.entries.all()] == [child.pk]  # only the disabled child
    civil = f.client_for(personas.caseworker_a)
    page = civil.get(f"/shares/{first.pk}/").content.decode()
    assert f"这一用途列的是：{SCOPE_NOTES['rehabilitation']}" in page
    assert f"康复救助：{SCOPE_NOTES['rehabilitation']}" in civil.get("/shares/").content.decode()
    disability.is_current = False  # the certificate was withdrawn
    disability.save(update_fields=["is_current"])
    second = share_list_publish(ctx=ctx, division=region.county_a, agency=federation,
                                purpose="rehabilitation")  # fmt: skip
    assert [(e.child_id, e.change) for e in second.entries.all()] == [(child.pk, "exit")]
    assert (second.full, second.enrol_count, second.exit_count) == (False, 0, 1)
    # the all-children list of the same county is unchanged by it
    insurance = share_list_publish(
        ctx=ctx_for(personas.caseworker_a), division=region.county_a,
        agency=shares.insurance_a, purpose="insurance_enrolment",
    )  # fmt: skip
    assert insurance.enrol_count == len(shares.cases)


def test_a_child_registered_at_last_is_stopped_on_the_registry_list(personas, region, shares):
    police = f.agency("public_security", region.county_a, "临河区公安局")
    child = shares.cases[1].child
    child.registry_status = "absent"
    child.save(update_fields=["registry_status"])
    ctx = ctx_for(personas.caseworker_a, "registry_check")
    first = share_list_publish(ctx=ctx, division=region.county_a, agency=police,
                               purpose="registry_check")  # fmt: skip
    assert [e.child_id for e in first.entries.all()] == [child.pk]
    child.registry_status = "registered"  # 已落户
    child.save(update_fields=["registry_status"])
    second = share_list_publish(ctx=ctx, division=region.county_a, agency=police,
                                purpose="registry_check")  # fmt: skip
    assert [(e.child_id, e.change) for e in second.entries.all()] == [(child.pk, "exit")]
