"""A court clerk uploads an Excel file made by LibreOffice through a real Chromium: the rows
land as facts with provenance, a second upload of the same file adds nothing, and the bad row
comes back in an error report with its cell marked. Screenshots go to $SHOUHU_SCREENSHOT_DIR
when set (else the test's temporary directory)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from shouhu.core.catalog import DataItem
from shouhu.web.exchange.models import Fact, Submission
from tests.core.exchange.exchange_helpers import row_list
from tests.web.browser import CHROMIUM, DESKTOP, second_factor_pass
from tests.web.exchange.conftest import judgment_rows, registry_person, run_jobs
from tests.web.factories import PASSWORD

SOFFICE = shutil.which("soffice")

pytestmark = [
    pytest.mark.ui,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} not installed"),
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed"),
]


def libreoffice_xlsx(item: DataItem, rows: list[dict[str, object]], where: Path) -> Path:
    """The template's columns filled as CSV, converted by LibreOffice with every column as
    text (as a clerk would type IDs into the template's text-formatted columns)."""
    source = where / "九月判决.csv"
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(item.headers)
    writer.writerows(["" if v is None else v for v in row_list(item, row)] for row in rows)
    source.write_text(buffer.getvalue(), encoding="utf-8")
    text_columns = "/".join(f"{n}/2" for n in range(1, len(item.headers) + 1))
    subprocess.run(
        [
            str(SOFFICE),
            "--headless",
            f"-env:UserInstallation=file://{where / 'lo-profile'}",
            f"--infilter=CSV:44,34,76,1,{text_columns}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(where),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    made = where / "九月判决.xlsx"
    assert made.read_bytes()[:2] == b"PK"
    return made


def work(page, base_url: str) -> None:
    """Be the worker once the page shows the job's progress.

    The live server shares this thread's in-memory SQLite connection; a worker thread with its
    own connection would meet SQLite's shared-cache table locks (the worker thread itself is
    tested in test_jobs.py, and `shouhu serve` uses a file database).
    """
    page.wait_for_url(f"{base_url}/submissions/jobs/**")
    assert run_jobs() == 1


def sign_in(page, base_url: str, username: str, lands_on: str = "/submissions/") -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    second_factor_pass(page, base_url, username)
    page.wait_for_url(f"{base_url}{lands_on}")


def upload(page, base_url: str, item: DataItem, path: Path, button: str) -> None:
    page.goto(f"{base_url}/submissions/new/")
    page.get_by_label("数据项").select_option(item.code)
    assert page.get_by_label("所属月份").input_value()  # last month, by default
    page.get_by_label("报送文件").set_input_files(str(path))
    page.get_by_role("button", name=button).click()


def test_libreoffice_workbook_uploaded_in_a_browser(
    live_server,
    transactional_db,
    region,
    courts,
    court_item,
    browser,
    shots,
    tmp_path,
):
    known = registry_person(region, 0)
    rows = judgment_rows(court_item, 6)
    rows[3]["effective_date"] = "2025-02-30"
    workbook = libreoffice_xlsx(court_item, rows, tmp_path)
    base = live_server.url
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    sign_in(page, base, "court_clerk_a")
    assert page.get_by_test_id("due-panel").is_visible()
    page.screenshot(path=str(shots / "exchange-home.png"), full_page=True)

    upload(page, base, court_item, workbook, "校验并预览")
    work(page, base)
    page.wait_for_url(f"{base}/submissions/uploads/**", timeout=60_000)
    assert page.get_by_test_id("rows-accepted").inner_text() == "5"
    assert page.get_by_test_id("rows-rejected").inner_text() == "1"
    assert "2025-02-30" in page.get_by_test_id("errors").inner_text()
    page.screenshot(path=str(shots / "exchange-preview.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告").click()
    assert download.value.suggested_filename == "九月判决-错误报告.xlsx"
    report = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).worksheets[0]
    marked = [
        c.value
        for r in report.iter_rows(min_row=2)
        for c in r
        if c.fill.fgColor.rgb.endswith("FFC7CE")
    ]
    assert marked == ["2025-02-30"]

    page.get_by_role("button", name="确认报送").click()
    work(page, base)
    page.wait_for_url(f"{base}/submissions/receipts/**", timeout=60_000)
    assert page.get_by_test_id("rows-accepted").inner_text() == "5"
    assert page.get_by_test_id("facts-created").inner_text() == "5"
    page.screenshot(path=str(shots / "exchange-receipt.png"), full_page=True)
    submission = Submission.objects.get()
    facts = Fact.objects.filter(submission=submission)
    assert facts.count() == 5
    linked = facts.get(subject_id_number=known.id_number)
    assert (linked.person, linked.link_method, linked.agency) == (known, "exact_id", courts.a)
    assert linked.source_record_id == rows[0]["case_number"]

    upload(page, base, court_item, workbook, "直接报送")
    work(page, base)
    page.wait_for_url(f"{base}/submissions/receipts/{submission.pk}/", timeout=60_000)
    assert page.get_by_test_id("receipt-number").inner_text() == submission.receipt_number
    assert (Submission.objects.count(), Fact.objects.count()) == (1, 5)

    # Civil affairs sees the court's September delivery in the timeliness grid.
    desk = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    sign_in(desk, base, "caseworker_a", lands_on="/")
    desk.get_by_role("link", name="报送情况").click()
    row = desk.get_by_test_id("timeliness").get_by_role("row").filter(has_text="临河区人民法院")
    assert "按时" in row.inner_text() or "逾期报送" in row.inner_text()
    desk.get_by_role("link", name="近 12 个月").click()
    rate = desk.get_by_test_id("timeliness").locator("td.cell-rate").first
    box = rate.bounding_box()  # 12 个月放不下时，按时率仍在眼前（不在横向滚动的尽头）
    assert box is not None
    assert box["x"] + box["width"] <= DESKTOP["width"]
    desk.screenshot(path=str(shots / "exchange-timeliness.png"), full_page=True)
