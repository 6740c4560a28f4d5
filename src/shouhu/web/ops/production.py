"""`shouhu production`：一条命令在受监管的状态下起整个平台（docs/operations.md）。

- 网页：gunicorn（gthread），进程数 = 2 × 核数（至少 2），每进程 4 个线程、最多 1000 个连接，
  内核等待队列 2048；不写 gunicorn 的访问日志（它会带上查询串），访问日志由平台的 JSON 日志记；
- 后台任务进程（`shouhu worker`，含定时任务：每月比对、每小时的清理），默认 1 个；
- 哪个进程退出了就重启它（间隔从 1 秒加倍到 60 秒，连续正常运行 60 秒后复位）；
  收到 SIGTERM / Ctrl+C 时先让子进程体面退出（最多 30 秒），再结束。
- 多进程的 Prometheus 指标写在数据目录的 metrics/ 下（PROMETHEUS_MULTIPROC_DIR），每次启动清空。
启动前先迁移数据库并同步区划表，子进程不再各做一遍。
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

Echo = Callable[[str], None]
BACKOFF_MAX = 60.0
HEALTHY_AFTER = 60.0


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    backoff: float = 1.0
    restart_at: float = 0.0
    restarts: int = field(default=0)


def metrics_dir() -> Path:
    return Path(settings.DATA_DIR) / "metrics"


def children(host: str, port: int, web_workers: int, threads: int, job_workers: int) -> list[Child]:
    python = sys.executable
    web = Child("web", [
        python, "-m", "gunicorn", "shouhu.web.wsgi:application",
        "--bind", f"{host}:{port}", "--worker-class", "gthread",
        "--workers", str(web_workers), "--threads", str(threads),
        "--worker-connections", "1000", "--backlog", "2048",
        "--timeout", "120", "--graceful-timeout", "30", "--keep-alive", "5",
        "--log-level", "warning", "--name", "shouhu-web",
    ])  # fmt: skip
    jobs = [
        Child(f"worker-{i + 1}", [python, "-m", "shouhu.cli", "worker"]) for i in range(job_workers)
    ]
    return [web, *jobs]


def production_run(
    *, host: str, port: int, web_workers: int, threads: int, job_workers: int, echo: Echo
) -> None:
    from django.core.management import call_command

    from shouhu.web.registry.divisions import division_table_sync

    call_command("migrate", interactive=False, verbosity=0)
    division_table_sync()
    shutil.rmtree(metrics_dir(), ignore_errors=True)
    metrics_dir().mkdir(mode=0o700, parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir())
    group = children(host, port, web_workers, threads, job_workers)
    stopping: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    echo(
        f"守护平台（生产）：http://{host}:{port}/  网页 {web_workers} 个进程 × {threads} 个线程，"
        f"后台任务 {job_workers} 个进程；SIGTERM 或 Ctrl+C 停止"
    )
    while not stopping:
        now = time.monotonic()
        for child in group:
            _tend(child, now, echo)
        time.sleep(0.5)
    echo("正在停止……")
    for child in group:
        if child.process and child.process.poll() is None:
            child.process.terminate()
    deadline = time.monotonic() + 30
    for child in group:
        if child.process is None:
            continue
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.process.kill()
    echo("已停止。")


def _tend(child: Child, now: float, echo: Echo) -> None:
    """起没起的起，退出了的按退避时间重启。"""
    process = child.process
    if process is not None and process.poll() is None:
        if now - child.started > HEALTHY_AFTER:
            child.backoff = 1.0
        return
    if process is not None and child.restart_at == 0.0:
        child.restart_at = now + child.backoff
        echo(f"{child.name} 已退出（状态 {process.returncode}），{child.backoff:.0f} 秒后重启")
        child.backoff = min(BACKOFF_MAX, child.backoff * 2)
        return
    if now < child.restart_at:
        return
    child.process = subprocess.Popen(child.argv)
    child.started, child.restart_at = now, 0.0
    if process is not None:
        child.restarts += 1
