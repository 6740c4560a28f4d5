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
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa

from shouhu.core.errors import InvalidInput
from shouhu.core.policy import PolicyParams, load_params
from shouhu.engine import batch
from shouhu.engine.backends import BACKENDS, Backend, backend_open
from shouhu.engine.batch import policy_tables_arrow
from shouhu.engine.comparison import ambiguity as A
from shouhu.engine.comparison import contradictions as C
from shouhu.engine.comparison import findings as F
from shouhu.engine.comparison import plan as P
from shouhu.engine.comparison.inputs import TABLES, Source, table_find, table_load
from shouhu.engine.comparison.output import findings_shape, findings_write, links_shape
from shouhu.engine.linkage import (
    LINKS_TABLE,
    POSSIBLE_TABLE,
    LinkSettings,
    plan_records_about,
    settings_default,
)
from shouhu.engine.linkage.calibrate import Model
from shouhu.engine.linkage.plan import links_fetch, plan_linkage
from shouhu.engine.linkage.sqlkit import q, tbl
from shouhu.engine.steps import Plan, PyStep, Slot, SqlStep, steps_run

Progress = Callable[[str, int], None]
DUCKDB_MEMORY_LIMIT = "6GB"
_LINKED_INPUTS = (
    ("registry", P.REGISTRY),
    ("facts", P.FACTS),
)  # 超过就落盘：省级数据也守住 8 GiB 的内存目标


@dataclass(frozen=True)
class CompareSettings:
    """决定结果的一切（记入运行记录）。region：户籍与台账都没有区划时用的地区。
    threads、memory_limit 只影响 DuckDB 的速度和内存，spark_master（Spark 的主节点地址，
    缺省本地模式）只影响在哪里算，都不影响结果。"""

    engine: str = "duckdb"
    region: str | None = None
    link: LinkSettings | None = None
    threads: int | None = None
    memory_limit: str | None = None
    spark_master: str | None = None


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
    if settings.engine == "spark" and session is None:
        from shouhu.engine.backends.spark_backend import spark_session  # 延迟导入 PySpark

        session = spark_session(settings.spark_master)
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


class Phase(NamedTuple):
    """计划的一段：进度标签、开始时的百分数、这一段的步骤。"""

    label: str
    percent: int
    steps: Plan


@dataclass(frozen=True)
class Inputs:
    """建计划要知道的输入：三张输入表有哪些列（present：compare-format 的列名，供解析；
    columns：后端里装入后的列名，供记录关联）、现成的关联、基准日、规则参数、设置。"""

    present: dict[str, frozenset[str]]
    columns: dict[str, frozenset[str]]
    links: pa.Table | None
    as_of: date
    params: PolicyParams
    settings: CompareSettings


def plan_comparison(inputs: Inputs, model: Slot[Model]) -> tuple[Phase, ...]:
    """一次比对的全部步骤，自上而下（三张输入表已装入为 P.REGISTRY、P.REGISTER、P.FACTS）。
    model 由记录关联的“估计权重”一步填上，反查未关联记录时再用。"""
    linked = inputs.links is None
    present, region = inputs.present, inputs.settings.region
    cutoff = P.adult_cutoff(inputs.as_of, inputs.params)
    return (
        Phase("读入", 0, (PyStep((), (P.FACTS,), _record_ids_check, P.step("检查记录号")),)),
        Phase("记录关联", 10, _linking(inputs, model)),
        Phase(
            "找出涉及的儿童",
            45,
            (
                SqlStep(
                    "cmp_fx",
                    (LINKS_TABLE, P.FACTS),
                    partial(P.facts_linked_select, present["facts"]),
                    P.step("解析事实"),
                ),
                SqlStep(
                    "cmp_amb",
                    (POSSIBLE_TABLE,) if linked else (),
                    partial(A.candidates_select, linked),
                    P.step("可能人选"),
                ),
                SqlStep(
                    "cmp_active",
                    (P.REGISTER,),
                    partial(P.active_select, present["register"]),
                    P.step("在保个案"),
                ),
                SqlStep(
                    "cmp_cpid",
                    ("cmp_fx", "cmp_amb"),
                    partial(P.touched_select, P.CHILD_TYPES),
                    P.step("涉及的人"),
                ),
                SqlStep(
                    "cmp_ppid",
                    ("cmp_fx", "cmp_amb"),
                    partial(P.touched_select, P.PARENT_TYPES),
                    P.step("涉及的人"),
                ),
                SqlStep(
                    "cmp_kid0",
                    (P.REGISTRY, "cmp_cpid", "cmp_ppid", "cmp_active"),
                    partial(P.kids_touched_select, present["registry"]),
                    P.step("涉及的儿童"),
                ),
                SqlStep(
                    "cmp_kid",
                    ("cmp_kid0", "cmp_active"),
                    partial(P.kids_select, cutoff=cutoff, region=region),
                    P.step("要判定的儿童"),
                ),
                SqlStep(
                    F.CASES,
                    ("cmp_kid",),
                    partial(P.policy_cases_select, inputs.as_of),
                    P.step("规则输入·个案"),
                ),
                SqlStep(
                    F.FACTS, ("cmp_kid", "cmp_fx"), P.policy_facts_select, P.step("规则输入·事实")
                ),
            ),
        ),
        Phase(
            "批量认定",
            60,
            (
                batch.policy_params_step(inputs.params, label=P.step("规则参数")),
                batch.policy_step(label=P.step("批量认定")),
                SqlStep(
                    A.DECIDED,
                    (batch.RESULT, "cmp_active"),
                    F.first_kinds_select,
                    P.step("对照台账"),
                ),
                *_guard(inputs, model),
                SqlStep(
                    "cmp_hadd0",
                    ("cmp_about", "cmp_amb", "cmp_fx", "cmp_kid", A.DECIDED),
                    A.held_select,
                    P.step("假设关联"),
                ),
                SqlStep("cmp_hadd", ("cmp_hadd0",), A.hypotheses_select, P.step("假设关联")),
                SqlStep(A.SCENARIOS, ("cmp_hadd",), A.scenarios_select, P.step("假设关联")),
                SqlStep(
                    A.WHATIF.cases,
                    (A.SCENARIOS, F.CASES),
                    partial(A.whatif_cases_select, F.CASES),
                    P.step("假设关联·个案"),
                ),
                SqlStep(
                    A.WHATIF.facts,
                    (A.SCENARIOS, F.FACTS, "cmp_hadd"),
                    partial(A.whatif_facts_select, F.FACTS),
                    P.step("假设关联·事实"),
                ),
                batch.policy_step(tables=A.WHATIF, into="cmp_hres", label=P.step("假设关联·认定")),
                SqlStep(
                    "cmp_hflip",
                    ("cmp_hres", A.SCENARIOS, batch.RESULT, "cmp_active"),
                    F.flips_select,
                    P.step("假设关联·对照"),
                ),
                SqlStep(
                    C.TABLE,
                    (F.FACTS, "cmp_kid"),
                    C.contradictions_select,
                    P.step("部门记录矛盾"),
                ),
                SqlStep(
                    "cmp_dec",
                    (batch.RESULT, "cmp_active", "cmp_hflip", C.TABLE),
                    F.decisions_select,
                    P.step("对照台账"),
                ),
            ),
        ),
        Phase(
            "整理比对发现",
            80,
            (
                SqlStep(
                    F.SUBSET.cases,
                    (F.CASES, "cmp_dec"),
                    partial(F.subset_select, F.CASES),
                    P.step("说明·个案"),
                ),
                SqlStep(
                    F.SUBSET.facts,
                    (F.FACTS, "cmp_dec"),
                    partial(F.subset_select, F.FACTS),
                    P.step("说明·事实"),
                ),
                *batch.explain_steps(
                    tables=F.SUBSET, decisions="cmp_keep", into="cmp_ev", label=P.step("说明")
                ),
                SqlStep(
                    "cmp_agg",
                    ("cmp_ev", F.SUBSET.facts, "cmp_hflip", C.TABLE),
                    F.used_select,
                    P.step("说明·记录"),
                ),
            ),
        ),
    )


def _linking(inputs: Inputs, model: Slot[Model]) -> Plan:
    """记录关联；给了现成关联时只把它整理成 LINKS_TABLE 的形状。"""
    if inputs.links is not None:
        given = partial(P.links_given, links=inputs.links)
        return (PyStep(("cmp_in_links", LINKS_TABLE), (P.FACTS,), given, P.step("现成的关联")),)
    return plan_linkage(
        inputs.settings.link or settings_default(),
        registry=P.REGISTRY,
        facts=P.FACTS,
        reg_cols=inputs.columns["registry"],
        fact_cols=inputs.columns["facts"],
        model=model,
    )


def _guard(inputs: Inputs, model: Slot[Model]) -> Plan:
    """cmp_about：反查到的、可能关系到要关闭或改变个案（exit、change）的儿童一家的未关联记录，
    不含 cmp_amb 里已有的配对（ambiguity.py）。没做记录关联时为空表。"""
    if inputs.links is not None:
        return (SqlStep("cmp_about", (), A.empty_select, P.step("反查")),)
    about = plan_records_about(
        inputs.settings.link or settings_default(),
        model,
        registry=P.REGISTRY,
        reg_cols=inputs.columns["registry"],
        persons="cmp_family",
        out="cmp_ab",
    )
    return (
        SqlStep("cmp_exitkid", ("cmp_kid", A.DECIDED), A.exit_kids_select, P.step("反查·涉及的人")),
        SqlStep("cmp_family", ("cmp_exitkid",), A.family_select, P.step("反查·涉及的人")),
        *about,
        SqlStep("cmp_about", ("cmp_ab", "cmp_amb"), A.fresh_select, P.step("反查")),
    )


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
        columns: dict[str, frozenset[str]] = {}
        if links is None:  # 记录关联按后端里的列名取用
            columns = {n: frozenset(backend.columns(t)) for n, t in _LINKED_INPUTS}
        inputs = Inputs(present, columns, links, as_of, params, settings)
        model: Slot[Model] = Slot(P.step("估计权重"))
        for phase in plan_comparison(inputs, model):
            if phase.percent:  # “读入”已在装入前报过
                tell(phase.label, phase.percent)
            steps_run(backend, phase.steps)
        threshold = (settings.link or settings_default()).threshold
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
