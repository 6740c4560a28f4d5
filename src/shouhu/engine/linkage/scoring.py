"""打分与判定（SQL）：整数权重求和 → 分界点查表得置信度 → 阈值与歧义判定。

全是整数运算，DuckDB 与 Spark 逐位一致。并列时按 pid 排序决定次序，结果与执行顺序无关。
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from shouhu.engine.linkage.calibrate import Model
from shouhu.engine.linkage.compare import level_column
from shouhu.engine.linkage.settings import FieldSpec, LinkSettings
from shouhu.engine.linkage.sqlkit import col, q, query, tbl

METHODS = ("exact_id", "converted_15", "near_miss", "fuzzy", "unlinked")


def score_sql(fields: Sequence[FieldSpec], model: Model) -> exp.Expr:
    total: exp.Expr = exp.convert(model.prior)
    for spec, weights in zip(fields, model.weights, strict=True):
        case = exp.Case(this=col(level_column(spec)))
        for level, weight in enumerate(weights):
            case = case.when(exp.convert(level), exp.convert(weight), copy=False)
        total = exp.Add(this=total, expression=case.else_(exp.convert(0), copy=False))
    return total


def confidence_sql(score: exp.Expr, model: Model) -> exp.Expr:
    case = exp.Case()
    for confidence in range(100, 0, -1):
        floor = exp.convert(model.breakpoints[confidence - 1])
        case = case.when(
            exp.GTE(this=score.copy(), expression=floor), exp.convert(confidence), copy=False
        )
    return case.else_(exp.convert(0), copy=False)


def scored_select(levels: str, settings: LinkSettings, model: Model) -> exp.Select:
    """(rid, pid, score, conf, idl)：idl 是号码字段的等级（判定 near_miss 用），无号码字段为 0。"""
    id_spec = next((f for f in settings.fields if f.kind == "resident_id"), None)
    id_level = col(level_column(id_spec)) if id_spec is not None else exp.convert(0)
    inner = exp.select(
        col("rid"),
        col("pid"),
        exp.alias_(score_sql(settings.fields, model), "score"),
        exp.alias_(id_level, "idl"),
    ).from_(tbl(levels), copy=False)
    for column, allowed in settings.required:  # 不满足硬条件的不算候选
        level = col(level_column(settings.field_of(column)))
        inner = inner.where(
            exp.In(this=level, expressions=[exp.convert(v) for v in allowed]), copy=False
        )
    return exp.select(
        "rid", "pid", "score", exp.alias_(confidence_sql(exp.column("score"), model), "conf"), "idl"
    ).from_(inner.subquery("s"))


def decision_select(scored: str, settings: LinkSettings) -> exp.Expr:
    """每条记录取最佳候选；置信度不足或与次佳分差小于 margin 的不关联（绝不猜）。"""
    ranked = query(
        "SELECT rid, pid, score, conf, idl,"
        " ROW_NUMBER() OVER (PARTITION BY rid ORDER BY score DESC, pid ASC) AS rn FROM $t",
        t=tbl(scored),
    )
    best = query(
        "SELECT rid, MAX(CASE WHEN rn = 1 THEN pid END) AS pid,"
        " MAX(CASE WHEN rn = 1 THEN score END) AS s1, MAX(CASE WHEN rn = 2 THEN score END) AS s2,"
        " MAX(CASE WHEN rn = 1 THEN conf END) AS conf, MAX(CASE WHEN rn = 1 THEN idl END) AS idl"
        " FROM $ranked WHERE rn <= 2 GROUP BY rid",
        ranked=ranked.subquery("k"),
    )
    return q(
        "SELECT rid AS record_id, CASE WHEN ok THEN pid END AS id_number,"
        " CASE WHEN NOT ok THEN 'unlinked' WHEN idl = 2 THEN 'near_miss' ELSE 'fuzzy' END AS"
        " method,"
        " CAST(conf AS INT) AS confidence FROM"
        " (SELECT *, conf >= $threshold AND (s2 IS NULL OR s1 - s2 >= $margin) AS ok FROM $best)"
        " AS d",
        threshold=settings.threshold,
        margin=settings.margin_bits * 64,
        best=best.subquery("b"),
    )


def links_select(exact: str, decided: str, facts: str) -> exp.Expr:
    """全部记录的关联结果：精确联上的、打分判定的、连候选都没有的（unlinked，置信度 0）。"""
    return q(
        "SELECT record_id, id_number, method, confidence FROM $exact"
        " UNION ALL SELECT record_id, id_number, method, confidence FROM $decided"
        " UNION ALL SELECT f.rid AS record_id, CAST(NULL AS VARCHAR) AS id_number,"
        " 'unlinked' AS method, CAST(0 AS INT) AS confidence FROM $facts AS f"
        " WHERE NOT EXISTS (SELECT 1 FROM $exact AS e WHERE e.record_id = f.rid)"
        " AND NOT EXISTS (SELECT 1 FROM $decided AS d WHERE d.record_id = f.rid)",
        exact=tbl(exact),
        decided=tbl(decided),
        facts=tbl(facts),
    )


def possible_select(scored: tuple[str, ...], links: str, settings: LinkSettings) -> exp.Expr:
    """未关联记录的可能人选 (record_id, id_number, confidence)：打分表 scored 里置信度不低于
    possible_floor、与该记录最佳候选的分差在歧义间隔 margin 内的人。"""
    union: exp.Query = exp.select("rid", "pid", "score", "conf").from_(tbl(scored[0]))
    for table in scored[1:]:
        more = exp.select("rid", "pid", "score", "conf").from_(tbl(table))
        union = exp.union(union, more, distinct=False)
    ranked = query(
        "SELECT s.rid, s.pid, s.score, s.conf, MAX(s.score) OVER (PARTITION BY s.rid) AS best"
        " FROM $s AS s WHERE s.rid IN (SELECT record_id FROM $links WHERE method = 'unlinked')",
        s=exp.Subquery(this=union),
        links=tbl(links),
    )
    return q(
        "SELECT rid AS record_id, pid AS id_number, CAST(MAX(conf) AS INT) AS confidence"
        " FROM $r AS r WHERE r.score >= r.best - $margin AND r.conf >= $floor GROUP BY rid, pid",
        r=exp.Subquery(this=ranked),
        margin=settings.margin_bits * 64,
        floor=settings.possible_floor,
    )
