"""`shouhu compare --input DIR --as-of YYYY-MM-DD --out DIR [--engine duckdb|spark] [--region CODE]
[--spark-master URL]`（docs/formats/compare.md；集群见 docs/recipes/run-on-a-spark-cluster.md）：
读三张表，写 findings.parquet 与 findings.csv，打印一行摘要。

输入不合格（缺表、缺必需的列、文件读不了）时把指明表和列的中文消息写到标准错误，以状态 2
退出。进度条画在标准错误上。不用 Django。
"""

from __future__ import annotations

import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import NoReturn

import click

KIND_LABELS = (
    ("enrol", "应纳入"),
    ("exit", "应退出"),
    ("change", "类别变更"),
    ("review", "需核实"),
    ("unlinked", "无法匹配"),
)


def _fail(message: str) -> NoReturn:
    click.echo(f"错误：{message}", err=True)
    sys.exit(2)


@click.command("compare")
@click.option(
    "--input",
    "input_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="输入目录：registry、register、facts（.parquet 或 .csv）",
)
@click.option(
    "--as-of", "as_of", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="基准日"
)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True
)
@click.option("--region", metavar="CODE", help="户籍和台账都没有区划时用的地区（6位区划代码）")
@click.option(
    "--spark-master",
    metavar="URL",
    envvar="SHOUHU_SPARK_MASTER",
    help="Spark 主节点（spark://主机:7077、yarn、local[N]）；"
    "缺省本地模式，在 spark-submit 之下用它给的",
)
def compare(
    input_dir: Path,
    as_of: datetime,
    out_dir: Path,
    engine: str,
    region: str | None,
    spark_master: str | None,
) -> None:
    """比对：部门记录关联到户籍，按认定规则批量判定，对照台账得出比对发现。"""
    from shouhu.core.errors import DomainError
    from shouhu.engine.comparison import CompareSettings, compare_dir

    if region is not None and not (len(region) == 6 and region.isdigit()):
        _fail("--region 应为6位行政区划代码")
    if not input_dir.is_dir():
        _fail(f"输入目录 {input_dir} 不存在")
    if engine != "spark":
        spark_master = None  # 只用于 Spark（环境变量设了也不妨碍 DuckDB）
    if spark_master is not None:
        from shouhu.engine.backends.spark_backend import spark_master_check

        if (problem := spark_master_check(spark_master)) is not None:
            _fail(problem)
    started = time.perf_counter()
    day: date = as_of.date()
    settings = CompareSettings(engine=engine, region=region, spark_master=spark_master)
    with click.progressbar(length=100, label="比对", file=sys.stderr) as bar:

        def progress(label: str, percent: int) -> None:
            bar.label = f"比对·{label}"
            bar.update(max(0, percent - bar.pos))

        try:
            result = compare_dir(
                input_dir, out_dir, as_of=day, settings=settings, progress=progress
            )
        except DomainError as error:
            bar.render_finish()
            _fail(error.message)
    counts = "，".join(f"{label} {result.counts[kind]:,}" for kind, label in KIND_LABELS)
    click.echo(
        f"比对完成（基准日 {day}，{engine}）：{counts}；"
        f"记录 {result.counts['records']:,} 条，关联上 {result.counts['linked']:,} 条，"
        f"判定儿童 {result.counts['children_assessed']:,} 名；"
        f"用时 {time.perf_counter() - started:.1f} 秒。"
        f"结果在 {out_dir}。"
    )
