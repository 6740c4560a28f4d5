"""改正反馈留下以前的（网页改、上传改都留，名单页和儿童页都看得到）；名单每月按时发布（有变动
才发，告诉接收部门）；超过一个文件限量的名单分几部分下载，每部分各自上传反馈。"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shouhu.web import exports
from shouhu.web.cases.services import case_close
from shouhu.web.jobs.models import Job
from shouhu.web.jobs.schedule import schedules_tick
from shouhu.web.jobs.worker import job_run_next
from shouhu.web.notifications.models import Notification
from shouhu.web.shares.jobs import share_lists_publish_due
from shouhu.web.shares.models import ShareFeedback, ShareFeedbackEarlier, ShareList
from shouhu.web.shares.services import share_list_publish
from tests.web import factories as f
from tests.web.shares.conftest import ctx_for, upload, xlsx

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _first_list(personas, shares) -> ShareList:  # type: ignore[no-untyped-def]
    agency = shares.insurance_a
    return share_list_publish(ctx=ctx_for(personas.caseworker_a), division=agency.division,
                              agency=agency, purpose="insurance_enrolment")  # fmt: skip


def _sheet(response) -> list[list[object]]:  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(response.content))
    return [list(r) for r in book["数据"].iter_rows(values_only=True)]


def test_a_corrected_feedback_keeps_who_said_what_before(personas, shares) -> None:
    first = _first_list(personas, shares)
    entry = first.entries.order_by("pk").first()
    assert entry is not None
    dept = f.client_for(shares.department_a)
    yesterday = timezone.localdate() - timedelta(days=1)
    dept.post(f"/shares/{first.pk}/feedback/", {"entry": [entry.pk], "outcome": "could_not",
              "reason": "联系不上监护人"})  # fmt: skip
    dept.post(f"/shares/{first.pk}/feedback/", {"entry": [entry.pk], "outcome": "done",
              "done_on": yesterday.isoformat(), "reference": "YB-A"})  # fmt: skip
    # 下载名单改正编号再上传：上传的改动也留下以前的
    rows = _sheet(dept.get(f"/shares/{first.pk}/export/"))
    header = rows[0]
    rows[1][header.index("办理编号")] = "YB-B"
    assert upload(dept, first.pk, xlsx(rows[:2])).status_code == 302

    assert ShareFeedback.objects.get(entry=entry).reference == "YB-B"
    earlier = list(ShareFeedbackEarlier.objects.filter(entry=entry).order_by("recorded_at", "pk"))
    assert [(e.outcome, e.reference, e.reason, e.channel) for e in earlier] == [
        ("could_not", "", "联系不上监护人", "web"), ("done", "YB-A", "", "web")]  # fmt: skip
    assert {e.recorded_by_id for e in earlier} == {shares.department_a.pk}
    assert earlier[-1].replaced_by_id == shares.department_a.pk
    page = dept.get(f"/shares/{first.pk}/").content.decode()
    assert "改过 2 次" in page
    assert "联系不上监护人" in page
    assert "YB-A" in page
    child = f.client_for(personas.caseworker_a).get(f"/persons/{entry.child_id}/").content.decode()
    assert "改过 2 次" in child
    assert "未能办理：联系不上监护人" in child


def test_lists_go_out_each_month_when_something_changed_and_the_department_hears(
    personas, shares
) -> None:
    """第一份全量名单由经办人员核对后发布（授权本身不把全县儿童交出去）；以后每月按时发布变动。"""
    caseworker = f.client_for(personas.caseworker_a)
    assert "尚未发布第一份的推送名单" in caseworker.get("/").content.decode()
    assert share_lists_publish_due() == []  # 有授权、没发过：定时任务不发第一份
    first = _first_list(personas, shares)
    assert (first.number, first.full, first.enrol_count) == (1, True, 4)

    case_close(ctx=ctx_for(personas.caseworker_a, "case_work"), case=shares.cases[1],
               reason_code="adopted", reason="已被依法收养")  # fmt: skip
    assert "shares.publish" not in schedules_tick(datetime(2026, 12, 6, 12, 0, tzinfo=SHANGHAI))
    assert "shares.publish" in schedules_tick(datetime(2026, 12, 7, 3, 0, tzinfo=SHANGHAI))
    while job_run_next(worker="test"):
        pass
    assert Job.objects.get(kind="shares.publish").status == "done"
    second = ShareList.objects.get(agency=shares.insurance_a, purpose="insurance_enrolment",
                                   number=2)  # fmt: skip
    assert (second.full, second.enrol_count, second.exit_count, second.published_by) == (
        False, 0, 1, None)  # fmt: skip
    assert not ShareList.objects.exclude(pk__in=[first.pk, second.pk]).exists()
    note = Notification.objects.get(user=shares.department_a, kind="share_list_published")
    assert "1 份新的推送名单" in note.title
    assert "王小" not in note.body
    assert not Notification.objects.filter(user=shares.department_b, title__contains="临河区")
    assert share_lists_publish_due() == []  # 没有新的变动：不发


def test_a_list_over_the_file_limit_downloads_in_parts_each_uploaded_back(
    personas, shares, monkeypatch
) -> None:
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 3)  # 四名儿童：两部分（3 + 1）
    first = _first_list(personas, shares)
    dept = f.client_for(shares.department_a)
    page = dept.get(f"/shares/{first.pk}/").content.decode()
    assert "分 2 部分下载" in page
    assert f"/shares/{first.pk}/export/?part=2" in page
    yesterday = timezone.localdate() - timedelta(days=1)
    for part, size in ((2, 1), (1, 3)):
        rows = _sheet(dept.get(f"/shares/{first.pk}/export/?part={part}"))
        header, body = rows[0], rows[1:]
        assert len(body) == size
        for row in body:
            row[header.index("反馈")] = "已办理"
            row[header.index("办理日期")] = yesterday
        assert (
            upload(dept, first.pk, xlsx([header, *body]), f"第{part}部分.xlsx").status_code == 302
        )
    assert ShareFeedback.objects.filter(entry__share_list=first, outcome="done").count() == 4
