"""`shouhu package keygen|export|import`：离线交换包（巴彦淖尔通知 §4（二）4）。

用法见 docs/recipes/offline-package.md。

keygen 和 export 在发送方（没有网络的部门）的电脑上运行，不需要平台和数据库；
import 在平台服务器上运行，需要 Django，所以只在命令内部才载入（本模块顶层不导入 Django）。
出错时把中文说明写到标准错误，以状态 2 退出。
"""

from __future__ import annotations

import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

import click

from shouhu.core.catalog import AGENCY_LABELS, DataItem, catalog_load
from shouhu.core.errors import DomainError
from shouhu.core.exchange import ReadResult, read_table
from shouhu.core.exchange.package import package_seal
from shouhu.core.exchange.package_keys import (
    AgencyRef,
    PrivateKeys,
    fingerprint_display,
    keys_generate,
    private_keys_load,
    private_keys_pem,
    public_keys_load,
    public_keys_pem,
)

_PERIOD = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
_SHOWN_ERRORS = 20
EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def fail(message: str) -> NoReturn:
    click.echo(f"错误：{message}", err=True)
    sys.exit(2)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """只新建、不覆盖；私钥以 0600 创建（创建那一刻就是，不是事后 chmod）。"""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        fail(f"{path} 已存在，不覆盖。请换一个文件名或先移走旧文件")
    with os.fdopen(fd, "wb") as out:
        out.write(data)


@click.group("package")
def package() -> None:
    """离线交换包：没有网络条件的部门用移动存储介质加密报送。"""


# ------------------------------------------------------------------ keygen


@package.command("keygen")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", required=True, help="密钥名称，也是文件名，如“临河区人民法院”。")
@click.option(
    "--agency-type", required=True, type=click.Choice(sorted(AGENCY_LABELS)), help="部门类型。"
)
@click.option("--division", required=True, metavar="CODE", help="部门所在的6位行政区划代码。")
def keygen(out_dir: Path, name: str, agency_type: str, division: str) -> None:
    """生成本部门的一套密钥：NAME.key.pem（私钥，0600，只留本机）和 NAME.pub.pem（公钥）。"""
    if not re.fullmatch(r"[^/\\\x00-\x1f.][^/\\\x00-\x1f]{0,99}", name):
        fail("--name 应为1–100个字符，不含路径分隔符，不以点开头")
    try:
        keys = keys_generate(agency=AgencyRef(agency_type, division), name=name)
    except DomainError as exc:
        fail(exc.message)
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    private_path, public_path = out_dir / f"{name}.key.pem", out_dir / f"{name}.pub.pem"
    if public_path.exists():
        fail(f"{public_path} 已存在，不覆盖")
    _write_new(private_path, private_keys_pem(keys), 0o600)
    _write_new(public_path, public_keys_pem(keys.public), 0o644)
    click.echo(f"私钥：{private_path}（只留在本机，切勿外传）")
    click.echo(f"公钥：{public_path}（交给对方登记）")
    click.echo(f"部门：{keys.public.agency.label}　密钥编号：{keys.public.key_id}")
    click.echo(f"指纹：{fingerprint_display(keys.public.fingerprint)}")
    click.echo("对方登记公钥前，请双方电话逐组核对上面的指纹。")


# ------------------------------------------------------------------ export


def load_private(path: Path) -> PrivateKeys:
    try:
        return private_keys_load(path.read_bytes())
    except DomainError as exc:
        fail(f"{path}：{exc.message}")


def _period(text: str) -> date:
    match = _PERIOD.match(text)
    if not match:
        fail("--period 应为 YYYY-MM，如 2026-04")
    return date(int(match.group(1)), int(match.group(2)), 1)


def _item(code: str, sender: AgencyRef) -> DataItem:
    try:
        item = catalog_load(sender.division_code).item(code)
    except DomainError as exc:
        fail(exc.message)
    if item.agency_type != sender.agency_type:
        provider = AGENCY_LABELS.get(item.agency_type, item.agency_type)
        fail(f"数据项“{item.name}”由{provider}报送，不是本部门（{sender.label}）的数据项")
    return item


def _show_check(result: ReadResult) -> None:
    if result.rejected_whole is not None:
        fail(f"{result.rejected_whole}\n此文件会被整份拒收，未生成离线交换包。")
    click.echo(f"校验：共 {result.rows_total} 行，合格 {len(result.records)} 行。")
    if result.errors:
        click.echo(f"有 {len(result.errors)} 处错误，导入时这些行会被退回（其余行照常接收）：")
        for error in result.errors[:_SHOWN_ERRORS]:
            click.echo(f"  {error.message}")
        if len(result.errors) > _SHOWN_ERRORS:
            click.echo(f"  ……另有 {len(result.errors) - _SHOWN_ERRORS} 处，建议改正后再导出")


@package.command("export")
@click.argument("file", type=EXISTING_FILE)
@click.option("--item", "item_code", required=True, metavar="CODE", help="数据项代码。")
@click.option("--period", required=True, metavar="YYYY-MM", help="所属月份。")
@click.option("--signing-key", required=True, type=EXISTING_FILE, help="本部门私钥文件。")
@click.option("--recipient-key", required=True, type=EXISTING_FILE, help="接收方公钥文件。")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export(
    file: Path, item_code: str, period: str, signing_key: Path, recipient_key: Path, out_path: Path
) -> None:
    """校验 FILE，然后加密、签名，写成一个离线交换包。发送部门取自签名私钥。"""
    month = _period(period)
    sender = load_private(signing_key)
    try:
        recipient = public_keys_load(recipient_key.read_bytes())
    except DomainError as exc:
        fail(f"{recipient_key}：{exc.message}")
    item = _item(item_code, sender.public.agency)
    data = file.read_bytes()
    _show_check(read_table(data, filename=file.name, item=item))
    try:
        sealed = package_seal(
            content=data, filename=file.name, item_code=item.code, period=month,
            sender=sender, recipient=recipient,
        )  # fmt: skip
    except DomainError as exc:
        fail(exc.message)
    _write_new(out_path, sealed, 0o644)
    click.echo(f"已生成离线交换包：{out_path}（{len(sealed)} 字节）")
    click.echo(
        f"发送：{sender.public.agency.label} → 接收：{recipient.agency.label}（{recipient.name}）"
    )
    click.echo(f"数据项：{item.name}，所属月份：{period}。请把此文件拷入移动介质交给接收方导入。")
