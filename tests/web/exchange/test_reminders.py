"""Reminders: each morning the scheduler mails each department's submitters (those with an e-mail
address) what is due within three days or overdue — item, month, due day, no personal data —
through a real SMTP server; once a day, and not at all without a mail server."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from shouhu.web.exchange.reminders import submission_reminders
from shouhu.web.jobs.models import Job
from shouhu.web.jobs.schedule import schedules_tick
from shouhu.web.jobs.worker import job_run_next
from tests.web.exchange.conftest import ingest, judgment_rows, xlsx_of

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], object]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


@pytest.fixture
def inbox(settings) -> Iterator[Inbox]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Inbox()
    server = Controller(box, hostname="127.0.0.1", port=port)
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.MAIL_ENABLED = "127.0.0.1", port, True
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield box
    server.stop()


def test_each_department_gets_one_mail_a_day_listing_what_is_due_and_overdue(
    courts, court_item, inbox
):
    courts.clerk_a.email = "clerk-a@court.example"
    courts.clerk_a.save(update_fields=["email"])  # 五原县的报送员没有邮箱：不发
    ingest(courts.clerk_a, courts.a, court_item, xlsx_of(court_item, judgment_rows(court_item, 1)),
           period=date(2025, 9, 1), submitted_at=datetime(2025, 10, 3, 4, tzinfo=UTC))  # fmt: skip
    morning = datetime(2025, 11, 3, 8, 30, tzinfo=SHANGHAI)
    assert "exchange.reminders" in schedules_tick(morning)
    job_run_next(worker="test")
    assert schedules_tick(morning.replace(hour=15)) == []  # 同一天不再排
    [(to, message)] = inbox.messages
    assert to == ["clerk-a@court.example"]
    assert courts.a.name in message["Subject"]
    body = message.get_content()
    assert f"{court_item.name}（2025年10月的数据，11月5日截止，还有 2 天）" in body
    assert f"{court_item.name}（2025年8月的数据" in body
    assert "已逾期" in body
    assert "2025年9月的数据" not in body  # 九月已报
    assert not re.search(r"\d{17}[\dX]", body)
    assert Job.objects.get(kind="exchange.reminders").result["sent"] == 1


def test_without_a_mail_server_nothing_is_sent_and_the_to_do_remains(courts, court_item, settings):
    courts.clerk_a.email = "clerk-a@court.example"
    courts.clerk_a.save(update_fields=["email"])
    settings.MAIL_ENABLED = False
    assert submission_reminders(date(2025, 11, 3))  # 有要提醒的
    schedules_tick(datetime(2025, 11, 3, 9, tzinfo=SHANGHAI))
    job_run_next(worker="test")
    assert Job.objects.get(kind="exchange.reminders").result["sent"] == 0


def test_overdue_items_are_chased_by_sms_to_the_department_contact_masked_and_in_app(
    courts, court_item, caplog
):
    courts.a.contact_phone = "13812341234"
    courts.a.save(update_fields=["contact_phone"])
    caplog.set_level("INFO", logger="shouhu.web.sms")
    schedules_tick(datetime(2025, 11, 3, 9, tzinfo=SHANGHAI))
    job_run_next(worker="test")
    result = Job.objects.get(kind="exchange.reminders").result
    assert result["sms"] >= 1
    assert result["inbox"] >= 1
    assert "138****1234" in caplog.text
    assert "13812341234" not in caplog.text
    assert courts.clerk_a.notifications.filter(urgent=True, link="/submissions/").exists()
