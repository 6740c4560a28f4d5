"""One notify mechanism, several channels: each notice lands in the recipients' in-app inbox (the
bell), goes by mail when a server is set, and — urgent ones only — by SMS through the gateway the
settings choose, whose default only logs with the number masked. No child's name or ID anywhere."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shouhu.web.accounts.models import RosterMember
from shouhu.web.audit.models import AuditEntry
from shouhu.web.cases.risk import major_change_record
from shouhu.web.notifications.models import Notification
from shouhu.web.notify import Notice, notices_send
from shouhu.web.sms import phone_masked
from shouhu.web.statistics.reports import period_of, report_decide, report_submit
from tests.web import factories as f
from tests.web.comparison.conftest import ctx_for


def test_phone_numbers_are_masked() -> None:
    assert phone_masked("13812341234") == "138****1234"
    assert phone_masked("+86 138-1234-1234") == "861****1234"


def test_a_notice_reaches_the_inbox_and_an_urgent_one_the_sms_log_masked(personas, caplog) -> None:
    caplog.set_level(logging.INFO, logger="shouhu.web.sms")
    users = (personas.court_clerk_a.pk, personas.caseworker_a.pk)
    sent = notices_send([
        Notice("submission_due", (), "【守护】临河区人民法院：1 项数据逾期", "正文", users=users,
               link="/submissions/", urgent=True, phones=("13812341234",), sms="【守护】催报"),
        Notice("share_feedback_due", (), "不紧急的不发短信", "正文", users=users[:1],
               phones=("13900000000",), sms="x"),
    ])  # fmt: skip
    assert (sent.inbox, sent.sms, sent.mail) == (3, 1, 0)
    assert Notification.objects.filter(user=personas.court_clerk_a).count() == 2
    assert "138****1234" in caplog.text
    assert "【守护】催报" in caplog.text
    assert "13812341234" not in caplog.text
    assert "1390000" not in caplog.text


def test_a_24_hour_visit_tells_the_village_director_in_app_and_by_masked_sms(
    region, personas, caplog, django_capture_on_commit_callbacks
) -> None:
    child = f.person(region.village_a, name="王小明")
    case = f.case(child)
    RosterMember.objects.create(
        duty="child_director", full_name="张主任", phone="13812341234",
        division=region.village_a, user=personas.child_director_a,
    )  # fmt: skip
    caplog.set_level(logging.INFO)
    with django_capture_on_commit_callbacks(execute=True):
        major_change_record(ctx=ctx_for(personas.caseworker_a), case=case,
                            kind="child_hospitalised", occurred_at=timezone.now(),
                            note="住院，家中无人照料")  # fmt: skip
    (notice,) = Notification.objects.filter(user=personas.child_director_a)
    assert notice.urgent
    assert "一名儿童" in notice.title
    assert notice.link == "/cases/work/?list=visits_urgent"
    assert "138****1234" in caplog.text
    assert "13812341234" not in caplog.text
    for text in (caplog.text, notice.title, notice.body):
        assert child.name not in text
        assert child.id_number not in text
        assert "住院" not in text


def test_a_returned_report_tells_who_submitted_it(
    region, personas, django_capture_on_commit_callbacks
) -> None:
    october = period_of("month", date(2026, 10, 1))
    report = report_submit(ctx=ctx_for(personas.caseworker_a), period=october)
    with django_capture_on_commit_callbacks(execute=True):
        report_decide(ctx=ctx_for(personas.leader_city), report=report, approve=False,
                      reason="纳入数核实")  # fmt: skip
    (notice,) = Notification.objects.filter(user=personas.caseworker_a)
    assert "被退回" in notice.title
    assert notice.link == f"/reports/{report.pk}/"


def _bell(client) -> str:
    page = client.get("/me/").content.decode()
    marker = 'data-testid="bell-count">'
    return page.split(marker, 1)[1].split("<", 1)[0] if marker in page else "0"


def test_the_bell_counts_unread_opening_one_reads_it_and_all_can_be_marked_read(personas) -> None:
    me, other = personas.caseworker_a, personas.caseworker_b
    old = timezone.now() - timedelta(days=1)
    for n in range(3):
        Notification.objects.create(user=me, kind="t", title=f"通知{n}", link="/reports/",
                                    created_at=old + timedelta(minutes=n))  # fmt: skip
    theirs = Notification.objects.create(user=other, kind="t", title="别人的")
    client = f.client_for(me)
    assert _bell(client) == "3"
    page = client.get("/notifications/").content.decode()
    assert page.index("通知2") < page.index("通知0")
    assert "别人的" not in page
    first = Notification.objects.filter(user=me).order_by("pk").first()
    opened = client.get(f"/notifications/{first.pk}/")
    assert (opened.status_code, opened["Location"]) == (302, "/reports/")
    assert _bell(client) == "2"
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    client.post("/notifications/read-all/")
    assert _bell(client) == "0"
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    client.get(f"/notifications/{first.pk}/")  # 已读的再打开：没有变更，不再记
    client.post("/notifications/read-all/")
    marked = AuditEntry.objects.filter(object_type="notification").order_by("seq")
    assert [(e.action, e.actor_id, e.object_id, e.detail) for e in marked] == [
        ("update", me.pk, str(first.pk), {"read": 1}),
        ("update", me.pk, "", {"read": 2, "all": True}),
    ]
    assert marked[0].purpose == "case_work"


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/x"])
def test_opening_never_leaves_the_platform(personas, link) -> None:
    n = Notification.objects.create(user=personas.caseworker_a, kind="t", title="x", link=link)
    response = f.client_for(personas.caseworker_a).get(f"/notifications/{n.pk}/")
    assert response["Location"] == "/notifications/"


def test_old_notices_are_cleaned_every_day_read_ones_sooner(personas) -> None:
    from shouhu.web.jobs.schedule import schedules_tick
    from shouhu.web.jobs.worker import job_run_next

    now = timezone.now()
    user = personas.caseworker_a

    def notice(title: str, age_days: int, read_days_ago: int | None) -> None:
        read_at = None if read_days_ago is None else now - timedelta(days=read_days_ago)
        Notification.objects.create(user=user, title=title, kind="t", read_at=read_at,
                                    created_at=now - timedelta(days=age_days))  # fmt: skip

    notice("读过 100 天", 120, 100)
    notice("读过 10 天", 120, 10)
    notice("未读 400 天", 400, None)
    notice("未读 200 天", 200, None)
    early = datetime(2026, 12, 5, 1, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert "notifications.clean" in schedules_tick(early)  # 每天凌晨 1 点起
    while job_run_next(worker="test"):
        pass
    kept = set(Notification.objects.filter(user=user).values_list("title", flat=True))
    assert kept == {"读过 10 天", "未读 200 天"}
