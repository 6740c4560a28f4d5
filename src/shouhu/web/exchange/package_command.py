"""`shouhu package import`：验签、解密离线交换包并导入平台（其余子命令在 shouhu.commands.package，
不需要数据库，部门的电脑上也能用）。Django 只在命令运行时才启动。"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from shouhu.commands.package import EXISTING_FILE, fail, load_private
from shouhu.core.errors import DomainError
from shouhu.core.exchange.package_keys import PrivateKeys, TrustStore, trust_load
from shouhu.web import django_setup


@click.command("import")
@click.argument("pkg", type=EXISTING_FILE)
@click.option(
    "--trust", "trust_dir", required=True, type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--recipient-key", required=True, type=EXISTING_FILE, help="本机（接收方）私钥文件。")
@click.option("--user", "username", required=True, help="办理导入的平台用户名（记入审计日志）。")
def import_(pkg: Path, trust_dir: Path, recipient_key: Path, username: str) -> None:
    """验签、解密并把离线交换包导入平台；被改动、截断、重复或密钥不符的包一律拒收。"""
    try:
        trust = trust_load(trust_dir)
    except DomainError as exc:
        fail(exc.message)
    recipient = load_private(recipient_key)
    django_setup()
    _import_into_platform(pkg.read_bytes(), trust, recipient, username)


def _import_into_platform(
    data: bytes, trust: TrustStore, recipient: PrivateKeys, username: str
) -> None:
    from shouhu.web.accounts.models import User
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.audit.models import Purpose
    from shouhu.web.exchange.package_import import package_import

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        fail(f"平台上没有可用的用户 {username}")
    ctx = RequestContext(user=user, client_ip="127.0.0.1", purpose=Purpose.SUBMISSION)
    try:
        with click.progressbar(length=100, label="导入", file=sys.stderr) as bar:
            result = package_import(
                ctx=ctx, data=data, trust=trust, recipient_key=recipient,
                progress=lambda percent: bar.update(percent - bar.pos),
            )  # fmt: skip
    except DomainError as exc:
        fail(exc.message)
    if result.rejected_whole is not None:
        fail(f"{result.rejected_whole}（包本身验签通过，但其中的文件被整份拒收，未导入任何数据）")
    submission = result.submission
    receipt = submission.receipt_number if submission is not None else ""
    if result.duplicate:
        click.echo(f"同一文件此前已导入（回执 {receipt}），本次未新增数据。")
        return
    click.echo(
        f"已导入：回执 {receipt}，共 {result.rows_total} 行，接收 {result.rows_accepted} 行，"
        f"退回 {result.rows_rejected} 行；新增 {result.facts_created} 条，"
        f"更正 {result.facts_superseded} 条，未变 {result.facts_unchanged} 条。"
    )
    if result.rows_rejected:
        click.echo("退回的行可在平台“报送记录”中下载错误报告，转发送方改正后重新导出。")
