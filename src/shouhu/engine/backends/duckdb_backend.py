"""DuckDB 后端（默认）：进程内嵌入，表都是本连接的临时表，运行结束即消失。

方言差异：计划本就按 DuckDB 方言书写，无需转写。已知的 DuckDB 特点（计划已避开）：
`levenshtein` 按 UTF-8 字节计数（一个汉字改动算 3），所以中文姓名不用它比较。
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from shouhu.engine.backends.base import EngineError, FixedQuery, Query, table_ref, transpile


class DuckDBBackend:
    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, connection: Any | None = None, *, threads: int | None = None) -> None:
        self._con = connection if connection is not None else duckdb.connect(":memory:")
        if threads is not None:
            self._con.execute("SET threads = ?", [threads])  # 设置项的参数化写法
        self._views: set[str] = set()

    @property
    def connection(self) -> Any:
        """底层 DuckDB 连接：后续步骤（规则、比对发现）可直接在同一连接里联接 links 表。"""
        return self._con

    def load_arrow(self, table: str, data: pa.Table) -> None:
        self.drop(table)
        self._con.register(table, data)  # 零拷贝：直接读 Arrow 内存
        self._views.add(table)

    def load_path(self, table: str, path: str) -> None:
        self.drop(table)
        reader = "read_parquet" if Path(path).suffix == ".parquet" else "read_csv"
        source = exp.func(reader, exp.Literal.string(path))
        if reader == "read_csv":
            source = exp.func(
                reader,
                exp.Literal.string(path),
                exp.EQ(this=exp.column("all_varchar"), expression=exp.true()),
                exp.EQ(this=exp.column("header"), expression=exp.true()),
            )
        query = exp.select("*").from_(exp.Table(this=source))
        self.create(table, query, step="读入文件")

    def create(self, table: str, query: Query, *, step: str) -> None:
        self.drop(table)
        if isinstance(query, FixedQuery):
            name = table_ref(table).sql(dialect=self.dialect)
            sql = f"CREATE TEMPORARY TABLE {name} AS {query.sql(self.dialect)}"
        else:
            statement = exp.Create(
                this=table_ref(table), kind="TABLE", expression=query, properties=_temporary()
            )
            sql = transpile(statement, self.dialect)
        self._run(sql, step=step, table=table)

    def fetch(self, query: Query, *, step: str) -> pa.Table:
        try:
            result: pa.Table = self._con.sql(transpile(query, self.dialect)).to_arrow_table()
        except duckdb.Error as error:
            raise EngineError(step, _first_table(query)) from _scrubbed(error)
        return result

    def columns(self, table: str) -> tuple[str, ...]:
        query = exp.select("*").from_(table_ref(table)).limit(0)
        return tuple(self.fetch(query, step="读取列名").column_names)

    def drop(self, table: str) -> None:
        if table in self._views:
            self._con.unregister(table)
            self._views.discard(table)
            return
        statement = exp.Drop(tables=[table_ref(table)], kind="TABLE", exists=True)
        self._con.execute(transpile(statement, self.dialect))

    def close(self) -> None:
        self._con.close()

    def _run(self, sql: str, *, step: str, table: str) -> None:
        try:
            self._con.execute(sql)
        except duckdb.Error as error:
            raise EngineError(step, table) from _scrubbed(error)


def _temporary() -> exp.Properties:
    return exp.Properties(expressions=[exp.TemporaryProperty()])


def _first_table(query: Query) -> str:
    table = query.find(exp.Table) if isinstance(query, exp.Expr) else None
    return table.name if table is not None else "?"


def _scrubbed(error: Exception) -> Exception:
    """DuckDB 的报错可能引用行里的值（如转换失败的那个字符串）：只留错误类型。"""
    return RuntimeError(type(error).__name__)
