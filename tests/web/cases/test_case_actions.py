"""Exit and category change from the child's page, through the same services and reasons as from a
finding: the reasons offered are the rules' reasons on today's facts, plus "other" with a written
reason; only the county caseworker may act."""

from __future__ import annotations

from datetime import date

from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.models import Case
from tests.web import factories as f


def test_an_aged_out_child_is_exited_from_the_page_with_the_rules_reason(personas, region):
    grown = f.person(region.village_a, name="李长大", birth=date(2008, 5, 1))
    case = f.case(grown)
    client = f.client_for(personas.caseworker_a)
    page = client.get(f"/persons/{grown.pk}/").content.decode()
    assert 'value="aged_out"' in page
    assert "终止保障" in page
    wrong = {"reason_code": "father_deceased", "reason": "x"}
    refused = client.post(f"/persons/cases/{case.pk}/close/", wrong, follow=True)
    assert "请选择终止原因" in refused.content.decode()
    assert Case.objects.get(pk=case.pk).status == "active"
    client.post(f"/persons/cases/{case.pk}/close/",
                {"reason_code": "aged_out", "reason": "已年满18周岁，依规终止。"})  # fmt: skip
    case.refresh_from_db()
    assert (case.status, case.close_reason_code) == ("closed", "aged_out")
    assert AuditEntry.objects.filter(object_type="case", object_id=str(case.pk)).exists()


def test_an_eligible_childs_case_can_end_only_for_another_written_reason(personas, region):
    child, _, _ = f.family(region.village_a, child_name="王小雨")
    case = f.case(child)
    client = f.client_for(personas.caseworker_a)
    page = client.get(f"/persons/{child.pk}/").content.decode()
    assert 'value="other"' in page
    assert 'value="aged_out"' not in page
    empty = client.post(f"/persons/cases/{case.pk}/close/", {"reason_code": "other", "reason": ""},
                        follow=True)  # fmt: skip
    assert "书面说明理由" in empty.content.decode()
    client.post(f"/persons/cases/{case.pk}/close/",
                {"reason_code": "other", "reason": "已被依法收养。"})  # fmt: skip
    assert Case.objects.get(pk=case.pk).close_reason == "已被依法收养。"


def test_category_changes_from_the_page_and_others_may_not_act(personas, region):
    child, _, _ = f.family(region.village_a, child_name="高晨曦")
    case = f.case(child)
    director = f.client_for(personas.child_director_a)
    answer = director.post(f"/persons/cases/{case.pk}/category/", {"category": "orphan:scattered"})
    assert answer.status_code in (403, 404)
    client = f.client_for(personas.caseworker_a)
    client.post(f"/persons/cases/{case.pk}/category/", {"category": "orphan:scattered"})
    case.refresh_from_db()
    assert (case.status, case.category, case.orphan_type) == ("active", "orphan", "scattered")
    other_county = f.client_for(personas.caseworker_b)
    answer = other_county.post(f"/persons/cases/{case.pk}/close/",
                               {"reason_code": "other", "reason": "x"})  # fmt: skip
    assert answer.status_code == 404
    assert Case.objects.get(pk=case.pk).status == "active"
