"""计划的步骤：每一步在代码里声明它建哪些表、读哪些表（Splink 的
`enqueue_sql(sql, output_table_name)`，带类型）。

两种步骤：
  SqlStep   一条查询建一张表：CREATE table AS build()。绝大多数步骤是这种。
  PyStep    要经 Python 往返的一步：取回去重值交给 core 清洗、装入 Arrow 小表、估计模型；
            可以建几张表（makes 里也列出“视数据而定、可能建”的表）。
计划（Plan）是步骤的元组，由 `plan_*` 函数按设置与输入的列建出，不碰后端；`steps_run` 依次
执行。查询在执行到这一步时才建（build 是无参函数），所以建计划本身几乎不花时间。

声明由测试核对（tests/engine/test_steps.py）：每步只读输入表或此前的步骤建过的表；实际建的表
都在 makes 里，SQL 引用的表都在 reads 或本步的 makes 里。
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeAlias, TypeVar

from shouhu.engine.backends.base import Backend, EngineError, Query

T = TypeVar("T")


@dataclass(frozen=True)
class SqlStep:
    """建 table：执行 build() 得到的查询（sqlglot 表达式或 FixedQuery）。"""

    table: str
    reads: tuple[str, ...]
    build: Callable[[], Query]
    label: str

    @property
    def makes(self) -> tuple[str, ...]:
        return (self.table,)


@dataclass(frozen=True)
class PyStep:
    """经 Python 往返的一步：run(backend) 建 makes 里的表（可能只建其中一部分），只读 reads
    与本步自己建的表。"""

    makes: tuple[str, ...]
    reads: tuple[str, ...]
    run: Callable[[Backend], None]
    label: str


Step: TypeAlias = SqlStep | PyStep
Plan: TypeAlias = tuple[Step, ...]


def step_run(backend: Backend, step: Step) -> None:
    """执行一步。"""
    if isinstance(step, SqlStep):
        backend.create(step.table, step.build(), step=step.label)
    else:
        step.run(backend)


def steps_run(backend: Backend, plan: Iterable[Step]) -> None:
    """依次执行计划的各步。"""
    for step in plan:
        step_run(backend, step)


class Slot(Generic[T]):
    """一步在 Python 里算出、后面的步骤才用的值（记录关联的模型：由计数估计，再用于打分）。
    计划建好时还没有值；执行到用它的那一步时，算它的那一步已经执行过。"""

    def __init__(self, label: str) -> None:
        self._label = label
        self._value: T | None = None

    def set(self, value: T) -> None:
        self._value = value

    def get(self) -> T:
        if self._value is None:
            raise EngineError(self._label, "?", "尚未算出（计划的步骤顺序有误）")
        return self._value
