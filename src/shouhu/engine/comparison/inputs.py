"""读入三张输入表（compare-format）：找文件、查必需的列、装入后端。

出错一律抛 InvalidInput，消息指明表和列（命令行以状态 2 退出）；消息里没有任何行内容。
文件在装入前先用 pyarrow（parquet）或读表头（CSV）检查能否读、有哪些列，这样 DuckDB 与
Spark 报同样的错。
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import TypeAlias

import pyarrow as pa
import pyarrow.parquet as pq

from shouhu.core.errors import InvalidInput
from shouhu.engine.backends import Backend, EngineError

TABLES = ("registry", "register", "facts")
REQUIRED: Mapping[str, tuple[str, ...]] = {
    "registry": ("id_number", "name"),
    "register": ("case_id", "child_id_number", "category", "status"),
    "facts": ("record_id", "agency_type", "type"),
}
SUFFIXES = (".parquet", ".csv")

Source: TypeAlias = pa.Table | Path


def table_find(input_dir: Path, table: str) -> Path:
    """`NAME.parquet` 或 `NAME.csv`；两者都在时用 parquet。"""
    for suffix in SUFFIXES:
        path = input_dir / f"{table}{suffix}"
        if path.is_file():
            return path
    raise InvalidInput(f"输入目录中缺少表 {table}（应有 {table}.parquet 或 {table}.csv）")


def columns_of(table: str, source: Source) -> tuple[str, ...]:
    """列名；文件读不了时抛 InvalidInput。"""
    if isinstance(source, pa.Table):
        return tuple(source.column_names)
    if not source.is_file():
        raise InvalidInput(f"表 {table} 的文件不存在")
    if source.suffix == ".parquet":
        try:
            return tuple(pq.read_schema(source).names)
        except (OSError, pa.ArrowException) as error:
            raise InvalidInput(f"表 {table} 的文件无法读取（不是有效的 parquet 文件）") from error
    if source.suffix == ".csv":
        return _csv_header(table, source)
    raise InvalidInput(f"表 {table} 的文件应为 .parquet 或 .csv")


def _csv_header(table: str, path: Path) -> tuple[str, ...]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InvalidInput(f"表 {table} 的文件无法读取（应为带表头的 UTF-8 CSV）") from error
    if not header:
        raise InvalidInput(f"表 {table} 的文件是空的，没有表头")
    return tuple(name.strip() for name in header)


def columns_check(table: str, present: tuple[str, ...]) -> None:
    for column in REQUIRED[table]:
        if column not in present:
            raise InvalidInput(f"表 {table} 缺少必需的列 {column}")


def table_load(backend: Backend, name: str, table: str, source: Source) -> tuple[str, ...]:
    """检查并装入为后端的命名表 name；返回列名。"""
    present = columns_of(table, source)
    columns_check(table, present)
    try:
        if isinstance(source, pa.Table):
            backend.load_arrow(name, source)
        else:
            backend.load_path(name, str(source))
    except EngineError as error:
        raise InvalidInput(f"表 {table} 的文件无法读取") from error
    return present
