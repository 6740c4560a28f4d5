"""`shouhu synth`：合成一个地区的户籍、部门事实、台账和真值，写成 compare-format 的文件。"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click


@click.command()
@click.option("--persons", required=True, type=click.IntRange(min=1), help="人口数（各县合计）")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="输出目录",
)
@click.option(
    "--seed", default=2026, show_default=True, type=int, help="随机种子（同一种子结果相同）"
)
@click.option(
    "--region",
    "regions",
    multiple=True,
    metavar="CODE",
    help="地区：省、市或县的区划代码，可重复；默认 150802 临河区",
)
@click.option(
    "--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="基准日 YYYY-MM-DD，默认今天",
)
@click.option(
    "--dirty",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="部门记录错误比例的倍数（0 为全部干净）",
)
@click.option(
    "--county-only",
    is_flag=True,
    help="区划只写到县、不写村（居）：记录关联的最坏情形，供基准用",
)
def synth(
    persons: int,
    out_dir: Path,
    seed: int,
    regions: tuple[str, ...],
    fmt: str,
    as_of: datetime | None,
    dirty: float,
    county_only: bool,
) -> None:
    """合成数据：户籍（含亲子关系）、各部门报送的事实（带常见录入错误）、台账和真值。

    写出 registry、register、facts（shouhu compare 的输入）以及 truth_links、truth_findings。
    """
    from shouhu.core.errors import DomainError
    from shouhu.engine.synth import synth_write

    day = as_of.date() if as_of else date.today()
    with click.progressbar(length=persons, label="合成人口", file=sys.stderr) as bar:
        try:
            summary = synth_write(
                out_dir,
                persons=persons,
                seed=seed,
                division_codes=list(regions) or None,
                as_of=day,
                dirty_rate=dirty,
                fmt=fmt,
                progress=bar.update,  # type: ignore[arg-type]
                county_only=county_only,
            )
        except DomainError as error:
            raise click.ClickException(error.message) from error
    counts = "，".join(f"{name} {rows:,} 行" for name, rows in summary.rows.items())
    click.echo(
        f"已写入 {out_dir}（{len(summary.counties)} 个县，基准日 {day}）：{counts}；"
        f"用时 {summary.seconds:.1f} 秒。"
    )
