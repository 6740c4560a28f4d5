"""`shouhu sealing …`：字段加密密钥的轮换（说明见 docs/operations.md「字段加密」）。

    shouhu sealing status            每把密钥还有多少条事实在用
    shouhu sealing rotate-key        生成新密钥，此后新值用它加密
    shouhu sealing reseal            把旧密钥加密的值全部用当前密钥重新加密（分批，可续做）
    shouhu sealing retire-key ID     去掉一把旧密钥（还有值用它时拒绝）

每条命令记一条审计（管理操作，只记密钥 id 和条数）。退出码：0 成功，2 拒绝或出错（中文消息）。
"""

from __future__ import annotations

from typing import Any

import click

from shouhu.web import django_setup


@click.group()
def sealing() -> None:
    """字段加密（SM4）的密钥：查看、轮换、重新加密、退役。"""


def _audit(detail: dict[str, Any]) -> None:
    from shouhu.web.accounts.commands import cli_actor, cli_ctx
    from shouhu.web.audit.models import Action, ObjectType
    from shouhu.web.audit.services import audit_record

    audit_record(ctx=cli_ctx(), action=Action.UPDATE, object_type=ObjectType.ADMINISTRATION,
                 detail={"sealing": detail}, actor_username=cli_actor())  # fmt: skip


@sealing.command("status")
def sealing_status() -> None:
    """每把字段加密密钥还有多少条事实在用（最后一把是当前密钥）。"""
    django_setup()
    from shouhu.web.exchange.sealing import field_ring, key_use_count

    ring = field_ring()
    for key_id in ring.keys:
        mark = "（当前）" if key_id == ring.current else ""
        click.echo(f"{key_id}{mark}：{key_use_count(key_id)} 条事实")


@sealing.command("rotate-key")
def sealing_rotate_key() -> None:
    """生成新的字段加密密钥（追加到密钥文件），此后新值用它加密；旧值仍可解开。"""
    django_setup()
    from django.conf import settings

    from shouhu.web.exchange.sealing import field_key_add

    key_id = field_key_add()
    _audit({"rotate": key_id})
    click.echo(f"已生成新的字段加密密钥 {key_id}，写入 {settings.FIELD_KEY_FILE}。")
    click.echo("请重做密钥备份（shouhu backup --keys），再运行 shouhu sealing reseal。")


@sealing.command("reseal")
@click.option("--batch", default=2000, show_default=True, type=click.IntRange(1, 100_000))
def sealing_reseal(batch: int) -> None:
    """把旧密钥加密的值全部用当前密钥重新加密；每批一个事务，中断后再运行即可续做。"""
    django_setup()
    from shouhu.core.sealing import SealError
    from shouhu.web.exchange.sealing import facts_reseal, field_ring

    try:
        count = facts_reseal(batch=batch, progress=lambda n: click.echo(f"已重新加密 {n} 条"))
    except SealError as exc:
        click.echo(exc.message, err=True)
        raise SystemExit(2) from None
    current = field_ring().current
    _audit({"reseal": current, "facts": count})
    click.echo(f"重新加密完成：{count} 条事实改用密钥 {current}。")


@sealing.command("retire-key")
@click.argument("key_id")
def sealing_retire_key(key_id: str) -> None:
    """从密钥文件去掉旧密钥 KEY_ID；还有值用它加密时拒绝。"""
    django_setup()
    from shouhu.core.sealing import SealError
    from shouhu.web.exchange.sealing import field_key_retire

    try:
        field_key_retire(key_id)
    except SealError as exc:
        click.echo(exc.message, err=True)
        raise SystemExit(2) from None
    _audit({"retire": key_id})
    click.echo(f"已退役密钥 {key_id}。请重做密钥备份（shouhu backup --keys）。")
