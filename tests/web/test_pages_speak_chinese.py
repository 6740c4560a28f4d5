"""Every page of the platform, for every role of the demo, speaks Chinese: no internal code shown.

The test walks the URL map (so a page added later is visited too, or the test fails and says which
pattern it does not know), renders each page for each demo user, keeps the text a person sees
(element text, placeholders, alt text, aria labels — not `title`, where a code for support staff is
allowed), and fails on any English word that is not an allowed format name or user name, and on `§`.
Internal codes are English snake_case values (`court_imprisoned`, `no_candidate`, `primary`,
`exact_id`…), so "no English word on screen" catches every list's values at once.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import Workbook

from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Purpose
from shouhu.web.cases.register_import import register_import_run, register_import_upload
from shouhu.web.comparison.models import RuleSimulation, SimulationChild, SimulationCounty
from shouhu.web.demo import demo_build
from shouhu.web.exchange.items import catalog_for
from shouhu.web.exchange.services import upload_create
from shouhu.web.objections.services import objection_raise
from tests.web.pages import (
    ALLOWED_WORDS,
    NOT_PAGES,
    PARAMETERS,
    Objects,
    codes_in,
    page_url,
    platform_pages,
    visible_text,
)
from tests.web.test_access_matrix import outline_problems, scope_problems

DEMO_PERSONS = 1500


def _demo_with_an_objection_and_an_upload() -> None:
    demo_build(persons=DEMO_PERSONS, seed=7, echo=lambda _: None)
    director = User.objects.get(username="demo_director")
    ctx = RequestContext(user=director, client_ip="127.0.0.1", purpose=Purpose.CASE_WORK)
    fact = access.facts_in_scope(director).filter(is_current=True).first()
    assert fact is not None
    objection_raise(ctx=ctx, fact=fact, reason="判决日期与判决书不符")
    submitter = User.objects.get(username="demo_submitter")
    assert submitter.agency is not None
    ctx = RequestContext(user=submitter, client_ip="127.0.0.1", purpose=Purpose.SUBMISSION)
    item = catalog_for(submitter.agency).items_for(submitter.agency.agency_type)[0]
    upload_create(ctx=ctx, agency=submitter.agency, item_code=item.code,
                  period=date.today().replace(day=1), filename="报送.csv",
                  data="案号\n（2026）蒙0802民特1号\n".encode())  # fmt: skip
    _register_import_by_the_caseworker()
    _simulation_by_the_caseworker()


def _register_import_by_the_caseworker() -> None:
    """台账导入：一名儿童导入，一行找不到人（结果页上有未导入的行和原因）。"""
    caseworker = User.objects.get(username="demo_caseworker")
    children = access.persons_visible_to(caseworker).filter(cases__isnull=True)
    child = children.filter(birth_date__range=(date(2010, 1, 1), date(2020, 1, 1))).first()
    assert child is not None
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["儿童姓名", "公民身份号码", "保障类别", "批准日期", "监护人", "备注"])
    sheet.append([child.name, child.id_number, "事实无人抚养儿童", "2024-03-01", "王大海", "无"])
    sheet.append(["钱小北", "11010519491231002X", "孤儿", "2024-03-01", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    ctx = RequestContext(user=caseworker, client_ip="127.0.0.1", purpose=Purpose.CASE_WORK)
    upload = register_import_upload(ctx=ctx, division=caseworker.division, filename="原台账.xlsx",
                                    data=buffer.getvalue()).register_import  # fmt: skip
    outcome = register_import_run(
        ctx=ctx, register_import=upload, columns=upload.mapping["columns"]
    )
    assert (outcome.cases_created, len(outcome.problems)) == (1, 1)


def _simulation_by_the_caseworker() -> None:
    """规则变更模拟的结果，按执行后的样子直接写入（不再跑两次引擎）：一县、一名新符合条件的儿童。"""
    caseworker = User.objects.get(username="demo_caseworker")
    run = access.simulation_runs_visible_to(caseworker).first()
    child = access.persons_visible_to(caseworker).filter(cases__isnull=True).first()
    assert run is not None
    assert child is not None
    simulation = RuleSimulation.objects.create(
        run=run, division=run.division, name="在校延续保障到22周岁", status="done",
        started_by=caseworker, overrides={"past_18_in_school.supported": True,
                                          "past_18_in_school.levels": ["undergraduate"]},
        totals={"newly_eligible": 1, "no_longer_eligible": 0, "changed": 1},
    )  # fmt: skip
    counts = {"enrol": 0, "exit": 0, "change": 0, "review": 0}
    SimulationCounty.objects.create(
        simulation=simulation, division=run.division, before=counts,
        after=counts | {"enrol": 1}, newly_eligible=1, changed=1,
    )  # fmt: skip
    SimulationChild.objects.create(
        simulation=simulation, person=child, division=child.division, county=run.division,
        effect="newly_eligible", after_kind="enrol", after_decision="eligible",
        after_category="orphan", after_reasons=["father_deceased", "mother_deceased"],
    )  # fmt: skip


def test_every_url_pattern_has_a_way_to_fill_its_parameters() -> None:
    """A new page with a new kind of parameter must be taught to this test, not skipped by it."""
    unknown = {name for page in platform_pages() for name in page.parameters} - set(PARAMETERS)
    assert not unknown, f"add these URL parameters to PARAMETERS: {sorted(unknown)}"


def test_codes_are_found_in_visible_text_only() -> None:
    html = (
        '<p title="court_imprisoned">服刑在押</p><script>var no_candidate = 1;</script>'
        '<input placeholder="primary"><span aria-label="依据 bayannur §3">依据</span>'
    )
    assert codes_in(visible_text(html), ALLOWED_WORDS) == ["primary", "bayannur", "§"]


@pytest.mark.xdist_group("walk")  # 最长的一个测试：先发出去（tests/conftest.py）
@pytest.mark.django_db(transaction=False)
def test_every_page_for_every_role_speaks_chinese_and_keeps_to_scope() -> None:
    _demo_with_an_objection_and_an_upload()
    users = list(User.objects.filter(username__startswith="demo_", is_active=True).order_by("pk"))
    allowed = ALLOWED_WORDS | {user.username for user in users}
    problems: list[str] = []
    scope: list[str] = []
    cells = 0
    for user in users:
        client = Client()
        client.force_login(user)
        objects = Objects(user)
        for page in platform_pages():
            if page.name.startswith(NOT_PAGES):
                continue
            found_scope, placed = scope_problems(client, user, page, objects)
            scope += found_scope
            cells += placed
            url = page_url(page, objects)
            response = client.get(url)
            if response.status_code == 405:
                response = client.post(url, {})
            assert response.status_code < 500, f"{user.username} {url}: {response.status_code}"
            if "text/html" not in response.get("Content-Type", "") or not response.content:
                continue
            found = codes_in(visible_text(response.content.decode()), allowed)
            if found:
                problems.append(f"{user.username} {page.name} {url}: {sorted(set(found))}")
    assert not problems, "internal codes on screen:\n" + "\n".join(problems)
    assert not scope, "out of scope not answered as missing:\n" + "\n".join(scope)
    assert cells > 100  # the access matrix really ran: roles × pages × objects out of scope
    assert not outline_problems()
