"""统计概览上只按区划定的几张表：近 12 个月走势、比对办理进度、工作完成情况、各部门数据质量。

只有数字，只随区划和日期变：同一区划的人看到的本来就是同一组数。概览是首页，每次打开都要重算
这四张表（约二十次查询，各部门的按时报送率还要逐月逐项推算），所以按区划路径和日期缓存一分钟
（本进程内存，与 `selectors._minors` 同理）：办理之后最多一分钟，概览上的数就跟上了。下钻到的
区划先经访问层检查；审计照记，每次打开都记。待办另有缓存（`todo.todo_for_home_page`）：本人
办完一件，待办当即少一件。
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from shouhu.web.registry.models import Division
from shouhu.web.statistics.completion import CompletionRow, work_completion
from shouhu.web.statistics.progress import MonthRow, ProgressRow, finding_progress, monthly_trend
from shouhu.web.statistics.quality import QualityRow, data_quality

FIGURES_CACHE_SECONDS = 60


@dataclass(frozen=True)
class DashboardFigures:
    trend: tuple[MonthRow, ...]
    progress: tuple[ProgressRow, ...]
    completion: tuple[CompletionRow, ...]
    quality: tuple[QualityRow, ...]


def dashboard_figures(home: Division) -> DashboardFigures:
    """`home`（已经过 access.division_in_scope）的四张表，一分钟内同一区划不重算。"""
    today = timezone.localdate()
    key = f"dashboard:figures:{home.path}:{today.isoformat()}"
    found = cache.get(key)
    if not isinstance(found, DashboardFigures):
        found = DashboardFigures(
            trend=monthly_trend(home, today=today),
            progress=finding_progress(home),
            completion=work_completion(home, today=today),
            quality=data_quality(home, today=today),
        )
        cache.set(key, found, FIGURES_CACHE_SECONDS)
    return found
