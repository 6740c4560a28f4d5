"""后台任务：执行一次比对运行（两万人的县几秒，一个省要几十秒，不能占着请求）。

可重复执行：已完成的运行直接返回；出错或中断后（由本进程重试，或由另一个进程在租期过后
接手）从头再跑，结果相同。
"""

from __future__ import annotations

from typing import Any

from shouhu.web.comparison.execute import comparison_run_execute, comparison_run_requeue
from shouhu.web.comparison.services import comparison_runs_monthly
from shouhu.web.comparison.simulations import rule_simulation_execute
from shouhu.web.jobs.models import Job
from shouhu.web.jobs.registry import Progress
from shouhu.web.jobs.services import MAX_ATTEMPTS


def handle_comparison_run(job: Job, progress: Progress) -> dict[str, Any]:
    run_id = int(job.payload["run_id"])
    try:
        run = comparison_run_execute(run_id, progress=progress)
    except Exception:
        if job.attempts < MAX_ATTEMPTS:  # 后台任务机制会再排队：页面上显示“排队中”而不是失败
            comparison_run_requeue(run_id)
        raise
    return {"run_id": run.pk, "status": run.status, "counts": run.counts, "message": run.message}


def handle_comparison_monthly(job: Job, progress: Progress) -> dict[str, Any]:
    """每月的定时比对：每个有民政经办人员的县，以上月末为基准日各发起一次（已有的不重复）。"""
    period = str(job.payload["period"])
    runs = comparison_runs_monthly(period=period)
    return {"period": period, "runs": runs, "message": f"已为 {len(runs)} 个县区发起比对"}


def handle_rule_simulation(job: Job, progress: Progress) -> dict[str, Any]:
    """规则变更模拟：同一快照按现行和拟议参数各比对一次，存差异（可重复执行）。"""
    simulation = rule_simulation_execute(int(job.payload["simulation_id"]))
    return {
        "simulation_id": simulation.pk,
        "status": simulation.status,
        "message": simulation.message,
    }
