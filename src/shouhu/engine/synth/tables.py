"""compare-format 的输入表和真值表：列、类型（一律字符串，与 CSV 同形）和由数组构造表的函数。"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from shouhu.engine.synth.population import Population


def _schema(*names: str, **typed: pa.DataType) -> pa.Schema:
    return pa.schema([pa.field(n, typed.get(n, pa.string())) for n in names])


REGISTRY = _schema(
    "id_number",
    "name",
    "gender",
    "birth_date",
    "division_code",
    "father_id_number",
    "mother_id_number",
)
REGISTER = _schema(
    "case_id",
    "child_id_number",
    "category",
    "status",
    "division_code",
    "orphan_type",
    "opened_on",
    "closed_on",
    "close_reason_code",
    "close_reason",
)
FACTS = _schema(
    "record_id",
    "agency_type",
    "type",
    "id_number",
    "name",
    "birth_date",
    "gender",
    "division_code",
    "date",
    "start",
    "end",
    "valid_until",
    "category",
    "level",
    "disease",
    "qualifying",
    "life",
    "consent",
)
TRUTH_LINKS = _schema(
    "record_id",
    "id_number",
    "in_registry",
    "id_noise",
    "name_noise",
    "scenario",
    in_registry=pa.bool_(),
)
TRUTH_FINDINGS = _schema("kind", "child_id_number", "category", "case_id", "reasons", "record_ids")
PARENT_LINKS = _schema("child_id_number", "parent_id_number", "relation")

SCHEMAS: dict[str, pa.Schema] = {
    "registry": REGISTRY,
    "register": REGISTER,
    "facts": FACTS,
    "truth_links": TRUTH_LINKS,
    "truth_findings": TRUTH_FINDINGS,
    "parent_links": PARENT_LINKS,
}


def ids_array(pop: Population) -> pa.Array:
    return pa.array(pop.id_number, pa.binary(18)).cast(pa.string())


def registry_table(pop: Population) -> pa.Table:
    ids = ids_array(pop)
    divisions = pa.array(pop.division_codes, pa.string()).take(pa.array(pop.division))
    return pa.table(
        {
            "id_number": ids,
            "name": pop.name,
            "gender": pa.array(np.where(pop.male, "M", "F")),
            "birth_date": pa.array(pop.birth, pa.date32()).cast(pa.string()),
            "division_code": divisions,
            "father_id_number": ids.take(pa.array(pop.father, mask=pop.father < 0)),
            "mother_id_number": ids.take(pa.array(pop.mother, mask=pop.mother < 0)),
        },
        schema=REGISTRY,
    )


def parent_links_table(pop: Population) -> pa.Table:
    ids = ids_array(pop)
    parts = []
    for relation, column in (("father", pop.father), ("mother", pop.mother)):
        kids = np.flatnonzero(column >= 0)
        parts.append(
            pa.table(
                {
                    "child_id_number": ids.take(pa.array(kids)),
                    "parent_id_number": ids.take(pa.array(column[kids])),
                    "relation": pa.array([relation] * len(kids), pa.string()),
                },
                schema=PARENT_LINKS,
            )
        )
    return pa.concat_tables(parts)


def text(value: Any) -> str | None:
    """事实字段照 compare-format 写成文本：布尔 true/false，其余原样，缺省为空。"""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def rows_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    columns = {f.name: [r.get(f.name) for r in rows] for f in schema}
    return pa.table(
        {k: pa.array(v, schema.field(k).type) for k, v in columns.items()}, schema=schema
    )
