"""手机上（390×844）走一遍申请链：儿童主任在儿童页面帮助申请、上传户口簿、报乡镇；督导员退回
一次；儿童主任从待办进入、重新报送；督导员初审通过；县级经办人员写明缺件理由后批准，开出个案。
截图放在 $SHOUHU_SCREENSHOT_DIR（没有设置时放在测试的临时目录）。"""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings as django_settings
from django.test import Client

from shouhu.web.accounts.models import User
from shouhu.web.cases.application_models import Application, ApplicationStep
from shouhu.web.cases.models import Case
from tests.web import factories as f
from tests.web.browser import FITS, PHONE, UI_MARKS
from tests.web.ui.test_browser import sign_in

pytestmark = UI_MARKS
PDF = b"%PDF-1.4\n%demo\n"


def _phone(browser, base: str, username: str, *, form: bool = False):
    """登录：儿童主任经登录页；其余两人直接带上会话（省下登录页和动态验证码的时间）。"""
    page = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    if form:
        sign_in(page, base, username)
        return page
    client = Client()
    client.force_login(User.objects.get(username=username))
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])
    page.goto(f"{base}/")
    return page


def _open_from_todo(page, todo: str, child: str) -> None:
    page.get_by_role("link", name=todo).first.click()
    page.get_by_role("link", name=child).first.click()
    page.wait_for_load_state()


@pytest.mark.usefixtures("transactional_db")
def test_director_applies_township_returns_once_county_approves(
    live_server, region, personas, browser, shots, settings, tmp_path
) -> None:
    settings.DOCUMENT_DIR = tmp_path / "documents"
    f.user("supervisor_a", "supervisor", region.township_a, personas.caseworker_a.agency)
    child = f.person(region.village_a, name="刘小雨", birth=date(2015, 6, 1), gender="F")
    base = live_server.url

    page = _phone(browser, base, "director_a", form=True)
    page.goto(f"{base}/persons/{child.pk}/")
    page.get_by_test_id("apply-new").click()
    page.get_by_label("申请类别").select_option(label="事实无人抚养儿童")
    page.get_by_label("父亲的情形").select_option(label="服刑在押")
    page.get_by_label("姓名").fill("刘桂芳")
    page.get_by_label("与儿童关系").fill("祖母")
    assert page.evaluate(FITS)
    page.screenshot(path=str(shots / "application-new-phone.png"), full_page=True)
    page.get_by_role("button", name="登记申请").click()
    row = page.get_by_test_id("doc-household_register")
    row.locator("input[type=file]").set_input_files(
        files=[{"name": "户口簿.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    row.get_by_role("button", name="上传").click()
    assert "已上传" in page.get_by_test_id("doc-household_register").inner_text()
    page.get_by_role("button", name="报乡镇（街道）初审").click()

    township = _phone(browser, base, "supervisor_a")
    _open_from_todo(township, "待我办理的申请", child.name)
    township.get_by_text("退回上一环节").click()
    township.get_by_label("退回理由（必填）").fill("请补传监护人身份证")
    township.get_by_role("button", name="退回", exact=True).click()

    page.goto(f"{base}/")
    _open_from_todo(page, "退回给我的申请", child.name)
    assert "请补传监护人身份证" in page.get_by_test_id("steps").inner_text()
    assert page.evaluate(FITS)
    page.screenshot(path=str(shots / "application-returned-phone.png"), full_page=True)
    page.get_by_role("button", name="报乡镇（街道）初审").click()

    township.goto(f"{base}/")
    _open_from_todo(township, "待我办理的申请", child.name)
    township.get_by_role("button", name="初审通过，报县级审批").click()

    county = _phone(browser, base, "caseworker_a")
    _open_from_todo(county, "待我办理的申请", child.name)
    county.get_by_label("缺少材料仍批准的理由").fill("已电话核实在押，证明随后补交")
    assert county.evaluate(FITS)
    county.screenshot(path=str(shots / "application-county-phone.png"), full_page=True)
    county.get_by_role("button", name="批准").click()
    assert "已批准" in county.get_by_test_id("stage").inner_text()
    county.set_viewport_size({"width": 1366, "height": 900})
    county.screenshot(path=str(shots / "application-approved-desktop.png"), full_page=True)

    assert Case.objects.get(child=child).status == "active"
    decisions = list(ApplicationStep.objects.values_list("decision", flat=True))
    assert decisions == ["register", "pass", "return", "pass", "pass", "approve"]
    assert Application.objects.get().missing_override.startswith("已电话")
    for p in (page, township, county):
        p.close()
