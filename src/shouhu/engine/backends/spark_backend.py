"""Apache Spark 后端：同一份计划经 sqlglot 转写为 Spark SQL，在临时视图上执行。

PySpark 只在这个模块里、且只在创建后端时导入，其他代码不需要安装 Spark。
物化用 `localCheckpoint()`：后续步骤反复读中间表，且截断血缘——否则每一步的计划都
拖着前面所有步骤的（很大的）表达式，分析与代码生成越来越慢，终至驱动器内存不足。
本地模式（测试、单机试算）用 `spark_session_local()`；集群用 `spark_session(master)`
（主节点地址，或在 spark-submit 之下取它给的），也可传入现成的 SparkSession
（docs/recipes/run-on-a-spark-cluster.md）。
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlglot import exp

from shouhu.engine.backends.base import EngineError, Query, transpile


def spark_session_local(*, cores: int = 2, shuffle_partitions: int = 4, tiny: bool = False) -> Any:
    """本地模式的 SparkSession：不开 UI，少量 shuffle 分区（小数据时分区多反而慢）。

    tiny：数据只有几十行时（测试）关掉整段代码生成和自适应执行——每步编译生成的代码比
    算那几十行还慢；大数据上它们正是快的原因，所以只给测试用。tiny 时 JVM 也只用 C1 即时编译
    和串行 GC：几十个小作业里 C2 编译器的 CPU 比作业本身还多（一次小比对的 JVM CPU 75 → 51 s）。"""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("shouhu-engine")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")
    )
    if tiny:
        builder = (
            builder.config("spark.sql.codegen.wholeStage", "false")
            .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        )
    return builder.getOrCreate()


# 影响结果的设置：无论本地还是集群都一样（整数与字符串语义同 DuckDB，日期按 UTC）。
RESULT_CONF = (
    ("spark.sql.session.timeZone", "UTC"),
    ("spark.sql.ansi.enabled", "false"),
)


# 认得的主节点地址：本地模式、独立集群（可列多个主节点）、YARN、Kubernetes。
MASTER_PATTERN = re.compile(
    r"local(\[(\d+|\*)\])?|spark://[\w.-]+:\d+(,[\w.-]+:\d+)*|yarn|k8s://\S+"
)


def spark_master_check(master: str) -> str | None:
    """主节点地址不认得时返回中文说明，认得时返回 None。"""
    if MASTER_PATTERN.fullmatch(master):
        return None
    return (
        f"Spark 主节点地址“{master}”无法识别：应为 local[N]、spark://主机:端口、yarn 或 k8s://地址"
    )


def spark_session(master: str | None = None) -> Any:
    """按主节点地址建 SparkSession。

    master 为空：在 spark-submit 之下（它启动的驱动器进程里有 PYSPARK_GATEWAY_PORT）用
    spark-submit 给的主节点和设置，否则本地模式（`spark_session_local()`）；`local` 或
    `local[N]`：本地模式；其他（`spark://host:7077`、`yarn`、`k8s://…`）：集群，客户端模式。
    集群上只设影响结果的两项，内存、核数、shuffle 分区等交给 spark-submit 的 --conf 或
    spark-defaults.conf（集群的大小由管理员定）。"""
    from pyspark.sql import SparkSession

    if master is None and "PYSPARK_GATEWAY_PORT" not in os.environ:
        return spark_session_local()
    if master is not None and master.startswith("local"):
        cores = master[6:-1] if master.startswith("local[") else "1"
        return spark_session_local(cores=(os.cpu_count() or 2) if cores == "*" else int(cores))
    builder = SparkSession.builder.appName("shouhu-compare")
    if master is not None:
        builder = builder.master(master)
    for key, value in RESULT_CONF:
        builder = builder.config(key, value)
    return builder.getOrCreate()


class SparkBackend:
    name = "spark"
    dialect = "spark"

    def __init__(self, session: Any | None = None) -> None:
        self._spark = session if session is not None else spark_session_local()
        # Spark 4 在检查点表上做 UNION 时，约束传播（UnionBase.rewriteConstraints）会找不到列
        # 而报 key not found；计划不依赖约束推导，关掉它。
        self._spark.conf.set("spark.sql.constraintPropagation.enabled", "false")
        self._frames: dict[str, Any] = {}

    @property
    def session(self) -> Any:
        return self._spark

    def load_arrow(self, table: str, data: pa.Table) -> None:
        frame = self._spark.createDataFrame(_with_plain_types(data))
        self._register(table, frame)

    def load_path(self, table: str, path: str) -> None:
        reader = self._spark.read
        if Path(path).suffix == ".parquet":
            frame = reader.parquet(path)
        else:
            frame = reader.option("header", "true").option("encoding", "UTF-8").csv(path)
        self._register(table, frame)

    def create(self, table: str, query: Query, *, step: str) -> None:
        try:
            frame = self._spark.sql(transpile(query, self.dialect)).localCheckpoint(eager=True)
        except Exception as error:  # Py4J 与 Spark 的异常都可能引用行里的值：一律只留类型
            raise EngineError(step, table) from RuntimeError(type(error).__name__)
        self.drop(table)
        self._register(table, frame)

    def fetch(self, query: Query, *, step: str) -> pa.Table:
        try:
            result: pa.Table = self._spark.sql(transpile(query, self.dialect)).toArrow()
        except Exception as error:  # 同上
            table = query.find(exp.Table) if isinstance(query, exp.Expr) else None
            raise EngineError(step, table.name if table else "?") from RuntimeError(
                type(error).__name__
            )
        return result

    def columns(self, table: str) -> tuple[str, ...]:
        return tuple(self._frames[table].columns)

    def drop(self, table: str) -> None:
        frame = self._frames.pop(table, None)
        if frame is not None:
            self._spark.catalog.dropTempView(table)

    def close(self) -> None:
        for table in list(self._frames):
            self.drop(table)

    def _register(self, table: str, frame: Any) -> None:
        frame.createOrReplaceTempView(table)
        self._frames[table] = frame


def _with_plain_types(data: pa.Table) -> pa.Table:
    """Spark 不收 large_string / 字典编码列：统一成普通 string（其余类型原样）。"""
    fields = []
    for field in data.schema:
        kind = field.type
        if pa.types.is_large_string(kind) or pa.types.is_dictionary(kind):
            kind = pa.string()
        fields.append(pa.field(field.name, kind))
    return data.cast(pa.schema(fields))
