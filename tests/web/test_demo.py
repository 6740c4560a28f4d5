"""shouhu demo：人口、亲子关系、各类事实、台账和每个角色的用户装进数据库；再建一次不改动。
最后做一次比对：演示的县级民政一登录就有比对发现，而且正是合成区域的真实结论（平台导出给
引擎的数据没有丢东西）。演示区域整个模块只建一次（建一次要几秒）。"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import timezone

from shouhu.engine.synth import synth_region
from shouhu.web.accounts.models import Agency, AgencyType, RosterMember, User
from shouhu.web.accounts.permissions import Role
from shouhu.web.accounts.signin import signin_second_factor
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.models import Case
from shouhu.web.comparison.models import ComparisonRun, Finding
from shouhu.web.demo import (
    COUNTY,
    DEMO_PASSWORD,
    SECOND_COUNTY_PERSONS,
    demo_build,
    demo_code,
    demo_secret,
)
from shouhu.web.exchange.models import Channel, Fact, FactType, Submission
from shouhu.web.registry.models import ParentLink, Person
from tests.web.conftest import built_for_module
from tests.web.factories import client_for

PERSONS, SEED = 2000, 11
pytestmark = pytest.mark.xdist_group("demo")


@pytest.fixture(scope="module")
def _built(django_db_setup: None, django_db_blocker: object) -> Iterator[str]:
    with built_for_module(django_db_blocker):
        yield demo_build(persons=PERSONS, seed=SEED, echo=lambda _: None)


@pytest.fixture
def demo(_built: str, db: None) -> str:
    return _built


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
    assert (by_name["demo_province"].division_id, by_name["demo_province"].agency.name) == (
        "150000", "内蒙古自治区民政厅",
    )  # fmt: skip
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


def test_demo_roster_has_the_directors_and_supervisor_some_without_accounts(demo: str) -> None:
    roster = RosterMember.objects.select_related("user", "division")
    linked = {m.user.username for m in roster if m.user is not None}
    assert linked == {"demo_director", "demo_supervisor"}
    directors = [m for m in roster if m.duty == Role.CHILD_DIRECTOR]
    assert len(directors) > 1
    assert all(m.division.level == "village" and m.phone for m in directors)
    supervisor = User.objects.get(username="demo_supervisor")
    assert all(m.division.parent_id == supervisor.division_id for m in directors)


def test_second_build_changes_nothing(demo: str) -> None:
    before = _counts()
    again = demo_build(persons=PERSONS, seed=SEED, echo=lambda _: None)
    assert _counts() == before
    assert again == demo


def test_build_with_other_parameters_refuses_to_mix(demo: str) -> None:
    before = _counts()
    message = demo_build(persons=PERSONS + 1, seed=SEED, echo=lambda _: None)
    assert _counts() == before
    assert "SHOUHU_DATA_DIR" in message


def _truth() -> set[tuple[str, str]]:
    region = synth_region(
        persons=PERSONS, seed=SEED, division_codes=[COUNTY], as_of=timezone.localdate()
    )
    return {
        (row["kind"], row["child_id_number"] or row["record_ids"])
        for row in region.truth_findings.to_pylist()
    }


def _found(run: ComparisonRun) -> set[tuple[str, str]]:
    found = set()
    for finding in Finding.objects.filter(run=run).select_related("person"):
        if finding.person is not None:
            found.add((finding.kind, finding.person.id_number))
        else:
            records = Fact.objects.filter(pk__in=finding.fact_ids).values_list(
                "source_record_id", flat=True
            )
            found.add((finding.kind, ";".join(sorted(records))))
    return found


def test_the_demo_run_finds_the_true_findings(demo: str) -> None:
    run = ComparisonRun.objects.get(division_id=COUNTY)
    assert run.status == "done"
    assert _found(run) == _truth()


def test_the_demo_caseworker_sees_findings_and_a_second_build_runs_nothing_again(demo) -> None:
    run = ComparisonRun.objects.get(division_id=COUNTY)
    page = client_for(User.objects.get(username="demo_caseworker")).get(
        reverse("comparison_findings")
    )
    assert page.content.decode().count("data-finding=") == min(
        25, Finding.objects.filter(run=run).count()
    )
    demo_build(persons=PERSONS, seed=SEED, echo=lambda _: None)
    assert ComparisonRun.objects.count() == 1


def test_the_demo_department_lands_on_a_medical_insurance_list_half_answered(demo: str) -> None:
    from shouhu.web.shares.models import ShareFeedback, ShareList
    from shouhu.web.todo import todo_for
    from shouhu.web.ui.context import landing_url_name

    department = User.objects.get(username="demo_department")
    assert landing_url_name(department) == "share_home"
    share_list = ShareList.objects.get(agency=department.agency)
    answered = ShareFeedback.objects.filter(entry__share_list=share_list).count()
    assert 0 < answered < share_list.entry_count
    assert "推送名单待反馈" in [item.label for item in todo_for(department)]
    page = client_for(department).get(reverse("share_home")).content.decode()
    assert f"{answered} / {share_list.entry_count}" in page
    assert "逐人反馈" in page
