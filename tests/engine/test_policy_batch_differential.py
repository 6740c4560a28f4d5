"""差分测试：比对所用的批量认定（engine/batch.py 的 policy_step，DuckDB）与单个儿童的解释器
在生成的个案上结论完全一致。"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings

from shouhu.core.policy import CaseInput, assess_case
from shouhu.core.policy.rules import OUTPUTS
from shouhu.engine.backends import Backend, backend_open
from shouhu.engine.batch import cases_to_arrow, policy_assess

# 生成器与 core 的性质测试共用（tests/core/policy/policy_strategies.py）
sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "policy"))
from policy_strategies import case_lists, examples

# 规则的全部结论列，除了补贴标准（单个认定只给出月额）
COLUMNS = tuple(c for c in OUTPUTS if c != "subsidy_rate")


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    """一个 DuckDB 后端给全部生成的例子用（比对用的也是这个后端、这条查询）。"""
    opened = backend_open("duckdb")
    yield opened
    opened.close()


def _batch(backend: Backend, cases: list[CaseInput]) -> dict[str, tuple[object, ...]]:
    decisions = policy_assess(*cases_to_arrow(cases), backend=backend).decisions
    return {r["case_id"]: tuple(r[c] for c in COLUMNS) for r in decisions.to_pylist()}


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


# 生成个案本身占了大部分时间（每个约 10 ms）：套件里跑 12 组，足量的跑法见 bench/policy/README.md
@settings(max_examples=examples(12))
@given(case_lists(40, 80))
def test_batch_equals_single_child_on_generated_cases(
    backend: Backend, cases: list[CaseInput]
) -> None:
    batch = _batch(backend, cases)
    for case in cases:
        assert batch[str(case.case_id)] == _single(case), case
