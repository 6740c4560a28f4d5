"""A caseworker's month after month: decisions carry over while the evidence is unchanged and come
back when it changes; simulations (a future reference date) cannot be acted on; a wrongly closed
case can be reopened with a written reason."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.web.cases.models import Case
from shouhu.web.comparison.execute import comparison_run_execute
from shouhu.web.comparison.models import Finding
from shouhu.web.comparison.services import comparison_run_start, finding_confirm, finding_dismiss
from shouhu.web.exchange.models import Fact
from tests.web import factories as f
from tests.web.comparison.conftest import ctx_for

AS_OF = date(2026, 6, 1)


def _run(personas, region, as_of: date = AS_OF):
    run = comparison_run_start(
        ctx=ctx_for(personas.caseworker_a), division=region.county_a, as_of=as_of, background=False
    )
    return comparison_run_execute(run.pk)


def test_a_dismissal_holds_next_month_while_the_evidence_is_the_same(
    personas, region, small_region
):
    first = _run(personas, region)
    orphan = Finding.objects.get(run=first, person=small_region.orphan)
    finding_dismiss(ctx=ctx_for(personas.caseworker_a), finding=orphan, reason="父母死亡记录待核实")

    second = _run(personas, region)
    again = Finding.objects.get(run=second, person=small_region.orphan)
    assert (again.status, again.carried_from) == ("dismissed", orphan)
    assert again.resolution_reason == "父母死亡记录待核实"
    assert second.counts["carried"] == 1
    page = f.client_for(personas.caseworker_a).get(f"/comparison/findings/{again.pk}/")
    assert "证据与上一次相同，沿用" in page.content.decode()


def test_new_evidence_brings_a_decided_finding_back_saying_what_changed(
    personas, region, small_region
) -> None:
    first = _run(personas, region)
    orphan = Finding.objects.get(run=first, person=small_region.orphan)
    finding_dismiss(ctx=ctx_for(personas.caseworker_a), finding=orphan, reason="待核实")
    mother = small_region.orphan.parent_links.get(relation="mother").parent
    old = Fact.objects.get(person=mother, type="deceased")
    Fact.objects.filter(pk=old.pk).update(is_current=False)  # 公安更正了母亲的死亡日期
    Fact.objects.create(person=mother, type="deceased", date=date(2023, 9, 1), agency=old.agency,
                        source_record_id=old.source_record_id, record_sha256="e" * 64, version=2,
                        supersedes=old, link_method="exact_id", link_confidence=100,
                        subject_id_number=old.subject_id_number)  # fmt: skip

    second = _run(personas, region)
    again = Finding.objects.get(run=second, person=small_region.orphan)
    assert (again.status, again.previous) == ("open", orphan)
    text = (
        f.client_for(personas.caseworker_a)
        .get(f"/comparison/findings/{again.pk}/")
        .content.decode()
    )
    assert "上一次的决定" in text
    assert "新增或更正的部门记录 1 条" in text


def test_an_enrolment_is_not_proposed_again(personas, region, small_region) -> None:
    first = _run(personas, region)
    orphan = Finding.objects.get(run=first, person=small_region.orphan)
    finding_confirm(ctx=ctx_for(personas.caseworker_a), finding=orphan, reason="核实无误")
    second = _run(personas, region)
    assert not Finding.objects.filter(run=second, person=small_region.orphan).exists()


def test_a_future_reference_date_is_a_simulation_that_cannot_be_acted_on(
    personas, region, small_region
) -> None:
    future = timezone.localdate() + timedelta(days=365 * 3)
    simulation = _run(personas, region, future)
    assert simulation.simulation
    finding = (
        Finding.objects.filter(run=simulation, kind="exit").first()
        or Finding.objects.filter(run=simulation).first()
    )
    assert finding is not None
    with pytest.raises(InvalidInput, match="模拟运行"):
        finding_confirm(ctx=ctx_for(personas.caseworker_a), finding=finding, reason="x",
                        reason_code="other")  # fmt: skip
    client = f.client_for(personas.caseworker_a)
    page = client.get(f"/comparison/findings/{finding.pk}/").content.decode()
    assert "只供参考，不能据此办理" in page
    assert "/confirm/" not in page
    work = _run(personas, region)
    queue = client.get("/comparison/findings/").content.decode()
    assert f"运行 #{work.pk}" in queue  # 默认看最近一次正式运行，不是模拟


def test_a_wrongly_closed_case_is_reopened_with_a_reason(personas, region) -> None:
    child, _, _ = f.family(region.village_a)
    case = f.case(child)
    case.status, case.closed_on, case.close_reason_code, case.close_reason = (
        "closed",
        date(2026, 3, 1),
        "aged_out",
        "模拟运行误终止",
    )
    case.save()
    client = f.client_for(personas.caseworker_a)
    assert "终止有误？重新纳入保障" in client.get(f"/persons/{child.pk}/").content.decode()
    answer = client.post(f"/persons/cases/{case.pk}/reopen/", {"reason": "模拟运行的发现被误确认"})
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.status == "active"
    assert case.reopenings[0]["close_reason"] == "模拟运行误终止"
    page = client.get(f"/persons/{child.pk}/").content.decode()
    assert "重新纳入：模拟运行的发现被误确认" in page
    director = f.client_for(personas.child_director_a)
    assert director.post(f"/persons/cases/{case.pk}/reopen/", {"reason": "x"}).status_code in (
        403,
        404,
    )
    assert Case.objects.filter(child=child, status="active").count() == 1
