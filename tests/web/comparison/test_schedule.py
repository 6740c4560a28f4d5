"""The one scheduler: each county's monthly comparison starts by itself after the due day, once,
whichever worker notices first; the run is a work run dated the end of the month just closed."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from shouhu.web.comparison.models import ComparisonRun
from shouhu.web.comparison.services import comparison_runs_monthly
from shouhu.web.jobs.models import Job, ScheduleRun
from shouhu.web.jobs.schedule import schedules_tick
from shouhu.web.jobs.worker import job_run_next

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_nothing_is_due_before_the_run_day_but_the_days_own_work(region, personas) -> None:
    assert schedules_tick(datetime(2026, 12, 5, 0, 30, tzinfo=SHANGHAI)) == []
    assert not Job.objects.exists()
    due = schedules_tick(datetime(2026, 12, 5, 23, 0, tzinfo=SHANGHAI))
    assert due == ["exchange.reminders", "cases.plans", "notifications.clean"]
    assert set(ScheduleRun.objects.values_list("period", flat=True)) == {"2026-12-05"}


def test_the_monthly_comparison_starts_once_for_each_county(region, personas) -> None:
    moment = datetime(2026, 12, 6, 3, 0, tzinfo=SHANGHAI)
    assert schedules_tick(moment) == ["comparison.monthly", "cases.plans", "notifications.clean"]
    assert schedules_tick(moment) == []  # 另一个工作线程稍后再看：已经排过
    assert ScheduleRun.objects.get(name="comparison.monthly").period == "2026-12"
    job_run_next(worker="test")  # 定时任务：为各县发起运行
    runs = ComparisonRun.objects.order_by("division_id")
    assert [(r.division_id, r.as_of, r.simulation) for r in runs] == [
        ("150802", date(2026, 11, 30), False),
        ("150821", date(2026, 11, 30), False),
    ]
    assert comparison_runs_monthly(period="2026-12") == []  # 同一县、同一基准日不重复
    assert ComparisonRun.objects.count() == 2


def test_the_outbound_lists_go_out_the_day_after_the_comparison(region, personas, settings) -> None:
    """推送名单（shares.publish）每月 7 日凌晨 3 点起发布，在每月比对（6 日）之后；
    设为 0 不按时发。"""
    assert schedules_tick(datetime(2026, 12, 7, 2, 0, tzinfo=SHANGHAI)) == [
        "comparison.monthly", "cases.plans", "notifications.clean"]  # fmt: skip
    assert schedules_tick(datetime(2026, 12, 7, 3, 0, tzinfo=SHANGHAI)) == ["shares.publish"]
    settings.SHARE_PUBLISH_DAY = 0
    assert schedules_tick(datetime(2027, 1, 31, 23, 0, tzinfo=SHANGHAI)) == [
        "comparison.monthly", "exchange.reminders", "cases.plans",
        "notifications.clean"]  # fmt: skip
