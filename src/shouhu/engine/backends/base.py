"""引擎后端的协议：把 sqlglot 表达式建成命名表、装入 Arrow 表、取回 Arrow 表。

计划（plan）只用 sqlglot 表达式描述，方言一律写作 DuckDB；每个后端在执行前把表达式
转写成自己的方言（`transpile`），各后端的差异只在各自的模块里处理。

出错时抛 EngineError，消息只说哪一步、哪张表，绝不带行内容（行里是个人信息）。
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache, wraps
from typing import ParamSpec, Protocol, TypeAlias, cast

import pyarrow as pa
from sqlglot import exp

from shouhu.core.errors import DomainError, ErrorCode

PLAN_DIALECT = "duckdb"  # 计划里的 SQL 模板按此方言书写


class FixedQuery:
    """建一次、每种方言只写一次 SQL 文本的查询（规则查询：建表达式树和写文本都要一秒左右，
    而每次比对要用它三次、测试要用它几十次）。树本身不再改动，也不交给生成器就地改写。"""

    def __init__(self, tree: exp.Expr) -> None:
        self._tree = tree
        self._text: dict[str, str] = {}

    @property
    def tree(self) -> exp.Expr:
        """表达式树（只读：测试据此列出查询引用的表）。"""
        return self._tree

    def sql(self, dialect: str) -> str:
        if dialect not in self._text:
            self._text[dialect] = self._tree.sql(dialect=dialect)  # 先复制再生成：树保持原样
        return self._text[dialect]


Query: TypeAlias = exp.Expr | FixedQuery
P = ParamSpec("P")


def fixed_query(builder: Callable[P, exp.Expr]) -> Callable[P, FixedQuery]:
    """建计划的纯函数（只看设置、表名、列名）记住它的查询：参数相同时同一个 FixedQuery，树只建
    一次、SQL 文本每种方言只写一次。小比对一次要建几十棵这样的大树（号码修补、各字段等级），
    建树和写文本比 DuckDB 执行还慢，而每个县每月、测试里几十次用的都是同一套设置。

    参数须可哈希（设置是冻结的数据类；列名集合传 frozenset）。"""

    build = cast(Callable[..., exp.Expr], builder)

    @lru_cache(maxsize=256)
    def cached(args: tuple[Hashable, ...], kwargs: tuple[tuple[str, Hashable], ...]) -> FixedQuery:
        return FixedQuery(build(*args, **dict(kwargs)))

    @wraps(builder)
    def call(*args: P.args, **kwargs: P.kwargs) -> FixedQuery:
        return cached(tuple(args), tuple(sorted(kwargs.items())))

    return call


class EngineError(DomainError):
    """批处理某一步失败。消息形如“记录关联·候选生成（表 candidates）执行失败”，不含数据。"""

    code = ErrorCode.INVALID_INPUT

    def __init__(self, step: str, table: str, what: str = "执行失败") -> None:
        super().__init__(f"{step}（表 {table}）{what}")
        self.step = step
        self.table = table


class Backend(Protocol):
    """一个执行引擎。表名是本次运行内的临时名字；同名再建即覆盖。"""

    name: str
    dialect: str

    def load_arrow(self, table: str, data: pa.Table) -> None:
        """把一张 Arrow 表装入为命名表。"""

    def load_path(self, table: str, path: str) -> None:
        """从 parquet 或 csv 文件（UTF-8、带表头，列全读作文本）装入命名表。"""

    def create(self, table: str, query: Query, *, step: str) -> None:
        """执行查询并把结果存为命名表（物化，后续步骤反复读它）。"""

    def fetch(self, query: Query, *, step: str) -> pa.Table:
        """执行查询，结果取回为 Arrow 表（只用于小结果：去重后的姓名、计数）。"""

    def columns(self, table: str) -> tuple[str, ...]:
        """命名表的列名。"""

    def drop(self, table: str) -> None:
        """删除命名表（不存在时什么也不做）。"""

    def close(self) -> None:
        """释放资源。"""


def table_ref(name: str) -> exp.Table:
    """带引号的表名。"""
    return exp.Table(this=exp.to_identifier(name, quoted=True))


def transpile(query: Query, dialect: str) -> str:
    """把按 PLAN_DIALECT 建的表达式写成目标方言的 SQL 文本。

    不先复制整棵树（生成器可能就地改写它）：计划的每条语句都是为这一次执行新建的，
    缓存的查询由取用者先复制（comparison/findings.py）。"""
    if isinstance(query, FixedQuery):
        return query.sql(dialect)
    return query.sql(dialect=dialect, copy=False)
