"""`shouhu division import|code-list|sync`：乡、村两级代码表的导入，合成地区的代码表。

    shouhu division import 临河区村级代码.xlsx          # 有一行不合格整份不入库，逐行说明
    shouhu synth --persons 30000 --region 370114 --out /tmp/zq
    shouhu division code-list --from-region /tmp/zq --out /tmp/zq/villages.csv
    shouhu division import /tmp/zq/villages.csv --synthetic  # 也可直接 --from-region /tmp/zq

与网页上“系统管理 › 行政区划”的导入同一套代码（`shouhu.web.registry.divisions`）。
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from shouhu.web import django_setup
from shouhu.web.accounts.commands import cli_actor, cli_ctx


@click.group()
def division() -> None:
    """行政区划：导入乡、村代码表；为合成地区生成代码表；同步随包的国家标准表。"""


@division.command("sync")
def division_sync_command() -> None:
    """把随包的全国县级及以上区划表写进数据库（幂等；demo 和 serve 不需要另行运行）。"""
    django_setup()
    from shouhu.web.registry.divisions import division_table_sync

    click.echo(f"区划表已同步：{division_table_sync()} 行。")


@division.command("import")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--from-region",
    "region",
    type=click.Path(file_okay=False, path_type=Path),
    help="shouhu synth 的输出目录：导入其中编造的乡、村（演示数据）",
)
@click.option("--synthetic", is_flag=True, help="标为演示用的合成区划")
def division_import_command(file: Path | None, region: Path | None, synthetic: bool) -> None:
    """导入代码表（CSV 或 XLSX：区划代码、名称两列）。"""
    if (file is None) == (region is None):
        raise click.UsageError("请给出代码表文件，或用 --from-region 指定合成地区的目录（二选一）")
    django_setup()
    from shouhu.web.registry.divisions import code_list_csv, division_import

    if region is not None:
        data, name, synthetic = code_list_csv(_region_rows(region)), "合成地区代码表.csv", True
    else:
        assert file is not None
        data, name = _read(file), file.name
    result = division_import(
        ctx=cli_ctx(), data=data, filename=name, under=None, synthetic=synthetic, actor=cli_actor()
    )
    if not result.ok:
        for error in result.errors:
            click.echo(error.message, err=True)
        click.echo(result.summary(), err=True)
        sys.exit(2)
    click.echo(result.summary())


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"读不了文件 {file}：{exc.strerror}") from None


def _region_rows(region: Path) -> list[tuple[str, str]]:
    from shouhu.web.registry.divisions import region_code_list

    try:
        return region_code_list(region)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None


@division.command("code-list")
@click.option(
    "--from-region",
    "region",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="shouhu synth 的输出目录",
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def division_code_list_command(region: Path, out: Path) -> None:
    """为合成地区生成乡、村代码表（名称为编造的“第3街道”“第12村”），供导入或网页上传。"""
    django_setup()
    from shouhu.web.registry.divisions import code_list_csv

    rows = _region_rows(region)
    out.write_bytes(code_list_csv(rows))
    click.echo(f"已写出 {len(rows)} 行：{out}")
