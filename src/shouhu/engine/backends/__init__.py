"""批处理引擎的执行后端：DuckDB（默认，嵌入）与 Apache Spark（本地模式或集群）。

新增后端：写一个实现 `Backend` 协议的小模块，在 `backend_open` 里加一个分支
（见 docs/recipes/add-an-engine-backend.md）。
"""

from __future__ import annotations

from typing import Any

from shouhu.engine.backends.base import PLAN_DIALECT, Backend, EngineError, transpile

BACKENDS = ("duckdb", "spark")


def backend_open(name: str, *, session: Any | None = None) -> Backend:
    """按名字打开后端。session：DuckDB 连接或 SparkSession，缺省时新建。"""
    if name == "duckdb":
        from shouhu.engine.backends.duckdb_backend import DuckDBBackend

        return DuckDBBackend(session)
    if name == "spark":
        from shouhu.engine.backends.spark_backend import SparkBackend  # 延迟导入 PySpark

        return SparkBackend(session)
    raise EngineError("打开执行引擎", name, "不是支持的引擎（duckdb 或 spark）")


__all__ = ["BACKENDS", "PLAN_DIALECT", "Backend", "EngineError", "backend_open", "transpile"]
