"""定期核查的到期日（docs/rules.md §5；次数由规则给出，见 Assessment.reviews_per_year）。

decision（规格）：每年 n 次时，下一次核查在“立案之日”和“最近一次核查之日”中较晚者之后
12/n 个日历月到期；n 增加时从最近一次核查重新算（公式本来就从那里算，不等原定的到期日）。
12 不能被 n 整除时（种子地区只有 0、1、2 次）取整月数向下取整：宁可早核查，不可晚。
"""

from __future__ import annotations

from datetime import date
from typing import Final

from shouhu.core.policy.dates import add_months

MONTHS_A_YEAR: Final = 12


def review_interval_months(reviews_per_year: int) -> int | None:
    """两次核查之间的日历月数；每年0次（孤儿的默认值）时没有定期核查。"""
    if reviews_per_year < 0:
        raise ValueError(f"每年核查次数不能为负：{reviews_per_year}")
    if reviews_per_year == 0:
        return None
    return max(1, MONTHS_A_YEAR // reviews_per_year)


def review_due(*, opened: date, last_review: date | None, reviews_per_year: int) -> date | None:
    """下一次核查的到期日；不需要定期核查时为 None。"""
    months = review_interval_months(reviews_per_year)
    if months is None:
        return None
    since = opened if last_review is None else max(opened, last_review)
    return add_months(since, months)


def review_overdue(
    *, opened: date, last_review: date | None, reviews_per_year: int, today: date
) -> bool:
    """到期日已过（到期当天仍算按时）。"""
    due = review_due(opened=opened, last_review=last_review, reviews_per_year=reviews_per_year)
    return due is not None and today > due
