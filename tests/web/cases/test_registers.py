"""困境儿童和留守儿童名册：规则标签提出 → 登记 → 在名册上、探访到期进待办；手工登记留守儿童
（父母去向、委托照护人）；辖区之外看不到；结束须写明理由。"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shouhu.core.policy.dates import add_months
from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.models import Visit
from shouhu.web.cases.register_models import RegisterEntry, RegisterProposal, SupportMeasure
from shouhu.web.cases.registers import (
    EntryInput,
    register_entry_create,
    register_proposal_accept,
    register_proposals_refresh,
    register_visit_record,
)
from shouhu.web.cases.services import case_close
from shouhu.web.cases.visits import Check, VisitInput
from shouhu.web.cases.worklists import Moment, work_list_entries
from shouhu.web.todo import todo_for
from tests.web import factories as f
from tests.web.cases.conftest import work_ctx

CHECKS = {f"check_{c}": "ok" for c in ("safety", "food", "school", "health", "carer")}
OK = {code: Check("ok") for code in ("safety", "food", "school", "health", "carer")}


def _labels(user) -> dict[str, int]:
    return {item.label: item.count for item in todo_for(user)}


@pytest.fixture
def poor_child(region, personas):
    """示范村的低保家庭儿童（§8 标签 low_income），没有保障个案。"""
    child = f.person(region.village_a, name="刘小花", birth=date(2015, 6, 1), gender="F")
    f.fact(child, personas.caseworker_a.agency, "low_income", start=date(2024, 1, 1))
    f.person(region.village_a, name="陈普通", birth=date(2015, 6, 1))  # 没有标签：不提出
    return child


@pytest.fixture
def supervisor(region, personas):
    return f.user("supervisor_a", "supervisor", region.township_a, personas.caseworker_a.agency)


def test_rule_labels_propose_a_child_and_accepting_puts_it_on_the_register(
    poor_child, personas
) -> None:
    assert register_proposals_refresh()["proposed"] == 1
    proposal = RegisterProposal.objects.get()
    assert (proposal.child, proposal.kinds) == (poor_child, ["poor_family"])
    assert register_proposals_refresh()["proposed"] == 0  # 同样的标签不再提出
    assert _labels(personas.caseworker_a)["规则提出的困境儿童待登记"] == 1

    caseworker = f.client_for(personas.caseworker_a)
    response = caseworker.post(reverse("register_proposals"),
                               {"proposal": proposal.pk, "decision": "accept"})  # fmt: skip
    assert response.status_code == 302
    entry = RegisterEntry.objects.get()
    today = timezone.localdate()
    assert (entry.register, entry.kind, entry.case) == ("in_difficulty", "poor_family", None)
    assert "低保" in entry.reason
    assert entry.visit_due_on == add_months(today, 3)  # 每季度走访核实（sixian §2(一)6）
    assert "规则提出的困境儿童待登记" not in _labels(personas.caseworker_a)
    assert register_proposals_refresh()["proposed"] == 0  # 已在名册上

    page = f.client_for(personas.child_director_a).get(reverse("register_list"))
    assert "刘小花" in page.content.decode()
    # 到期前一周起进儿童主任的清单和待办（与个案同一套：一周内应探访）
    early = entry.visit_due_on - timedelta(days=2)
    moment = Moment(today=early, now=timezone.now())
    assert list(work_list_entries(RegisterEntry.objects.all(), "visits_week", moment)) == [entry]
    assert not work_list_entries(RegisterEntry.objects.all(), "visits_overdue", moment).exists()
    audit = AuditEntry.objects.filter(object_type="child_register", action="create").get()
    assert audit.detail["accepted"] == [entry.pk]


def test_a_dismissal_needs_a_reason_and_is_not_proposed_again(poor_child, personas) -> None:
    register_proposals_refresh()
    proposal = RegisterProposal.objects.get()
    caseworker = f.client_for(personas.caseworker_a)
    url = reverse("register_proposals")
    blank = caseworker.post(url, {"proposal": proposal.pk, "decision": "dismiss", "reason": " "})
    assert blank.status_code == 400
    assert "不予登记的理由" in blank.content.decode()
    caseworker.post(url, {"proposal": proposal.pk, "decision": "dismiss", "reason": "已脱贫"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.dismiss_reason) == ("dismissed", "已脱贫")
    assert register_proposals_refresh()["proposed"] == 0
    assert not RegisterEntry.objects.exists()


def test_a_supervisor_enters_a_left_behind_child_by_hand_and_the_director_visits(
    region, personas, supervisor
) -> None:
    child = f.person(region.village_a, name="孙留守", birth=date(2016, 2, 2))
    client = f.client_for(supervisor)
    url = reverse("register_new", args=[child.pk])
    started = timezone.localdate() - timedelta(days=100)
    form = {"kind": "left_behind", "reason": "父母均在外省务工", "started_on": started.isoformat(),
            "father_whereabouts": "away_out_of_province",
            "mother_whereabouts": "away_in_province"}  # fmt: skip
    missing = client.post(url, form)  # 没写委托照护人
    assert missing.status_code == 400
    assert "委托照护人" in missing.content.decode()
    assert not RegisterEntry.objects.exists()
    client.post(url, form | {"carer_name": "孙大爷", "carer_relation": "祖父"})
    entry = RegisterEntry.objects.get()
    assert (entry.register, entry.carer_name, entry.entered_by) == ("left_behind", "孙大爷",
                                                                    supervisor)  # fmt: skip
    assert entry.visit_due_on == add_months(started, 3)  # 已过：逾期
    assert _labels(personas.child_director_a)["探访逾期"] == 1  # 与个案在同一张清单上
    panel = client.get(reverse("person_detail", args=[child.pk])).content.decode()
    assert 'data-testid="registers-panel"' in panel
    assert "农村留守儿童" in panel

    director = f.client_for(personas.child_director_a)
    when = timezone.localtime() - timedelta(hours=1)
    visit = {"visited_at": f"{when:%Y-%m-%dT%H:%M}", "place": "儿童家中", "seen": "儿童、祖父",
             **CHECKS}  # fmt: skip
    assert director.post(reverse("register_visit_new", args=[entry.pk]), visit).status_code == 302
    assert Visit.objects.get().entry == entry
    entry.refresh_from_db()
    assert entry.visit_due_on == add_months(timezone.localdate(when), 3)
    assert "探访逾期" not in _labels(personas.child_director_a)
    measure = {"action": "measure", "kind": "psychological", "on": date.today().isoformat(),
               "note": "联系学校心理老师"}  # fmt: skip
    director.post(reverse("register_entry", args=[entry.pk]), measure)
    assert SupportMeasure.objects.get().recorded_by == personas.child_director_a


def _left_behind(region, personas) -> RegisterEntry:
    child = f.person(region.village_a, name="周小宝", birth=date(2017, 3, 3))
    data = EntryInput("left_behind", "父母外出务工", timezone.localdate(), "away_in_province",
                      "at_home", "周奶奶", "祖母")  # fmt: skip
    return register_entry_create(ctx=work_ctx(personas.caseworker_a), child=child, data=data)


def test_another_county_cannot_see_or_touch_an_entry(region, personas) -> None:
    entry = _left_behind(region, personas)
    other = f.client_for(personas.caseworker_b)
    assert other.get(reverse("register_entry", args=[entry.pk])).status_code == 404
    listing = other.get(reverse("register_list") + "?register=left_behind").content.decode()
    assert "周小宝" not in listing
    end = {"action": "end", "reason_code": "other", "reason": "不是本县", "ended_on": "2026-01-01"}
    assert other.post(reverse("register_entry", args=[entry.pk]), end).status_code == 404
    assert other.get(reverse("register_new", args=[entry.child_id])).status_code == 404
    director = f.client_for(personas.child_director_a)  # 儿童主任能看、能记，不能结束和登记
    assert director.post(reverse("register_entry", args=[entry.pk]), end).status_code == 403
    assert director.get(reverse("register_proposals")).status_code == 403
    entry.refresh_from_db()
    assert entry.ended_on is None
    denied = AuditEntry.objects.filter(action="deny").values_list("object_type", flat=True)
    assert sorted(denied) == ["child_register"] * 4 + ["person"]


def test_ending_an_entry_needs_a_written_reason(region, personas) -> None:
    entry = _left_behind(region, personas)
    client = f.client_for(personas.caseworker_a)
    url = reverse("register_entry", args=[entry.pk])
    today = timezone.localdate().isoformat()
    blank = client.post(url, {"action": "end", "reason_code": "no_longer_applies", "reason": "",
                              "ended_on": today})  # fmt: skip
    assert blank.status_code == 400
    assert "结束理由" in blank.content.decode()
    client.post(url, {"action": "end", "reason_code": "no_longer_applies",
                      "reason": "母亲已返乡照料", "ended_on": today})  # fmt: skip
    entry.refresh_from_db()
    assert (entry.end_reason_code, entry.end_reason, entry.visit_due_on) == (
        "no_longer_applies", "母亲已返乡照料", None)  # fmt: skip
    listing = reverse("register_list") + "?register=left_behind"
    assert "周小宝" not in client.get(listing).content.decode()
    assert "周小宝" in client.get(listing + "&status=ended").content.decode()
    ended_visit = {"visited_at": datetime.now().strftime("%Y-%m-%dT%H:%M"), "place": "家中",
                   "seen": "儿童", **CHECKS}  # fmt: skip
    again = client.post(reverse("register_visit_new", args=[entry.pk]), ended_visit)
    assert again.status_code == 400
    assert not Visit.objects.exists()
    detail = AuditEntry.objects.filter(object_type="child_register", action="update").get().detail
    assert "母亲已返乡照料" not in str(detail)


def test_a_child_with_a_case_is_entered_on_the_same_file(casework, personas) -> None:
    """保障中的儿童也是低保家庭儿童：登记挂到个案上，探访记在个案上，按个案的排期。"""
    f.fact(casework.child, personas.caseworker_a.agency, "low_income", start=date(2024, 1, 1))
    register_proposals_refresh()
    proposal = RegisterProposal.objects.get()
    assert proposal.kinds == ["poor_family"]  # 事实无人抚养儿童的标签不提出（已在台账上）
    [entry] = register_proposal_accept(ctx=casework.caseworker, proposal=proposal)
    assert (entry.case, entry.visit_due_on) == (casework.case, None)
    when = timezone.now() - timedelta(hours=1)
    visit = VisitInput(visited_at=when, place="儿童家中", seen="儿童", checks=OK)
    recorded = register_visit_record(ctx=casework.director, entry=entry, data=visit)
    assert (recorded.case, recorded.entry) == (casework.case, None)
    casework.case.refresh_from_db()
    assert casework.case.visit_due_on == add_months(timezone.localdate(when), 3)
    late = Moment(today=date(2100, 1, 1), now=timezone.now())  # 在个案上探访：不另列
    assert not work_list_entries(RegisterEntry.objects.all(), "visits_overdue", late).exists()
    # 个案终止后登记还在：每日任务改由登记排探访（从终止之日起每季度）
    case_close(ctx=casework.caseworker, case=casework.case, reason_code="other", reason="已被收养")
    assert register_proposals_refresh()["rescheduled"] == 1
    entry.refresh_from_db()
    assert entry.visit_due_on == add_months(timezone.localdate(), 3)


def test_a_proposal_is_withdrawn_when_its_label_disappears(poor_child, personas) -> None:
    """低保停发（事实结束）：每日任务撤下待确认的建议，离开经办人员的待办；标签回来再提出。"""
    register_proposals_refresh()
    proposal = RegisterProposal.objects.get()
    fact = poor_child.facts.get()
    fact.is_current = False
    fact.save(update_fields=["is_current"])
    assert register_proposals_refresh()["proposed"] == 0
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("withdrawn", None)
    assert "规则提出的困境儿童待登记" not in _labels(personas.caseworker_a)
    audit = AuditEntry.objects.get(object_type="child_register", action="update")
    assert audit.detail == {"proposal": proposal.pk, "withdrawn": True, "labels": []}
    assert (audit.actor_id, audit.client_ip) == (None, "system")
    fact.is_current = True
    fact.save(update_fields=["is_current"])
    assert register_proposals_refresh()["proposed"] == 1  # 低保恢复：再提出一条
    assert RegisterProposal.objects.filter(status="open").count() == 1


def test_a_proposal_is_withdrawn_when_the_kind_is_entered_by_hand(poor_child, personas) -> None:
    register_proposals_refresh()
    data = EntryInput("poor_family", "低保家庭", timezone.localdate())
    register_entry_create(ctx=work_ctx(personas.caseworker_a), child=poor_child, data=data)
    register_proposals_refresh()
    assert RegisterProposal.objects.get().status == "withdrawn"


def test_who_may_not_see_hiv_reads_the_register_name_for_every_entry(
    region, personas, supervisor
) -> None:
    """感染儿童的登记：看不到感染情况的人（儿童主任、督导员）每条登记都只读到名册名，不能按
    类型筛（一筛就剩下感染儿童），也不能手工登记这一类型；审计里只记“敏感类别”。"""
    hiv = f.person(region.village_a, name="吴小安", birth=date(2016, 5, 5))
    poor = f.person(region.village_a, name="郑小贫", birth=date(2016, 5, 6))
    ctx = work_ctx(personas.caseworker_a)
    for child, kind in ((hiv, "hiv_infected"), (poor, "poor_family")):
        register_entry_create(ctx=ctx, child=child,
                              data=EntryInput(kind, "县级核实", timezone.localdate()))  # fmt: skip
    logged = AuditEntry.objects.filter(object_type="child_register", action="create")
    assert {e.detail["kind"] for e in logged} == {"敏感类别", "poor_family"}
    caseworker = f.client_for(personas.caseworker_a).get(reverse("register_list")).content.decode()
    assert "艾滋病病毒感染儿童" in caseworker
    for user in (personas.child_director_a, supervisor):
        client = f.client_for(user)
        listed = client.get(reverse("register_list")).content.decode()
        assert "艾滋病病毒感染儿童" not in listed
        assert "低保、特困或建档立卡贫困家庭儿童" not in listed  # 每条都一样，不只换感染的
        assert 'name="kind"' not in listed
        filtered = client.get(reverse("register_list") + "?kind=hiv_infected").content.decode()
        assert "郑小贫" in filtered  # 类型筛选不起作用
        for child in (hiv, poor):
            entry = RegisterEntry.objects.get(child=child)
            page = client.get(reverse("register_entry", args=[entry.pk])).content.decode()
            person = client.get(reverse("person_detail", args=[child.pk])).content.decode()
            for text in (page, person):
                assert "艾滋病病毒感染儿童" not in text
                assert "低保、特困或建档立卡贫困家庭儿童" not in text
        form = client.get(reverse("register_new", args=[poor.pk])).content.decode()
        assert "艾滋病病毒感染儿童" not in form
    other = f.person(region.village_a, name="冯小新", birth=date(2016, 5, 7))
    refused = f.client_for(supervisor).post(
        reverse("register_new", args=[other.pk]),
        {"kind": "hiv_infected", "reason": "听说", "started_on": date.today().isoformat()},
    )
    assert refused.status_code in (400, 403)
    assert not RegisterEntry.objects.filter(child=other).exists()
