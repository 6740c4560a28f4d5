"""One record per resident: probable duplicates found, merged with everything that hangs on them,
and the merge undone leaves the data exactly as it was."""

from __future__ import annotations

from datetime import date

from django.forms.models import model_to_dict

from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.models import Case
from shouhu.web.exchange.models import Fact
from shouhu.web.registry.models import FormerNumber, ParentLink, Person, PersonMerge
from tests.web import factories as f


def _typo_twin(person: Person) -> Person:
    """The same child entered a second time with one digit wrong (and so another check digit)."""
    from shouhu.core.identity import check_digit

    first17 = (
        person.id_number[:14] + str((int(person.id_number[14]) + 1) % 10) + person.id_number[15:17]
    )
    return Person.objects.create(
        id_number=first17 + check_digit(first17),
        name=person.name,
        name_pinyin=person.name_pinyin,
        gender=person.gender,
        birth_date=person.birth_date,
        division=person.division,
    )


def _snapshot() -> dict[str, list[dict[str, object]]]:
    def rows(model: type) -> list[dict[str, object]]:
        return [model_to_dict(o) for o in model.objects.order_by("pk")]

    return {m.__name__: rows(m) for m in (Person, Fact, Case, ParentLink, FormerNumber)}


def test_the_duplicate_page_lists_a_typo_twin(region, personas) -> None:
    child, _father, _ = f.family(region.village_a)
    twin = _typo_twin(child)
    f.person(
        region.village_a, name="王小明", birth=date(2012, 3, 4)
    )  # 同名同日生、号码不相近：同村也列出
    page = f.client_for(personas.caseworker_a).get("/persons/duplicates/").content.decode()
    assert "身份证号只差" in page
    assert f"/persons/merge/{child.pk}/{twin.pk}/" in page
    assert page.count("保留这条，合并另一条") == 6  # 三人两两成对
    assert f.client_for(personas.child_director_a).get("/persons/duplicates/").status_code == 403


def test_merge_moves_everything_and_undo_restores_it(region, personas) -> None:
    child, father, _mother = f.family(region.village_a)
    twin = _typo_twin(child)
    court = f.agency("court", region.county_a, "临河区人民法院")
    f.fact(child, court, "deceased")
    fact = f.fact(twin, court, "in_school")
    case = f.case(twin)
    ParentLink.objects.create(child=twin, parent=father, relation="father")  # 与保留记录重复的父亲
    before = _snapshot()
    client = f.client_for(personas.caseworker_a)

    answer = client.post(
        f"/persons/merge/{child.pk}/{twin.pk}/", {"reason": "同一人，号码录错一位"}
    )
    assert answer.status_code == 302
    fact.refresh_from_db()
    case.refresh_from_db()
    assert (fact.person, case.child) == (child, child)
    assert FormerNumber.objects.get(person=child).id_number == before["Person"][-1]["id_number"]
    twin.refresh_from_db()
    assert (twin.merged_into, twin.id_number) == (child, None)
    assert client.get(f"/persons/{twin.pk}/").status_code == 404
    assert ParentLink.objects.filter(child=child).count() == 2

    merge = PersonMerge.objects.get()
    answer = client.post(f"/persons/merges/{merge.pk}/undo/")
    assert answer.status_code == 302
    assert _snapshot() == before
    assert AuditEntry.objects.filter(object_type="person_merge", action="update").count() == 2


def test_merge_refuses_two_active_cases_and_parent_and_child(region, personas) -> None:
    child, father, _ = f.family(region.village_a)
    twin = _typo_twin(child)
    f.case(child)
    f.case(twin)
    client = f.client_for(personas.caseworker_a)
    answer = client.post(f"/persons/merge/{child.pk}/{twin.pk}/", {"reason": "同一人"})
    assert answer.status_code == 400
    assert "两人都有保障中的个案" in answer.content.decode()
    answer = client.post(f"/persons/merge/{child.pk}/{father.pk}/", {"reason": "同一人"})
    assert "不是同一人" in answer.content.decode()
    assert not PersonMerge.objects.exists()


def test_merge_needs_a_reason_and_the_county(region, personas) -> None:
    child, _, _ = f.family(region.village_a)
    twin = _typo_twin(child)
    answer = f.client_for(personas.caseworker_a).post(f"/persons/merge/{child.pk}/{twin.pk}/", {})
    assert "请写明合并理由" in answer.content.decode()
    other = f.client_for(personas.caseworker_b)
    assert other.post(f"/persons/merge/{child.pk}/{twin.pk}/", {"reason": "x"}).status_code == 404
    assert not PersonMerge.objects.exists()


def test_a_registry_row_with_the_merged_number_goes_to_the_kept_person(
    region, personas, police, item
) -> None:
    from tests.web.registry.conftest import load, the_load

    child, _, _ = f.family(region.village_a)
    twin = _typo_twin(child)
    old = twin.id_number
    f.client_for(personas.caseworker_a).post(
        f"/persons/merge/{child.pk}/{twin.pk}/", {"reason": "同一人"}
    )
    row = {"id_number": old, "name": child.name, "gender": "男", "birth_date": child.birth_date,
           "division_code": "150802100201"}  # fmt: skip
    registry = the_load(load(police, item, [row]))
    assert registry.counts.get("new", 0) == 0
    assert Person.objects.filter(merged_into__isnull=True, name=child.name).count() == 1
