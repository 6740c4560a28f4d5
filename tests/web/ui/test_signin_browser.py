"""A caseworker's first sign-in in a real Chromium, on a phone (390 px) and a laptop (1366 px):
password, enrolment with the QR code, recovery codes, and the code page the next time. Nothing
scrolls sideways; the Content-Security-Policy blocks nothing the pages need. Screenshots go to
$SHOUHU_SCREENSHOT_DIR when set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shouhu.web.accounts.models import SecondFactor
from shouhu.web.accounts.second_factor import totp_now
from tests.web.browser import FITS, PHONE, UI_MARKS
from tests.web.factories import PASSWORD

pytestmark = UI_MARKS
LAPTOP = {"width": 1366, "height": 800}


def _shot(page, shots: Path, name: str) -> None:
    assert page.evaluate(FITS), f"{name} scrolls sideways"
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("width", "viewport"), [("phone", PHONE), ("laptop", LAPTOP)])
def test_a_caseworker_enrols_and_signs_in_with_a_code(
    live_server, transactional_db, personas, browser, shots, width, viewport
):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    base = live_server.url
    page.goto(f"{base}/login/")
    _shot(page, shots, f"signin-password-{width}")
    page.get_by_label("用户名").fill("caseworker_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/login/enrol/")
    assert page.locator(".login-qr svg").bounding_box()["width"] > 150
    _shot(page, shots, f"signin-enrol-{width}")
    secret = "".join(page.locator(".login-secret span").all_inner_texts())
    page.get_by_label("验证码", exact=True).fill(totp_now(secret))
    page.get_by_role("button", name="完成登记并登录").click()
    page.wait_for_load_state()
    codes = page.get_by_test_id("recovery-codes").inner_text()
    assert len(re.findall(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", codes)) == 10
    _shot(page, shots, f"signin-recovery-codes-{width}")
    page.get_by_role("link", name="已抄好，继续").click()
    page.wait_for_url(f"{base}/")

    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(f"{base}/login/")
    page.get_by_label("用户名").fill("caseworker_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/login/code/")
    page.get_by_label("验证码", exact=True).fill("000000")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "验证码不对" in page.locator(".alert-error").inner_text()
    _shot(page, shots, f"signin-code-{width}")
    # the code of enrolment may still be the current one: a code is accepted once, so forget it
    SecondFactor.objects.filter(user=personas.caseworker_a).update(last_step=0)
    page.get_by_label("验证码", exact=True).fill(totp_now(secret))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    assert blocked == []
    context.close()
