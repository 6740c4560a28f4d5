"""同一份计划在 Apache Spark（本地模式）上：与 DuckDB 的关联结果逐行相同。"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from tests.engine.conftest import Region, facts_table, registry_table
from tests.engine.test_linkage import PEOPLE, _special_records

from shouhu.engine.linkage import link_records

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]  # one JVM, one worker


def test_spark_gives_the_same_links_as_duckdb(spark: Any, small_region: Region) -> None:
    registry = pa.concat_tables([small_region.registry, registry_table(list(PEOPLE.values()))])
    facts = pa.concat_tables(
        [small_region.facts.slice(0, 600), facts_table(list(_special_records().values()))]
    )
    on_duckdb = link_records(registry=registry, facts=facts).to_pylist()
    on_spark = link_records(
        registry=registry, facts=facts, backend="spark", session=spark
    ).to_pylist()
    assert on_spark == on_duckdb
    methods = {row["method"] for row in on_spark}
    assert methods == {"exact_id", "converted_15", "near_miss", "fuzzy", "unlinked"}


def test_spark_reads_the_same_files(spark: Any, small_region: Region, tmp_path: Any) -> None:
    import pyarrow.parquet as pq

    pq.write_table(small_region.registry, tmp_path / "registry.parquet")
    pq.write_table(small_region.facts.slice(0, 300), tmp_path / "facts.parquet")
    paths = {
        "registry": str(tmp_path / "registry.parquet"),
        "facts": str(tmp_path / "facts.parquet"),
    }
    assert (
        link_records(**paths, backend="spark", session=spark).to_pylist()
        == link_records(**paths).to_pylist()
    )
