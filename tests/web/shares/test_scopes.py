"""Each outbound purpose lists only the children it concerns (web/shares/scopes.py), and a child
who stops qualifying is listed as 停止 on the department's next list."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from shouhu.web.cases.models import Case, CaseStatus
from shouhu.web.shares.scopes import cases_for_purpose, scope_note
from shouhu.web.shares.services import share_list_publish
from tests.web import factories as f
from tests.web.shares.conftest import ctx_for


def _names(cases) -> set[str]:  # type: ignore[no-untyped-def]
    return {c.child.name for c in cases.select_related("child")}


def test_each_purpose_chooses_its_children(personas, region, shares) -> None:
    federation = f.agency("disabled_federation", region.county_a, "临河区残联")
    first, second, third, _fourth = (c.child for c in shares.cases)
    f.fact(first, federation, "severe_disability", level="1")
    second.registry_status = "absent"
    second.save(update_fields=["registry_status"])
    third.birth_date = date(timezone.localdate().year - 3, 1, 1)  # not yet of school age
    third.save(update_fields=["birth_date"])
    in_county = Case.objects.filter(division__path__startswith=region.county_a.path)
    active = in_county.filter(status=CaseStatus.ACTIVE)
    today = timezone.localdate()
    assert _names(cases_for_purpose(active, "rehabilitation", today)) == {first.name}
    assert _names(cases_for_purpose(active, "registry_check", today)) == {second.name}
    assert third.name not in _names(cases_for_purpose(active, "education_aid", today))
    assert _names(cases_for_purpose(active, "insurance_enrolment", today)) == {
        c.child.name for c in shares.cases
    }
    assert scope_note("rehabilitation") == "有重度残疾记录（残疾证）的在保儿童"


def test_a_child_who_stops_qualifying_is_stopped_on_the_next_list(personas, region, shares):
    federation = f.agency("disabled_federation", region.county_a, "临河区残联")
    child = shares.cases[0].child
    disability = f.fact(child, federation, "severe_disability", level="1")
    ctx = ctx_for(personas.caseworker_a, "rehabilitation")
    first = share_list_publish(ctx=ctx, division=region.county_a, agency=federation,
                               purpose="rehabilitation")  # fmt: skip
    assert [e.child_id for e in first.entries.all()] == [child.pk]
    disability.is_current = False  # the certificate was withdrawn
    disability.save(update_fields=["is_current"])
    second = share_list_publish(ctx=ctx, division=region.county_a, agency=federation,
                                purpose="rehabilitation")  # fmt: skip
    assert [(e.child_id, e.change) for e in second.entries.all()] == [(child.pk, "exit")]
