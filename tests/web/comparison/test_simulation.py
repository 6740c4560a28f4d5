"""Rule-change simulation (issue 13 item 7): a proposed parameter set against a past run's snapshot.

One engine run pair in the whole file (the job test); the rest needs no engine."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shouhu.core.errors import InvalidInput
from shouhu.core.policy.variant import InvalidVariant
from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.models import Case
from shouhu.web.comparison.models import (
    ComparisonRun,
    Finding,
    RuleSimulation,
    SimulationChild,
    SimulationCounty,
)
from shouhu.web.comparison.simulations import rule_simulation_start
from shouhu.web.jobs.models import Job
from shouhu.web.jobs.worker import job_run_next
from shouhu.web.registry.models import ParentLink, Person
from tests.web import factories as f
from tests.web.comparison.conftest import done_run, finding, sent_fact
from tests.web.conftest import Personas, Region
from tests.web.factories import CLIENT_IP, client_for
from tests.web.pages import visible_text

pytestmark = pytest.mark.django_db

SCHOOL_TO_22 = {"past_18_in_school.supported": "是", "past_18_in_school.until_age": "22"}


def ctx_for(user):
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.audit.models import Purpose

    return RequestContext(user=user, client_ip=CLIENT_IP, purpose=Purpose.STATISTICS)


@dataclass
class County:
    student: Person  # 20 岁，本科在读，父母双亡，无个案：现行不符合，延续到22周岁则符合
    orphan: Person  # 14 岁，父母双亡，无个案：两套参数下都应纳未纳
    grown: Person  # 已满18周岁、不在校，在保：两套参数下都应退未退
    run: ComparisonRun


def _parents_deceased(child: Person, agency) -> None:
    for relation, birth, gender in (
        ("father", date(1980, 1, 2), "M"),
        ("mother", date(1982, 4, 5), "F"),
    ):
        parent = f.person(child.division, name="王某", birth=birth, gender=gender)
        ParentLink.objects.create(child=child, parent=parent, relation=relation)
        sent_fact(parent, agency, "deceased", date=date(2023, 8, 9))


@pytest.fixture
def county(region: Region, personas: Personas) -> County:
    police = f.agency("public_security", region.county_a, "临河区公安分局")
    education = f.agency("education", region.county_a, "临河区教育局")
    student = f.person(region.village_a, name="赵在读", birth=date(2006, 3, 1))
    _parents_deceased(student, police)
    sent_fact(student, education, "in_school", level="undergraduate", start=date(2024, 9, 1))
    orphan = f.person(region.village_a, name="王小雨", birth=date(2012, 3, 4))
    _parents_deceased(orphan, police)
    grown = f.person(region.village_a, name="李长大", birth=date(2008, 5, 1))
    f.case(grown)
    return County(student, orphan, grown, done_run(region.county_a, personas.caseworker_a))


def test_raising_the_school_age_limit_makes_the_student_newly_eligible_and_nothing_else(
    personas, region, county
):
    finding(county.run, "exit", county.grown, decision="not_eligible", codes=["aged_out"])
    cases_before = list(Case.objects.values_list("pk", "status", "category"))
    findings_before = list(Finding.objects.values_list("pk", "status", "kind"))
    sim = rule_simulation_start(
        ctx=ctx_for(personas.caseworker_a),
        run=county.run,
        name="在校延续到22周岁",
        raw=SCHOOL_TO_22,
    )
    assert job_run_next(worker="test")
    sim.refresh_from_db()
    assert (sim.status, sim.message) == ("done", "")
    assert sim.overrides == {"past_18_in_school.supported": True}  # 22 is already the value
    child = SimulationChild.objects.get(simulation=sim)
    assert (child.person_id, child.effect, child.before_kind, child.after_kind) == (
        county.student.pk,
        "newly_eligible",
        "",
        "enrol",
    )
    assert (child.after_decision, child.after_category) == ("eligible", "orphan")
    row = SimulationCounty.objects.get(simulation=sim)
    assert row.division_id == region.county_a.code
    assert (row.before, row.after) == (
        {"enrol": 1, "exit": 1, "change": 0, "review": 0},
        {"enrol": 2, "exit": 1, "change": 0, "review": 0},
    )
    assert (row.newly_eligible, row.no_longer_eligible, row.changed) == (1, 0, 1)
    assert sim.params_before != sim.params_after
    # nothing touches cases or findings
    assert list(Case.objects.values_list("pk", "status", "category")) == cases_before
    assert list(Finding.objects.values_list("pk", "status", "kind")) == findings_before
    assert ComparisonRun.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"no_such_rule": "1"}, "不是可模拟的规则参数"),
        (
            {"past_18_in_school.until_age": "二十二"},
            "“在校就读继续保障的年龄上限（周岁，不含）”应为整数",
        ),
        ({"past_18_in_school.until_age": "45"}, "应在 18—30 周岁之间"),
        ({"past_18_in_school.supported": "也许"}, "应为“是”或“否”"),
        ({"past_18_in_school.levels": "本科\n大学"}, "有不认识的学段"),
        ({"reviews_per_year.orphan": "-1"}, "“孤儿每年核查次数”应为整数"),
        ({"severe_illness.list": " \n "}, "“重病病种目录”应列"),
        ({}, "请至少修改一项"),
    ],
)
def test_bad_parameters_are_refused_in_chinese_and_nothing_is_written(
    personas, region, raw, message
):
    run = done_run(region.county_a, personas.caseworker_a)
    with pytest.raises(InvalidVariant) as refused:
        rule_simulation_start(ctx=ctx_for(personas.caseworker_a), run=run, name="方案", raw=raw)
    assert message in refused.value.message
    assert "past_18" not in refused.value.message
    assert "_" not in refused.value.message
    assert not RuleSimulation.objects.exists()


def test_unchanged_parameters_and_simulation_runs_are_refused(personas, region):
    run = done_run(region.county_a, personas.caseworker_a)
    ctx = ctx_for(personas.caseworker_a)
    with pytest.raises(InvalidInput, match="与该运行基准日的现行参数相同"):
        rule_simulation_start(
            ctx=ctx, run=run, name="方案", raw={"past_18_in_school.until_age": "22"}
        )
    run.simulation = True
    run.save(update_fields=["simulation"])
    with pytest.raises(InvalidInput, match="正式比对运行"):
        rule_simulation_start(ctx=ctx, run=run, name="方案", raw=SCHOOL_TO_22)
    assert not RuleSimulation.objects.exists()


# ---------------------------------------------------------------- pages (results written directly)


def _written(county: County) -> RuleSimulation:
    """A simulation as the job leaves it, without running the engine."""
    sim = RuleSimulation.objects.create(
        run=county.run, division=county.run.division, name="在校延续到22周岁", status="done",
        overrides={"past_18_in_school.supported": True},
        totals={"newly_eligible": 1, "no_longer_eligible": 0, "changed": 1},
    )  # fmt: skip
    zero = dict.fromkeys(("enrol", "exit", "change", "review"), 0)
    SimulationCounty.objects.create(
        simulation=sim, division=county.run.division, before=zero | {"enrol": 1},
        after=zero | {"enrol": 2}, newly_eligible=1, changed=1,
    )  # fmt: skip
    SimulationChild.objects.create(
        simulation=sim, person=county.student, division=county.student.division,
        county=county.run.division, effect="newly_eligible", after_kind="enrol",
        after_decision="eligible", after_category="orphan",
        after_reasons=["father_deceased", "mother_deceased"],
    )  # fmt: skip
    return sim


def test_caseworker_starts_from_the_form_and_sees_the_difference_without_actions(personas, county):
    client = client_for(personas.caseworker_a)
    form = client.get(reverse("comparison_simulations")).content.decode()
    assert "年满18周岁仍在全日制学校就读的是否继续保障" in form
    assert "past_18_in_school" not in visible_text(form)
    answer = client.post(
        reverse("comparison_simulations"),
        {"run": county.run.pk, "name": "在校延续", "past_18_in_school.supported": "是",
         "past_18_in_school.until_age": "23"},
    )  # fmt: skip
    sim = RuleSimulation.objects.get()
    assert answer.status_code == 302
    assert sim.overrides == {"past_18_in_school.supported": True, "past_18_in_school.until_age": 23}
    assert Job.objects.get(pk=sim.job_id).kind == "comparison.simulation"
    page = client.get(reverse("comparison_simulation", args=[_written(county).pk])).content
    text = " ".join(visible_text(page.decode()).split())
    assert "赵在读" in text
    assert "新符合条件" in text
    assert "1 → 2" in text
    assert "纳入" not in text.replace("纳入或退出保障", "").replace("应纳未纳", "")
    assert "confirm" not in page.decode()
    assert AuditEntry.objects.filter(
        object_type="rule_simulation", action="view", purpose="statistics"
    ).exists()


def test_bad_form_values_come_back_in_chinese(personas, county):
    answer = client_for(personas.caseworker_a).post(
        reverse("comparison_simulations"),
        {"run": county.run.pk, "name": "方案", "past_18_in_school.until_age": "abc"},
    )
    assert answer.status_code == 400
    assert "应为整数" in answer.content.decode()
    assert 'value="abc"' in answer.content.decode()  # what was typed is kept, not retyped
    assert not RuleSimulation.objects.exists()


def test_leader_sees_counties_not_children_and_other_counties_see_nothing(personas, county):
    sim = _written(county)
    url = reverse("comparison_simulation", args=[sim.pk])
    leader = " ".join(
        visible_text(client_for(personas.leader_city).get(url).content.decode()).split()
    )
    assert "临河区" in leader
    assert "1 → 2" in leader
    assert "赵在读" not in leader
    assert client_for(personas.caseworker_b).get(url).status_code == 404
    assert client_for(personas.child_director_a).get(url).status_code in (403, 404)
    export = reverse("comparison_simulation_export", args=[sim.pk])
    assert client_for(personas.leader_city).get(export).status_code == 403


def test_caseworker_exports_the_child_rows_through_the_one_export_path(personas, county):
    sim = _written(county)
    answer = client_for(personas.caseworker_a).get(
        reverse("comparison_simulation_export", args=[sim.pk])
    )
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[0]
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "赵在读" in values
    assert "新符合条件" in values
    assert AuditEntry.objects.filter(object_type="rule_simulation", action="export").exists()
