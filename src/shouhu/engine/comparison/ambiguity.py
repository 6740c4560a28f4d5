"""未关联的记录可能改变结论时，不下 enrol / exit / change 的结论，改为 review。

记录关联从不猜：号码缺失、只有姓名和县的记录，在百万人口的县里常有几个同名同性别的人，
只能不关联。可这条记录若正是某个在保儿童父亲的重病记录，按已关联的事实判出的 exit 就错了
（关闭个案要有把握）；若是某个儿童母亲的死亡记录，这个儿童可能应纳入（“漏一个就是一个孩子”）。

做法（集合式，同一份规则）：
  cmp_amb     未关联记录的可能人选 (record_id, pid, confidence)：记录关联打过分的候选里，
              置信度不低于 AMBIGUOUS_MIN_CONFIDENCE、与最佳候选分差在歧义间隔内的
  cmp_hadd    这些记录按“它就是这一家的”挂到涉及的儿童名下（本人、父、母）
  cmp_hcases / cmp_hfacts → cmp_hres   这些儿童在“挂上之后”的认定
对照时（findings.decisions_compare）：挂上之后 exit / change 不再成立的、enrol 不再符合的，
或本无发现而挂上后应纳入的，发现改为 review，原因加 `unresolved_record`，用到的记录里加上这些
未关联记录。在 500 万人的合成省份上，这拦下了约 170 个错误的 exit，只误拦 3 个；新报的 review
约五分之一是真正漏掉的孩子。号码缺失、又写错一个字、没有出生日期的记录连候选都没有，拦不住。

可能人选取自记录关联的打分表 lk_sc（第二轮分块时另有 lk_sc2），这是 shouhu.engine.linkage
的中间表；用现成关联（links=…）时没有打分表，也就没有可能人选。
"""

from __future__ import annotations

from sqlglot import exp

from shouhu.engine.backends import Backend
from shouhu.engine.comparison.plan import CARRIED, facts_indexed, roles_union, step
from shouhu.engine.linkage import LINKS_TABLE, LinkSettings
from shouhu.engine.linkage.sqlkit import q, tbl
from shouhu.engine.policy_sql import PolicyTables

AMBIGUOUS_MIN_CONFIDENCE = 50
UNRESOLVED = "unresolved_record"
WHATIF = PolicyTables(cases="cmp_hcases", facts="cmp_hfacts")
SCORED_TABLES = ("lk_sc", "lk_sc2")  # 记录关联的打分表：(rid, pid, score, conf, idl)


def candidates_collect(backend: Backend, settings: LinkSettings | None) -> None:
    """cmp_amb：每条未关联记录的可能人选。settings 为 None（用现成关联）时为空表。"""
    if settings is None:
        empty = q(
            "SELECT CAST(NULL AS VARCHAR) AS record_id, CAST(NULL AS VARCHAR) AS pid,"
            " CAST(NULL AS INT) AS confidence WHERE 1 = 0"
        )
        backend.create("cmp_amb", empty, step=step("可能人选"))
        return
    tables = SCORED_TABLES if settings.fallback_blocking else SCORED_TABLES[:1]
    scored: exp.Query = exp.select("rid", "pid", "score", "conf").from_(tbl(tables[0]))
    for table in tables[1:]:
        more = exp.select("rid", "pid", "score", "conf").from_(tbl(table))
        scored = exp.union(scored, more, distinct=False)
    ranked = q(
        "SELECT s.rid, s.pid, s.score, s.conf, MAX(s.score) OVER (PARTITION BY s.rid) AS best"
        " FROM $s AS s WHERE s.rid IN (SELECT record_id FROM $links WHERE method = 'unlinked')",
        s=exp.Subquery(this=scored),
        links=tbl(LINKS_TABLE),
    )
    plausible = q(
        "SELECT DISTINCT rid AS record_id, pid, CAST(conf AS INT) AS confidence FROM $r AS r"
        " WHERE r.score >= r.best - $margin AND r.conf >= $floor",
        r=exp.Subquery(this=ranked),
        margin=settings.margin_bits * 64,
        floor=AMBIGUOUS_MIN_CONFIDENCE,
    )
    backend.create("cmp_amb", plausible, step=step("可能人选"))


def whatif_tables(backend: Backend, *, cases: str, facts: str) -> None:
    """cmp_hadd（挂上去的未关联记录）、cmp_hcases、cmp_hfacts（涉及的儿童，已有事实 + 挂上的）。"""
    fields = [col for col in CARRIED if col not in ("confidence", "method")]
    held = (
        exp.select(
            "a.pid",
            *(f"f.{name}" for name in fields),
            exp.alias_(q("a.confidence"), "confidence"),
            exp.alias_(exp.Literal.string("unlinked"), "method"),
        )
        .from_(tbl("cmp_amb").as_("a"))
        .join(tbl("cmp_fx").as_("f"), on=q("f.record_id = a.record_id"))
    )
    backend.create("cmp_hadd", roles_union(held), step=step("假设关联"))
    touched = "case_id IN (SELECT case_id FROM cmp_hadd)"
    backend.create(
        WHATIF.cases,
        exp.select("*").from_(tbl(cases)).where(touched),
        step=step("假设关联·个案"),
    )
    carried = ["case_id", "subject", *CARRIED]
    existing = exp.select(*carried).from_(tbl(facts)).where(touched)
    rows = exp.union(existing, exp.select(*carried).from_(tbl("cmp_hadd")), distinct=False)
    backend.create(WHATIF.facts, facts_indexed(rows), step=step("假设关联·事实"))
