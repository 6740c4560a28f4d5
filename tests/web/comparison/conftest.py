"""Findings for the queue and its actions. Two kinds of fixture:

- `made`: a run over county A with one finding of each kind written directly (as the engine would),
  and a run over county B with one finding — for access, the pages and confirm / dismiss;
- `small_region` (test_run.py): families whose facts make the engine find each kind for real.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from shouhu.web.accounts.models import Agency, User
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Purpose
from shouhu.web.cases.models import Case
from shouhu.web.comparison.labels import reasons_with_labels
from shouhu.web.comparison.models import ComparisonRun, Finding, RunStatus
from shouhu.web.exchange.models import Fact
from shouhu.web.registry.models import Person
from tests.web import factories as f
from tests.web.conftest import Personas, Region
from tests.web.factories import CLIENT_IP

AS_OF = date(2026, 11, 1)


def ctx_for(user: User | None) -> RequestContext:
    return RequestContext(user=user, client_ip=CLIENT_IP, purpose=Purpose.COMPARISON)


def sent_fact(person: Person, agency: Agency, fact_type: str, **fields: object) -> Fact:
    """A fact as the ingest leaves it: the subject as the department wrote it, linked by ID."""
    values: dict[str, object] = {
        "subject_id_number": person.id_number or "",
        "subject_name": person.name,
        "link_method": "exact_id",
        "link_confidence": 100,
    }
    values.update(fields)
    return f.fact(person, agency, fact_type, **values)


def done_run(division, started_by: User | None) -> ComparisonRun:
    return ComparisonRun.objects.create(
        as_of=AS_OF,
        division=division,
        started_by=started_by,
        status=RunStatus.DONE,
        progress=100,
        counts={"enrol": 1, "exit": 1, "change": 1, "review": 1, "unlinked": 1},
    )


def finding(run: ComparisonRun, kind: str, person: Person | None, **fields: object) -> Finding:
    codes = fields.pop("codes", [])
    return Finding.objects.create(
        run=run,
        kind=kind,
        person=person,
        division=person.division if person else run.division,
        reasons=reasons_with_labels(list(codes)),
        **fields,
    )


@dataclass
class Made:
    run_a: ComparisonRun
    run_b: ComparisonRun
    enrol: Finding
    exit: Finding
    change: Finding
    review: Finding
    unlinked: Finding
    in_b: Finding
    exit_case: Case
    change_case: Case
    orphan: Person
    deceased_father: Fact


@pytest.fixture
def administrator_a(region: Region) -> User:
    centre = f.agency("big_data_center", region.county_a, "临河区大数据中心")
    return f.user("admin_a", "administrator", region.county_a, centre)


@pytest.fixture
def made(region: Region, personas: Personas) -> Made:
    police = f.agency("public_security", region.county_a, "临河区公安分局")
    orphan, father, mother = f.family(region.village_a, child_name="王小雨")
    died = sent_fact(father, police, "deceased", date=date(2024, 3, 1))
    sent_fact(mother, police, "deceased", date=date(2023, 8, 9))
    grown = f.person(region.village_a, name="李长大", birth=date(2008, 5, 1))
    exit_case = f.case(grown)
    changed, _, _ = f.family(region.village_a, child_name="高晨曦")
    change_case = f.case(changed)
    doubtful = f.person(region.village_a, name="萨仁高娃")
    stray = Fact.objects.create(
        type="imprisoned",
        agency=police,
        source_record_id="X1",
        record_sha256="x" * 64,
        subject_name="查无此人",
        subject_id_number="150802199001011234",
    )
    neighbour = f.person(region.village_b, name="孙小丽")
    run_a = done_run(region.county_a, personas.caseworker_a)
    run_b = done_run(region.county_b, personas.caseworker_b)
    links = [{"fact_id": died.pk, "method": "near_miss", "confidence": 97}]
    return Made(
        run_a=run_a,
        run_b=run_b,
        enrol=finding(
            run_a,
            "enrol",
            orphan,
            category="orphan",
            orphan_type="scattered",
            decision="eligible",
            codes=["father_deceased", "mother_deceased"],
            fact_ids=[died.pk],
            links=links,
            link_confidence=97,
        ),
        exit=finding(
            run_a, "exit", grown, case=exit_case, decision="not_eligible", codes=["aged_out"]
        ),
        change=finding(
            run_a,
            "change",
            changed,
            case=change_case,
            category="orphan",
            orphan_type="scattered",
            decision="eligible",
            codes=["father_deceased", "mother_deceased"],
        ),
        review=finding(run_a, "review", doubtful, decision="needs_review", codes=["missing_date"]),
        unlinked=finding(
            run_a,
            "unlinked",
            None,
            fact_ids=[stray.pk],
            links=[{"fact_id": stray.pk, "method": "unlinked", "confidence": 0}],
        ),
        in_b=finding(
            run_b,
            "enrol",
            neighbour,
            category="orphan",
            orphan_type="scattered",
            codes=["father_deceased"],
        ),
        exit_case=exit_case,
        change_case=change_case,
        orphan=orphan,
        deceased_father=died,
    )


def typo(id_number: str) -> str:
    """One mistyped digit (in the sequence part, so the check digit no longer matches)."""
    digit = id_number[15]
    return id_number[:15] + ("1" if digit != "1" else "2") + id_number[16:]


@dataclass
class SmallRegion:
    orphan: Person  # 父母双亡，无个案 → enrol
    grown: Person  # 已满18周岁，在保 → exit
    changed: Person  # 在保事实无人抚养，父母双亡 → change
    doubtful: Person  # 父亲死亡缺日期、母亲服刑 → review
    steady: Person  # 在保且仍符合 → 无发现
    dirty: Person  # 父亲的死亡记录号码录错一位 → enrol，近似号码关联
    neighbour: Person  # 五原县的孤儿：不在临河区的比对里
    grown_case: Case
    changed_case: Case
    stray: Fact  # 对不上任何人 → unlinked
    dirty_fact: Fact


def _orphaned(division, agency: Agency, name: str) -> Person:
    child, father, mother = f.family(division, child_name=name)
    sent_fact(father, agency, "deceased", date=date(2024, 3, 1))
    sent_fact(mother, agency, "deceased", date=date(2023, 8, 9))
    return child


@pytest.fixture
def small_region(region: Region, personas: Personas) -> SmallRegion:
    police = f.agency("public_security", region.county_a, "临河区公安分局")
    justice = f.agency("justice", region.county_a, "临河区司法局")
    police_b = f.agency("public_security", region.county_b, "五原县公安局")
    village = region.village_a
    orphan = _orphaned(village, police, "王小雨")
    grown = f.person(village, name="李长大", birth=date(2008, 5, 1))
    grown_case = f.case(grown)
    changed = _orphaned(village, police, "高晨曦")
    changed_case = f.case(changed)
    doubtful, d_father, d_mother = f.family(village, child_name="萨仁高娃")
    sent_fact(d_father, police, "deceased")
    sent_fact(d_mother, justice, "imprisoned", start=date(2024, 1, 1), end=date(2031, 12, 31))
    steady, s_father, s_mother = f.family(village, child_name="张安稳")
    sent_fact(s_father, police, "deceased", date=date(2022, 6, 1))
    sent_fact(s_mother, justice, "imprisoned", start=date(2024, 1, 1), end=date(2031, 12, 31))
    f.case(steady)
    dirty, x_father, x_mother = f.family(village, child_name="刘小满")
    x_father.name = "刘建国"
    x_father.save(update_fields=["name"])
    dirty_fact = Fact.objects.create(
        type="deceased",
        date=date(2025, 2, 1),
        agency=police,
        source_record_id="D1",
        record_sha256="d" * 64,
        subject_id_number=typo(x_father.id_number or ""),
        subject_name="刘建国",
    )
    sent_fact(x_mother, police, "deceased", date=date(2023, 1, 5))
    stray = Fact.objects.create(
        type="imprisoned",
        start=date(2025, 1, 1),
        end=date(2027, 1, 1),
        agency=justice,
        source_record_id="S1",
        record_sha256="s" * 64,
        subject_name="查无此人",
        subject_id_number="999999",
    )
    neighbour = _orphaned(region.village_b, police_b, "孙小丽")
    return SmallRegion(
        orphan=orphan,
        grown=grown,
        changed=changed,
        doubtful=doubtful,
        steady=steady,
        dirty=dirty,
        neighbour=neighbour,
        grown_case=grown_case,
        changed_case=changed_case,
        stray=stray,
        dirty_fact=dirty_fact,
    )
