"""批量认定：说明查询给出的“用到的事实”与解释器一致；参数以连接表进入 SQL；Spark 方言可生成。"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import duckdb
import sqlglot
from hypothesis import given, settings

from shouhu.core.policy import CaseInput, assess_case, ruleset
from shouhu.engine.batch import (
    cases_to_arrow,
    policy_assess_batch,
    policy_cases_load,
    policy_params_load,
)
from shouhu.engine.policy_sql import build_evidence_query, build_policy_query

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "policy"))
from policy_strategies import case_lists


def _run(cases: list[CaseInput], *, explain: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    policy_params_load(con)
    policy_cases_load(con, *cases_to_arrow(cases))
    policy_assess_batch(con, explain=explain)
    return con


@settings(max_examples=15)
@given(case_lists(20, 40))
def test_batch_reason_facts_equal_the_interpreters(cases: list[CaseInput]) -> None:
    con = _run(cases, explain=True)
    got: dict[tuple[str, str], set[str]] = defaultdict(set)
    for case_id, subject, index, code in con.sql(
        "SELECT case_id, subject, fact_index, code FROM policy_result_facts"
    ).fetchall():
        got[(case_id, code)].add(f"{subject}.facts[{index}]")
    for case in cases:
        for r in assess_case(case).reasons:
            fact_refs = {f for f in r.facts if ".facts[" in f}
            assert got.get((str(case.case_id), r.code), set()) == fact_refs, (case, r.code)


def test_empty_fact_table_still_decides_every_case() -> None:
    from policy_cases import case_json

    from shouhu.core.policy import case_from_json

    case = case_from_json(case_json(father=None, mother=None))
    con = _run([case])
    assert con.sql("SELECT status, reason_codes FROM policy_result").fetchall() == [
        ("not_eligible", "no_qualifying_condition")
    ]


def test_parameters_are_joined_tables_not_literals() -> None:
    sql = build_policy_query(ruleset()).sql("duckdb")
    for value in ("白血病", "150000", "恶性肿瘤"):
        assert value not in sql
    assert "policy_list" in sql
    assert "policy_param" in sql


def test_queries_transpile_to_spark() -> None:
    rules = ruleset()
    for query in (build_policy_query(rules), build_evidence_query(rules, "decisions")):
        spark = query.sql("spark")
        assert "ADD_MONTHS" in spark or "EXPLODE" in spark
        sqlglot.parse_one(spark, read="spark")


def test_backend_entry_point_matches_the_duckdb_runner() -> None:
    from policy_cases import DEAD, case_json

    from shouhu.core.policy import case_from_json
    from shouhu.engine.backends import backend_open
    from shouhu.engine.batch import assess_arrow, policy_assess_on

    cases = [
        case_from_json(case_json(father=[DEAD], mother=[DEAD]), case_label="a"),
        case_from_json(case_json(father=None, mother=[DEAD]), case_label="b"),
    ]
    cases = [
        CaseInput(c.as_of, c.child, c.father, c.mother, c.region, f"c{i}")
        for i, c in enumerate(cases)
    ]
    tables = cases_to_arrow(cases)
    on_backend = policy_assess_on(backend_open("duckdb"), *tables).to_pylist()
    assert on_backend == assess_arrow(*tables).to_pylist()
    assert [r["status"] for r in on_backend] == ["eligible", "needs_review"]
