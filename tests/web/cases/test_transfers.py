"""Transfers: the sending side proposes (or a registry load does), the receiving side accepts or
returns with a reason; the case and its history follow the child; both sides see it on their
to-do; who may receive depends on the move (another county: its caseworker; same county: the
receiving township's supervisor)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from shouhu.core.errors import DomainError, InvalidInput
from shouhu.web import access
from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.models import Transfer, TransferOrigin, TransferStatus
from shouhu.web.cases.register_models import RegisterEntry
from shouhu.web.cases.registers import EntryInput, register_entry_create, register_visit_record
from shouhu.web.cases.transfers import (
    register_transfer_propose,
    transfer_accept,
    transfer_propose,
    transfer_return,
    transfers_from_registry,
)
from shouhu.web.cases.visits import Check, VisitInput, visit_record
from shouhu.web.exchange.models import Submission
from shouhu.web.registry.models import Person, RegistryLoad
from shouhu.web.todo import todo_for
from tests.web import factories as f
from tests.web.cases.conftest import Casework, work_ctx

OK = {code: Check("ok") for code in ("safety", "food", "school", "health", "carer")}


def _labels(user) -> set[str]:
    return {item.label for item in todo_for(user)}


def test_a_move_to_another_county_is_accepted_there_and_the_file_follows(
    casework: Casework, region, personas, client: Client
) -> None:
    a, b = personas.caseworker_a, personas.caseworker_b
    visit_record(ctx=casework.director, case=casework.case, data=VisitInput(
        visited_at=timezone.now(), place="家中", seen="儿童", checks=OK))  # fmt: skip
    entry = register_entry_create(ctx=casework.caseworker, child=casework.child, data=EntryInput(
        "guardian_abuse", "曾受父亲殴打", timezone.localdate()))  # fmt: skip
    transfer = transfer_propose(ctx=casework.caseworker, case=casework.case,
                                to_division=region.county_b, reason="随祖母迁居。")  # fmt: skip
    assert "迁入的个案待接收" in _labels(b)
    assert "迁出的个案等对方接收" in _labels(a)
    assert access.cases_visible_to(a).filter(pk=casework.case.pk).exists()  # 接收前仍归转出方
    assert not access.may_receive(a, transfer)
    client.force_login(b)
    page = client.get(f"/cases/transfers/{transfer.pk}/")
    assert page.status_code == 200
    assert casework.child.name in page.content.decode()
    assert casework.child.id_number not in page.content.decode()
    assert client.get(f"/persons/{casework.child.pk}/").status_code == 404

    answer = client.post(f"/cases/transfers/{transfer.pk}/", {"action": "accept"})
    assert answer.status_code == 302
    transfer.refresh_from_db()
    casework.case.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED
    assert casework.case.division_id == region.county_b.code  # 户籍还在临河区：取迁入地本身
    assert casework.case.visits.count() == 1
    assert not access.cases_visible_to(a).filter(pk=casework.case.pk).exists()
    assert client.get(f"/persons/{casework.child.pk}/").status_code == 200
    assert "迁入的个案待接收" not in _labels(b)
    assert access.register_entries_visible_to(b).filter(pk=entry.pk).exists()  # 名册登记随迁
    entries = AuditEntry.objects.filter(object_type="case_transfer")
    kinds = set(entries.values_list("action", flat=True))
    assert kinds >= {"create", "update", "view"}


def test_returned_with_a_reason_stays_with_the_sender(casework: Casework, region,
                                                     personas) -> None:  # fmt: skip
    transfer = transfer_propose(ctx=casework.caseworker, case=casework.case,
                                to_division=region.county_b, reason="迁居。")  # fmt: skip
    with pytest.raises(InvalidInput):
        transfer_return(ctx=work_ctx(personas.caseworker_b), transfer=transfer, reason="  ")
    transfer_return(ctx=work_ctx(personas.caseworker_b), transfer=transfer,
                    reason="经核实，该家庭未在本县居住。")  # fmt: skip
    casework.case.refresh_from_db()
    assert casework.case.division_id == region.village_a.code
    assert "迁移被退回（近30天）" in _labels(personas.caseworker_a)
    again = transfer_propose(ctx=casework.caseworker, case=casework.case,
                             to_division=region.county_b, reason="已在五原县入学。")  # fmt: skip
    assert again.status == TransferStatus.PENDING


def test_within_the_county_the_receiving_township_supervisor_acknowledges(
    casework: Casework, region, personas, client: Client
) -> None:
    east = f.division("150802101", "东城街道", region.county_a)
    village = f.division("150802101201", "东城社区", east)
    agency = personas.caseworker_a.agency
    receiver = f.user("supervisor_east", "supervisor", east, agency)
    sender = f.user("supervisor_a", "supervisor", region.township_a, agency)
    client.force_login(personas.child_director_a)  # 儿童主任不能提出
    assert client.get(f"/cases/{casework.case.pk}/transfer/").status_code == 403
    client.force_login(sender)
    answer = client.post(f"/cases/{casework.case.pk}/transfer/", {"to": east.code, "reason": ""})
    assert answer.status_code == 400
    assert "须书面说明理由" in answer.content.decode()
    client.post(f"/cases/{casework.case.pk}/transfer/", {"to": east.code, "reason": "搬到城里。"})
    transfer = Transfer.objects.get()
    assert not access.may_receive(sender, transfer)
    assert not access.may_receive(personas.caseworker_b, transfer)
    assert not access.transfers_visible_to(personas.caseworker_b).exists()
    Person.objects.filter(pk=casework.child.pk).update(division=village)  # 户籍也已迁入
    casework.child.refresh_from_db()
    assert transfer_accept(ctx=work_ctx(receiver), transfer=transfer) == casework.child
    casework.case.refresh_from_db()
    assert casework.case.division_id == village.code  # 户籍地在迁入地之内：取户籍地
    assert access.cases_visible_to(receiver).filter(pk=casework.case.pk).exists()


def _registry_load(region) -> RegistryLoad:
    """五原县公安局的一次户籍名单载入（全量，已应用）。"""
    police = f.agency("public_security", region.county_b, "五原县公安局")
    submission = Submission.objects.create(agency=police, item_code="registry",
                                           period=date(2026, 1, 1), channel="upload",
                                           content_sha256="e" * 64)  # fmt: skip
    return RegistryLoad.objects.create(submission=submission, scope=region.county_b,
                                       mode="full", status="applied")  # fmt: skip


def test_a_registry_load_that_moves_the_child_proposes_a_transfer_once(
    casework: Casework, region, personas
) -> None:
    Person.objects.filter(pk=casework.child.pk).update(division=region.village_b)
    load = _registry_load(region)
    ctx = work_ctx(personas.caseworker_b)
    made = transfers_from_registry(ctx=ctx, load=load)
    assert [(t.case_id, t.to_division_id, t.origin) for t in made] == [
        (casework.case.pk, region.village_b.code, TransferOrigin.REGISTRY)
    ]
    assert made[0].proposed_by is None
    assert "样板村" in made[0].reason
    assert transfers_from_registry(ctx=ctx, load=load) == []  # 已有待接收的，不重复
    casework.case.refresh_from_db()
    assert casework.case.division_id == region.village_a.code  # 不悄悄改个案


def _poor_entry(region, personas):
    """没有个案的困境儿童（临河区示范村，低保家庭），有一次登记上的探访。"""
    child = f.person(region.village_a, name="刘小花", birth=date(2015, 6, 1), gender="F")
    ctx = work_ctx(personas.caseworker_a)
    entry = register_entry_create(ctx=ctx, child=child, data=EntryInput(
        "poor_family", "低保家庭", timezone.localdate()))  # fmt: skip
    hand = register_entry_create(ctx=ctx, child=child, data=EntryInput(
        "street_child", "曾流浪", timezone.localdate()))  # fmt: skip
    register_visit_record(ctx=work_ctx(personas.child_director_a), entry=entry,
                          data=VisitInput(visited_at=timezone.now(), place="家中", seen="儿童",
                                          checks=OK))  # fmt: skip
    return child, entry, hand


def test_a_register_child_without_a_case_moves_with_its_entries_and_visits(
    region, personas, client: Client
) -> None:
    child, entry, hand = _poor_entry(region, personas)
    director_b = f.user("director_b", "child_director", region.village_b,
                        personas.caseworker_b.agency)  # fmt: skip
    client.force_login(personas.child_director_a)  # 儿童主任不能提出
    assert client.get(f"/cases/registers/{entry.pk}/transfer/").status_code == 403
    client.force_login(personas.caseworker_a)
    url = f"/cases/registers/{entry.pk}/transfer/"
    assert client.post(url, {"to": region.county_b.code, "reason": ""}).status_code == 400
    client.post(url, {"to": region.county_b.code, "reason": "随母亲迁居五原县。"})
    transfer = Transfer.objects.get()
    assert (transfer.case, transfer.entry, transfer.from_division_id) == (
        None, entry, region.village_a.code)  # fmt: skip
    assert "已提出迁往" in client.get(f"/cases/registers/{hand.pk}/").content.decode()
    with pytest.raises(DomainError):  # 同一儿童只有一次待接收的迁移（另一条登记也不行）
        register_transfer_propose(ctx=work_ctx(personas.caseworker_a), entry=hand,
                                  to_division=region.county_b, reason="再提一次")  # fmt: skip
    assert "迁入的个案待接收" in _labels(personas.caseworker_b)

    client.force_login(personas.caseworker_b)
    page = client.get(f"/cases/transfers/{transfer.pk}/").content.decode()
    assert "低保、特困或建档立卡贫困家庭儿童" in page or "低保" in page
    assert child.id_number not in page
    assert client.get(f"/persons/{child.pk}/").status_code == 404
    assert client.post(f"/cases/transfers/{transfer.pk}/", {"action": "accept"}).status_code == 302
    for e in (entry, hand):
        e.refresh_from_db()
        assert e.division_id == region.county_b.code  # 户籍还在临河区：取迁入地本身
    assert access.register_entries_visible_to(personas.caseworker_b).count() == 2
    assert not access.register_entries_visible_to(personas.caseworker_a).exists()
    assert client.get(f"/persons/{child.pk}/").status_code == 200  # 接收方能打开儿童页面
    assert entry.visits.count() == 1  # 探访随登记过去
    moved = AuditEntry.objects.filter(object_type="child_register", detail__transfer=transfer.pk)
    assert moved.count() == 2
    # 县里的登记按村排探访：户籍迁到五原县样板村后，样板村的儿童主任在名册和待办上看到
    Person.objects.filter(pk=child.pk).update(division=region.village_b)
    RegisterEntry.objects.filter(child=child).update(division=region.village_b)
    assert access.register_entries_visible_to(director_b).filter(pk=entry.pk).exists()


def test_a_registry_load_proposes_a_transfer_for_a_register_child(region, personas) -> None:
    child, entry, _ = _poor_entry(region, personas)
    Person.objects.filter(pk=child.pk).update(division=region.village_b)
    load = _registry_load(region)
    ctx = work_ctx(personas.caseworker_b)
    made = transfers_from_registry(ctx=ctx, load=load)
    assert [(t.entry_id, t.case_id, t.to_division_id) for t in made] == [
        (entry.pk, None, region.village_b.code)  # 两条登记，一次迁移
    ]
    assert transfers_from_registry(ctx=ctx, load=load) == []
    transfer_accept(ctx=ctx, transfer=made[0])
    entry.refresh_from_db()
    assert entry.division_id == region.village_b.code  # 户籍地在迁入地之内：取户籍地
