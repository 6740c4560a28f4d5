"""The pages in a real Chromium (Playwright) against the live server: a caseworker on a desktop,
a village child director on a phone-sized screen. Screenshots go to $SHOUHU_SCREENSHOT_DIR
when set (else the test's temporary directory)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from shouhu.core.identity import mask_id_number
from tests.web import factories as f
from tests.web.browser import DESKTOP, PHONE, UI_MARKS, second_factor_pass
from tests.web.factories import PASSWORD

pytestmark = UI_MARKS


@pytest.fixture
def more_children(region, personas) -> None:
    """Enough of a register that the dashboard and list look like real work."""
    personas.caseworker_a.full_name = "刘晓燕"
    personas.caseworker_a.save(update_fields=["full_name"])
    personas.child_director_a.full_name = "张海军"
    personas.child_director_a.save(update_fields=["full_name"])
    second = f.division("150802101", "新华镇", region.county_a)
    second_village = f.division("150802101201", "新华村", second)
    for name, village, category, orphan_type in [
        ("王小雨", region.village_a, "orphan", "scattered"),
        ("萨仁高娃", region.village_a, "de_facto_unsupported", ""),
        ("李思远", second_village, "orphan", "institutional"),
        ("高晨曦", second_village, "de_facto_unsupported", ""),
    ]:
        case = f.case(f.person(village, name=name, birth=date(2014, 7, 9)), category)
        case.orphan_type = orphan_type
        case.save(update_fields=["orphan_type"])


def sign_in(page, base_url: str, username: str, screenshot: Path | None = None) -> None:
    page.goto(f"{base_url}/login/")
    if screenshot is not None:
        page.screenshot(path=str(screenshot), full_page=True)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    second_factor_pass(page, base_url, username)
    page.wait_for_url(f"{base_url}/")


def search_for(page, text: str) -> None:
    page.locator("#q").fill(text)
    page.locator("#q").press("Enter")
    page.wait_for_load_state()


def test_caseworker_searches_and_reads_a_child_page(
    live_server, transactional_db, region, personas, family_a, more_children, browser, shots
):
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    sign_in(page, live_server.url, "caseworker_a", shots / "login-desktop.png")
    assert page.locator("h1").inner_text() == "统计概览"
    assert page.locator(".stat-primary .stat-value").inner_text() == "5"
    page.screenshot(path=str(shots / "dashboard-desktop.png"), full_page=True)

    page.get_by_role("link", name="人员查询").click()
    search_for(page, "wangx")
    names = page.locator("tbody .cell-title a").all_inner_texts()
    assert sorted(names) == ["王小明", "王小雨"]
    page.screenshot(path=str(shots / "list-desktop.png"), full_page=True)

    page.get_by_role("link", name="王小明").click()
    assert page.get_by_test_id("id-number").inner_text() == family_a.child.id_number
    assert "处于限制人身自由状态" in page.locator(".timeline").inner_text()  # outline first
    page.get_by_label("查看详情须说明用途").select_option("determination")
    page.get_by_role("button", name="查看详情").click()
    page.wait_for_url("**purpose=determination**")
    items = page.locator(".timeline > .tl-item")
    expect(items).to_have_count(2)  # waits for the page the button opened
    assert "服刑在押" in items.nth(0).inner_text() or "服刑在押" in items.nth(1).inner_text()
    older = page.locator("details.tl-older")
    assert not older.locator("li").first.is_visible()
    older.locator("summary").click()
    assert "小学" in older.locator("li").first.inner_text()
    page.screenshot(path=str(shots / "child-desktop.png"), full_page=True)

    # a child of the other county, by URL: the same page as for a child that does not exist
    other = f.person(region.village_b, name="孙小丽")
    page.goto(f"{live_server.url}/persons/{other.pk}/")
    assert page.locator("h1").inner_text() == "未找到"
    assert "孙小丽" not in page.content()
    page.screenshot(path=str(shots / "not-found-desktop.png"), full_page=True)
    page.close()


def test_child_director_uses_the_list_and_child_page_on_a_phone(
    live_server, transactional_db, personas, family_a, more_children, browser, shots
):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, "director_a", shots / "login-phone.png")
    page.screenshot(path=str(shots / "dashboard-phone.png"), full_page=True)

    page.goto(f"{live_server.url}/persons/")
    search_for(page, "王")
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(fits), "the list scrolls sideways on a phone"
    assert not page.locator(".table-persons thead").is_visible()
    link = page.get_by_role("link", name="王小明")
    box = link.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    assert box["height"] >= 24, "name link too small to tap"
    masked = mask_id_number(family_a.child.id_number)
    assert masked in page.locator(".table-persons").inner_text()
    page.screenshot(path=str(shots / "list-phone.png"), full_page=True)

    link.tap()
    page.wait_for_load_state()
    assert page.get_by_test_id("id-number").inner_text() == masked
    assert page.evaluate(fits), "the child page scrolls sideways on a phone"
    assert family_a.child.id_number not in page.content()
    page.screenshot(path=str(shots / "child-phone.png"), full_page=True)
    context.close()
