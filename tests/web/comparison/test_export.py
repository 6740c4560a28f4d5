"""The subtree's registry, register and facts as the compare tables (docs/formats/compare.md)."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pytest
from django.utils import timezone

from shouhu.web.comparison.export import comparison_tables_get
from shouhu.web.exchange.models import Fact, Submission
from shouhu.web.registry.models import ParentLink
from tests.web import factories as f
from tests.web.comparison.conftest import sent_fact

pytestmark = pytest.mark.django_db

REGISTRY = [
    "id_number",
    "name",
    "gender",
    "birth_date",
    "division_code",
    "father_id_number",
    "mother_id_number",
]
REGISTER = ["case_id", "child_id_number", "category", "status", "division_code"]
FACTS = [
    "record_id",
    "agency_type",
    "type",
    "id_number",
    "name",
    "birth_date",
    "gender",
    "division_code",
    "date",
    "start",
    "end",
    "valid_until",
    "category",
    "level",
    "disease",
    "qualifying",
    "life",
    "consent",
]


def _later():
    return timezone.now() + timedelta(seconds=1)


def _rows(table: pa.Table, key: str) -> dict[str, dict[str, object]]:
    return {str(row[key]): row for row in table.to_pylist()}


def test_tables_have_the_contract_columns_all_as_text(region, small_region):
    tables = comparison_tables_get(division=region.county_a, snapshot_at=_later())
    assert tables.registry.column_names == REGISTRY
    assert tables.register.column_names == REGISTER
    assert tables.facts.column_names == FACTS
    for table in (tables.registry, tables.register, tables.facts):
        assert all(pa.types.is_string(t) for t in table.schema.types)


def test_registry_is_the_subtree_with_parents_ids(region, small_region):
    tables = comparison_tables_get(division=region.county_a, snapshot_at=_later())
    people = _rows(tables.registry, "id_number")
    orphan = people[small_region.orphan.id_number]
    father = ParentLink.objects.get(child=small_region.orphan, relation="father").parent
    assert orphan["father_id_number"] == father.id_number
    assert (orphan["name"], orphan["gender"], orphan["birth_date"], orphan["division_code"]) == (
        "王小雨",
        "M",
        "2012-03-04",
        region.village_a.code,
    )
    assert small_region.neighbour.id_number not in people
    assert tables.in_scope == frozenset(tables.person_pks.values())


def test_a_parent_living_in_another_county_comes_along_but_is_not_in_scope(region, personas):
    child = f.person(region.village_a, name="王跨县")
    father = f.person(region.village_b, name="王父", birth=date(1980, 1, 1))
    ParentLink.objects.create(child=child, parent=father, relation="father")
    court_b = f.agency("court", region.county_b)
    fact = sent_fact(father, court_b, "imprisoned", start=date(2025, 1, 1))
    tables = comparison_tables_get(division=region.county_a, snapshot_at=_later())
    assert (
        _rows(tables.registry, "id_number")[child.id_number]["father_id_number"] == father.id_number
    )
    assert tables.person_pks[father.id_number] == father.pk
    assert father.pk not in tables.in_scope
    assert str(fact.pk) in _rows(tables.facts, "record_id")


def test_register_holds_the_subtrees_cases(region, small_region):
    tables = comparison_tables_get(division=region.county_a, snapshot_at=_later())
    cases = _rows(tables.register, "case_id")
    grown = cases[str(small_region.grown_case.pk)]
    assert grown == {
        "case_id": str(small_region.grown_case.pk),
        "child_id_number": small_region.grown.id_number,
        "category": "de_facto_unsupported",
        "status": "active",
        "division_code": region.village_a.code,
    }
    assert len(cases) == 3


def test_facts_carry_the_linked_persons_id_or_what_the_department_wrote(region, small_region):
    tables = comparison_tables_get(division=region.county_a, snapshot_at=_later())
    facts = _rows(tables.facts, "record_id")
    dirty = facts[str(small_region.dirty_fact.pk)]
    assert dirty["id_number"] == small_region.dirty_fact.subject_id_number  # as written, mistyped
    assert (dirty["agency_type"], dirty["type"], dirty["date"]) == (
        "public_security",
        "deceased",
        "2025-02-01",
    )
    linked = Fact.objects.filter(
        person__isnull=False, person__division__path__startswith=region.county_a.path
    ).first()
    assert linked is not None
    assert facts[str(linked.pk)]["id_number"] == linked.person.id_number
    assert str(small_region.stray.pk) in facts  # unlinked, sent by a department of the county
    neighbour_facts = Fact.objects.filter(person__division=region.village_b)
    assert not {str(pk) for pk in neighbour_facts.values_list("pk", flat=True)} & set(facts)


def test_a_demo_link_is_not_trusted_so_the_linker_decides(region, small_region):
    fact = Fact.objects.filter(person=small_region.orphan.parent_links.first().parent).get()
    Fact.objects.filter(pk=fact.pk).update(link_method="demo", subject_id_number="")
    tables = comparison_tables_get(division=region.county_a, snapshot_at=_later())
    assert _rows(tables.facts, "record_id")[str(fact.pk)]["id_number"] is None


def test_booleans_and_levels_are_written_as_the_file_contract_says(region, personas):
    child = f.person(region.village_a)
    civil = f.agency("civil_affairs", region.county_a)
    fact = sent_fact(child, civil, "hiv_infected", consent=True, qualifying=False, level="2")
    row = _rows(
        comparison_tables_get(division=region.county_a, snapshot_at=_later()).facts, "record_id"
    )[str(fact.pk)]
    assert (row["consent"], row["qualifying"], row["level"], row["life"]) == (
        "true",
        "false",
        "2",
        None,
    )


def test_the_snapshot_leaves_out_later_facts_and_later_corrections(region, small_region):
    snapshot = timezone.now()
    old = Fact.objects.get(pk=small_region.dirty_fact.pk)
    Fact.objects.filter(pk=old.pk).update(is_current=False)  # as the ingest does, first
    correction = Fact.objects.create(
        type="deceased",
        date=date(2025, 2, 2),
        agency=old.agency,
        source_record_id="D1",
        record_sha256="e" * 64,
        subject_id_number=old.subject_id_number,
        version=2,
        supersedes=old,
    )
    facts = _rows(
        comparison_tables_get(division=region.county_a, snapshot_at=snapshot).facts, "record_id"
    )
    assert str(old.pk) in facts  # current at the snapshot
    assert str(correction.pk) not in facts
    now = _rows(
        comparison_tables_get(division=region.county_a, snapshot_at=_later()).facts, "record_id"
    )
    assert str(correction.pk) in now
    assert str(old.pk) not in now


def test_submission_ids_are_recorded(region, small_region):
    police = small_region.dirty_fact.agency
    sub = Submission.objects.create(
        agency=police,
        item_code="x",
        period=date(2025, 1, 1),
        channel="upload",
        content_sha256="f" * 64,
    )
    Fact.objects.filter(pk=small_region.stray.pk).update(submission=sub)
    tables = comparison_tables_get(division=region.county_a, snapshot_at=_later())
    assert tables.submission_ids == (sub.pk,)
