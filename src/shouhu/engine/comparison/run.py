"""一次比对：读入 → 记录关联 → 要判定的儿童与规则长表 → 批量认定 → 对照台账 → 发现及其记录。

结果只由输入、基准日、设置和规则参数决定（不看时钟、不看行的先后），所以中途被杀的运行
重跑一遍得到同样的发现。
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from shouhu.core.errors import InvalidInput
from shouhu.core.policy import PolicyParams, load_params
from shouhu.engine.backends import BACKENDS, Backend, backend_open
from shouhu.engine.batch import policy_tables_arrow
from shouhu.engine.comparison import ambiguity as A
from shouhu.engine.comparison import findings as F
from shouhu.engine.comparison import plan as P
from shouhu.engine.comparison.inputs import TABLES, Source, table_find, table_load
from shouhu.engine.comparison.output import findings_shape, findings_write, links_shape
from shouhu.engine.linkage import LinkSettings, link_tables, settings_default
from shouhu.engine.linkage.plan import links_fetch
from shouhu.engine.linkage.sqlkit import q, tbl

Progress = Callable[[str, int], None]
DUCKDB_MEMORY_LIMIT = "6GB"  # 超过就落盘：省级数据也守住 8 GiB 的内存目标


@dataclass(frozen=True)
class CompareSettings:
    """决定结果的一切（记入运行记录）。region：户籍与台账都没有区划时用的地区。
    threads、memory_limit 只影响 DuckDB 的速度和内存，不影响结果。"""

    engine: str = "duckdb"
    region: str | None = None
    link: LinkSettings | None = None
    threads: int | None = None
    memory_limit: str | None = None


@dataclass(frozen=True)
class CompareResult:
    """findings：FINDINGS_SCHEMA，已排序；links：每条记录的关联（置信度 0–100）；counts：各种
    发现的条数，另有 records、linked、unknown_type（类型不是规则事实类型、被忽略的记录）、
    children_assessed；params_version：规则参数的指纹；files：compare_dir 写出的文件。"""

    findings: pa.Table
    links: pa.Table
    counts: dict[str, int]
    seconds: float
    params_version: str
    files: tuple[str, ...] = field(default=())


def params_version(params: PolicyParams) -> str:
    """规则参数的指纹：进入 SQL 的参数表逐行的 sha256（前 16 位）。"""
    digest = hashlib.sha256()
    for name, table in sorted(policy_tables_arrow(params).items()):
        digest.update(name.encode())
        digest.update(repr(table.to_pylist()).encode())
    return digest.hexdigest()[:16]


def _backend(settings: CompareSettings, session: Any | None) -> Backend:
    if settings.engine not in BACKENDS:
        raise InvalidInput(f"引擎应为 {' 或 '.join(BACKENDS)}")
    if settings.engine == "duckdb" and session is None:
        import duckdb

        config: dict[str, Any] = {
            "preserve_insertion_order": False,  # 顺序由最后的排序决定，不必保留
            "memory_limit": settings.memory_limit or DUCKDB_MEMORY_LIMIT,
        }
        if settings.threads:
            config["threads"] = settings.threads
        session = duckdb.connect(":memory:", config=config)
        return backend_open("duckdb", session=session)
    return backend_open(settings.engine, session=session)


def _record_ids_check(backend: Backend) -> None:
    rid = q("NULLIF(TRIM(CAST(record_id AS VARCHAR)), '')")
    counts = q(
        "SELECT COUNT(*) AS n, COUNT($rid) AS filled, COUNT(DISTINCT CAST(record_id AS VARCHAR))"
        " AS distinct_ids FROM $t",
        rid=rid,
        t=tbl(P.FACTS),
    )
    row = backend.fetch(counts, step=P.step("检查记录号")).to_pylist()[0]
    if row["filled"] != row["n"]:
        raise InvalidInput("表 facts 的列 record_id 有空值")
    if row["distinct_ids"] != row["n"]:
        raise InvalidInput("表 facts 的列 record_id 有重复值")


def compare_tables(
    *,
    registry: Source,
    register: Source,
    facts: Source,
    as_of: date,
    settings: CompareSettings | None = None,
    progress: Progress | None = None,
    session: Any | None = None,
    params: PolicyParams | None = None,
    links: pa.Table | None = None,
) -> CompareResult:
    """三张 compare-format 表（Arrow 表或 parquet/csv 路径）→ 比对发现。

    session：已有的 DuckDB 连接或 SparkSession（不传则新建，用完关闭）。
    links：已有的关联（record_id, id_number[, method, confidence]），给了就不再做记录关联——
    平台入库时已按号码联上的事实、测试里的真实关联；表里没有或 id_number 为空的记录算未关联。
    params：规则参数（缺省读 params/*.toml）。输入不合格抛 InvalidInput，消息指明表和列。
    """
    settings = settings or CompareSettings()
    params = params or load_params()
    tell = progress or (lambda _label, _percent: None)
    started = time.perf_counter()
    backend = _backend(settings, session)
    try:
        tell("读入", 0)
        present = {
            name: frozenset(table_load(backend, loaded, name, source))
            for name, loaded, source in (
                ("registry", P.REGISTRY, registry),
                ("register", P.REGISTER, register),
                ("facts", P.FACTS, facts),
            )
        }
        _record_ids_check(backend)
        tell("记录关联", 10)
        link_settings, model = None, None
        if links is None:
            link_settings = settings.link or settings_default()
            model = link_tables(backend, registry=P.REGISTRY, facts=P.FACTS, settings=link_settings)
        else:
            P.links_given(backend, links)
        tell("找出涉及的儿童", 45)
        _long_tables(
            backend, present, linked=links is None, as_of=as_of, params=params, settings=settings
        )
        tell("批量认定", 60)
        F.policy_run(backend, params)
        F.first_kinds(backend)
        A.guard_collect(backend, link_settings, model)
        A.whatif_tables(backend, cases=F.CASES, facts=F.FACTS)
        F.whatif_run(backend)
        F.decisions_compare(backend)
        tell("整理比对发现", 80)
        F.evidence_collect(backend)
        threshold = (link_settings or settings_default()).threshold
        found = backend.fetch(F.findings_select(threshold), step=P.step("取回发现"))
        findings = findings_shape(found)
        linked = links_shape(links_fetch(backend))
        counts = _counts(backend, findings)
    finally:
        if session is None:
            backend.close()
    tell("完成", 100)
    return CompareResult(
        findings=findings,
        links=linked,
        counts=counts,
        seconds=time.perf_counter() - started,
        params_version=params_version(params),
    )


def _long_tables(
    backend: Backend,
    present: dict[str, frozenset[str]],
    *,
    linked: bool,
    as_of: date,
    params: PolicyParams,
    settings: CompareSettings,
) -> None:
    """关联之后：解析事实、在保个案、未关联记录的可能人选、要判定的儿童、规则长表。"""
    P.facts_linked(backend, present["facts"])
    A.candidates_collect(backend, linked)
    P.register_active(backend, present["register"])
    P.kids_select(backend, present["registry"])
    P.kids_finish(backend, cutoff=P.adult_cutoff(as_of, params), region=settings.region)
    P.policy_long_tables(backend, as_of=as_of, cases=F.CASES, facts=F.FACTS)


def _counts(backend: Backend, findings: pa.Table) -> dict[str, int]:
    counts = dict.fromkeys(F.KINDS, 0)
    for row in findings.column("kind").value_counts().to_pylist():
        counts[str(row["values"])] = int(row["counts"])
    fetched = backend.fetch(F.counts_select(), step=P.step("计数")).to_pylist()
    counts.update({str(r["name"]): int(r["n"]) for r in fetched})
    return counts


def compare_dir(
    input_dir: Path,
    out_dir: Path,
    *,
    as_of: date,
    settings: CompareSettings | None = None,
    progress: Progress | None = None,
    session: Any | None = None,
) -> CompareResult:
    """compare-format 的文件模式：读 input_dir 的三张表，写 out_dir/findings.parquet 与 .csv。"""
    sources = {table: table_find(Path(input_dir), table) for table in TABLES}
    result = compare_tables(
        registry=sources["registry"],
        register=sources["register"],
        facts=sources["facts"],
        as_of=as_of,
        settings=settings,
        progress=progress,
        session=session,
    )
    written = findings_write(result.findings, Path(out_dir))
    return CompareResult(
        findings=result.findings,
        links=result.links,
        counts=result.counts,
        seconds=result.seconds,
        params_version=result.params_version,
        files=tuple(str(p) for p in written),
    )
