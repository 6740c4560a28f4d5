"""请求次数的限额，计数在数据库里（固定时间窗，`RateWindow`）：多个服务进程共用，不需要缓存服务。

用于系统接口凭证（每个凭证每分钟 API_LIMIT_PER_MINUTE 次）。登录的限流另有滑动时间窗
（accounts.signin），人员查询的限额数审计日志（access.SEARCH_LIMITS）。
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shouhu.web.accounts.models import RateWindow

KEEP = timedelta(days=1)  # 更早的时间窗在开新窗时删去


def rate_hit(*, key: str, window: timedelta) -> int:
    """把这一次请求计入 key 当前的时间窗，返回这个窗里连同这次的次数。"""
    seconds = int(window.total_seconds())
    start = datetime.fromtimestamp(int(timezone.now().timestamp()) // seconds * seconds, tz=UTC)
    with transaction.atomic():
        current = RateWindow.objects.filter(key=key, start=start)
        if not current.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateWindow.objects.create(key=key, start=start, count=1)
            except IntegrityError:  # 另一个进程刚开了这个窗
                current.update(count=F("count") + 1)
            RateWindow.objects.filter(key=key, start__lt=start - KEEP).delete()
        return current.values_list("count", flat=True).get()
