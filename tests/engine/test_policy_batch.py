"""批量认定：说明查询给出的“用到的事实”与解释器一致；参数以连接表进入 SQL；Spark 方言可生成。"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import sqlglot
from hypothesis import given, settings

from shouhu.core.policy import CaseInput, assess_case, ruleset
from shouhu.engine.batch import BatchResult, cases_to_arrow, policy_assess
from shouhu.engine.policy_sql import build_evidence_query, build_policy_query

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "policy"))
from policy_strategies import case_lists, examples


def _run(cases: list[CaseInput], *, explain: bool = False) -> BatchResult:
    return policy_assess(*cases_to_arrow(cases), explain=explain)


@settings(max_examples=examples(8))
@given(case_lists(20, 40))
def test_batch_reason_facts_equal_the_interpreters(cases: list[CaseInput]) -> None:
    reasons = _run(cases, explain=True).reasons
    assert reasons is not None
    got: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in reasons.to_pylist():
        got[(row["case_id"], row["code"])].add(f"{row['subject']}.facts[{row['fact_index']}]")
    for case in cases:
        for r in assess_case(case).reasons:
            fact_refs = {f for f in r.facts if ".facts[" in f}
            assert got.get((str(case.case_id), r.code), set()) == fact_refs, (case, r.code)


def test_empty_fact_table_still_decides_every_case() -> None:
    from policy_cases import case_json

    from shouhu.core.policy import case_from_json

    case = case_from_json(case_json(father=None, mother=None))
    rows = _run([case]).decisions.select(["status", "reason_codes"]).to_pylist()
    assert rows == [{"status": "not_eligible", "reason_codes": "no_qualifying_condition"}]


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
