"""In a real Chromium: a caseworker starts a comparison, watches it finish, confirms an enrol
finding and finds the new case on the child's page; the queue on a phone-sized screen.

The job is run in this thread once the page shows it queued (the live server shares this thread's
in-memory SQLite connection; see tests/web/exchange/test_browser.py)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.browser import DESKTOP, PHONE, UI_MARKS
from tests.web.exchange.conftest import run_jobs
from tests.web.ui.test_browser import sign_in

pytestmark = UI_MARKS


def test_caseworker_runs_a_comparison_and_enrols_a_child(
    live_server,
    transactional_db,
    region,
    personas,
    small_region,
    browser,
    shots,
):
    base = live_server.url
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    sign_in(page, base, "caseworker_a")
    page.get_by_role("link", name="数据比对").click()
    assert page.locator("h1").inner_text() == "数据比对"
    page.get_by_test_id("start-run").click()
    page.wait_for_load_state()
    assert "比对已开始" in page.locator(".alert-ok").inner_text()
    assert page.get_by_test_id("run-status").inner_text() == "排队中"
    assert page.get_by_role("progressbar").is_visible()
    page.screenshot(path=str(shots / "comparison-queued.png"), full_page=True)

    assert run_jobs() == 1
    # a locator, not wait_for_function: the page's Content-Security-Policy forbids eval
    expect(page.get_by_test_id("run-status")).to_have_text("已完成", timeout=60_000)
    page.screenshot(path=str(shots / "comparison-done.png"), full_page=True)
    page.locator("td[data-kind=enrol] a").click()
    page.wait_for_load_state()
    assert page.locator("tbody tr").count() == 2
    page.screenshot(path=str(shots / "comparison-queue.png"), full_page=True)

    page.get_by_role("link", name="王小雨").click()
    page.wait_for_load_state()
    assert "身份证号精确 100%" in page.get_by_test_id("link").first.inner_text()
    assert "父亲" in page.get_by_test_id("reasons").inner_text()
    page.screenshot(path=str(shots / "comparison-finding.png"), full_page=True)
    page.get_by_role("button", name="确认纳入").click()
    page.wait_for_load_state()
    assert "已纳入保障" in page.locator(".alert-ok").inner_text()
    assert page.get_by_test_id("finding-status").inner_text() == "已确认"

    page.get_by_test_id("child-link").click()
    page.wait_for_load_state()
    cases = page.locator(".case-list").inner_text()
    assert "散居孤儿" in cases
    assert "保障中" in cases
    page.screenshot(path=str(shots / "comparison-child.png"), full_page=True)
    page.close()


def test_the_queue_fits_a_phone(
    live_server,
    transactional_db,
    personas,
    made,
    browser,
    shots,
):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, "caseworker_a")
    page.goto(f"{live_server.url}/comparison/findings/")
    assert page.locator("tbody tr").count() == 5
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(fits), "the queue scrolls sideways on a phone"
    page.screenshot(path=str(shots / "comparison-queue-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/comparison/findings/{made.exit.pk}/")
    assert page.evaluate(fits), "a finding scrolls sideways on a phone"
    page.screenshot(path=str(shots / "comparison-finding-phone.png"), full_page=True)
    context.close()
