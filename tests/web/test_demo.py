"""shouhu demo：人口、亲子关系、各类事实、台账和每个角色的用户装进数据库；再建一次不改动。"""

from __future__ import annotations

from collections import Counter

import pytest

from shouhu.web.accounts.models import Agency, AgencyType, User
from shouhu.web.accounts.permissions import Role
from shouhu.web.accounts.signin import signin_second_factor
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.models import Case
from shouhu.web.demo import (
    DEMO_PASSWORD,
    SECOND_COUNTY_PERSONS,
    demo_build,
    demo_code,
    demo_secret,
)
from shouhu.web.exchange.models import Channel, Fact, FactType, Submission
from shouhu.web.registry.models import ParentLink, Person

PERSONS = 2000


@pytest.fixture
def demo(db: None) -> str:
    return demo_build(persons=PERSONS, seed=11, echo=lambda _: None)


def _counts() -> dict[str, int]:
    models = (Person, ParentLink, Fact, Submission, Case, User, Agency, AuditEntry)
    return {m.__name__: m.objects.count() for m in models}


def test_demo_loads_persons_with_parents_in_both_counties(demo: str) -> None:
    assert Person.objects.filter(division__path__contains="/150802/").count() == PERSONS
    assert Person.objects.filter(division_id="150821").count() == SECOND_COUNTY_PERSONS
    link = ParentLink.objects.select_related("child", "parent").first()
    assert link is not None
    assert link.parent.birth_date < link.child.birth_date
    assert not Person.objects.filter(division__path__contains="/150802/", division__level="county")


def test_demo_has_facts_of_every_type_with_provenance(demo: str) -> None:
    types = Counter(Fact.objects.values_list("type", flat=True))
    assert set(types) == set(FactType.values)
    facts = Fact.objects.select_related("submission", "agency")
    assert all(f.submission.channel == Channel.DEMO for f in facts)
    assert all(f.submission.agency_id == f.agency_id for f in facts)
    linked = facts.filter(person__isnull=False).count()
    assert linked >= 0.95 * facts.count()
    court = Fact.objects.filter(type="declared_dead").select_related("agency").first()
    assert court.agency.agency_type == "court"
    assert court.source_record_id
    assert len(court.record_sha256) == 64


def test_demo_register_has_active_and_closed_cases(demo: str) -> None:
    status = Counter(Case.objects.values_list("status", "category"))
    assert status[("active", "orphan")] >= 3
    assert status[("active", "de_facto_unsupported")] >= 10
    closed = Case.objects.filter(status="closed").first()
    assert closed is not None
    assert closed.close_reason


def test_demo_has_one_user_per_role_and_a_second_county_caseworker(demo: str) -> None:
    users = User.objects.select_related("agency", "division")
    assert {u.role for u in users} == set(Role.values)
    assert all(u.check_password(DEMO_PASSWORD) for u in users)
    by_name = {u.username: u for u in users}
    assert by_name["demo_submitter"].agency.agency_type == "court"
    assert by_name["demo_director"].division.level == "village"
    assert by_name["demo_supervisor"].division.level == "township"
    assert by_name["demo_department"].agency.agency_type == "medical_insurance"
    assert by_name["demo_admin"].agency.agency_type == "big_data_center"
    assert by_name["demo_leader"].division_id == "150800"
    assert by_name["demo_caseworker_wuyuan"].division_id == "150821"
    county_agencies = set(
        Agency.objects.filter(division_id="150802").values_list("agency_type", flat=True)
    )
    assert county_agencies == set(AgencyType.values)
    for username in by_name:
        assert username in demo
    assert "http://127.0.0.1:8000/" in demo
    assert DEMO_PASSWORD in demo
    # the demo logins that need a second factor: enrolled, secret printed, code from the command
    caseworker = by_name["demo_caseworker"]
    assert demo_secret("demo_caseworker") in demo
    assert "shouhu demo --code demo_caseworker" in demo
    ctx = RequestContext(user=None, client_ip="127.0.0.1", purpose="authentication")
    code = demo_code("demo_caseworker")
    assert signin_second_factor(ctx=ctx, user=caseworker, code=code).user == caseworker
    assert demo_secret("demo_director") not in demo


def test_second_build_changes_nothing(demo: str) -> None:
    before = _counts()
    again = demo_build(persons=PERSONS, seed=11, echo=lambda _: None)
    assert _counts() == before
    assert again == demo


def test_build_with_other_parameters_refuses_to_mix(demo: str) -> None:
    before = _counts()
    message = demo_build(persons=PERSONS + 1, seed=11, echo=lambda _: None)
    assert _counts() == before
    assert "SHOUHU_DATA_DIR" in message
