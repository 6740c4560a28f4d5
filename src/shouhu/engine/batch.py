"""批量认定：输入是长表（每个儿童一行、每条事实一行），输出每个儿童一行。

比对（comparison/run.py）、测试和基准都经 `policy_step` 跑同一条查询，在任一引擎后端上
（DuckDB、Spark）；没有另一条直连 DuckDB 的路。这是比对引擎（链接到人之后）喂数据的接口：

    policy_cases(case_id, as_of, region, birth_date, id_number, father_known, mother_known)
    policy_facts(case_id, subject, fact_index, type, date, start, end, valid_until,
                 level, category, disease, qualifying, life, consent)

subject 取 child / father / mother；level 为文本（残疾等级 "1"—"4" 或学段）。
输出 policy_result(case_id, status, category, orphan_type, reviews_per_year, labels,
reason_codes, subsidy_basis, subsidy_rate, subsidy_monthly_fen)，labels 与 reason_codes
以 ";" 连接、已排序。全程是集合式 SQL，没有逐个儿童的 Python 循环。
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

import pyarrow as pa
from sqlglot import exp

from shouhu.core.identity.divisions import province_prefixes
from shouhu.core.policy import CaseInput, PolicyParams, load_params, ruleset
from shouhu.core.policy.params import PARAM_SPECS, Segment
from shouhu.core.policy.vocabulary import FACT_FIELDS
from shouhu.engine.backends import Backend, backend_open
from shouhu.engine.backends.base import FixedQuery, table_ref
from shouhu.engine.linkage.sqlkit import col
from shouhu.engine.policy_sql import (
    SCALAR_KINDS,
    PolicyTables,
    build_evidence_query,
    build_policy_query,
)
from shouhu.engine.steps import Plan, PyStep, SqlStep, steps_run

CASES, FACTS, RESULT = "policy_cases", "policy_facts", "policy_result"
CASES_SCHEMA = pa.schema(
    [
        ("case_id", pa.string()),
        ("as_of", pa.date32()),
        ("region", pa.string()),
        ("birth_date", pa.date32()),
        ("id_number", pa.string()),
        ("father_known", pa.bool_()),
        ("mother_known", pa.bool_()),
    ]
)
_FACT_TYPES = {
    "date": pa.date32(),
    "start": pa.date32(),
    "end": pa.date32(),
    "valid_until": pa.date32(),
    "level": pa.string(),
    "category": pa.string(),
    "disease": pa.string(),
    "qualifying": pa.bool_(),
    "life": pa.bool_(),
    "consent": pa.bool_(),
}
FACTS_SCHEMA = pa.schema(
    [
        ("case_id", pa.string()),
        ("subject", pa.string()),
        ("fact_index", pa.int32()),
        ("type", pa.string()),
        *((f, _FACT_TYPES[f]) for f in FACT_FIELDS),
    ]
)
PARAM_SCHEMA = pa.schema(
    [
        ("region", pa.string()),
        ("name", pa.string()),
        ("value_int", pa.int64()),
        ("value_bool", pa.bool_()),
        ("value_text", pa.string()),
        ("valid_from", pa.date32()),
        ("valid_to", pa.date32()),
    ]
)
LIST_SCHEMA = pa.schema(
    [
        ("region", pa.string()),
        ("name", pa.string()),
        ("item", pa.string()),
        ("valid_from", pa.date32()),
        ("valid_to", pa.date32()),
    ]
)


def cases_to_arrow(cases: Iterable[CaseInput]) -> tuple[pa.Table, pa.Table]:
    """CaseInput → (policy_cases, policy_facts) 两张长表。case_id 取 str(case.case_id)。"""
    case_rows: dict[str, list[Any]] = {name: [] for name in CASES_SCHEMA.names}
    fact_rows: dict[str, list[Any]] = {name: [] for name in FACTS_SCHEMA.names}
    for case in cases:
        cid = str(case.case_id)
        for key, value in (
            ("case_id", cid),
            ("as_of", case.as_of),
            ("region", case.region),
            ("birth_date", case.child.birth_date),
            ("id_number", case.child.id_number),
            ("father_known", case.father is not None),
            ("mother_known", case.mother is not None),
        ):
            case_rows[key].append(value)
        for subject, person in (
            ("child", case.child),
            ("father", case.father),
            ("mother", case.mother),
        ):
            for i, fact in enumerate(person.facts if person else ()):
                fact_rows["case_id"].append(cid)
                fact_rows["subject"].append(subject)
                fact_rows["fact_index"].append(i)
                fact_rows["type"].append(fact.type)
                for f in FACT_FIELDS:
                    fact_rows[f].append(getattr(fact, f))
    return (
        pa.Table.from_pydict(case_rows, schema=CASES_SCHEMA),
        pa.Table.from_pydict(fact_rows, schema=FACTS_SCHEMA),
    )


def param_rows(
    segments: Iterable[Segment],
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """参数分段 → (policy_param 行, policy_list 行)。"""
    scalars: list[tuple[object, ...]] = []
    lists: list[tuple[object, ...]] = []
    for seg in segments:
        kind = PARAM_SPECS[seg.name].kind
        if kind == "names":
            assert isinstance(seg.value, tuple)
            lists.extend(
                (seg.region, seg.name, item, seg.valid_from, seg.valid_to) for item in seg.value
            )
            continue
        values: list[object] = [None, None, None]
        values[("value_int", "value_bool", "value_text").index(SCALAR_KINDS[kind])] = seg.value
        scalars.append((seg.region, seg.name, *values, seg.valid_from, seg.valid_to))
    return scalars, lists


def policy_tables_arrow(
    params: PolicyParams | None = None, tables: PolicyTables | None = None
) -> dict[str, pa.Table]:
    """参数连接表（地区、分段参数、清单、身份证号省级代码）：表名 → Arrow 表。"""
    tables, params = tables or PolicyTables(), params or load_params()
    scalars, lists = param_rows(params.segments())
    return {
        tables.region: pa.table({"region": pa.array(sorted(params.regions), pa.string())}),
        tables.param: pa.Table.from_pylist(
            [dict(zip(PARAM_SCHEMA.names, r, strict=True)) for r in scalars], schema=PARAM_SCHEMA
        ),
        tables.list: pa.Table.from_pylist(
            [dict(zip(LIST_SCHEMA.names, r, strict=True)) for r in lists], schema=LIST_SCHEMA
        ),
        tables.province: pa.table({"prefix": pa.array(sorted(province_prefixes()), pa.string())}),
    }


@cache
def _policy_query() -> exp.Select:
    """带全部中间列的规则查询。构建要一两秒：只建一次，用时复制；只要结论列时换掉选择列表，
    对别的输入表求值时换掉两张表名——同一棵表达式树，规则只编译一次。"""
    return build_policy_query(ruleset(), PolicyTables(cases=CASES, facts=FACTS), keep_all=True)


def _on(tables: PolicyTables, query: exp.Select) -> exp.Expr:
    return exp.replace_tables(query, {CASES: tables.cases, FACTS: tables.facts}, copy=False)


@cache
def policy_query(tables: PolicyTables | None = None, *, keep_all: bool = False) -> FixedQuery:
    """对 tables 求值的认定查询：结论列，keep_all 时另有全部中间列（说明要用）。
    每组表名只建一次、每种方言只写一次 SQL 文本。"""
    query = _policy_query().copy()
    if not keep_all:
        outputs = [col("case_id"), *(col(name) for name in ruleset().outputs)]
        query = query.select(*outputs, append=False, copy=False)
    return FixedQuery(_on(tables or PolicyTables(), query))


@cache
def _evidence_query(decisions: str, tables: PolicyTables) -> FixedQuery:
    return FixedQuery(build_evidence_query(ruleset(), decisions, tables))


def _params(tables: PolicyTables) -> tuple[str, ...]:
    """参数连接表的表名：地区、分段参数、清单、身份证号省级代码。"""
    return (tables.region, tables.param, tables.list, tables.province)


PARAM_TABLES = _params(PolicyTables())


def policy_params_load(backend: Backend, params: PolicyParams | None = None) -> None:
    """参数连接表（PARAM_TABLES：地区、分段参数、清单、身份证号省级代码）。"""
    for name, data in policy_tables_arrow(params).items():
        backend.load_arrow(name, data)


def policy_params_step(params: PolicyParams | None, *, label: str) -> PyStep:
    """装入参数连接表的一步（不读表）。"""
    return PyStep(PARAM_TABLES, (), partial(policy_params_load, params=params), label)


def policy_step(*, tables: PolicyTables | None = None, into: str = RESULT, label: str) -> SqlStep:
    """认定：读 tables 的两张长表与参数表，建 into（结论列）。"""
    tables = tables or PolicyTables()
    return SqlStep(
        into, (tables.cases, tables.facts, *_params(tables)), partial(policy_query, tables), label
    )


def explain_steps(
    *, tables: PolicyTables, decisions: str, into: str, label: str
) -> tuple[SqlStep, SqlStep]:
    """每个原因用到的事实：decisions 是带全部中间列的认定，into(case_id, subject, fact_index,
    code) 由说明查询从 decisions 与事实长表得出。"""
    inputs = (tables.cases, tables.facts, *_params(tables))
    return (
        SqlStep(decisions, inputs, partial(policy_query, tables, keep_all=True), f"{label}·认定"),
        SqlStep(
            into,
            (decisions, tables.facts, tables.list),
            partial(_evidence_query, decisions, tables),
            f"{label}·原因",
        ),
    )


@dataclass(frozen=True)
class BatchResult:
    """decisions：每个儿童一行（按 case_id 排序）；reasons：explain 时每个原因用到的事实。"""

    decisions: pa.Table
    reasons: pa.Table | None


def policy_assess(
    cases: pa.Table,
    facts: pa.Table,
    *,
    backend: Backend | None = None,
    params: PolicyParams | None = None,
    explain: bool = False,
) -> BatchResult:
    """两张长表 → 认定（不给后端就用新的内存 DuckDB）。与比对运行的是同一条查询。"""
    own = backend is None
    backend = backend or backend_open("duckdb")
    try:
        steps_run(backend, plan_assess(cases, facts, params=params, explain=explain))
        ordered = exp.select("*").from_(table_ref(RESULT)).order_by("case_id")
        decisions = backend.fetch(ordered, step="资格认定·取结果")
        reasons = None
        if explain:
            picked = exp.select("case_id", "subject", "fact_index", "code").from_(
                table_ref("policy_reasons")
            )
            reasons = backend.fetch(picked, step="资格认定·取说明")
    finally:
        if own:
            backend.close()
    return BatchResult(decisions=decisions, reasons=reasons)


def plan_assess(
    cases: pa.Table, facts: pa.Table, *, params: PolicyParams | None, explain: bool
) -> Plan:
    """单独的批量认定：装入参数表与两张长表，认定；explain 时再说明每个原因用到的事实。"""

    def inputs_load(backend: Backend) -> None:
        backend.load_arrow(CASES, cases.cast(CASES_SCHEMA))
        backend.load_arrow(FACTS, facts.cast(FACTS_SCHEMA))

    tables = PolicyTables(cases=CASES, facts=FACTS)
    explained = explain_steps(
        tables=tables, decisions="policy_keep", into="policy_reasons", label="资格认定·说明"
    )
    return (
        policy_params_step(params, label="资格认定·参数"),
        PyStep((CASES, FACTS), (), inputs_load, "资格认定·读入"),
        policy_step(label="资格认定"),
        *(explained if explain else ()),
    )
