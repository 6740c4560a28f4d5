"""短信网关：紧急提醒（24 小时内须走访、逾期催报）发到手机。接口只有一个函数 `send`；用哪个网关
由设置 SHOUHU_SMS_GATEWAY 选（网关类的 import 路径），默认 `LogOnlyGateway` 只记一行日志——
平台不带任何运营商的接口，接入本地政务短信平台时写一个同样接口的类。

短信只写事项和数量（“一名儿童须在 24 小时内走访”），日志里的手机号只留前三后四（138****1234）。
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SmsGateway(Protocol):
    def send(self, *, phone: str, text: str) -> None: ...


def phone_masked(phone: str) -> str:
    """13812341234 → 138****1234；太短的号码只留末两位。"""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


class LogOnlyGateway:
    """默认网关：不发，只记一行（号码脱敏）；开发、演示和没有短信平台的地方用。"""

    def send(self, *, phone: str, text: str) -> None:
        log.info("sms (log only) to %s: %s", phone_masked(phone), text)


@cache
def _gateway(path: str) -> SmsGateway:
    gateway: SmsGateway = import_string(path)()
    return gateway


def sms_send(*, phone: str, text: str, kind: str) -> None:
    """经设置选定的网关发一条短信（kind 只为调用方日志里的种类，网关不用）。"""
    _gateway(settings.SMS_GATEWAY).send(phone=phone, text=text)
