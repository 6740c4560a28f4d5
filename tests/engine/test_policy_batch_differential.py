"""差分测试：批量 SQL（DuckDB）与单个儿童的解释器在生成的个案上结论完全一致。"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings

from shouhu.core.policy import CaseInput, assess_case, load_params
from shouhu.engine.batch import (
    cases_to_arrow,
    policy_assess_batch,
    policy_cases_load,
    policy_params_load,
)

# 生成器与 core 的性质测试共用（tests/core/policy/policy_strategies.py）
sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "policy"))
from policy_strategies import case_lists


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    policy_params_load(connection, load_params())
    return connection


def _batch(con: duckdb.DuckDBPyConnection, cases: list[CaseInput]) -> dict[str, tuple[object, ...]]:
    policy_cases_load(con, *cases_to_arrow(cases))
    policy_assess_batch(con)
    columns = (
        "case_id, status, category, orphan_type, reviews_per_year, labels, reason_codes,"
        " subsidy_basis, subsidy_monthly_fen"
    )
    rows = con.sql(f"SELECT {columns} FROM policy_result").fetchall()
    return {r[0]: r[1:] for r in rows}


def _single(case: CaseInput) -> tuple[object, ...]:
    a = assess_case(case)
    codes = ";".join(sorted(r.code for r in a.reasons))
    subsidy = (a.subsidy.basis, a.subsidy.monthly_fen) if a.subsidy else (None, None)
    return (
        a.status,
        a.category,
        a.orphan_type,
        a.reviews_per_year,
        ";".join(a.labels),
        codes,
        *subsidy,
    )


@settings(max_examples=40)
@given(case_lists(40, 80))
def test_batch_equals_single_child_on_generated_cases(
    con: duckdb.DuckDBPyConnection, cases: list[CaseInput]
) -> None:
    batch = _batch(con, cases)
    for case in cases:
        assert batch[str(case.case_id)] == _single(case), case
