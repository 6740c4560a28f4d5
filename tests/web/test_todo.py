"""Every role's first page says what to do, computed from the platform's state."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from shouhu.web.todo import todo_for
from tests.web import factories as f


def test_a_caseworker_sees_children_turning_18_and_held_items(region, personas) -> None:
    today = timezone.localdate()
    soon = today.replace(year=today.year - 18) + timedelta(days=10)
    child = f.person(region.village_a, name="赵将满", birth=soon)
    f.case(child)
    later = f.person(region.village_a, name="赵还早", birth=date(2015, 1, 1))
    f.case(later)
    items = {item.label: item for item in todo_for(personas.caseworker_a)}
    assert items["30 天内年满 18 周岁的保障儿童"].count == 1
    page = f.client_for(personas.caseworker_a).get("/").content.decode()
    assert "待办" in page
    assert "30 天内年满 18 周岁的保障儿童" in page
    assert "30 天内年满 18 周岁的保障儿童" not in {i.label for i in todo_for(personas.caseworker_b)}
    listed = f.client_for(personas.caseworker_a).get(items["30 天内年满 18 周岁的保障儿童"].url)
    text = listed.content.decode()
    assert "赵将满" in text
    assert "赵还早" not in text


def test_a_submitter_sees_objections_to_answer(region, personas) -> None:
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.objections.services import objection_raise

    _, father, _ = f.family(region.village_a)
    court = personas.court_clerk_a.agency
    fact = f.fact(father, court, "imprisoned", start=date(2024, 1, 1), end=date(2030, 1, 1))
    ctx = RequestContext(user=personas.caseworker_a, client_ip="", purpose="case_work")
    objection_raise(ctx=ctx, fact=fact, reason="刑期有误")
    items = {item.label: item for item in todo_for(personas.court_clerk_a)}
    assert items["待答复的疑义"].count == 1
    assert (
        "待答复的疑义" in f.client_for(personas.court_clerk_a).get("/submissions/").content.decode()
    )


def test_an_auditor_is_told_to_verify_the_log(region, personas) -> None:
    items = todo_for(personas.auditor_city)
    assert [i.label for i in items] == ["审计日志超过 7 天未校验"]


def test_a_caseworker_sees_children_whose_or_whose_parents_certificate_expires(region, personas):
    today = timezone.localdate()
    disabled = personas.caseworker_a.agency
    child, father, _ = f.family(region.village_a, child_name="钱小证")
    f.case(child)
    f.fact(father, disabled, "severe_disability", level="1", valid_until=today + timedelta(days=20))
    other, other_father, _ = f.family(region.village_a, child_name="钱远期")
    f.case(other)
    f.fact(other_father, disabled, "severe_disability", level="1",
           valid_until=today + timedelta(days=200))  # fmt: skip
    items = {item.label: item for item in todo_for(personas.caseworker_a)}
    assert items["证件 30 天内到期的保障儿童"].count == 1
    text = f.client_for(personas.caseworker_a).get(items["证件 30 天内到期的保障儿童"].url)
    assert "钱小证" in text.content.decode()
    assert "钱远期" not in text.content.decode()
    assert "证件 30 天内到期的保障儿童" not in {i.label for i in todo_for(personas.court_clerk_a)}


def test_the_home_page_to_do_is_reused_briefly_and_redone_after_the_users_own_change(
    region, personas
) -> None:
    """The home page's to-do is kept 30 seconds per user: what others change shows up within
    that, what the user changes shows up on the next page (read from the audit log, so in every
    server process), and one user's list is never another's."""
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.audit.models import Action
    from shouhu.web.audit.services import audit_record
    from shouhu.web.todo import todo_for_home_page

    def turning_adult(user) -> int:
        items = {item.label: item.count for item in todo_for_home_page(user)}
        return items.get("30 天内年满 18 周岁的保障儿童", 0)

    today = timezone.localdate()
    soon = today.replace(year=today.year - 18) + timedelta(days=10)
    f.case(f.person(region.village_a, name="赵将满", birth=soon))
    assert turning_adult(personas.caseworker_a) == 1
    f.case(f.person(region.village_a, name="孙将满", birth=soon))  # 别人办的（不经本人）
    assert turning_adult(personas.caseworker_a) == 1
    assert turning_adult(personas.caseworker_b) == 0
    ctx = RequestContext(user=personas.caseworker_a, client_ip="", purpose="case_work")
    audit_record(ctx=ctx, action=Action.UPDATE, object_type="case", object_id=1)
    assert turning_adult(personas.caseworker_a) == 2
