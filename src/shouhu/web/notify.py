"""通知：提醒邮件。全平台只此一处发信，与待办（todo.py）是同一件事的两面——待办在首页上，
提醒在用户不登录的时候把人叫回来。

提醒只写事项、数量和日期，不写儿童或家庭的任何信息（邮件出了政务网就不受平台控制）。没有配置
发信服务器（SHOUHU_SMTP_URL）时不发，待办照常。发了多少封记入日志（只有数量）。
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    kind: str  # 提醒的种类，如 "submission_due"（只进日志）
    to: tuple[str, ...]
    subject: str
    body: str


def notices_send(notices: Sequence[Notice]) -> int:
    """发出提醒，返回发出的封数；没有配置发信服务器时为 0。"""
    wanted = [n for n in notices if n.to]
    if not wanted or not getattr(settings, "MAIL_ENABLED", False):
        return 0
    messages = [
        EmailMessage(
            subject=n.subject, body=n.body, from_email=settings.DEFAULT_FROM_EMAIL, to=n.to
        )
        for n in wanted
    ]
    with get_connection() as connection:
        sent = connection.send_messages(messages) or 0
    kinds = sorted({n.kind for n in wanted})
    log.info("reminders sent: %d of %d (%s)", sent, len(messages), ",".join(kinds))
    return int(sent)


def platform_link(path: str) -> str:
    """邮件里指回平台的地址（SHOUHU_BASE_URL 加路径）。"""
    return f"{settings.BASE_URL}{path}"
