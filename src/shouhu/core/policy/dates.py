"""日期算术：按日历月相加（月末截断）、周岁生日（2月29日出生者平年3月1日满周岁）、ISO 日期解析。

决定里不用浮点数，也不用“天数÷30”之类的近似：docs/rules.md §1 规定“N个月”按日历月计算。
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EARLIEST = date(1800, 1, 1)
LATEST = date(2199, 12, 31)


def add_months(d: date, months: int) -> date:
    """加 N 个日历月；目标月没有这一天时取该月最后一天（2025-08-31 + 6个月 = 2026-02-28）。"""
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last_day))


def birthday(born: date, years: int) -> date:
    """满 years 周岁的日子。2月29日出生的人在平年的3月1日满周岁（docs/rules.md §4 第3步）。"""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def adult_cutoff(today: date) -> date:
    """出生日期晚于此日的人在 today 未满 18 周岁（2月29日出生者在平年的3月1日满岁）。"""
    from shouhu.core.policy.thresholds import ADULT_AGE

    return age_cutoff(today, ADULT_AGE)


def age_cutoff(today: date, years: int) -> date:
    """出生不晚于此日的人在 today 已满 years 周岁（2月29日出生者在平年的3月1日满岁）。"""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return date(today.year - years, 2, 28)


def parse_iso_date(text: object) -> date | None:
    """严格的 YYYY-MM-DD（1800—2199 年）；格式或日期无效时返回 None。

    不用 date.fromisoformat 的宽松写法（它也接受 20231001 之类），契约只认 YYYY-MM-DD。
    """
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return None
    return value if EARLIEST <= value <= LATEST else None
