"""`shouhu submission import FILE --agency … --item … --period YYYY-MM`: the same ingest as the
web page (checks, idempotence, receipt, audit), from the command line with a progress bar.

Django is set up only when the command runs, so `shouhu --help` stays fast.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from shouhu.web import django_setup

_PERIOD = re.compile(r"(\d{4})-(\d{2})")


def _period(value: str) -> date:
    found = _PERIOD.fullmatch(value)
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise click.BadParameter("应为 YYYY-MM，例如 2026-10")
    return date(int(found.group(1)), int(found.group(2)), 1)


def _agency(value: str) -> Any:
    """An agency by id, or by `<division code>:<agency type>` (e.g. 150802:court)."""
    from shouhu.web.accounts.models import Agency

    if value.isdigit():
        found = Agency.objects.filter(pk=int(value)).select_related("division").first()
    else:
        code, _, kind = value.partition(":")
        found = (
            Agency.objects.filter(division_id=code, agency_type=kind)
            .select_related("division")
            .first()
        )
    if found is None:
        raise click.BadParameter(
            f"没有部门 {value}（用部门编号，或 区划代码:部门类型，如 150802:court）"
        )
    return found


@click.group()
def submission() -> None:
    """数据报送。"""


@submission.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", required=True, help="部门编号，或 区划代码:部门类型（如 150802:court）")
@click.option("--item", "item_code", required=True, help="数据项代码（如 court_judgment）")
@click.option("--period", required=True, help="所属月份 YYYY-MM")
@click.option("--user", "username", default="", help="记在回执和审计日志上的账号（可选）")
@click.option(
    "--full-snapshot",
    is_flag=True,
    help="户籍人口基础信息：这是本辖区的全量名单（名单中没有的人标记为不在名单中）",
)
def submission_import(
    file: Path, agency: str, item_code: str, period: str, username: str, full_snapshot: bool
) -> None:
    """校验并导入一个报送文件（XLSX/CSV），打印回执；有错误的行写入错误报告文件。

    \b
    退出码：
      0  已入库（含部分行被退回的情形，错误报告已写在文件旁边），或该文件此前已入库
      2  文件整份被拒收，或参数有误（部门、数据项、月份、账号），未导入任何数据
      1  平台内部错误（如数据库不可用），未导入任何数据；坏文件不会导致退出码 1
    """
    month = _period(period)
    django_setup()
    try:
        data = file.read_bytes()
    except OSError as exc:
        _refuse(f"无法读取文件「{file.name}」：{exc.strerror or type(exc).__name__}")
    try:
        result = _ingest(data, file, agency, item_code, month, username, full_snapshot)
    except click.ClickException:
        raise
    except Exception as exc:  # 不打印回溯：异常消息可能带有单元格内容（个人信息）
        click.echo(f"内部错误（{type(exc).__name__}），未导入任何数据，请联系管理员。", err=True)
        sys.exit(1)
    _report(result, file)


def _refuse(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(2)


def _ingest(
    data: bytes,
    file: Path,
    agency: str,
    item_code: str,
    month: date,
    username: str,
    full_snapshot: bool,
) -> Any:
    from shouhu.core.errors import DomainError
    from shouhu.web.accounts.models import User
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.audit.models import Purpose
    from shouhu.web.exchange.services import submission_ingest

    sender = _agency(agency)
    user = User.objects.filter(username=username).first() if username else None
    if username and user is None:
        raise click.BadParameter(f"没有账号 {username}", param_hint="--user")
    ctx = RequestContext(user=user, client_ip="cli", purpose=Purpose.SUBMISSION)
    with click.progressbar(length=100, label="校验并入库", file=sys.stderr) as bar:
        done = [0]

        def progress(percent: int) -> None:
            bar.update(max(0, percent - done[0]))
            done[0] = max(done[0], percent)

        try:
            return submission_ingest(
                ctx=ctx,
                agency=sender,
                item_code=item_code,
                period=month,
                channel="cli",
                filename=file.name,
                data=data,
                progress=progress,
                full_snapshot=full_snapshot,
            )
        except DomainError as exc:  # 例如该部门不报送这个数据项：参数有误
            raise click.UsageError(exc.message) from None


def _report(result: Any, file: Path) -> None:
    from django.utils import timezone

    if result.submission is None:
        _refuse(f"整份拒收，未导入任何数据：{result.rejected_whole}")
    s = result.submission
    if result.duplicate:
        when = f"{timezone.localtime(s.received_at):%Y-%m-%d %H:%M}"
        click.echo(f"该文件已于 {when} 报送过（回执 {s.receipt_number}），本次未重复导入。")
        _write_error_report(s, file)  # 上次没写成的错误报告，这次补上
        return
    click.echo(
        f"回执 {s.receipt_number}：共 {result.rows_total} 行，接收 {result.rows_accepted} 行，"
        f"退回 {result.rows_rejected} 行；新增 {result.facts_created}、"
        f"更正 {result.facts_superseded}、未变 {result.facts_unchanged} 条记录。"
    )
    click.echo(f"内容哈希 SHA-256 {s.content_sha256}")
    from shouhu.web.registry.loads import registry_load_of

    load = registry_load_of(submission=s)
    if load is not None:
        click.echo(f"户籍载入：{load.summary}")
    _write_error_report(s, file)


def _write_error_report(submission: Any, file: Path) -> None:
    """已入库批次的错误报告写在原文件旁边；写不成只提示（数据已入库，退出码仍为 0）。"""
    if not submission.error_count:
        return
    from shouhu.web.exchange.selectors import error_report_filename, submission_error_report

    target = file.with_name(error_report_filename(file.name))
    try:
        target.write_bytes(submission_error_report(submission=submission))
    except Exception as exc:  # 已入库：不能因报告失败而报错退出（消息里可能有单元格内容，不打印）
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        click.echo(
            f"数据已入库，但错误报告未能写入 {target}（{why}）；可在网页的回执页下载。", err=True
        )
        return
    click.echo(f"错误报告：{target}（{submission.error_count} 处错误）")


@submission.command("purge")
def submission_purge() -> None:
    """清掉超过保存期限的原文件（SHOUHU_SOURCE_RETENTION_DAYS 天，默认 30）和一周以上无人确认
    的上传文件。后台 worker 每小时也做一次；可放进 cron。"""
    django_setup()
    from django.conf import settings

    from shouhu.web.exchange.retention import retention_purge

    counts = retention_purge()
    click.echo(
        f"已清除 {counts.sources} 份超过 {settings.SOURCE_RETENTION_DAYS} 天的原文件、"
        f"{counts.uploads} 个过期的上传文件。"
    )
