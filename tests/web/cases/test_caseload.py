"""Caseload on the roster: per director or supervisor and per township, the children served,
the visits of the last 30 days (in the area, and by the member's own account) and the overdue."""

from __future__ import annotations

from datetime import date, timedelta

from django.test import Client
from django.utils import timezone

from shouhu.web.accounts.models import RosterMember
from shouhu.web.cases.caseload import caseload
from shouhu.web.cases.registers import EntryInput, register_entry_create, register_visit_record
from shouhu.web.cases.services import case_open
from shouhu.web.cases.visits import Check, VisitInput, visit_record
from tests.web import factories as f
from tests.web.cases.conftest import Casework, work_ctx

OK = {code: Check("ok") for code in ("safety", "food", "school", "health", "carer")}


def _assert_two_served_one_visit_one_overdue(region, personas) -> None:
    """示范村的儿童主任（名册上、与账户相连）：服务 2 名，探访 1 次（本人记），逾期 1 名。"""
    director = personas.child_director_a
    member = RosterMember.objects.create(duty="child_director", full_name="王主任",
                                         division=region.village_a, user=director)  # fmt: skip
    loads, areas = caseload(area=region.county_a,
                            members=[(member.pk, region.village_a.path, director.pk)])  # fmt: skip
    load = loads[member.pk]
    assert (load.served, load.visits, load.own_visits, load.overdue) == (2, 1, 1, 1)
    assert [(a.name, a.load.served, a.load.overdue) for a in areas] == [("城关镇", 2, 1)]


def test_caseload_per_member_and_per_township(casework: Casework, region, personas) -> None:
    visit_record(ctx=casework.director, case=casework.case, data=VisitInput(
        visited_at=timezone.now(), place="家中", seen="儿童", checks=OK))  # fmt: skip
    late = f.person(region.village_a, name="李小红", birth=date(2014, 7, 9), gender="F")
    case_open(ctx=casework.caseworker, child=late, category="orphan", opened_on=date(2024, 1, 1))
    _assert_two_served_one_visit_one_overdue(region, personas)

    agency = f.agency("big_data_center", region.county_a, "临河区大数据中心")
    client = Client()
    client.force_login(f.user("admin_a", "administrator", region.county_a, agency))
    page = client.get("/manage/roster/").content.decode()
    assert "各乡镇（街道）的工作量" in page
    assert "1（1）" in page  # 近 30 天探访 1 次，本人记录 1 次


def test_register_children_without_a_case_count_in_the_caseload(region, personas) -> None:
    """没有个案的名册儿童：服务的儿童、登记上的探访、逾期都算；一名儿童两条登记只算一次。"""
    ctx = work_ctx(personas.caseworker_a)
    child = f.person(region.village_a, name="孙留守", birth=date(2016, 2, 2))
    long_ago = timezone.localdate() - timedelta(days=200)
    first = register_entry_create(ctx=ctx, child=child, data=EntryInput(
        "street_child", "曾流浪", long_ago))  # fmt: skip
    register_entry_create(ctx=ctx, child=child, data=EntryInput("sudden_event", "火灾", long_ago))
    other = f.person(region.village_a, name="周小宝", birth=date(2017, 3, 3))
    entry = register_entry_create(ctx=ctx, child=other, data=EntryInput(
        "poor_family", "低保", timezone.localdate()))  # fmt: skip
    register_visit_record(ctx=work_ctx(personas.child_director_a), entry=entry, data=VisitInput(
        visited_at=timezone.now(), place="家中", seen="儿童", checks=OK))  # fmt: skip
    _assert_two_served_one_visit_one_overdue(region, personas)
    assert first.visit_due_on is not None
