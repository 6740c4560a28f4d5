"""`shouhu register import FILE --division CODE [--column 表头=字段 …]`：与网页相同的台账导入
（列对应、匹配、原子性、同一文件只导入一次、审计），在服务器上用命令行完成。

不给 --column 时用平台按表头建议的对应；给了的列按给定的改（字段写中文名，如 证件号码=身份证号，
写“不导入”则跳过该列）。未导入的行打印出来，并可用 --problems 写成 Excel 清单。
"""

from __future__ import annotations

from pathlib import Path

import click

from shouhu.web import django_setup


@click.group()
def register() -> None:
    """台账（孤儿和事实无人抚养儿童）。"""


def _columns(headers: list[str], proposed: list[str], overrides: tuple[str, ...]) -> list[str]:
    from shouhu.web.cases.register_columns import FIELDS, header_norm

    by_label = {f.label: f.key for f in FIELDS} | {f.key: f.key for f in FIELDS} | {"不导入": ""}
    columns = list(proposed)
    for text in overrides:
        header, _, field = text.partition("=")
        index = next(
            (i for i, h in enumerate(headers) if header_norm(h) == header_norm(header)), -1
        )
        if index < 0 or field.strip() not in by_label:
            raise click.BadParameter(
                f"无法识别 {text!r}：应为 文件中的表头=平台字段", param_hint="--column"
            )
        columns[index] = by_label[field.strip()]
    return columns


@register.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--division", "division_code", required=True, help="县级区划代码（如 150802）")
@click.option("--column", "overrides", multiple=True, help="列对应：表头=平台字段（可多次）")
@click.option("--user", "username", default="", help="记在个案和审计日志上的账号（可选）")
@click.option(
    "--problems",
    "problems_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="未导入的行写成 Excel 清单的路径（可选）",
)
def register_import(
    file: Path,
    division_code: str,
    overrides: tuple[str, ...],
    username: str,
    problems_path: Path | None,
) -> None:
    """导入县里原有的台账（XLSX），为每名匹配上的儿童建立个案。"""
    django_setup()
    from shouhu.core.errors import DomainError
    from shouhu.web.accounts.models import User
    from shouhu.web.audit.context import RequestContext
    from shouhu.web.audit.models import Purpose
    from shouhu.web.cases.register_columns import FIELD_BY_KEY
    from shouhu.web.cases.register_files import problems_xlsx
    from shouhu.web.cases.register_import import register_import_run, register_import_upload
    from shouhu.web.registry.models import Division, DivisionLevel

    division = Division.objects.filter(code=division_code, level=DivisionLevel.COUNTY).first()
    if division is None:
        raise click.BadParameter(f"没有县级区划 {division_code}", param_hint="--division")
    user = User.objects.filter(username=username).first() if username else None
    if username and user is None:
        raise click.BadParameter(f"没有账号 {username}", param_hint="--user")
    ctx = RequestContext(user=user, client_ip="cli", purpose=Purpose.CASE_WORK)
    try:
        uploaded = register_import_upload(
            ctx=ctx, division=division, filename=file.name, data=file.read_bytes()
        )
        if uploaded.earlier:
            raise click.ClickException("这个文件已经导入过（内容完全相同），不再重复导入。")
        upload = uploaded.register_import
        headers = list(upload.mapping["headers"])
        columns = _columns(headers, list(upload.mapping["columns"]), overrides)
        for header, key in zip(headers, columns, strict=True):
            click.echo(f"  {header} → {FIELD_BY_KEY[key].label if key else '不导入'}")
        outcome = register_import_run(ctx=ctx, register_import=upload, columns=columns)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"数据行 {upload.rows_total}，新建个案 {outcome.cases_created}，"
               f"未导入 {len({p.row for p in outcome.problems})} 行。")  # fmt: skip
    for problem in outcome.problems:
        click.echo(problem.message)
    if problems_path is not None and outcome.problems:
        problems_path.write_bytes(problems_xlsx(outcome.problems))
        click.echo(f"未导入的行已写入 {problems_path}")
