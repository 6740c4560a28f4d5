"""Every finding actionable: a record that matched nobody is matched by hand to the right person
among its candidates (the next run uses the link), or recorded as nobody in the registry with an
objection to its department; any record of a finding can be sent back as an objection."""

from __future__ import annotations

from datetime import date

import pytest

from shouhu.core.errors import DomainError
from shouhu.web.audit.models import AuditEntry
from shouhu.web.comparison.candidates import record_candidates
from shouhu.web.comparison.execute import comparison_run_execute
from shouhu.web.comparison.models import Finding
from shouhu.web.comparison.services import comparison_run_start, finding_record_match
from shouhu.web.exchange.models import Fact
from shouhu.web.objections.models import Objection
from tests.web import factories as f
from tests.web.comparison.conftest import ctx_for, typo


@pytest.fixture
def mistyped(made, region):
    """The stray record was about 张晓梅, with one digit of her number mistyped; a namesake lives
    in the same county."""
    her = f.person(region.village_a, name="张晓梅", birth=date(1990, 1, 1), gender="F")
    f.person(region.village_a, name="张晓梅", birth=date(1975, 7, 7), gender="F")
    stray = Fact.objects.get(pk=made.unlinked.fact_ids[0])
    stray.subject_name, stray.subject_id_number = "张晓梅", typo(her.id_number)
    stray.subject_gender, stray.subject_birth_date = "F", date(1990, 1, 1)
    stray.save()
    return her, stray


def test_candidates_put_the_near_number_first_and_say_why(personas, mistyped):
    her, stray = mistyped
    first, second = record_candidates(user=personas.caseworker_a, fact=stray)
    assert first.person_pk == her.pk
    assert {"号码只差一位或两位颠倒", "姓名相同", "出生日期相同"} <= set(first.agrees)
    assert "号码不同" in second.differs
    assert "出生日期相差 15 年" in second.differs
    # 五原县的经办人员看不到临河区的人：没有候选
    assert record_candidates(user=personas.caseworker_b, fact=stray) == ()


def test_matching_by_hand_links_the_record_resolves_the_finding_and_is_audited(
    personas, made, mistyped
):
    her, stray = mistyped
    client = f.client_for(personas.caseworker_a)
    url = f"/comparison/findings/{made.unlinked.pk}/records/{stray.pk}/"
    page = client.get(url).content.decode()
    assert "张晓梅" in page
    assert "号码只差一位或两位颠倒" in page
    done = client.post(url + "match/", {"person": her.pk}, follow=True)
    assert "已把这条记录关联到所选的人" in done.content.decode()
    stray.refresh_from_db()
    assert (stray.person, stray.link_method, stray.link_confidence) == (her, "manual", 100)
    finding = Finding.objects.get(pk=made.unlinked.pk)
    assert (finding.status, finding.resolution_code) == ("confirmed", "matched")
    assert "已核查" in done.content.decode()
    entry = AuditEntry.objects.get(object_type="fact", object_id=str(stray.pk), action="update")
    assert entry.detail == {"link": "manual", "was": "unlinked", "person": her.pk}
    with pytest.raises(DomainError, match="已处理过"):  # 办过了：不能再关联一次
        finding_record_match(ctx=ctx_for(personas.caseworker_a), finding=finding, fact=stray,
                             person=her)  # fmt: skip


def test_nobody_in_the_registry_needs_a_reason_and_raises_an_objection(personas, made):
    client = f.client_for(personas.caseworker_a)
    stray_pk = made.unlinked.fact_ids[0]
    url = f"/comparison/findings/{made.unlinked.pk}/records/{stray_pk}/match/"
    refused = client.post(url, {"person": "none", "reason": " "})
    assert refused.status_code == 400
    assert "户籍中没有此人的说明" in refused.content.decode()
    assert not Objection.objects.exists()
    assert Finding.objects.get(pk=made.unlinked.pk).status == "open"
    client.post(url, {"person": "none", "reason": "本县户籍中无此人，请核实号码。"})
    objection = Objection.objects.get()
    assert (objection.fact_id, objection.reason) == (stray_pk, "本县户籍中无此人，请核实号码。")
    finding = Finding.objects.get(pk=made.unlinked.pk)
    assert (finding.status, finding.resolution_code) == ("confirmed", "no_match")


def test_a_record_of_any_finding_goes_back_to_its_department_and_the_finding_stays_open(
    personas, made
):
    client = f.client_for(personas.caseworker_a)
    url = f"/comparison/findings/{made.enrol.pk}/records/{made.deceased_father.pk}/object/"
    client.post(url, {"reason": "死亡日期与死亡证明不符。"})
    assert Objection.objects.get().fact == made.deceased_father
    assert Finding.objects.get(pk=made.enrol.pk).status == "open"


def test_records_outside_the_finding_or_the_county_are_not_found(personas, made):
    caseworker_b = f.client_for(personas.caseworker_b)
    stray_pk = made.unlinked.fact_ids[0]
    url = f"/comparison/findings/{made.unlinked.pk}/records/{stray_pk}/"
    assert caseworker_b.get(url).status_code == 404
    other = f"/comparison/findings/{made.unlinked.pk}/records/{made.deceased_father.pk}/"
    assert f.client_for(personas.caseworker_a).get(other).status_code == 404
    leader = f.client_for(personas.leader_city)
    assert leader.post(url + "match/", {"person": "none", "reason": "x"}).status_code in (403, 404)
    assert not Objection.objects.exists()


def test_the_next_run_uses_the_manual_link(personas, region, small_region):
    stray = small_region.stray
    her = f.person(region.village_a, name=stray.subject_name or "无名", birth=date(1990, 1, 1))
    first = _run(personas, region)
    [unlinked] = [u for u in Finding.objects.filter(run=first, kind="unlinked")
                  if stray.pk in u.fact_ids]  # fmt: skip
    finding_record_match(ctx=ctx_for(personas.caseworker_a), finding=unlinked, fact=stray,
                         person=her)  # fmt: skip
    second = _run(personas, region)
    assert not Finding.objects.filter(run=second, kind="unlinked").exists()


def _run(personas, region):
    run = comparison_run_start(ctx=ctx_for(personas.caseworker_a), division=region.county_a,
                               as_of=date(2026, 6, 1), background=False)  # fmt: skip
    return comparison_run_execute(run.pk)
