"""Query-only items end to end: civil affairs asks about a case's parents, the department's API
answers only in force / since / until; scoping, rate limit and audit on both sides; pushing the
item is refused where the deployment says it is query-only."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from click.testing import CliRunner
from django.test import Client
from openpyxl import load_workbook

from shouhu.cli import main
from shouhu.core.catalog import catalog_load
from shouhu.core.errors import DomainError, InvalidInput, NotFound
from shouhu.core.pprl import Answer, Person, Response
from shouhu.core.pprl.files import PersonRow
from shouhu.web import access
from shouhu.web.accounts.agencies import agency_items
from shouhu.web.accounts.models import Agency
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, AuditEntry, ObjectType
from shouhu.web.exchange.models import Fact, Submission
from shouhu.web.queries import views
from shouhu.web.queries.client import peer_for, peer_name
from shouhu.web.queries.log_pages import log_rows
from shouhu.web.queries.models import Direction, QueryLog
from shouhu.web.queries.services import pprl_answers_store, query_ask
from tests.web import factories as f
from tests.web.api.conftest import ADMIN, issue
from tests.web.factories import client_for
from tests.web.pages import ALLOWED_WORDS, codes_in, visible_text

ITEM = "justice_custody"


@pytest.fixture
def world(region, personas, settings):
    settings.QUERY_SERVED_ITEMS = frozenset({ITEM})
    settings.QUERY_ONLY_ITEMS = frozenset({ITEM})
    settings.QUERY_PERSONS_PER_DAY = 3
    justice = f.agency("justice", region.county_a, "临河区司法局")
    child, father, mother = f.family(region.village_a)
    stranger = f.person(region.village_a, name="孙大海", birth=date(1970, 2, 2))
    for person, start, end in (
        (father, date(2024, 1, 5), date(2028, 1, 4)),
        (stranger, date(2020, 6, 1), date(2030, 5, 31)),
    ):
        f.fact(
            person,
            justice,
            "imprisoned",
            item_code=ITEM,
            start=start,
            end=end,
            subject_id_number=person.id_number,
            subject_name=person.name,
        )
    civil = personas.caseworker_a.agency
    civil_token = issue(civil, [agency_items(civil)[0].code], name="临河区民政局平台").token
    justice_token = issue(justice, [ITEM], name="司法局系统").token
    return {
        "case": f.case(child),
        "father": father,
        "mother": mother,
        "stranger": stranger,
        "civil_token": civil_token,
        "justice_token": justice_token,
    }


def sender(token: str):
    """The civil-affairs instance's client, talking to the department's API in this process."""
    client = Client(REMOTE_ADDR="10.0.0.9")

    def send(body):
        response = client.post(
            "/api/v1/queries",
            data=json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        if response.status_code != 200:
            raise DomainError(response.json()["message"])
        return response.json()

    return send


def ctx_of(user) -> RequestContext:
    return RequestContext(user=user, client_ip="10.0.0.1", purpose="review")


def ask(world, user, **changes):
    ctx = ctx_of(user)
    cases = access.access_query_cases(ctx, [world["case"].pk])
    item = catalog_load("150802").item(ITEM)
    args = {
        "ctx": ctx,
        "cases": cases,
        "item": item,
        "purpose": "review",
        "send": sender(world["civil_token"]),
        "peer": "临河区司法局",
        "as_of": date(2026, 4, 1),
    }
    return query_ask(**{**args, **changes})


def test_civil_affairs_gets_only_the_in_force_answers_for_its_case_and_both_sides_log_it(
    world, personas
):
    answers = ask(world, personas.caseworker_a)
    got = {
        a.parent.name: (a.reply.found, a.reply.in_force, a.reply.since, a.reply.until)
        for a in answers
    }
    assert got == {
        "王大山": (True, True, date(2024, 1, 5), date(2028, 1, 4)),
        "李秀英": (False, False, None, None),
    }  # the stranger in the department's list is never mentioned
    asked = QueryLog.objects.get(direction=Direction.ASKED)
    answered = QueryLog.objects.get(direction=Direction.ANSWERED)
    assert (asked.persons, asked.found, asked.case_refs) == (2, 1, [world["case"].pk])
    assert (answered.persons, answered.found, answered.peer) == (2, 1, "临河区民政局")
    entries = AuditEntry.objects.filter(object_type=ObjectType.QUERY, action=Action.SEARCH)
    assert entries.count() == 2  # one on each side
    logged = json.dumps([e.detail for e in entries], ensure_ascii=False)
    for person in (world["father"], world["mother"], world["stranger"]):
        assert person.id_number not in logged
        assert person.name not in logged


def test_only_cases_the_caseworker_can_see_may_be_asked_about(world, personas):
    with pytest.raises(NotFound):
        ask(world, personas.caseworker_b)  # county B's caseworker, county A's case
    assert not QueryLog.objects.exists()


def test_the_department_refuses_other_purposes_other_items_and_non_civil_affairs(world):
    send = sender(world["civil_token"])
    person = {"ref": "1-0", "id_number": world["father"].id_number, "name": "王大山"}
    with pytest.raises(DomainError, match="不能用于"):
        send({"item_code": ITEM, "purpose": "subsidy", "persons": [person]})
    with pytest.raises(DomainError, match="不提供该数据项的查询"):
        send({"item_code": "court_judgment", "purpose": "review", "persons": [person]})
    with pytest.raises(DomainError, match="只有民政部门"):
        sender(world["justice_token"])(
            {"item_code": ITEM, "purpose": "review", "persons": [person]}
        )
    denials = AuditEntry.objects.filter(object_type=ObjectType.QUERY, action=Action.DENY)
    assert denials.count() == 3
    assert not QueryLog.objects.exists()


def test_a_typo_in_the_asked_id_still_finds_the_record_when_the_name_agrees(world):
    number = world["father"].id_number
    typo = number[:10] + str((int(number[10]) + 1) % 10) + number[11:]
    body = {
        "item_code": ITEM,
        "purpose": "review",
        "as_of": "2026-04-01",
        "persons": [
            {"ref": "1-0", "id_number": typo, "name": "王大山"},
            {"ref": "1-1", "id_number": typo, "name": "赵敏"},
        ],
    }
    replies = sender(world["civil_token"])(body)["replies"]
    assert [(r["ref"], r["found"], r["in_force"]) for r in replies] == [
        ("1-0", True, True),
        ("1-1", False, False),
    ]


def test_the_daily_limit_stops_a_fishing_run_and_is_audited(world, personas):
    ask(world, personas.caseworker_a)  # 2 of 3 persons today
    with pytest.raises(DomainError, match="24 小时内最多查询 3 人"):
        ask(world, personas.caseworker_a)
    assert QueryLog.objects.filter(direction=Direction.ANSWERED).count() == 1
    assert AuditEntry.objects.filter(object_type=ObjectType.QUERY, action=Action.DENY).exists()


def test_pushing_a_query_only_item_is_refused_in_chinese_and_stores_nothing(world, settings):
    client = Client(REMOTE_ADDR="10.0.0.8")
    row = {
        "inmate_number": "J-1",
        "custody_kind": "imprisoned",
        "id_number": world["father"].id_number,
        "name": "王大山",
        "start": "2024-01-05",
    }
    payload = {"item_code": ITEM, "period": "2026-03", "rows": [row], "idempotency_key": "k1"}
    response = client.post(
        "/api/v1/submissions",
        data=json.dumps(payload, ensure_ascii=False),
        content_type="application/json",
        headers={"Authorization": f"Bearer {world['justice_token']}"},
    )
    assert response.status_code == 400
    assert "只提供查询" in response.json()["message"]
    assert not Submission.objects.filter(item_code=ITEM).exists()
    settings.QUERY_ONLY_ITEMS = frozenset()  # where the deployment allows it, pushing works
    again = client.post(
        "/api/v1/submissions",
        data=json.dumps(payload, ensure_ascii=False),
        content_type="application/json",
        headers={"Authorization": f"Bearer {world['justice_token']}"},
    )
    assert again.status_code == 201, again.json()


@pytest.mark.django_db(transaction=True)
def test_the_client_talks_to_a_running_instance_over_http(
    world, personas, live_server, settings, tmp_path
):
    token_file = tmp_path / "token"
    token_file.write_text(world["civil_token"])
    settings.QUERY_PEERS = {
        ITEM: {"url": f"{live_server.url}/api/v1", "token_file": str(token_file)}
    }
    ctx = ctx_of(personas.caseworker_a)
    cases = access.access_query_cases(ctx, [world["case"].pk])
    _, send = peer_for(ITEM)
    item = catalog_load("150802").item(ITEM)
    peer = peer_name(item)
    answers = query_ask(ctx=ctx, cases=cases, item=item, purpose="review", send=send, peer=peer,
                        as_of=date(2026, 4, 1))  # fmt: skip
    assert sorted((a.parent.name, a.reply.in_force) for a in answers) == [
        ("李秀英", False),
        ("王大山", True),
    ]
    token_file.write_text("shouhu_00000000_" + "x" * 43)  # a token the department does not know
    _, send = peer_for(ITEM)
    with pytest.raises(DomainError, match="对方平台拒绝了查询"):
        query_ask(ctx=ctx, cases=cases, item=item, purpose="review", send=send, peer=peer)
    settings.QUERY_PEERS = {
        ITEM: {"url": "http://sfj.example.gov.cn/api/v1", "token_file": str(token_file)}
    }
    with pytest.raises(NotFound, match="https"):
        peer_for(ITEM)


def test_an_in_department_comparison_answer_becomes_facts_once_even_where_pushing_is_refused(
    world,
):
    justice = Agency.objects.get(agency_type="justice")
    father, mother = world["father"], world["mother"]
    persons = [
        PersonRow(2, "AJ-1", Person(father.name, father.id_number, father.birth_date, "M")),
        PersonRow(3, "AJ-1", Person(mother.name, mother.id_number, mother.birth_date, "F")),
    ]
    answer = Answer(row=0, in_force=True, since=date(2024, 1, 5), until=date(2028, 1, 4),
                    basis="id", score=1.0, kind="imprisoned")  # fmt: skip
    response = Response(request_id="r-1", item_code=ITEM, as_of=date(2026, 4, 1), checked=2,
                        answers=[answer])  # fmt: skip
    item = catalog_load("150802").item(ITEM)
    args = {"ctx": ADMIN, "agency": justice, "item": item, "response": response, "persons": persons}
    first = pprl_answers_store(**args)
    assert (first.duplicate, first.rows_accepted, first.facts_created) == (False, 1, 1)
    fact = Fact.objects.get(submission=first.submission)
    assert (fact.person_id, fact.type, fact.start, fact.end) == (
        father.pk,
        "imprisoned",
        date(2024, 1, 5),
        date(2028, 1, 4),
    )  # the mother, not in the department's list, appears nowhere
    again = pprl_answers_store(**args)
    assert again.duplicate
    assert Fact.objects.filter(type="imprisoned", person=father).count() == 2  # world's + this
    with pytest.raises(InvalidInput, match="不一致"):
        pprl_answers_store(**{**args, "persons": persons[:1]})


def test_the_query_log_pages_show_each_side_its_own_queries_and_export(world, personas):
    ask(world, personas.caseworker_a)
    justice_clerk = f.user("justice_clerk", "data_submitter", world["father"].division,
                           Agency.objects.get(name="临河区司法局"))  # fmt: skip
    caseworker = client_for(personas.caseworker_a)
    assert (
        "查询记录" in caseworker.get("/").content.decode()
    )  # in the menu where queries are deployed
    asked = caseworker.get("/queries/log/").content.decode()
    assert "本辖区民政部门" in asked
    assert "临河区司法局" in asked  # whom civil affairs asked
    assert "2 / 1 / 1" in asked  # persons asked / in the list / in force
    for person in (world["father"], world["mother"]):
        assert person.name not in asked
    answered = client_for(justice_clerk).get("/queries/log/").content.decode()
    assert "本平台就本部门数据项答复的查询" in answered
    assert "临河区民政局" in answered  # who asked the department
    assert '<td data-label="经办人">临河区民政局平台</td>' in answered  # its platform, by name
    assert f"/persons/{world['case'].child_id}/" in asked  # the caseworker can open the child
    for page in (asked, answered):  # the purpose in the platform's one vocabulary, never a code
        assert '<td data-label="用途">定期核查</td>' in page
    other = client_for(personas.caseworker_b).get("/queries/log/").content.decode()
    assert "没有查询记录" in other  # another county asked nothing
    assert client_for(personas.child_director_a).get("/queries/log/").status_code == 403
    book = caseworker.get("/queries/log/export.xlsx", {"month": "2026-13"})  # bad month: all
    rows = list(load_workbook(io.BytesIO(book.content))["数据"].iter_rows(values_only=True))
    assert rows[0][:5] == ("时间", "方向", "数据项", "用途", "单位或对方")
    assert len(rows) == 2
    assert rows[1][3:5] == ("定期核查", "临河区司法局")
    assert AuditEntry.objects.filter(action="export", object_type="query").exists()
    printed = CliRunner().invoke(main, ["query", "log"]).output  # the command line says the same
    assert "临河区司法局  定期核查  服刑在押和司法行政强制隔离戒毒人员" in printed
    assert "临河区民政局  定期核查" in printed  # the department's side


def test_the_caseworker_asks_from_the_childs_page(world, personas, settings, monkeypatch):
    url = "https://sfj.example.gov.cn/api/v1"
    settings.QUERY_PEERS = {ITEM: {"name": "市司法局", "url": url, "token_file": "unused"}}
    monkeypatch.setattr(views, "peer_for", lambda code: (url, sender(world["civil_token"])))
    case = world["case"]
    client = client_for(personas.caseworker_a)
    page = client.get(f"/persons/{case.child_id}/").content.decode()
    assert f"/queries/ask/{case.pk}/" in page
    assert "被查询部门：市司法局" in page
    assert "用途为定期核查" in page
    answered = client.post(f"/queries/ask/{case.pk}/", {"item": ITEM})
    text = answered.content.decode()
    assert answered.status_code == 200
    assert "向市司法局查询" in text
    assert "（用途：定期核查）" in text
    assert "在执行" in text
    assert "2028年1月4日" in text
    assert "不在部门名单中" in text  # the mother
    log = client.get("/queries/log/").content.decode()
    assert '<td data-label="单位或对方">市司法局</td>' in log
    allowed = ALLOWED_WORDS | {personas.caseworker_a.username}
    for shown in map(visible_text, (page, text, log)):  # neither the URL nor a code on screen
        assert "sfj.example" not in shown
        assert codes_in(shown, allowed) == []
    assert (
        QueryLog.objects.filter(direction=Direction.ASKED, user=personas.caseworker_a).count() == 1
    )
    unknown = client.post(f"/queries/ask/{case.pk}/", {"item": "court_judgment"})
    assert unknown.status_code == 400
    other = client_for(personas.caseworker_b)
    assert other.post(f"/queries/ask/{case.pk}/", {"item": ITEM}).status_code == 404
    assert QueryLog.objects.filter(direction=Direction.ASKED).count() == 1


def test_a_peer_without_a_name_is_called_by_its_department_type_even_in_old_records(settings):
    item = catalog_load("150802").item(ITEM)
    settings.QUERY_PEERS = {ITEM: {"url": "https://sfj.example.gov.cn/api/v1"}}
    assert peer_name(item) == "司法行政部门"
    settings.QUERY_PEERS = {ITEM: {"name": "  ", "url": "https://sfj.example.gov.cn/api/v1"}}
    assert peer_name(item) == "司法行政部门"  # a blank name is no name
    old = QueryLog(direction=Direction.ASKED, item_code=ITEM, purpose="retired_use",
                   peer="https://sfj.example.gov.cn/api/v1/queries")  # fmt: skip
    (row,) = log_rows([old])  # a record written before peers had names kept the URL
    assert (row.party, row.purpose) == ("司法行政部门", "（已停用的用途）")
