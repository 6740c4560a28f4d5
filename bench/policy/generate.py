# ruff: noqa: E501 — 下面是整段的 SQL 文本，按 SQL 的习惯排版，不按 Python 的行宽折行
"""基准用的合成个案：Python 版（逐个 JSON，给单个儿童和命令行基准）与 DuckDB SQL 版（百万级长表）。

分布大致仿照真实台账：多数儿童父母无情形；少数一方或双方死亡、服刑、失联、重残重病；
一部分事实缺字段或已失效。出生日期覆盖 0—19 岁，身份证号带正确的校验码。
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import duckdb

from shouhu.core.identity.id_number import CHECK_CHARS, ID_WEIGHTS

AS_OF = date(2026, 11, 1)
REGIONS = ("150800", "150802", "370114", "341324", "370700", "110101")
_PARENT_TYPES = (
    ("deceased", 18),
    ("declared_dead", 2),
    ("declared_missing", 3),
    ("severe_disability", 14),
    ("severe_illness", 10),
    ("imprisoned", 16),
    ("compulsory_rehab", 5),
    ("other_restriction", 3),
    ("lost_contact", 14),
    ("guardianship_revoked", 3),
    ("deported", 2),
)
_CHILD_TYPES = (
    ("low_income", 40),
    ("severe_disability", 10),
    ("severe_illness", 8),
    ("hiv_infected", 2),
    ("institutional_care", 8),
    ("parents_unknown", 3),
    ("adopted", 3),
    ("deceased", 1),
    ("extreme_poverty", 10),
    ("poverty_monitoring", 15),
)
_WEIGHTS = ID_WEIGHTS[:17]


def id_number(region: str, birth: date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return (
        first17 + CHECK_CHARS[sum(w * int(c) for w, c in zip(_WEIGHTS, first17, strict=True)) % 11]
    )


def _pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([t for t, _ in table], weights=[w for _, w in table])[0]


def _iso(d: date) -> str:
    return d.isoformat()


def _fact(rng: random.Random, t: str) -> dict[str, Any]:
    start = AS_OF - timedelta(days=rng.randint(0, 2500))
    end = start + timedelta(days=rng.randint(30, 3000))
    fact: dict[str, Any] = {"type": t}
    if t in (
        "deceased",
        "declared_dead",
        "declared_missing",
        "guardianship_revoked",
        "deported",
        "adopted",
        "parents_unknown",
    ):
        fact["date"] = _iso(start)
    elif t == "severe_disability":
        fact.update(
            level=rng.randint(1, 4),
            category=rng.choice(("physical", "mental", "intellectual", "visual")),
        )
        fact["valid_until"] = _iso(end)
    elif t == "severe_illness":
        fact["disease"] = rng.choice(("白血病", "尿毒症", "感冒", "骨折"))
    elif t == "hiv_infected":
        fact["consent"] = rng.random() < 0.7
    else:
        fact["start"] = _iso(start)
        if t == "imprisoned" and rng.random() < 0.05:
            fact["life"] = True
        elif rng.random() < 0.9 or t not in ("imprisoned", "lost_contact"):
            fact["end"] = _iso(end)
    return fact


def random_case(rng: random.Random, i: int) -> dict[str, Any]:
    """一个 assess-format 个案对象。"""
    region = REGIONS[i % len(REGIONS)]
    birth = AS_OF - timedelta(days=rng.randint(0, 19 * 365))
    child: dict[str, Any] = {
        "id_number": id_number(region, birth, i),
        "birth_date": _iso(birth),
        "facts": [],
    }
    if rng.random() < 0.3:
        child["facts"].append(_fact(rng, _pick(rng, _CHILD_TYPES)))
    case: dict[str, Any] = {
        "case_id": f"c{i}",
        "as_of": _iso(AS_OF),
        "region": region,
        "child": child,
    }
    for parent in ("father", "mother"):
        if rng.random() < 0.05:
            continue
        n = rng.choices((0, 1, 2), weights=(45, 40, 15))[0]
        case[parent] = {"facts": [_fact(rng, _pick(rng, _PARENT_TYPES)) for _ in range(n)]}
    return case


def random_cases(n: int, seed: int = 2026) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [random_case(rng, i) for i in range(n)]


def _weighted_case(column: str, table: tuple[tuple[str, int], ...]) -> str:
    """把加权表写成 CASE：column 是 [0,1) 的随机数。"""
    total = sum(w for _, w in table)
    acc, parts = 0, []
    for t, w in table:
        acc += w
        parts.append(f"WHEN {column} < {acc / total!r} THEN '{t}'")
    return "CASE " + " ".join(parts) + f" ELSE '{table[-1][0]}' END"


def generate_tables(con: duckdb.DuckDBPyConnection, n: int, seed: float = 0.2026) -> None:
    """在 DuckDB 里直接生成 n 个儿童的 policy_cases / policy_facts（基准数据，不计时）。"""
    con.execute(f"SELECT setseed({seed})")
    id17 = "region || strftime(birth_date, '%Y%m%d') || lpad(CAST(i % 1000 AS VARCHAR), 3, '0')"
    weighted = " + ".join(
        f"{w} * CAST(substr(first17, {k + 1}, 1) AS INTEGER)" for k, w in enumerate(_WEIGHTS)
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE policy_cases AS
        WITH base AS (
            SELECT i, 'c' || i AS case_id, DATE '{AS_OF}' AS as_of,
                   list_extract({list(REGIONS)}, 1 + CAST(i % {len(REGIONS)} AS INTEGER)) AS region,
                   CAST(DATE '{AS_OF}' - CAST(floor(random() * {19 * 365}) AS INTEGER) AS DATE) AS birth_date,
                   random() > 0.05 AS father_known, random() > 0.05 AS mother_known
            FROM range({n}) t(i)
        ), ids AS (SELECT *, {id17} AS first17 FROM base)
        SELECT case_id, as_of, region, birth_date,
               first17 || substr('{CHECK_CHARS}', 1 + CAST(({weighted}) % 11 AS INTEGER), 1) AS id_number,
               father_known, mother_known
        FROM ids
        """
    )
    parent_type = _weighted_case("r_type", _PARENT_TYPES)
    child_type = _weighted_case("r_type", _CHILD_TYPES)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE policy_facts AS
        WITH slots AS (
            SELECT 'c' || (i // 5) AS case_id, i % 5 AS slot, random() AS r_keep, random() AS r_type,
                   CAST(DATE '{AS_OF}' - CAST(floor(random() * 2500) AS INTEGER) AS DATE) AS d0,
                   CAST(30 + floor(random() * 3000) AS INTEGER) AS span, random() AS r1, random() AS r2
            FROM range({n * 5}) t(i)
        ), typed AS (
            SELECT *, CASE WHEN slot < 2 THEN 'father' WHEN slot < 4 THEN 'mother' ELSE 'child' END AS subject,
                   CASE WHEN slot < 4 THEN {parent_type} ELSE {child_type} END AS type
            FROM slots
            WHERE (slot < 4 AND r_keep < 0.35) OR (slot = 4 AND r_keep < 0.3)
        )
        SELECT case_id, subject, CAST(slot % 2 AS INTEGER) AS fact_index, type,
               CASE WHEN type IN ('deceased','declared_dead','declared_missing','guardianship_revoked','deported',
                                  'adopted','parents_unknown') THEN d0 END AS date,
               CASE WHEN type IN ('imprisoned','compulsory_rehab','other_restriction','lost_contact',
                                  'institutional_care','low_income','extreme_poverty','poverty_monitoring')
                    THEN d0 END AS start,
               CASE WHEN type IN ('imprisoned','lost_contact') AND r1 < 0.1 THEN NULL
                    WHEN type IN ('imprisoned','compulsory_rehab','other_restriction','lost_contact',
                                  'institutional_care','low_income','extreme_poverty','poverty_monitoring')
                    THEN CAST(d0 + span AS DATE) END AS "end",
               CASE WHEN type = 'severe_disability' THEN CAST(d0 + span AS DATE) END AS valid_until,
               CASE WHEN type = 'severe_disability' THEN CAST(1 + CAST(floor(r2 * 4) AS INTEGER) AS VARCHAR) END
                    AS level,
               CASE WHEN type = 'severe_disability'
                    THEN list_extract(['physical','mental','intellectual','visual'], 1 + CAST(floor(r1 * 4) AS INTEGER))
                    END AS category,
               CASE WHEN type = 'severe_illness'
                    THEN list_extract(['白血病','尿毒症','感冒','骨折'], 1 + CAST(floor(r2 * 4) AS INTEGER)) END AS disease,
               CAST(NULL AS BOOLEAN) AS qualifying,
               CASE WHEN type = 'imprisoned' AND r1 > 0.95 THEN TRUE END AS life,
               CASE WHEN type = 'hiv_infected' THEN r1 < 0.7 END AS consent
        FROM typed
        """
    )
    # 父母未登记的个案，去掉该方的事实（与“未登记”一致）
    con.execute(
        """
        DELETE FROM policy_facts f USING policy_cases c
        WHERE f.case_id = c.case_id
          AND ((f.subject = 'father' AND NOT c.father_known) OR (f.subject = 'mother' AND NOT c.mother_known))
        """
    )
