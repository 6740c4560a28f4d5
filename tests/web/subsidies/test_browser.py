"""补贴名册的页面在真实的 Chromium 里：电脑（1280）和手机（390）宽度都不横向滚动；待办链接到
发放失败的名册。截图在 $SHOUHU_SCREENSHOT_DIR（未设置时在测试的临时目录）。"""

from __future__ import annotations

from datetime import date

from shouhu.web.cases.models import CareArrangement, Case
from shouhu.web.subsidies.models import PaymentResult, PaymentResultImport
from shouhu.web.subsidies.services import roster_approve, roster_build, roster_review
from tests.web import factories as f
from tests.web.browser import DESKTOP, FITS, PHONE, UI_MARKS
from tests.web.subsidies.conftest import ctx_for, m
from tests.web.ui.test_browser import sign_in

pytestmark = UI_MARKS


def test_roster_pages_at_desktop_and_phone_width(
    live_server, transactional_db, region, personas, browser, shots
) -> None:
    names = ("王小雨", "萨仁高娃", "李思远", "高晨曦", "张一诺")
    for i, name in enumerate(names):
        case = Case.objects.create(
            child=f.person(region.village_a, name=name), division=region.village_a,
            category="orphan" if i % 2 else "de_facto_unsupported",
            orphan_type="scattered" if i % 2 else "", opened_on=date(2026, 2, 3),
        )  # fmt: skip
        CareArrangement.objects.create(case=case, carer_name=f"{name[0]}大海", bank_name="农商银行",
                                       bank_account=f"622100000000{i:04d}",
                                       started_on=date(2026, 2, 3))  # fmt: skip
    ctx = ctx_for(personas.caseworker_a)
    roster = roster_build(ctx=ctx, division=region.county_a, month=m(2026, 10))
    roster_review(ctx=ctx, roster=roster)
    roster = roster_approve(ctx=ctx, roster=roster)
    done = PaymentResultImport.objects.create(roster=roster, filename="结果.xlsx",
                                              content_sha256="0" * 64, rows=1)  # fmt: skip
    line = roster.lines.first()
    PaymentResult.objects.create(line=line, result_import=done, status="failed", paid_fen=0)
    roster_build(ctx=ctx, division=region.county_a, month=m(2026, 11))

    page = browser.new_page(viewport=DESKTOP)
    sign_in(page, live_server.url, "caseworker_a")
    page.get_by_role("link", name="补贴发放失败待核实账户").click()
    page.wait_for_url(f"{live_server.url}/subsidies/{roster.pk}/")
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        for url, name in ((f"/subsidies/{roster.pk}/", "roster"), ("/subsidies/", "home")):
            page.goto(f"{live_server.url}{url}")
            assert page.evaluate(FITS), f"{name} scrolls sideways at {label} width"
            page.screenshot(path=str(shots / f"subsidy-{name}-{label}.png"), full_page=True)
    page.close()
