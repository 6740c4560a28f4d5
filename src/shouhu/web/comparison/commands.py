"""`shouhu compare-db --division CODE --as-of DATE`：在平台自己的数据库上做一次比对，带进度条。

与网页上的“开始比对”相同（同样的导出、引擎、运行记录和审计），只是在本进程里当场执行。
Django 只在命令运行时才设置，`shouhu --help` 仍然很快。
"""

from __future__ import annotations

import sys
from datetime import date

import click

from shouhu.web import django_setup


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("应为 YYYY-MM-DD，例如 2026-11-01", param_hint="--as-of") from None


@click.command("compare-db")
@click.option("--division", "division_code", required=True, help="比对范围的区划代码（如 150802）")
@click.option("--as-of", "as_of", default=None, help="比对基准日 YYYY-MM-DD（默认今天）")
@click.option(
    "--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True
)
@click.option("--user", "username", default="", help="记在运行记录和审计日志上的账号（可选）")
def compare_db(division_code: str, as_of: str | None, engine: str, username: str) -> None:
    """在平台数据库上比对一个辖区：写入比对发现和运行记录，打印各类发现的数量。"""
    day = _as_of(as_of)
    django_setup()
    from django.core.management import call_command
    from django.utils import timezone

    from shouhu.web.accounts.models import User
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.audit.models import Purpose
    from shouhu.web.comparison.execute import comparison_run_execute
    from shouhu.web.comparison.models import FindingKind, RunStatus
    from shouhu.web.comparison.services import comparison_run_start
    from shouhu.web.registry.models import Division

    call_command("migrate", interactive=False, verbosity=0)
    division = Division.objects.filter(code=division_code).first()
    if division is None:
        raise click.BadParameter(f"没有区划 {division_code}", param_hint="--division")
    user = User.objects.filter(username=username).first() if username else None
    if username and user is None:
        raise click.BadParameter(f"没有账号 {username}", param_hint="--user")
    ctx = RequestContext(user=user, client_ip="cli", purpose=Purpose.COMPARISON)
    run = comparison_run_start(
        ctx=ctx,
        division=division,
        as_of=day or timezone.localdate(),
        engine=engine,
        background=False,
    )
    with click.progressbar(
        length=100, label=f"比对 {division.name}", show_percent=True, file=sys.stderr
    ) as bar:
        done = [0]

        def progress(percent: int, message: str = "") -> None:
            if percent > done[0]:
                bar.update(percent - done[0])
                done[0] = percent

        run = comparison_run_execute(run.pk, progress=progress)
        bar.update(100 - done[0])
    if run.status != RunStatus.DONE:
        click.echo(f"比对失败：{run.message}", err=True)
        sys.exit(2)
    counts = "，".join(f"{label} {run.counts.get(kind, 0)}" for kind, label in FindingKind.choices)
    seconds = (run.duration_ms or 0) / 1000
    click.echo(f"运行 #{run.pk}：{counts}；用时 {seconds:.1f} 秒。")
