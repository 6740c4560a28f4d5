"""On a phone (390 px): the bell in the header shows the unread count and opens the notices page;
the leaders' dashboard draws its charts (ECharts canvases) from the JSON tag, under the strict
CSP, with nothing scrolling sideways; at desktop width the charts fill their panels."""

from __future__ import annotations

from playwright.sync_api import expect

from shouhu.web.notifications.models import Notification
from tests.web import factories as f
from tests.web.browser import DESKTOP, FITS, PHONE, UI_MARKS
from tests.web.ui.test_browser import sign_in

pytestmark = UI_MARKS


def test_bell_and_dashboard_charts_on_a_phone(
    live_server, transactional_db, region, personas, browser, shots
) -> None:
    f.case(f.person(region.village_a, name="王小雨"))
    leader = personas.leader_city
    for n in range(2):
        Notification.objects.create(user=leader, kind="t", title=f"【守护】下级报表待审核{n}",
                                    link="/reports/")  # fmt: skip
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server.url, leader.username)
    expect(page.get_by_test_id("bell-count")).to_have_text("2")
    expect(page.locator("[data-chart='trend'] canvas")).to_have_count(1)
    expect(page.locator("[data-chart='completion'] canvas")).to_have_count(1)
    assert page.evaluate(FITS)
    page.screenshot(path=str(shots / "dashboard-phone.png"), full_page=True)
    page.get_by_test_id("bell").click()
    expect(page.get_by_test_id("notification")).to_have_count(2)
    page.get_by_test_id("notification").first.click()
    page.wait_for_url(f"{live_server.url}/reports/")
    expect(page.get_by_test_id("bell-count")).to_have_text("1")
    assert page.evaluate(FITS)
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()
    # 桌面宽度：图铺满面板（图曾在隐藏时初始化，缩成约 100 px 的一小条）
    wide = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = wide.new_page()
    sign_in(page, live_server.url, leader.username)
    for key in ("trend", "completion"):
        chart = page.locator(f"[data-chart='{key}']")
        expect(chart.locator("canvas")).to_have_count(1)
        canvas_width = chart.locator("canvas").evaluate("c => c.getBoundingClientRect().width")
        assert canvas_width > 0.9 * chart.evaluate("e => e.parentElement.clientWidth") - 60
    wide.close()
