"""部门之间互相矛盾的记录（issue 13 第 6 项）：不改规则的认定，另作核查。

规则（docs/rules.md §4 第 6 步）只管“父母死亡之后又有情形事实”；这里是规则之外、一眼可见的矛盾，
每种一个原因代码（core/findings.py 有中文说法），发现里列出矛盾的两条记录：
  contradiction_child_alive         儿童已记死亡，之后另有记录其入学、领低保或特困供养
  contradiction_deported_imprisoned 父/母被遣送（驱逐）出境的期间又在国内服刑
  contradiction_born_after_death    户籍记的出生在父/母死亡之后（母亲死亡之后、父亲死亡 310 天
                                    之后出生；户籍的亲子登记与死亡记录至少有一个不对）

在发现上（findings.decisions_select）：本无发现的儿童出一条 review；已有发现（enrol、exit、
change、review）的种类照规则的结论不变，只加原因与两条记录（每个儿童至多一条发现）。
认定的 status、category 照旧是规则的结论。
"""

from __future__ import annotations

from sqlglot import exp

from shouhu.core.findings import (
    CONTRADICTION_BORN_AFTER_DEATH,
    CONTRADICTION_CHILD_ALIVE,
    CONTRADICTION_DEPORTED_IMPRISONED,
)
from shouhu.engine import batch
from shouhu.engine.linkage.sqlkit import col, q, tbl

TABLE = "cmp_contra"  # (child, code, record_id)：每个矛盾的每条记录一行
CHILD_LATER_TYPES = ("in_school", "low_income", "extreme_poverty")
FATHER_GRACE_DAYS = 310  # 父亲死亡后出生的遗腹子：妊娠期加余量


def _start(alias: str) -> exp.Expr:
    return exp.func("COALESCE", col("start", alias), col("date", alias))


def _pairs(code: str, condition: exp.Expr) -> exp.Expr:
    """两条记录 a、b 在同一儿童名下满足 condition → 两行（各一条记录）。"""
    pairs = q(
        "SELECT a.case_id AS child, a.record_id AS ra, b.record_id AS rb FROM $f AS a"
        " JOIN $f AS b ON b.case_id = a.case_id AND b.subject = a.subject WHERE $c",
        f=tbl(batch.FACTS),
        c=condition,
    )
    return q(
        "SELECT child, $code AS code, ra AS record_id FROM $p AS p"
        " UNION ALL SELECT child, $code, rb FROM $p AS p",
        p=exp.Subquery(this=pairs),
        code=code,
    )


def contradictions_select() -> exp.Expr:
    """cmp_contra：读规则长表（policy_facts，已关联的事实）与 cmp_kid（户籍的出生日期）。"""
    later = exp.In(this=col("type", "b"), expressions=[exp.convert(t) for t in CHILD_LATER_TYPES])
    alive = q(
        "a.subject = 'child' AND a.type = 'deceased' AND $later AND $b_start > a.date",
        later=later,
        b_start=_start("b"),
    )
    both = q(
        "a.subject IN ('father', 'mother') AND a.type = 'deported' AND b.type = 'imprisoned'"
        " AND a.date < COALESCE($b_end, CAST('9999-12-31' AS DATE))"
        " AND $b_start < COALESCE($a_end, CAST('9999-12-31' AS DATE))",
        b_end=col("end", "b"),
        a_end=col("end", "a"),
        b_start=_start("b"),
    )
    born = q(
        "SELECT f.case_id AS child, $code AS code, f.record_id FROM $f AS f"
        " JOIN cmp_kid AS k ON k.id = f.case_id WHERE f.type = 'deceased' AND k.birth IS NOT NULL"
        " AND (f.subject = 'mother' AND f.date < k.birth OR f.subject = 'child'"
        " AND f.date < k.birth OR f.subject = 'father' AND f.date + $grace < k.birth)",
        f=tbl(batch.FACTS),
        code=CONTRADICTION_BORN_AFTER_DEATH,
        grace=exp.Interval(this=exp.convert(str(FATHER_GRACE_DAYS)), unit=exp.var("DAY")),
    )
    union = exp.union(
        exp.union(
            _pairs(CONTRADICTION_CHILD_ALIVE, alive),
            _pairs(CONTRADICTION_DEPORTED_IMPRISONED, both),
            distinct=False,
        ),
        born,
        distinct=False,
    )
    return exp.select("child", "code", "record_id").distinct().from_(union.subquery("u"))


def codes_select() -> exp.Expr:
    """每个有矛盾的儿童一行：原因代码（去重、排序、以 ; 连接）。"""
    return q(
        "SELECT child, ARRAY_TO_STRING(LIST_SORT(LIST_DISTINCT(LIST(code))), ';') AS codes"
        " FROM $t GROUP BY child",
        t=tbl(TABLE),
    )
