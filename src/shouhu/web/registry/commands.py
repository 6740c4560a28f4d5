"""`shouhu registry load FILE --agency 150802:public_security --period 2026-10 [--full-snapshot]`：
省级规模的户籍名单（CSV 或 Parquet，上千万行）批量载入，结果与报送通道相同（见 bulk.py）。"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from shouhu.web import django_setup
from shouhu.web.exchange.commands import _agency, _period


@click.group()
def registry() -> None:
    """户籍人口基线。"""


@registry.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--agency", required=True, help="部门编号，或 区划代码:部门类型（如 150802:public_security）"
)
@click.option("--period", required=True, help="所属月份 YYYY-MM")
@click.option("--user", "username", default="", help="记在回执和审计日志上的账号（可选）")
@click.option(
    "--full-snapshot", is_flag=True, help="这是本辖区的全量名单（名单中没有的人标记为不在名单中）"
)
@click.option(
    "--errors",
    "errors_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="错误报告（CSV）写到哪里；默认与文件同目录的 <文件名>.错误.csv",
)
@click.option("--verbose", is_flag=True, help="打印每一步的用时")
def registry_load(
    file: Path,
    agency: str,
    period: str,
    username: str,
    full_snapshot: bool,
    errors_path: Path | None,
    verbose: bool,
) -> None:
    """批量载入户籍名单（CSV/Parquet），一个事务；打印回执，有错误的行写入 CSV 错误报告。"""
    django_setup()
    from shouhu.core.errors import DomainError
    from shouhu.web.accounts.models import User
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.audit.models import Purpose
    from shouhu.web.registry.bulk import registry_bulk_load

    month = _period(period)
    sender = _agency(agency)
    user = User.objects.filter(username=username).first() if username else None
    if username and user is None:
        raise click.BadParameter(f"没有账号 {username}", param_hint="--user")
    ctx = RequestContext(user=user, client_ip="cli", purpose=Purpose.SUBMISSION)
    report = errors_path or file.with_name(f"{file.stem}.错误.csv")
    echo = (lambda text: click.echo(text, err=True)) if verbose else None
    try:
        result = registry_bulk_load(
            ctx=ctx, agency=sender, period=month, path=file, full_snapshot=full_snapshot,
            error_report=report, echo=echo,
        )  # fmt: skip
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    if result.submission is None:
        report.unlink(missing_ok=True)
        click.echo(f"整份拒收，未导入任何数据：{result.rejected_whole}", err=True)
        sys.exit(2)
    s = result.submission
    if result.duplicate:
        click.echo(f"该文件已报送过（回执 {s.receipt_number}），本次未重复载入。")
        return
    click.echo(
        f"回执 {s.receipt_number}：共 {result.rows_total} 行，接收 {result.rows_accepted} 行，"
        f"退回 {result.rows_rejected} 行。"
    )
    if result.load is not None:
        from shouhu.web.registry.loads import registry_load_of

        load = registry_load_of(submission=s)
        click.echo(f"户籍载入：{load.summary if load is not None else result.load.counts}")
    if result.errors:
        click.echo(f"错误报告：{report}（{result.errors} 处错误）")
    else:
        report.unlink(missing_ok=True)
