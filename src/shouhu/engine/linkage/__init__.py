"""记录关联：把部门记录联到户籍人员。号码精确优先；号码缺失、不合格或不在户籍中时，
由分块候选与整数化的 Fellegi–Sunter 打分决定，置信度不足或无法区分时不关联（绝不猜）。

    link_records(registry=..., facts=...) -> pyarrow.Table(record_id, id_number, method, confidence)

同一连接里继续做比对时用 `link_tables(backend, ...)`：结果留在 backend 的 `lk_links` 表，
未关联记录的可能人选在 `lk_possible`；`plan_records_about(...)` 反查一批人可能对应的未关联记录。
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from shouhu.engine.backends import Backend, backend_open
from shouhu.engine.linkage.plan import LINKS_TABLE, POSSIBLE_TABLE, link_tables, links_fetch
from shouhu.engine.linkage.possible import plan_records_about
from shouhu.engine.linkage.scoring import METHODS
from shouhu.engine.linkage.settings import FieldSpec, LinkSettings, settings_default


def _load(backend: Backend, table: str, source: pa.Table | str | Path) -> None:
    if isinstance(source, pa.Table):
        backend.load_arrow(table, source)
    else:
        backend.load_path(table, str(source))


def link_records(
    *,
    registry: pa.Table | str | Path,
    facts: pa.Table | str | Path,
    backend: str = "duckdb",
    settings: LinkSettings | None = None,
    session: Any | None = None,
) -> pa.Table:
    """registry、facts：Arrow 表或 parquet/csv 路径（compare-format 的形状）。

    返回每条记录一行（按 record_id 排序）：record_id、id_number（联上的户籍人员，未联上为空）、
    method（exact_id / converted_15 / near_miss / fuzzy / unlinked）、confidence（0–100 整数；
    unlinked 行是最佳候选的置信度——因歧义未关联时可能很高，没有候选为 0；判断是否联上看 method）。
    session：已有的 DuckDB 连接或 SparkSession（缺省新建，DuckDB 用完即关）。
    """
    engine = backend_open(backend, session=session)
    try:
        _load(engine, "lk_in_registry", registry)
        _load(engine, "lk_in_facts", facts)
        link_tables(
            engine,
            registry="lk_in_registry",
            facts="lk_in_facts",
            settings=settings or settings_default(),
        )
        return links_fetch(engine)
    finally:
        if session is None:
            engine.close()


__all__ = [
    "LINKS_TABLE",
    "METHODS",
    "POSSIBLE_TABLE",
    "FieldSpec",
    "LinkSettings",
    "link_records",
    "link_tables",
    "plan_records_about",
    "settings_default",
]
