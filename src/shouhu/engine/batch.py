"""在 DuckDB 上批量认定：输入是长表（每个儿童一行、每条事实一行），输出每个儿童一行。

这是比对引擎（链接到人之后）喂数据的接口：

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
from functools import cache
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from shouhu.core.identity.divisions import province_prefixes
from shouhu.core.policy import CaseInput, PolicyParams, load_params, ruleset
from shouhu.core.policy.params import PARAM_SPECS, Segment
from shouhu.core.policy.vocabulary import FACT_FIELDS
from shouhu.engine.backends import Backend
from shouhu.engine.policy_sql import (
    SCALAR_KINDS,
    PolicyTables,
    build_evidence_query,
    build_policy_query,
)

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


def policy_params_load(
    con: duckdb.DuckDBPyConnection,
    params: PolicyParams | None = None,
    tables: PolicyTables | None = None,
) -> None:
    """把参数（按地区、日期分段）和身份证号省级代码写成连接表。"""
    for name, data in policy_tables_arrow(params, tables).items():
        _create_table(con, name, data)


def _create_table(con: duckdb.DuckDBPyConnection, name: str, data: pa.Table) -> None:
    con.register("__shouhu_policy_src", data)
    try:
        con.execute(
            f'CREATE OR REPLACE TABLE "{_ident(name)}" AS SELECT * FROM __shouhu_policy_src'
        )
    finally:
        con.unregister("__shouhu_policy_src")


def _ident(name: str) -> str:
    """表名只允许字母、数字和下划线（表名是标识符，不是数据）。"""
    if not name.replace("_", "").isalnum() or not name.isascii():
        raise ValueError("表名只能含 ASCII 字母、数字和下划线")
    return name


def policy_cases_load(
    con: duckdb.DuckDBPyConnection,
    cases: pa.Table,
    facts: pa.Table,
    tables: PolicyTables | None = None,
) -> None:
    tables = tables or PolicyTables()
    _create_table(con, tables.cases, cases.cast(CASES_SCHEMA))
    _create_table(con, tables.facts, facts.cast(FACTS_SCHEMA))


def policy_assess_batch(
    con: duckdb.DuckDBPyConnection,
    *,
    tables: PolicyTables | None = None,
    into: str = "policy_result",
    explain: bool = False,
) -> None:
    """对 tables.cases / tables.facts 里的全部个案求值，结果写入表 into。

    explain=True 时另写 `<into>_facts(case_id, subject, fact_index, code)`：每个原因用到的事实。
    """
    tables = tables or PolicyTables()
    target = _ident(into)
    con.execute(f'CREATE OR REPLACE TABLE "{target}" AS {policy_sql(tables, keep_all=explain)}')
    if explain:
        con.execute(f'CREATE OR REPLACE TABLE "{target}_facts" AS {evidence_sql(tables, target)}')


@cache
def policy_sql(tables: PolicyTables, *, keep_all: bool = False, dialect: str = "duckdb") -> str:
    """生成（并缓存）批量认定的 SQL 文本：构建 sqlglot 表达式树要一秒左右，只做一次。"""
    return build_policy_query(ruleset(), tables, keep_all=keep_all).sql(dialect)


@cache
def evidence_sql(tables: PolicyTables, decisions: str, *, dialect: str = "duckdb") -> str:
    return build_evidence_query(ruleset(), decisions, tables).sql(dialect)


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


def policy_assess_on(
    backend: Backend, cases: pa.Table, facts: pa.Table, *, params: PolicyParams | None = None
) -> pa.Table:
    """在任一引擎后端（DuckDB、Spark……）上批量认定；同一条查询，由后端转写成自己的方言。"""
    tables = PolicyTables()
    for name, data in policy_tables_arrow(params).items():
        backend.load_arrow(name, data)
    backend.load_arrow(tables.cases, cases.cast(CASES_SCHEMA))
    backend.load_arrow(tables.facts, facts.cast(FACTS_SCHEMA))
    backend.create("policy_result", build_policy_query(ruleset(), tables), step="资格认定")
    query = exp.select("*").from_("policy_result").order_by("case_id")
    return backend.fetch(query, step="资格认定·取结果")


def assess_arrow(
    cases: pa.Table,
    facts: pa.Table,
    *,
    params: PolicyParams | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pa.Table:
    """便捷入口：两张 Arrow 长表 → 结果 Arrow 表（新建或复用一个内存 DuckDB 连接）。"""
    con = con or duckdb.connect()
    policy_params_load(con, params)
    policy_cases_load(con, cases, facts)
    policy_assess_batch(con)
    result: pa.Table = con.sql('SELECT * FROM "policy_result" ORDER BY case_id').to_arrow_table()
    return result
