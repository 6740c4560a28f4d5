"""进程已不在的比对运行：标为失败，说明原因（安全测试 7b、L5）。

`shouhu compare-db` 在自己的进程里执行运行（没有后台任务，也就没有任务租约）；进程被杀掉后
运行记录会一直停在“运行中”，而同一辖区、同一基准日的新运行又会被它挡住。执行时记下进程
（`worker` = 主机:进程号:启动时刻）和心跳（每次报告进度）；下次发起运行时、以及 worker
每小时的例行清理时，检查所有没有后台任务的未完成运行：

- 同一台主机上的：进程已不存在（或进程号已被别的进程重用）即为失败；
- 其他主机上的（查不了进程）：心跳超过 RUN_LEASE 即为失败。

后台任务执行的运行不在此列：任务租约到期后会被别的 worker 接手重跑。
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.comparison.models import ComparisonRun, RunStatus

RUN_LEASE = timedelta(minutes=30)
STALE_MESSAGE = "执行比对的进程已中止（可能被强制结束），本次运行未写入任何比对发现，请重新发起。"
SYSTEM = RequestContext(user=None, client_ip="system", purpose=Purpose.COMPARISON)


def _start_ticks(pid: int) -> str:
    """进程的启动时刻（/proc/<pid>/stat 第 22 项）；拿不到时为空（只比进程号）。"""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def process_id(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid)}"[:80]


def process_alive(worker: str) -> bool | None:
    """记下的进程是否还在：True/False；不是本机的进程时为 None（查不了）。"""
    host, _, rest = worker.partition(":")
    pid_text, _, ticks = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # 别的用户的进程：存在
    return not ticks or _start_ticks(pid) in ("", ticks)


def run_is_stale(run: ComparisonRun, now: datetime) -> bool:
    alive = process_alive(run.worker) if run.worker else None
    if alive is not None:
        return not alive
    last = run.heartbeat_at or run.started_at or run.created_at
    return last < now - RUN_LEASE


def comparison_runs_stale_fail(*, ctx: RequestContext = SYSTEM) -> int:
    """把进程已不在的运行标为失败并记入审计；返回标记的个数。可重复执行。"""
    now = timezone.now()
    open_runs = ComparisonRun.objects.filter(
        Q(status=RunStatus.RUNNING) | Q(status=RunStatus.QUEUED, worker=""),
        job__isnull=True,
    )
    stale = [run.pk for run in open_runs if run_is_stale(run, now)]
    for pk in stale:
        with transaction.atomic():
            marked = ComparisonRun.objects.filter(
                pk=pk, status__in=(RunStatus.RUNNING, RunStatus.QUEUED)
            ).update(status=RunStatus.FAILED, message=STALE_MESSAGE, finished_at=now)
            if marked:
                audit_record(
                    ctx=ctx,
                    action=Action.UPDATE,
                    object_type=ObjectType.COMPARISON_RUN,
                    object_id=pk,
                    detail={"outcome": "stale_failed"},
                )
    return len(stale)
