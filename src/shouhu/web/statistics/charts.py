"""统计概览的图（Apache ECharts，static/statistics/vendor/echarts）读的数据：与图下的表同源、同数，
由模板的 json_script 放进页面（不写内联脚本，内容安全策略不放宽）。只有数字和区划名。"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shouhu.web.statistics.completion import CompletionRow
from shouhu.web.statistics.progress import MonthRow, ProgressRow


def chart_data(
    trend: Sequence[MonthRow], progress: Sequence[ProgressRow], completion: Sequence[CompletionRow]
) -> dict[str, Any]:
    return {
        "trend": {
            "months": [f"{m.month.year}年{m.month.month}月" for m in trend],
            "series": {
                "月末在保": [m.active for m in trend],
                "纳入": [m.enrolled for m in trend],
                "终止": [m.exited for m in trend],
                "类别变更": [m.changed for m in trend],
            },
        },
        "progress": {
            "names": [p.name for p in progress],
            "series": {
                "已纳入": [p.enrol_done for p in progress],
                "应纳未纳待处理": [p.enrol_open for p in progress],
                "已终止": [p.exit_done for p in progress],
                "应退未退待处理": [p.exit_open for p in progress],
            },
        },
        "completion": {
            "names": [c.name for c in completion],
            "series": {
                "核查按时率": [c.reviews_on_time for c in completion],
                "探访按时率": [c.visits_on_time for c in completion],
            },
        },
    }
