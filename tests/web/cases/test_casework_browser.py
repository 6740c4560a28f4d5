"""手机上（390 px）儿童主任从首页的待办进入清单、儿童页面，记录一次探访。截图放在
$SHOUHU_SCREENSHOT_DIR（没有设置时放在测试的临时目录）。"""

from __future__ import annotations

import pytest

from shouhu.web.cases.models import Visit
from tests.web.browser import FITS, PHONE, UI_MARKS
from tests.web.ui.test_browser import sign_in

pytestmark = UI_MARKS


@pytest.mark.usefixtures("transactional_db")
def test_the_director_records_a_visit_on_a_phone(live_server, casework, browser, shots) -> None:
    page = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    sign_in(page, live_server.url, "director_a")
    page.get_by_role("link", name="探访逾期").click()  # 2025 年纳入，至今未探访
    page.get_by_role("link", name=casework.child.name).click()
    page.wait_for_load_state()
    assert page.evaluate(FITS)
    page.screenshot(path=str(shots / "casework-child-phone.png"), full_page=True)
    page.get_by_test_id("visit-new").click()
    page.get_by_label("探访地点").fill("儿童家中")
    page.get_by_label("见到的人").fill("儿童、祖母")
    for name in ("safety", "food", "school", "health", "carer"):
        page.get_by_test_id(f"check-{name}").get_by_label("正常").check()
    page.get_by_test_id("check-school").get_by_label("有问题").check()
    page.get_by_label("上学的说明").fill("这周缺课两天")
    assert page.evaluate(FITS)
    page.screenshot(path=str(shots / "casework-visit-phone.png"), full_page=True)
    page.get_by_role("button", name="保存探访记录").click()
    page.wait_for_url("**/persons/**")
    assert "上学：有问题（这周缺课两天）" in page.get_by_test_id("visits").inner_text()
    assert Visit.objects.get().recorded_by.username == "director_a"
    page.close()
