"""`shouhu worker`: run background jobs in this process until stopped (Ctrl+C)."""

from __future__ import annotations

import click

from shouhu.web import django_setup


@click.command()
@click.option(
    "--poll", default=2.0, show_default=True, type=float, help="空闲时查询新任务的间隔（秒）"
)
def worker(poll: float) -> None:
    """运行后台任务（校验、入库大文件）。

    可与 `shouhu serve`（自带一个）同时运行多个，每个任务只会被其中一个执行。
    """
    django_setup()
    from shouhu.web.jobs.worker import Worker

    click.echo("后台任务进程已启动（Ctrl+C 停止）")
    try:
        Worker(poll_seconds=poll).run()
    except KeyboardInterrupt:
        click.echo("已停止")
