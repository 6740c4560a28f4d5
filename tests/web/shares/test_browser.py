"""推送名单的页面在真实的 Chromium 里：部门用户登录就落在推送名单页，电脑（1280）和手机（390）
宽度都不横向滚动，手机上一名儿童一行；在手机宽度勾选一名儿童记反馈。
截图在 $SHOUHU_SCREENSHOT_DIR。"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shouhu.web.shares.models import ShareFeedback
from shouhu.web.shares.services import share_list_publish
from tests.web.browser import DESKTOP, FITS, PHONE, UI_MARKS, second_factor_pass
from tests.web.factories import PASSWORD
from tests.web.shares.conftest import ctx_for

pytestmark = UI_MARKS


def test_department_pages_at_desktop_and_phone_width(
    live_server, transactional_db, region, personas, shares, browser, shots
) -> None:
    ctx = ctx_for(personas.caseworker_a)
    first = share_list_publish(
        ctx=ctx, division=region.county_a, agency=shares.insurance_a, purpose="insurance_enrolment"
    )
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("insurance_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    second_factor_pass(page, live_server.url, "insurance_a")
    page.wait_for_url(f"{live_server.url}/shares/")  # 部门用户的首页：推送名单
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        for url, name in (("/shares/", "home"), (f"/shares/{first.pk}/", "list")):
            page.goto(f"{live_server.url}{url}")
            assert page.evaluate(FITS), f"{name} scrolls sideways at {label} width"
            page.screenshot(path=str(shots / f"shares-{name}-{label}.png"), full_page=True)
    # 手机宽度上一名儿童一行（紧凑的几行字），不是一张卡片：20 名儿童的一页不必翻几屏
    tallest = page.evaluate("Math.max(...[...document.querySelectorAll("
                            "'[data-testid=share-entries] tbody tr')].map("
                            "r => r.getBoundingClientRect().height))")  # fmt: skip
    assert tallest < 130, f"a child's row is {tallest}px tall at phone width"
    # 手机宽度：勾选第一名儿童，记“已办理”
    page.locator("input[name=entry]").first.check()
    page.select_option("#outcome", "done")
    page.fill("#done_on", (timezone.localdate() - timedelta(days=1)).isoformat())
    page.fill("#reference", "YB0001")
    page.get_by_role("button", name="记录反馈").click()
    page.wait_for_url(f"{live_server.url}/shares/{first.pk}/")
    assert "已记录 1 名儿童的反馈" in page.content()
    assert ShareFeedback.objects.get().reference == "YB0001"
    page.close()
