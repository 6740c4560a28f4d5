"""The administration pages on a phone (390 px) in a real Chromium: an administrator registers a
child director and opens an account; the new director signs in and must change the password first.
Nothing scrolls sideways. Screenshots go to $SHOUHU_SCREENSHOT_DIR when set."""

from __future__ import annotations

from pathlib import Path

from tests.web.browser import FITS, PHONE, UI_MARKS, second_factor_pass
from tests.web.factories import PASSWORD

pytestmark = UI_MARKS
NEW_PASSWORD = "Haijun-village-2027"


def _shot(page, shots: Path, name: str) -> None:
    assert page.evaluate(FITS), f"{name} scrolls sideways on a phone"
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    second_factor_pass(page, base, username)


def test_an_administrator_opens_a_directors_account_on_a_phone(
    live_server, transactional_db, region, admin_a, browser, shots
):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    _sign_in(page, live_server.url, "admin_a", PASSWORD)
    assert page.locator("h1").inner_text() == "系统管理"
    _shot(page, shots, "admin-home-phone")

    page.get_by_role("navigation", name="系统管理").get_by_role("link", name="用户").click()
    assert page.locator("[data-testid=users] tbody tr").count() >= 3
    _shot(page, shots, "admin-users-phone")

    page.goto(f"{live_server.url}/manage/roster/new/")
    page.get_by_label("职务").select_option("child_director")
    page.get_by_label("真实姓名").fill("张海军")
    page.get_by_label("联系电话").fill("13900001111")
    page.get_by_label("负责区域").fill(region.village_a.code)
    _shot(page, shots, "admin-roster-new-phone")
    page.get_by_role("button", name="登记").click()
    page.wait_for_load_state()
    assert "已登记" in page.content()
    page.get_by_label("用户名", exact=True).fill("zhanghaijun")
    _shot(page, shots, "admin-roster-member-phone")
    page.get_by_role("button", name="开通账户并生成临时密码").click()
    page.wait_for_load_state()
    temporary = page.get_by_test_id("temporary-password").inner_text()
    _shot(page, shots, "admin-temporary-password-phone")

    page.goto(f"{live_server.url}/manage/roster/")
    assert "张海军" in page.locator("[data-testid=roster]").inner_text()
    _shot(page, shots, "admin-roster-phone")
    page.goto(f"{live_server.url}/manage/divisions/")
    _shot(page, shots, "admin-divisions-phone")
    context.close()

    director = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = director.new_page()
    _sign_in(page, live_server.url, "zhanghaijun", temporary)
    assert page.url.endswith("/me/password/")
    _shot(page, shots, "password-forced-phone")
    page.get_by_label("当前密码").fill(temporary)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再输一次新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    page.wait_for_load_state()
    assert "密码已修改" in page.content()
    director.close()
