"""合成地区：选县、分配人口，小规模在内存里返回各表，大规模按县流式写成 parquet 或 CSV。"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from shouhu.core.errors import InvalidInput
from shouhu.core.identity import division_table
from shouhu.engine.synth.county import CountyTables, county_generate
from shouhu.engine.synth.dirty import DirtyRates, dirty_rates_of
from shouhu.engine.synth.tables import SCHEMAS

DEMO_COUNTY = "150802"  # 巴彦淖尔市临河区：表里有乡镇和村居
COMPARE_TABLES = ("registry", "register", "facts")
TRUTH_TABLES = ("truth_links", "truth_findings")
FALLBACK_OUTSIDER_CODE = "410102"  # 地区已包含表中所有县时，外地人记在郑州市中原区

Format = Literal["parquet", "csv"]
DEFAULT_DIRTY = DirtyRates()
MAX_WORKERS = 4  # 每个工作进程约需每百万人 1.3 GB 内存


@dataclass(frozen=True)
class SynthRegion:
    """内存中的合成地区：compare-format 的三张输入表、两张真值表和亲子关系表。"""

    registry: pa.Table
    register: pa.Table
    facts: pa.Table
    truth_links: pa.Table
    truth_findings: pa.Table
    parent_links: pa.Table
    counties: tuple[str, ...]
    as_of: date
    seed: int


@dataclass(frozen=True)
class SynthSummary:
    """写文件的结果：各表行数、所用县、耗时。"""

    rows: dict[str, int]
    counties: tuple[str, ...]
    seconds: float
    files: tuple[str, ...] = field(default=())


def counties_of(division_codes: Sequence[str] | None) -> list[str]:
    """把地区（省、市或县代码）展开成表中的县级代码，保持给出的顺序、去重。"""
    table = division_table()
    found: list[str] = []
    for raw in division_codes or [DEMO_COUNTY]:
        division = table.get(raw)
        if division is None:
            raise InvalidInput(f"区划代码 {raw} 不在区划表中")
        if division.level == "county":
            found.append(division.code)
        elif division.level in ("province", "city"):
            found += [d.code for d in table.descendants(division.code) if d.level == "county"]
        else:
            raise InvalidInput(f"区划代码 {raw} 是乡级或村级；地区应为省、市或县")
    counties = list(dict.fromkeys(found))
    if not counties:
        raise InvalidInput("所选地区在区划表中没有县级单位")
    return counties


def persons_split(seed: int, counties: list[str], persons: int) -> list[int]:
    """各县人口：按对数正态的权重分配（县有大有小），合计恰为 persons。"""
    if len(counties) == 1:
        return [persons]
    weights = np.random.default_rng([seed, 2260]).lognormal(0.0, 0.5, len(counties))
    exact = weights / weights.sum() * persons
    counts = np.floor(exact).astype(np.int64)
    remainder = persons - int(counts.sum())
    counts[np.argsort(-(exact - counts))[:remainder]] += 1
    return [int(c) for c in counts]


def _outsider_codes(counties: list[str]) -> list[str]:
    inside = set(counties)
    others = [d.code for d in division_table() if d.level == "county" and d.code not in inside]
    return others or [FALLBACK_OUTSIDER_CODE]


def _check(persons: int, as_of: date) -> None:
    if persons < 1:
        raise InvalidInput("人口数应为正整数")
    if as_of > date.today():
        raise InvalidInput("基准日不能晚于今天（身份证号中的出生日期不能在未来）")


@dataclass(frozen=True)
class _Job:
    seed: int
    county: str
    persons: int
    as_of: date
    rates: DirtyRates
    outsider_codes: list[str]
    county_only: bool


def _run(job: _Job) -> CountyTables:
    return county_generate(
        seed=job.seed,
        county_code=job.county,
        persons=job.persons,
        as_of=job.as_of,
        rates=job.rates,
        outsider_codes=job.outsider_codes,
        county_only=job.county_only,
    )


def _chunks(
    *,
    persons: int,
    seed: int,
    division_codes: Sequence[str] | None,
    as_of: date,
    dirty_rate: DirtyRates | float,
    county_only: bool,
    workers: int = 1,
) -> tuple[list[str], Iterator[tuple[int, CountyTables]]]:
    """各县的表，按县的顺序给出；workers > 1 时各县在子进程里并行生成（结果与串行相同）。"""
    _check(persons, as_of)
    counties = counties_of(division_codes)
    rates, outsider_codes = dirty_rates_of(dirty_rate), _outsider_codes(counties)
    jobs = [
        _Job(seed, county, count, as_of, rates, outsider_codes, county_only)
        for county, count in zip(counties, persons_split(seed, counties, persons), strict=True)
        if count
    ]

    def generate() -> Iterator[tuple[int, CountyTables]]:
        if workers <= 1 or len(jobs) <= 1:
            yield from ((job.persons, _run(job)) for job in jobs)
            return
        context = multiprocessing.get_context("spawn")  # 不 fork：pyarrow 的线程池在 fork 后不安全
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield from zip((job.persons for job in jobs), pool.map(_run, jobs), strict=True)

    return counties, generate()


def synth_region(
    *,
    persons: int,
    seed: int,
    division_codes: Sequence[str] | None = None,
    as_of: date,
    dirty_rate: DirtyRates | float = DEFAULT_DIRTY,
    county_only: bool = False,
) -> SynthRegion:
    """在内存里合成一个地区（适合几万到几十万人）。division_codes 为省、市或县代码，默认临河区。

    dirty_rate：部门记录的错误比例（DirtyRates），或默认比例的倍数（0 为全部干净）。
    county_only：只写县代码、不写村（居）（区划表里没有村级的县默认用编造的村居代码）。
    """
    counties, chunks = _chunks(
        persons=persons,
        seed=seed,
        division_codes=division_codes,
        as_of=as_of,
        dirty_rate=dirty_rate,
        county_only=county_only,
    )
    parts: dict[str, list[pa.Table]] = {name: [] for name in SCHEMAS}
    for _, tables in chunks:
        for name in SCHEMAS:
            parts[name].append(getattr(tables, name))
    merged = {
        name: pa.concat_tables(parts[name] or [SCHEMAS[name].empty_table()]) for name in SCHEMAS
    }
    return SynthRegion(**merged, counties=tuple(counties), as_of=as_of, seed=seed)


class _Writers:
    """每张表一个流式写入器（parquet：zstd 压缩；csv：带表头，空值写成空单元格）。"""

    def __init__(self, out_dir: Path, fmt: Format, names: Sequence[str]) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.paths = {name: out_dir / f"{name}.{fmt}" for name in names}
        self.writers: dict[str, Any] = {}
        for name, path in self.paths.items():
            schema = SCHEMAS[name]
            self.writers[name] = (
                pq.ParquetWriter(path, schema, compression="zstd")
                if fmt == "parquet"
                else pacsv.CSVWriter(path, schema)
            )
        self.rows = dict.fromkeys(names, 0)

    def write(self, tables: CountyTables) -> None:
        for name, writer in self.writers.items():
            table = getattr(tables, name)
            writer.write_table(table)
            self.rows[name] += table.num_rows

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


def synth_write(
    out_dir: Path | str,
    *,
    persons: int,
    seed: int,
    division_codes: Sequence[str] | None = None,
    as_of: date,
    dirty_rate: DirtyRates | float = DEFAULT_DIRTY,
    fmt: Format = "parquet",
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    county_only: bool = False,
) -> SynthSummary:
    """按县流式生成并写出 registry、register、facts（compare-format 输入）和 truth_links、
    truth_findings（真值）。内存只与最大的一个县（乘以并行数）有关；progress 每写完一个县
    收到该县人口数。workers 默认：一百万人以上用 CPU 数个进程（最多 4 个）。county_only 同
    synth_region。"""
    if fmt not in ("parquet", "csv"):
        raise InvalidInput("格式应为 parquet 或 csv")
    started = time.perf_counter()
    if workers is None:
        workers = min(MAX_WORKERS, os.cpu_count() or 1) if persons >= 1_000_000 else 1
    counties, chunks = _chunks(
        persons=persons,
        seed=seed,
        division_codes=division_codes,
        as_of=as_of,
        dirty_rate=dirty_rate,
        county_only=county_only,
        workers=workers,
    )
    writers = _Writers(Path(out_dir), fmt, (*COMPARE_TABLES, *TRUTH_TABLES))
    try:
        for count, tables in chunks:
            writers.write(tables)
            if progress is not None:
                progress(count)
    finally:
        writers.close()
    return SynthSummary(
        rows=writers.rows,
        counties=tuple(counties),
        seconds=time.perf_counter() - started,
        files=tuple(str(p) for p in writers.paths.values()),
    )
