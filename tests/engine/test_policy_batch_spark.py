"""同一条批量认定查询在 Apache Spark（本地模式）上：结果与 DuckDB 逐行相同。"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from shouhu.core.policy import CaseInput
from shouhu.engine.batch import cases_to_arrow, policy_assess

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "policy"))
from policy_strategies import case_lists

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]  # one JVM, one worker


@pytest.fixture(scope="module")
def spark_backend(spark: Any) -> Iterator[Any]:
    from shouhu.engine.backends import backend_open

    backend = backend_open("spark", session=spark)
    yield backend
    backend.close()


@settings(max_examples=1, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case_lists(200, 200))
def test_spark_gives_the_same_decisions_as_duckdb(
    spark_backend: Any, cases: list[CaseInput]
) -> None:
    tables = cases_to_arrow(cases)
    on_spark = policy_assess(*tables, backend=spark_backend).decisions
    assert on_spark.to_pylist() == policy_assess(*tables).decisions.to_pylist()
