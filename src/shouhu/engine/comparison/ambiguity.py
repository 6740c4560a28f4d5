"""未关联的记录可能改变结论时，不下 enrol / exit / change 的结论，改为 review。

记录关联从不猜：号码缺失、只有姓名和县的记录，在百万人口的县里常有几个同名同性别的人，
只能不关联。可这条记录若正是某个在保儿童父亲的重病记录，按已关联的事实判出的 exit 就错了
（关闭个案要有把握）；若是某个儿童母亲的死亡记录，这个儿童可能应纳入（“漏一个就是一个孩子”）。

做法（集合式，同一份规则）：
  cmp_amb     未关联记录的可能人选：记录关联打过分、分不出是谁的那几个（lk_possible）。
              要判定的儿童包括这些人的子女（plan.kids_select）。
  cmp_about   再加上“反查”：对已算出 exit / change 的儿童，本人和父母在同县的未关联记录里
              有没有姓名相同、同音或仅一字不同、出生日期与性别不矛盾的（linkage.plan_records_about）。
              号码缺失、又写错一个字、又没写出生日期的记录连候选都没有，只能这样找。
  cmp_hadd    这些记录按“它就是这一家的”挂到涉及的儿童名下（本人、父、母）；每条挂法是一个
              假设（cmp_hscen），逐个假设认定——同时挂上几条会互相遮掩（一条同名者的“儿童死亡”
              记录会让父亲那条关键记录看不出作用）；挂得上两条以上的儿童另加“全部挂上”的假设
              （父母各有一条未关联的记录，缺一不可时）
  cmp_hcases / cmp_hfacts → cmp_hres   每个假设下的认定（儿童已有的事实 + 挂上的这一条）
对照时（findings.decisions_select）：挂上之后 exit / change 不再成立的、enrol 不再符合或要核实的，
或本无发现而挂上后应纳入的，发现改为 review，原因加 `unresolved_record`，用到的记录里加上这些
未关联记录。用现成关联（links=…）时没有记录关联的中间表，也就没有可能人选。
"""

from __future__ import annotations

from sqlglot import exp

from shouhu.engine.backends.base import fixed_query
from shouhu.engine.batch import CASES_SCHEMA
from shouhu.engine.comparison.plan import CARRIED, facts_indexed, roles_union
from shouhu.engine.linkage import POSSIBLE_TABLE
from shouhu.engine.linkage.sqlkit import q, query, tbl
from shouhu.engine.policy_sql import PolicyTables

UNRESOLVED = "unresolved_record"
WHATIF = PolicyTables(cases="cmp_hcases", facts="cmp_hfacts")
DECIDED = "cmp_k0"  # 按已关联的事实就有发现的儿童：child, kind0（findings.first_kinds_select）
SCENARIOS = "cmp_hscen"  # 每个假设一行：scen（儿童|记录|身份）, child, record_id


def empty_select() -> exp.Expr:
    return q(
        "SELECT CAST(NULL AS VARCHAR) AS record_id, CAST(NULL AS VARCHAR) AS pid,"
        " CAST(NULL AS INT) AS confidence WHERE 1 = 0"
    )


@fixed_query
def candidates_select(linked: bool) -> exp.Expr:
    """cmp_amb：每条未关联记录的可能人选。没做记录关联（用现成关联）时为空表。"""
    if not linked:
        return empty_select()
    return q("SELECT record_id, id_number AS pid, confidence FROM $p", p=tbl(POSSIBLE_TABLE))


@fixed_query
def exit_kids_select() -> exp.Expr:
    """cmp_exitkid：要关闭或改变个案（exit、change）的儿童及其父母。

    只为 exit / change 反查：关闭个案要有把握；而 enrol 纳入前本就要入户核实，把“同县有个名字
    差一字的死亡记录”算作不确定，只会让该纳入的孩子多等一轮。"""
    return q(
        "SELECT k.id, k.father, k.mother FROM cmp_kid AS k JOIN $d AS d ON d.child = k.id"
        " WHERE d.kind0 IN ('exit', 'change')",
        d=tbl(DECIDED),
    )


@fixed_query
def family_select() -> exp.Expr:
    """cmp_family(pid)：这些儿童本人和父母。"""
    return q(
        "SELECT id AS pid FROM cmp_exitkid UNION SELECT father FROM cmp_exitkid"
        " UNION SELECT mother FROM cmp_exitkid"
    )


@fixed_query
def fresh_select() -> exp.Expr:
    """cmp_about：反查到的（cmp_ab）、不在 cmp_amb 里的配对。"""
    return q(
        "SELECT b.record_id, b.id_number AS pid, b.confidence FROM cmp_ab AS b WHERE NOT EXISTS"
        " (SELECT 1 FROM cmp_amb AS a WHERE a.record_id = b.record_id AND a.pid = b.id_number)"
    )


def _held(possible: str) -> exp.Select:
    """possible (record_id, pid, confidence) → 挂上去的事实 (pid, CARRIED…)。"""
    fields = [col for col in CARRIED if col not in ("confidence", "method")]
    return (
        exp.select(
            "a.pid",
            *(f"f.{name}" for name in fields),
            exp.alias_(q("a.confidence"), "confidence"),
            exp.alias_(exp.Literal.string("unlinked"), "method"),
        )
        .from_(tbl(possible).as_("a"))
        .join(tbl("cmp_fx").as_("f"), on=q("f.record_id = a.record_id"))
    )


@fixed_query
def held_select() -> exp.Expr:
    """cmp_hadd0：挂上去的未关联记录。反查到的记录（cmp_about）只挂到 exit / change 的
    儿童名下。"""
    about = exp.select("*").from_(roles_union(_held("cmp_about")).subquery("h"))
    about = about.where(
        q("h.case_id IN (SELECT child FROM $d WHERE kind0 IN ('exit', 'change'))", d=tbl(DECIDED))
    )
    return exp.union(roles_union(_held("cmp_amb")), about, distinct=False)


@fixed_query
def hypotheses_select() -> exp.Expr:
    """cmp_hadd：每条挂法一个假设；挂得上两条以上的儿童另加“全部挂上”的假设。"""
    one = q(
        "SELECT h.*, CONCAT(h.case_id, '|', h.record_id, '|', h.subject) AS scen"
        " FROM cmp_hadd0 AS h"
    )
    every = q(
        "SELECT h.*, CONCAT(h.case_id, '|*') AS scen FROM cmp_hadd0 AS h WHERE h.case_id IN"
        " (SELECT case_id FROM cmp_hadd0 GROUP BY case_id HAVING COUNT(DISTINCT record_id) > 1)"
    )
    return exp.union(one, every, distinct=False)


@fixed_query
def scenarios_select() -> exp.Expr:
    """cmp_hscen：每个假设一行。"""
    return q("SELECT DISTINCT scen, case_id AS child, record_id FROM cmp_hadd")


@fixed_query
def whatif_cases_select(cases: str) -> exp.Expr:
    """cmp_hcases：每个假设一个“个案”，照抄儿童的 cases 行（列照 batch.CASES_SCHEMA）。"""
    scenarios = query("SELECT DISTINCT scen, child FROM $s", s=tbl(SCENARIOS))
    columns = [c for c in CASES_SCHEMA.names if c != "case_id"]
    return (
        exp.select(exp.alias_(q("s.scen"), "case_id"), *(f"c.{c}" for c in columns))
        .from_(tbl(cases).as_("c"))
        .join(scenarios.subquery("s"), on=q("s.child = c.case_id"))
    )


@fixed_query
def whatif_facts_select(facts: str) -> exp.Expr:
    """cmp_hfacts：儿童已有的事实 + 挂上的这一条。"""
    scenarios = query("SELECT DISTINCT scen, child FROM $s", s=tbl(SCENARIOS))
    carried = ["subject", *CARRIED]
    existing = (
        exp.select(exp.alias_(q("s.scen"), "case_id"), *(f"f.{c}" for c in carried))
        .from_(tbl(facts).as_("f"))
        .join(scenarios.subquery("s"), on=q("s.child = f.case_id"))
    )
    added = exp.select(exp.alias_(q("scen"), "case_id"), *carried).from_(tbl("cmp_hadd"))
    return facts_indexed(exp.union(existing, added, distinct=False))
