"""The person list: scope, search by name (traditional accepted), pinyin or ID, masking, audit."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from shouhu.core.identity import mask_id_number
from shouhu.web.audit.models import AuditEntry
from shouhu.web.registry.selectors import PAGE_SIZE
from tests.web import factories as f
from tests.web.factories import CLIENT_IP, client_for

pytestmark = pytest.mark.django_db
LIST = "/persons/"


def search(user, q: str = "", **fields: str) -> str:
    response = client_for(user).post(LIST, {"q": q, **fields})
    assert response.status_code == 200
    return response.content.decode()


def rows(page: str) -> int:
    return page.count('class="cell-title"')


@pytest.fixture
def people(region):
    return {
        "zhang": f.person(region.village_a, name="张伟"),
        "ma": f.person(region.village_a, name="马丽", birth=date(1990, 1, 2), gender="F"),
        "zhao": f.person(region.village_b, name="赵小红", gender="F"),
    }


def test_caseworker_lists_their_county_only(personas, people):
    page = client_for(personas.caseworker_a).get(LIST).content.decode()
    assert "张伟" in page
    assert "马丽" in page
    assert "赵小红" not in page


def test_the_other_county_finds_nothing_by_name_or_id(personas, people):
    assert rows(search(personas.caseworker_b, "张伟")) == 0
    assert rows(search(personas.caseworker_b, people["zhang"].id_number)) == 0


def test_child_director_lists_only_their_village(personas, region, people):
    neighbour = f.person(f.division("150802100202", "另一村", region.township_a), name="孙小丽")
    page = client_for(personas.child_director_a).get(LIST).content.decode()
    assert "张伟" in page
    assert neighbour.name not in page
    assert "赵小红" not in page


@pytest.mark.parametrize("who", ["court_clerk_a", "leader_city", "auditor_city"])
def test_roles_that_read_no_persons_are_refused_and_audited(personas, people, who):
    user = getattr(personas, who)
    response = client_for(user).get(LIST)
    assert response.status_code == 403
    assert "张伟" not in response.content.decode()
    assert AuditEntry.objects.filter(
        action="deny", actor_id=user.pk, object_type="person_list"
    ).exists()


@pytest.mark.parametrize("query", ["張偉", "张伟", " 张 伟 ", "伟"])
def test_name_search_accepts_traditional_characters_and_stray_spaces(personas, people, query):
    page = search(personas.caseworker_a, query)
    assert "张伟" in page
    assert "马丽" not in page


@pytest.mark.parametrize("query", ["zhang", "zhangw", "ZhangWei", "zhang wei"])
def test_pinyin_prefix_search(personas, people, query):
    page = search(personas.caseworker_a, query)
    assert "张伟" in page
    assert "马丽" not in page


def test_pinyin_is_a_prefix_not_a_substring(personas, people):
    assert rows(search(personas.caseworker_a, "wei")) == 0


def test_id_search_by_full_number_in_any_written_form(personas, people):
    number = people["ma"].id_number
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}".lower()
    for query in (
        number,
        spaced,
        number.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    ):
        page = search(personas.caseworker_a, query)
        assert "马丽" in page
        assert rows(page) == 1


def test_id_search_by_the_last_digits(personas, people):
    page = search(personas.caseworker_a, people["ma"].id_number[-6:])
    assert "马丽" in page


def test_too_few_digits_asks_for_more(personas, people):
    page = search(personas.caseworker_a, "12")
    assert "请至少输入身份证号的后 4 位" in page
    assert rows(page) == 0


def test_ids_are_masked_for_the_child_director_and_whole_for_the_caseworker(personas, people):
    number = people["zhang"].id_number
    director = client_for(personas.child_director_a).get(LIST).content.decode()
    assert number not in director
    assert mask_id_number(number) in director
    assert number in client_for(personas.caseworker_a).get(LIST).content.decode()


def test_the_query_travels_by_post_and_a_get_query_is_ignored(personas, people):
    page = client_for(personas.caseworker_a).get(LIST, {"q": "马丽"}).content.decode()
    assert "张伟" in page  # the list is unfiltered: queries are not read from URLs


def test_each_search_is_audited_with_its_kind_but_never_its_text(personas, people):
    number = people["ma"].id_number
    for query in ("張偉", "zhangw", number, number[-5:], ""):
        search(personas.caseworker_a, query)
    entries = list(AuditEntry.objects.filter(action="search").order_by("seq"))
    assert [e.detail["kind"] for e in entries] == [
        "name",
        "pinyin",
        "id_number",
        "id_suffix",
        "all",
    ]
    assert {(e.purpose, e.client_ip, e.object_type) for e in entries} == {
        ("case_work", CLIENT_IP, "person")
    }
    logged = json.dumps(
        [[getattr(e, f.name) for f in e._meta.fields] for e in entries],
        ensure_ascii=False,
        default=str,
    )
    for text in ("張偉", "张伟", "zhangw", number, number[-5:]):
        assert text not in logged


def test_results_are_paged_fifty_at_a_time(personas, region):
    for i in range(PAGE_SIZE + 1):
        f.person(region.village_a, name="刘" + "一二三四五六七八九十"[i % 10] + "明")
    first = search(personas.caseworker_a, "刘")
    second = search(personas.caseworker_a, "刘", page="2")
    assert rows(first) == PAGE_SIZE
    assert rows(second) == 1
    assert "第 2 / 2 页" in second
    assert AuditEntry.objects.filter(action="search", detail__page=2).count() == 1


def test_a_work_scope_exports_as_excel_masked_like_the_list_and_audited(personas, people, region):
    f.case(people["zhang"])
    f.case(f.person(region.village_b, name="外村儿童"))
    assert "/persons/export.xlsx?scope=cases" in search(personas.caseworker_a, scope="cases")
    answer = client_for(personas.caseworker_a).get("/persons/export.xlsx", {"scope": "cases"})
    table = list(load_workbook(io.BytesIO(answer.content))["数据"].iter_rows(values_only=True))
    assert table[0][:2] == ("姓名", "身份证号")
    assert {row[0] for row in table[1:]} == {"张伟"}  # not the other county's child
    assert AuditEntry.objects.get(action="export").object_type == "person"
    director = client_for(personas.child_director_a).get("/persons/export.xlsx", {"scope": "cases"})
    sheet = load_workbook(io.BytesIO(director.content))["数据"]  # a director's file is masked
    ids = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert ids == [mask_id_number(people["zhang"].id_number)]
    whole = client_for(personas.caseworker_a).get("/persons/export.xlsx", {"scope": "all"})
    assert whole.status_code == 404  # no export of the whole population


def test_scope_narrows_to_minors_or_children_with_an_active_case(personas, people, region):
    f.case(people["zhang"])
    f.person(region.village_a, name="钱小军")
    minors = search(personas.caseworker_a, scope="minors")
    assert "钱小军" in minors
    assert "张伟" in minors
    assert "马丽" not in minors
    cases = search(personas.caseworker_a, scope="cases")
    assert "张伟" in cases
    assert "钱小军" not in cases
    assert "事实无人抚养儿童" in cases
