"""`shouhu assess FILE [--as-of YYYY-MM-DD] [--region CODE]`（docs/formats/assess.md）。

先读入并校验全部个案，全部合格才开始认定和输出；任何一个不合格就把指明案例和字段的中文消息
写到标准错误，以状态 2 退出，标准输出什么也不写。
"""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn, TextIO

import click

from shouhu.core.errors import InvalidInput
from shouhu.core.policy import assess_case, assessment_to_json, cases_from_json
from shouhu.core.policy.dates import parse_iso_date


def _fail(message: str) -> NoReturn:
    click.echo(f"错误：{message}", err=True)
    sys.exit(2)


def _read(file: TextIO) -> Any:
    try:
        return json.load(file)
    except json.JSONDecodeError as exc:
        _fail(f"输入不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）")
    except UnicodeDecodeError:
        _fail("输入不是 UTF-8 编码的文本")


@click.command("assess")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="未写 as_of 的个案用此认定日期。")
@click.option("--region", metavar="CODE", help="未写 region 的个案用此行政区划代码（6位）。")
def assess(file: TextIO, as_of: str | None, region: str | None) -> None:
    """按认定规则（docs/rules.md）判定 FILE 中的个案；FILE 为 - 时读标准输入。"""
    default_as_of = None
    if as_of is not None:
        default_as_of = parse_iso_date(as_of)
        if default_as_of is None:
            _fail("--as-of 日期无效，应为 YYYY-MM-DD")
    if region is not None and not (len(region) == 6 and region.isdigit()):
        _fail("--region 应为6位行政区划代码")
    data = _read(file)
    try:
        cases, single = cases_from_json(data, default_as_of=default_as_of, default_region=region)
    except InvalidInput as exc:
        _fail(exc.message)
    results = [assessment_to_json(assess_case(c)) for c in cases]
    if single:
        click.echo(json.dumps(results[0], ensure_ascii=False, indent=2))
        return
    # 列表：每个结果一行，便于逐行查看，也比缩进输出快得多
    lines = ",\n".join(json.dumps(r, ensure_ascii=False) for r in results)
    click.echo(f"[\n{lines}\n]" if results else "[]")
