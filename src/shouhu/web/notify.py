"""通知：全平台只此一处发提醒，一个机制、几个渠道——

- 站内消息（铃铛，notifications 应用）：每条提醒在收件的每个用户的消息里记一条；
- 邮件（SMTP）：配置了发信服务器（SHOUHU_SMTP_URL）才发，收件人是有邮箱的；
- 短信（sms.py 的网关）：只发紧急的（24 小时内须走访、逾期催报），网关由设置选，默认只记日志。

提醒与待办（todo.py）是同一件事的两面——待办在首页上，提醒在用户不登录的时候把人叫回来。提醒
只写事项、数量、日期和编号，不写儿童或家庭的任何信息（邮件、短信出了政务网就不受平台控制）。
发了多少记入日志（只有数量和种类）。外发失败不影响已经办完的事：记下错误，站内消息照样在。
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from shouhu.web.sms import sms_send

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    kind: str  # 提醒的种类，如 "submission_due"（只进日志）
    to: tuple[str, ...]  # 邮件地址
    subject: str
    body: str
    users: tuple[int, ...] = ()  # 站内消息的收件用户
    link: str = ""  # 站内消息点开去办理的地方（站内路径）
    urgent: bool = False
    phones: tuple[str, ...] = ()  # 紧急的才发短信
    sms: str = ""  # 短信正文（短，不含个人信息）


@dataclass(frozen=True)
class Delivery:
    mail: int
    inbox: int
    sms: int


def notices_send(notices: Sequence[Notice]) -> Delivery:
    """从每个渠道发出提醒，返回各渠道发出的数量。"""
    inbox = _inbox(notices)
    mail = _outbound("mail", _mail, notices)
    texts = _outbound("sms", _sms, notices)
    if notices:
        kinds = ",".join(sorted({n.kind for n in notices}))
        log.info("notices sent: mail %d, inbox %d, sms %d (%s)", mail, inbox, texts, kinds)
    return Delivery(mail=mail, inbox=inbox, sms=texts)


def notices_send_on_commit(notices: Sequence[Notice]) -> None:
    """办事的事务提交之后再发（没提交的事不提醒；外发不占着事务）。"""
    if notices:
        transaction.on_commit(lambda: notices_send(notices))


def _inbox(notices: Sequence[Notice]) -> int:
    from shouhu.web.notifications.models import Notification

    rows = [
        Notification(user_id=user_id, kind=n.kind, title=n.subject[:200], body=n.body,
                     link=n.link[:300], urgent=n.urgent)
        for n in notices
        for user_id in dict.fromkeys(n.users)
    ]  # fmt: skip
    Notification.objects.bulk_create(rows)
    return len(rows)


def _outbound(
    channel: str, send: Callable[[Sequence[Notice]], int], notices: Sequence[Notice]
) -> int:
    try:
        return send(notices)
    except Exception:  # 发信服务器、短信网关出错：事情已经办完，站内消息也在
        log.exception("notices via %s failed", channel)
        return 0


def _mail(notices: Sequence[Notice]) -> int:
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
        return int(connection.send_messages(messages) or 0)


def _sms(notices: Sequence[Notice]) -> int:
    sent = 0
    for n in notices:
        if n.urgent and n.sms:
            for phone in dict.fromkeys(p for p in n.phones if p):
                sms_send(phone=phone, text=n.sms, kind=n.kind)
                sent += 1
    return sent


def platform_link(path: str) -> str:
    """邮件里指回平台的地址（SHOUHU_BASE_URL 加路径）。"""
    return f"{settings.BASE_URL}{path}"


def emails_of(users: Sequence[object]) -> tuple[str, ...]:
    """有邮箱的收件人的地址。"""
    return tuple(e for e in (getattr(u, "email", "") for u in users) if e)
