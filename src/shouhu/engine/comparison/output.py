"""比对发现的输出形状：固定的列和类型（DuckDB 与 Spark 取回的结果逐字节相同）、固定的顺序，
写 findings.parquet 与 findings.csv（先写临时文件再改名：中途被杀也不会留下半个文件）。"""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from shouhu.engine.comparison.findings import KINDS

CONFIDENCE_TYPE = pa.decimal128(3, 2)
FINDINGS_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("child_id_number", pa.string()),
        ("category", pa.string()),
        ("case_id", pa.string()),
        ("reasons", pa.string()),
        ("record_ids", pa.string()),
        ("link_confidence", CONFIDENCE_TYPE),
        ("orphan_type", pa.string()),
        ("status", pa.string()),
        ("reviews_per_year", pa.int32()),
        ("labels", pa.string()),
        ("link_methods", pa.string()),
    ]
)
LINKS_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("id_number", pa.string()),
        ("method", pa.string()),
        ("confidence", pa.int32()),
    ]
)


def confidence_of(percent: int | None) -> Decimal | None:
    """0–100 的整数置信度 → 0–1、两位小数（整数换算，不经浮点）。"""
    return None if percent is None else Decimal(int(percent)).scaleb(-2)


def findings_shape(raw: pa.Table) -> pa.Table:
    """取回的发现 → FINDINGS_SCHEMA，按 (kind, child_id_number, record_ids) 排序。

    空串一律记作缺失（CSV 里是空单元格）。kind 按 compare-format 列出的顺序排。
    """
    columns: dict[str, pa.Array] = {}
    for field in FINDINGS_SCHEMA:
        column = raw.column(field.name).combine_chunks()
        if field.name == "link_confidence":
            column = pa.array([confidence_of(v) for v in column.to_pylist()], CONFIDENCE_TYPE)
        elif pa.types.is_string(field.type):
            column = column.cast(pa.string())
            column = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
        columns[field.name] = column.cast(field.type)
    table = pa.table(columns, schema=FINDINGS_SCHEMA)
    rank = pc.index_in(table.column("kind"), value_set=pa.array(KINDS))
    order = pc.sort_indices(
        table.append_column("_rank", rank),
        sort_keys=[
            ("_rank", "ascending", "at_end"),
            ("child_id_number", "ascending", "at_end"),
            ("record_ids", "ascending", "at_end"),
        ],
    )
    return table.take(order)


def links_shape(raw: pa.Table) -> pa.Table:
    table = raw.select(LINKS_SCHEMA.names).cast(LINKS_SCHEMA)
    return table.take(pc.sort_indices(table, sort_keys=[("record_id", "ascending")]))


def findings_write(findings: pa.Table, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    parquet, csv = out_dir / "findings.parquet", out_dir / "findings.csv"
    _atomic(parquet, lambda path: pq.write_table(findings, path, compression="zstd"))
    options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
    _atomic(csv, lambda path: pacsv.write_csv(findings, path, write_options=options))
    return parquet, csv


def _atomic(target: Path, write: Callable[[Path], object]) -> None:
    temporary = target.with_name(f".{target.name}.part")
    write(temporary)
    os.replace(temporary, target)
