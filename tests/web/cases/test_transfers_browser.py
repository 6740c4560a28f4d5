"""手机上（390×844）走一遍迁移：转出县（临河区）的经办人员在儿童页面提出迁移，迁入县（五原县）
的经办人员从待办进入、接收，个案和它的探访随儿童过去。一次浏览器启动、两个会话。
截图放在 $SHOUHU_SCREENSHOT_DIR（没有设置时放在测试的临时目录）。"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from shouhu.web.accounts.models import User
from shouhu.web.cases.models import Transfer
from shouhu.web.cases.visits import Check, VisitInput, visit_record
from tests.web.browser import FITS, PHONE, UI_MARKS

pytestmark = UI_MARKS
OK = {code: Check("ok") for code in ("safety", "food", "school", "health", "carer")}


def _phone(browser, base: str, username: str):
    """带上会话打开（省下登录页和动态验证码：登录本身另有测试）。"""
    page = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    client = Client()
    client.force_login(User.objects.get(username=username))
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])
    page.goto(f"{base}/")
    return page


@pytest.mark.usefixtures("transactional_db")
def test_the_sending_county_proposes_the_receiving_county_accepts_and_the_file_follows(
    live_server, casework, region, browser, shots
) -> None:
    visit_record(ctx=casework.director, case=casework.case, data=VisitInput(
        visited_at=timezone.now(), place="儿童家中", seen="儿童、祖母", checks=OK))  # fmt: skip
    base = live_server.url
    child = casework.child.name

    sender = _phone(browser, base, "caseworker_a")
    sender.goto(f"{base}/persons/{casework.child.pk}/")
    sender.get_by_role("link", name="提出迁移").click()
    sender.get_by_label("迁入地").select_option(label="五原县")
    sender.get_by_label("迁移理由").fill("儿童随祖母搬到五原县居住，已在当地入学。")
    assert sender.evaluate(FITS)
    sender.screenshot(path=str(shots / "transfer-propose-phone.png"), full_page=True)
    sender.get_by_role("button", name="提出迁移").click()
    sender.wait_for_url("**/persons/**")
    assert "已提出迁移" in sender.content()

    receiver = _phone(browser, base, "caseworker_b")
    receiver.get_by_role("link", name="迁入的个案待接收").first.click()
    receiver.get_by_role("link", name=child).first.click()
    receiver.wait_for_load_state()
    detail = receiver.get_by_test_id("transfer-detail").inner_text()
    assert "随祖母搬到五原县" in detail
    assert casework.child.id_number not in receiver.content()
    assert receiver.evaluate(FITS)
    receiver.screenshot(path=str(shots / "transfer-accept-phone.png"), full_page=True)
    receiver.get_by_role("button", name="接收个案").click()
    receiver.wait_for_url(f"**/persons/{casework.child.pk}/**")
    assert "已接收" in receiver.content()
    assert "儿童家中" in receiver.get_by_test_id("visits").inner_text()  # 探访随个案过去
    assert receiver.evaluate(FITS)
    receiver.screenshot(path=str(shots / "transfer-accepted-phone.png"), full_page=True)
    assert Transfer.objects.get().status == "accepted"
    casework.case.refresh_from_db()
    assert casework.case.division_id == region.county_b.code
    sender.close()
    receiver.close()
