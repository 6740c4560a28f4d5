"""`shouhu backup`、`shouhu backup --keys`、`shouhu restore`（说明见 docs/operations.md）。

    SHOUHU_BACKUP_PASSPHRASE_FILE=/etc/shouhu/backup.pass shouhu backup --out /backup/data
    SHOUHU_BACKUP_KEYS_PASSPHRASE_FILE=/root/keys.pass shouhu backup --keys --out /media/usb
    shouhu restore /backup/data/shouhu-….data.sbk --keys /media/usb/shouhu-….keys.sbk

口令：--passphrase-file，或环境变量 SHOUHU_BACKUP_PASSPHRASE（密钥备份用
SHOUHU_BACKUP_KEYS_PASSPHRASE；都可加 _FILE 从文件读），都没有时在终端输入。
退出码：0 成功，1 恢复后审计链校验未通过，2 口令不对、文件损坏、目标不空等。
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from shouhu.web import django_setup

DATA_ENV = "SHOUHU_BACKUP_PASSPHRASE"
KEYS_ENV = "SHOUHU_BACKUP_KEYS_PASSPHRASE"


def _passphrase(path: str, variable: str, label: str, *, confirm: bool) -> str:
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    source = os.environ.get(f"{variable}_FILE")
    if source:
        return Path(source).read_text(encoding="utf-8").strip()
    if os.environ.get(variable):
        return os.environ[variable]
    if not sys.stdin.isatty():
        raise click.UsageError(f"请用 --passphrase-file 或环境变量 {variable} 给出{label}口令")
    return str(click.prompt(f"{label}口令", hide_input=True, confirmation_prompt=confirm))


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(2)


@click.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="备份文件写到这个目录")  # fmt: skip
@click.option("--keys", "keys_only", is_flag=True,
              help="只备份密钥（审计签名密钥、Django 密钥、交换包私钥），写到别处")  # fmt: skip
@click.option("--passphrase-file", default="", help="口令文件（一行）")
def backup(out_dir: Path, keys_only: bool, passphrase_file: str) -> None:
    """加密备份：数据（数据库、见证文件）或 --keys 密钥，两者分开保管。"""
    django_setup()
    from shouhu.core.errors import InvalidInput
    from shouhu.web.ops.backup import backup_data, backup_keys

    try:
        if keys_only:
            passphrase = _passphrase(passphrase_file, KEYS_ENV, "密钥备份", confirm=True)
            other = os.environ.get(DATA_ENV)
            if other and other == passphrase:
                _fail("密钥备份的口令不能与数据备份的相同：两者要分开保管。")
            backup_keys(out_dir=out_dir, passphrase=passphrase, echo=click.echo)
        else:
            passphrase = _passphrase(passphrase_file, DATA_ENV, "数据备份", confirm=True)
            backup_data(out_dir=out_dir, passphrase=passphrase, echo=click.echo)
    except InvalidInput as exc:
        _fail(exc.message)


@click.command()
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--keys", "keys", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="与之配套的密钥备份文件")  # fmt: skip
@click.option("--passphrase-file", default="", help="数据备份的口令文件")
@click.option("--keys-passphrase-file", default="", help="密钥备份的口令文件")
@click.option("--force", is_flag=True, help="目标库不空时也覆盖（慎用）")
def restore(
    data: Path, keys: Path, passphrase_file: str, keys_passphrase_file: str, force: bool
) -> None:
    """从数据备份和密钥备份恢复到空的数据目录或空库，然后核对行数、校验审计链。"""
    django_setup()
    from shouhu.core.errors import InvalidInput
    from shouhu.web.ops.backup import restore as restore_run

    try:
        report = restore_run(
            data=data,
            keys=keys,
            data_passphrase=_passphrase(passphrase_file, DATA_ENV, "数据备份", confirm=False),
            keys_passphrase=_passphrase(keys_passphrase_file, KEYS_ENV, "密钥备份", confirm=False),
            force=force,
            echo=click.echo,
        )
    except InvalidInput as exc:
        _fail(exc.message)
        return
    click.echo(
        f"已恢复 {len(report.counts)} 张表、{sum(report.counts.values())} 行，与备份清单一致。"
    )
    for note in report.notes:
        click.echo(note)
    if not report.audit_ok:
        click.echo(f"审计日志校验失败：{report.audit_message}", err=True)
        sys.exit(1)
    click.echo("审计日志哈希链校验通过。")
