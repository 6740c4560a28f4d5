"""同一份比对计划在 Apache Spark（本地模式）上：与 DuckDB 的比对发现逐行相同。"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from tests.engine.test_compare_inputs import MOTHER_DEAD, _fact, _facts, _register, _registry

from shouhu.engine.comparison import CompareSettings, compare_dir

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]  # one JVM, one worker
AS_OF = date(2026, 11, 1)


def test_spark_gives_the_same_findings_as_duckdb(spark: Any, tmp_path: Path) -> None:
    """一次运行覆盖各种发现（含因未关联记录改为 review 的），也比较写出的文件。"""
    illness = _fact(
        "Z005", "", "欧阳振华", "severe_illness", qualifying="true", disease="某病", gender="男"
    )
    tables = {
        "registry": _registry(),
        "register": _register(("CASE-9", "de_facto_unsupported")),
        "facts": _facts(MOTHER_DEAD, illness),
    }
    for name, table in tables.items():
        pq.write_table(table, tmp_path / f"{name}.parquet")
    on_duckdb = compare_dir(tmp_path, tmp_path / "duckdb", as_of=AS_OF)
    on_spark = compare_dir(
        tmp_path,
        tmp_path / "spark",
        as_of=AS_OF,
        settings=CompareSettings(engine="spark"),
        session=spark,
    )
    assert on_spark.findings.to_pylist() == on_duckdb.findings.to_pylist()
    assert on_spark.links.equals(on_duckdb.links)
    assert on_spark.counts == on_duckdb.counts
    kinds = set(on_spark.findings.column("kind").to_pylist())
    assert kinds >= {"enrol", "exit", "review", "unlinked"}
    reasons = [r or "" for r in on_spark.findings.column("reasons").to_pylist()]
    assert any("unresolved_record" in r for r in reasons)
    for name in ("findings.csv", "findings.parquet"):
        assert (tmp_path / "spark" / name).read_bytes() == (tmp_path / "duckdb" / name).read_bytes()
