"""The Spark master URL of `shouhu compare` (--spark-master, SHOUHU_SPARK_MASTER): the forms a
cluster owner writes are accepted, anything else is refused before a JVM starts, and the setting
never gets in the way of the DuckDB engine. Running on a cluster is measured in bench/spark."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from tests.engine.test_compare_inputs import MOTHER_DEAD, _facts, _register, _registry

from shouhu.commands.compare import compare
from shouhu.engine.backends.spark_backend import spark_master_check


@pytest.mark.parametrize(
    "master",
    ["local", "local[2]", "local[*]", "spark://127.0.0.1:7077", "spark://m1:7077,m2.example:7077",
     "yarn", "k8s://https://10.0.0.1:6443"],
)  # fmt: skip
def test_master_urls_a_cluster_owner_writes_are_accepted(master: str) -> None:
    assert spark_master_check(master) is None


@pytest.mark.parametrize(
    "master", ["", "spark://", "spark://host", "http://master:8080", "local[x]", "mesos"]
)
def test_other_master_urls_are_refused_naming_the_forms(master: str) -> None:
    problem = spark_master_check(master)
    assert problem is not None
    assert "spark://主机:端口" in problem


def _input(tmp_path: Path) -> Path:
    tables = {
        "registry": _registry(),
        "register": _register(("CASE-9", "de_facto_unsupported")),
        "facts": _facts(MOTHER_DEAD),
    }
    for name, table in tables.items():
        pq.write_table(table, tmp_path / f"{name}.parquet")
    return tmp_path


def test_a_bad_master_is_refused_with_status_2_before_anything_runs(tmp_path: Path) -> None:
    args = ["--input", str(_input(tmp_path)), "--as-of", "2026-11-01", "--out",
            str(tmp_path / "out"), "--engine", "spark",
            "--spark-master", "http://master:8080"]  # fmt: skip
    result = CliRunner().invoke(compare, args)
    assert result.exit_code == 2
    assert "Spark 主节点地址“http://master:8080”无法识别" in result.output
    assert not (tmp_path / "out").exists()


def test_the_environment_setting_is_ignored_by_the_duckdb_engine(tmp_path: Path) -> None:
    args = ["--input", str(_input(tmp_path)), "--as-of", "2026-11-01", "--out",
            str(tmp_path / "out")]  # fmt: skip
    result = CliRunner().invoke(compare, args, env={"SHOUHU_SPARK_MASTER": "not a url"})
    assert result.exit_code == 0, result.output
    assert "duckdb" in result.output
    assert (tmp_path / "out" / "findings.csv").is_file()
