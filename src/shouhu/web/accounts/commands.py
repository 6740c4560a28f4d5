"""`shouhu credential create|list|bind|revoke`：部门系统对接接口的凭证。

    shouhu credential create --agency 150802:court --items court_judgment --name 法院审判系统 \
        --expires 2027-12-31
    shouhu credential create --agency 150802:medical_insurance --purposes insurance_enrolment
    shouhu credential bind 1a2b3c4d --cert minzheng-client.pem   # 绑定客户端证书（双向认证）

令牌只在签发时打印这一次（库中只存哈希），请当场交给对方系统的管理员。Django 只在命令
运行时才初始化，`shouhu --help` 仍然很快。
"""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Any

import click

from shouhu.web import django_setup

CLI_ACTOR = "cli"


def cli_ctx() -> Any:
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.audit.models import Purpose

    return RequestContext(user=None, client_ip="", purpose=Purpose.ADMINISTRATION)


def cli_actor() -> str:
    """审计日志中的操作人：命令行没有登录用户，记下操作系统用户名。"""
    try:
        return f"{CLI_ACTOR}:{getpass.getuser()}"
    except (KeyError, OSError):
        return CLI_ACTOR


def local_day(moment: datetime) -> str:
    """凭证的有效期止于到期日次日 0 时（北京时间）：显示为到期日本身。"""
    from shouhu.web.accounts.credentials import expiry_day

    return expiry_day(moment).isoformat()


def agency_ref(value: str) -> Any:
    """部门编号，或 `<区划代码>:<部门类型>`（如 150802:court）。"""
    from shouhu.web.accounts.models import Agency

    if value.isdigit():
        found = Agency.objects.filter(pk=int(value)).select_related("division").first()
    else:
        code, _, kind = value.partition(":")
        found = Agency.objects.filter(division_id=code, agency_type=kind).first()
    if found is None:
        raise click.BadParameter(
            f"没有部门 {value}（用部门编号，或 区划代码:部门类型，如 150802:court）"
        )
    return found


@click.group()
def credential() -> None:
    """部门系统对接接口的凭证（签发、列出、绑定客户端证书、吊销）。"""


@credential.command("create")
@click.option("--agency", required=True, help="部门编号，或 区划代码:部门类型")
@click.option("--items", default="", help="可报送的数据项代码，逗号分隔")
@click.option(
    "--purposes", default="", help="接收推送名单的用途代码，逗号分隔（如 insurance_enrolment）"
)
@click.option("--name", default="", help="凭证名称（对方系统的名称）；缺省用部门名称")
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="有效期的最后一天 YYYY-MM-DD（含当天），缺省一年，最长三年",
)
def credential_create_command(
    agency: str, items: str, purposes: str, name: str, expires: datetime | None
) -> None:
    """签发凭证，打印令牌（只此一次）。"""
    django_setup()
    from shouhu.core.errors import DomainError
    from shouhu.web.accounts.credentials import credential_create

    found = agency_ref(agency)
    try:
        issued = credential_create(
            ctx=cli_ctx(),
            name=name or f"{found.name}对接系统",
            agency=found,
            item_codes=items.split(","),
            share_purposes=purposes.split(","),
            expires_on=expires.date() if expires else None,
            actor=cli_actor(),
        )
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    item = issued.credential
    click.echo(f"已签发凭证 {item.token_prefix}：{item.name}（{found.name}）")
    click.echo(f"有效期至：{local_day(item.expires_at)}（含当天）")
    if item.share_purposes:
        click.echo(f"可接收的推送名单：{'、'.join(item.share_purposes)}")
    else:
        click.echo(f"可报送：{'、'.join(item.item_codes)}")
    click.echo("令牌（只显示这一次，请妥善交给对方系统，系统中不保存令牌本身）：")
    click.echo(issued.token)


@credential.command("list")
def credential_list_command() -> None:
    """列出凭证（不含令牌）。"""
    django_setup()
    from shouhu.web.accounts.credentials import CREDENTIAL_STATES, credential_state
    from shouhu.web.accounts.models import SystemCredential

    for item in SystemCredential.objects.select_related("agency").order_by("pk"):
        state = CREDENTIAL_STATES[credential_state(item)]
        used = item.last_used_at.isoformat(timespec="seconds") if item.last_used_at else "从未使用"
        until = local_day(item.expires_at)
        click.echo(
            f"{item.token_prefix}\t{state}\t有效期至 {until}\t{item.agency.name}\t{item.name}\t"
            f"{','.join(item.item_codes)}\t最近使用：{used}\t"
            f"客户端证书：{item.client_cert_sha256[:16] or '未绑定'}"
        )


@credential.command("bind")
@click.argument("prefix")
@click.option("--cert", "cert_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="对方系统的客户端证书（PEM），绑定它的 SHA-256 指纹")  # fmt: skip
@click.option("--fingerprint", default="", help="或直接给 SHA-256 指纹（64 位十六进制，可带冒号）")
@click.option("--clear", is_flag=True, help="解除绑定（只凭令牌）")
def credential_bind_command(
    prefix: str, cert_file: str | None, fingerprint: str, clear: bool
) -> None:
    """把凭证绑定到客户端证书：此后请求须经反向代理（nginx）带来这张经校验的证书。"""
    django_setup()
    from pathlib import Path

    from shouhu.core.errors import DomainError
    from shouhu.web.accounts.credentials import credential_bind
    from shouhu.web.accounts.models import SystemCredential
    from shouhu.web.headers import certificate_fingerprint

    if sum((bool(cert_file), bool(fingerprint), clear)) != 1:
        raise click.UsageError("请给出 --cert、--fingerprint、--clear 之一。")
    found = SystemCredential.objects.filter(token_prefix=prefix).first()
    if found is None:
        raise click.ClickException(f"没有前缀为 {prefix} 的凭证。")
    if cert_file:
        try:
            fingerprint = certificate_fingerprint(Path(cert_file).read_bytes())
        except ValueError:
            raise click.ClickException(f"{cert_file} 不是 PEM 格式的证书。") from None
    try:
        credential_bind(ctx=cli_ctx(), credential=found, fingerprint=fingerprint, actor=cli_actor())
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    if found.client_cert_sha256:
        click.echo(f"凭证 {prefix} 已绑定客户端证书 SHA-256 {found.client_cert_sha256}。")
    else:
        click.echo(f"凭证 {prefix} 已解除客户端证书绑定。")


@credential.command("revoke")
@click.argument("prefix")
def credential_revoke_command(prefix: str) -> None:
    """吊销凭证（按 list 显示的前缀）。"""
    django_setup()
    from shouhu.web.accounts.credentials import credential_revoke
    from shouhu.web.accounts.models import SystemCredential

    found = SystemCredential.objects.filter(token_prefix=prefix).first()
    if found is None:
        raise click.ClickException(f"没有前缀为 {prefix} 的凭证。")
    credential_revoke(ctx=cli_ctx(), credential=found, actor=cli_actor())
    click.echo(f"已吊销凭证 {prefix}。")
