"""比对的执行计划（二）：批量认定、对照台账得出比对发现、每条发现用到的记录（查询；步骤在
run.plan_comparison）。

policy_result  规则的批量认定（shouhu.engine.policy_sql，与单个认定同一份规则）
cmp_hres       挂上未关联记录之后的认定（ambiguity.py 的假设长表，同一条查询换表名）；
cmp_hflip      使结论可能不同的挂法 (child, record_id)
cmp_contra     部门记录互相矛盾的儿童与记录（contradictions.py）
cmp_dec        对照在保个案：enrol / exit / change / review，结论不变的不出现
cmp_fcases / cmp_ffacts / cmp_keep / cmp_ev   只对有发现的儿童再算一遍带全部中间列的认定，
               由说明查询得出每个原因用到的事实（case_id, subject, fact_index, code）
cmp_agg        每个儿童：用到的记录号（去重、排序、以 ; 连接）、其中最低的关联置信度、关联方式
findings_select  以上发现 + 每条未关联的记录一行（unlinked），取回后由 output.py 定形、排序
"""

from __future__ import annotations

from sqlglot import exp

from shouhu.engine import batch
from shouhu.engine.comparison import contradictions
from shouhu.engine.comparison.ambiguity import SCENARIOS, UNRESOLVED
from shouhu.engine.linkage import LINKS_TABLE
from shouhu.engine.linkage.sqlkit import q, tbl
from shouhu.engine.policy_sql import PolicyTables

KINDS = ("enrol", "exit", "change", "review", "unlinked")
CASES, FACTS = batch.CASES, batch.FACTS
SUBSET = PolicyTables(cases="cmp_fcases", facts="cmp_ffacts")


def flips_select() -> exp.Expr:
    """cmp_hflip：使结论可能不同的假设（ambiguity.py：挂上一条未关联记录，认定在 cmp_hres）——
    exit / change 会变的、enrol 会不再符合或要人工核实的、本无发现而会应纳入的。"""
    return q(
        "SELECT DISTINCT s.child, s.record_id FROM cmp_hres AS h"
        " JOIN $scen AS s ON s.scen = h.case_id JOIN policy_result AS r ON r.case_id = s.child"
        " LEFT JOIN cmp_active AS a ON a.child = s.child"
        " WHERE $k0 IN ('exit', 'change') AND $k1 IS DISTINCT FROM $k0"
        " OR $k0 = 'enrol' AND ($k1 IS NULL OR $k1 = 'review') OR $k0 IS NULL AND $k1 = 'enrol'",
        scen=tbl(SCENARIOS),
        k0=_kind("r"),
        k1=_kind("h"),
    )


def _kind(r: str) -> exp.Expr:
    """结论对照在保个案 a → 发现种类；结论不变为 NULL。"""
    return q(
        "CASE WHEN $r.status = 'needs_review' THEN 'review'"
        " WHEN $r.status = 'eligible' AND a.case_id IS NULL THEN 'enrol'"
        " WHEN $r.status = 'eligible' AND COALESCE(a.category, '') <> $r.category THEN 'change'"
        " WHEN $r.status <> 'eligible' AND a.case_id IS NOT NULL THEN 'exit' END",
        r=exp.to_identifier(r),
    )


def first_kinds_select() -> exp.Expr:
    """cmp_k0：只按已关联的事实认定就有发现的儿童（child, kind0），供反查未关联记录用。"""
    kinds = q(
        "SELECT r.case_id AS child, $k0 AS kind0 FROM policy_result AS r"
        " LEFT JOIN cmp_active AS a ON a.child = r.case_id",
        k0=_kind("r"),
    )
    return q("SELECT * FROM $k AS k WHERE kind0 IS NOT NULL", k=exp.Subquery(this=kinds))


def decisions_select() -> exp.Expr:
    """认定结果对照台账（compare-format 的五种发现里的前四种）。

    挂上未关联记录（ambiguity.py）后结论可能不同的，不下结论，改为 review 并加原因
    unresolved_record：要关闭或改变的个案（exit、change）种类会变的；应纳入的儿童挂上后不再
    符合（记录可能是这个孩子的死亡、收养）或要人工核实的（记录可能是父母的、与已有的记录
    矛盾：2500 万人时 enrol 的错报多半是这样来的，核查只多几条）；本无发现、挂上后应纳入的
    （可能漏掉的孩子）。"""
    kinds = q(
        "SELECT r.case_id AS child, r.status, r.category, r.orphan_type, r.reviews_per_year,"
        " r.labels, r.reason_codes, a.case_id AS active_case, $k0 AS kind0,"
        " r.case_id IN (SELECT child FROM cmp_hflip) AS uncertain,"
        " CASE WHEN NOT CONTAINS(COALESCE(r.reason_codes, ''), 'aged_out') THEN c.codes END"
        " AS contra"
        " FROM policy_result AS r LEFT JOIN cmp_active AS a ON a.child = r.case_id"
        " LEFT JOIN $codes AS c ON c.child = r.case_id",
        k0=_kind("r"),
        codes=exp.Subquery(this=contradictions.codes_select()),
    )
    # 部门记录互相矛盾（contradictions.py）：已有的发现照规则的结论，加上原因与记录；
    # 本无发现的儿童送核查
    review = q("uncertain OR contra IS NOT NULL AND kind0 IS NULL")
    return q(
        "SELECT child, status, category, orphan_type, reviews_per_year, labels, active_case,"
        " uncertain, CASE WHEN $review THEN 'review' ELSE kind0 END AS kind,"
        " CONCAT_WS(';', NULLIF(reason_codes, ''), contra, CASE WHEN uncertain THEN $code END)"
        " AS reason_codes"
        " FROM $k AS k WHERE kind0 IS NOT NULL OR uncertain OR contra IS NOT NULL",
        k=exp.Subquery(this=kinds),
        code=UNRESOLVED,
        review=review,
    )


def subset_select(table: str) -> exp.Expr:
    """有发现（cmp_dec）的儿童在长表 table 里的行：说明只对他们再认定一遍。"""
    return q("SELECT t.* FROM $t AS t WHERE t.case_id IN (SELECT child FROM cmp_dec)", t=tbl(table))


def used_select() -> exp.Expr:
    """cmp_agg：有发现的儿童每个原因用到的事实（cmp_ev）与挂上的未关联记录（cmp_hflip）→
    记录号、最低置信度、关联方式。"""
    used = q(
        "SELECT DISTINCT e.case_id, f.record_id, f.confidence, f.method FROM cmp_ev AS e"
        " JOIN cmp_ffacts AS f ON f.case_id = e.case_id AND f.subject = e.subject"
        " AND f.fact_index = e.fact_index"
        " UNION SELECT h.child, h.record_id, CAST(NULL AS INT), 'unlinked' FROM cmp_hflip AS h"
        " UNION SELECT c.child, c.record_id, f.confidence, f.method FROM $contra AS c"
        " JOIN cmp_ffacts AS f ON f.case_id = c.child AND f.record_id = c.record_id",
        contra=tbl(contradictions.TABLE),
    )
    return q(
        "SELECT case_id, ARRAY_TO_STRING(LIST_SORT(LIST_DISTINCT(LIST(record_id))), ';')"
        " AS record_ids, MIN(confidence) AS confidence,"
        " ARRAY_TO_STRING(LIST_SORT(LIST_DISTINCT(LIST(method))), ';') AS methods"
        " FROM $u AS u GROUP BY case_id",
        u=exp.Subquery(this=used),
    )


def findings_select(threshold: int) -> exp.Expr:
    """compare-format 的 findings 列（另加 orphan_type、status、reviews_per_year、labels、
    link_methods）。置信度此处仍是 0–100 的整数，取回后再换成 0–1。

    unlinked 行：没有用到任何关联，link_confidence 为空；reasons 说明为什么没关联上——
    ambiguous_match（最佳候选够阈值 threshold，但有几个人同样合适）、weak_match（有候选但
    不够阈值）、no_candidate（没有候选）。"""
    return q(
        "SELECT d.kind, d.child AS child_id_number, d.category,"
        " CASE WHEN d.kind IN ('exit', 'change') THEN d.active_case END AS case_id,"
        " d.reason_codes AS reasons, g.record_ids, g.confidence AS link_confidence,"
        " d.orphan_type, d.status, CAST(d.reviews_per_year AS INT) AS reviews_per_year, d.labels,"
        " g.methods AS link_methods"
        " FROM cmp_dec AS d LEFT JOIN cmp_agg AS g ON g.case_id = d.child"
        " UNION ALL SELECT 'unlinked', CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR),"
        " CAST(NULL AS VARCHAR), CASE WHEN l.confidence >= $threshold THEN 'ambiguous_match'"
        " WHEN l.confidence > 0 THEN 'weak_match' ELSE 'no_candidate' END, l.record_id,"
        " CAST(NULL AS INT), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS INT),"
        " CAST(NULL AS VARCHAR), 'unlinked' FROM $links AS l WHERE l.method = 'unlinked'",
        links=tbl(LINKS_TABLE),
        threshold=threshold,
    )


def counts_select() -> exp.Expr:
    """记录数、关联上的、类型不是规则事实类型（被忽略）的、判定的儿童数。"""
    return q(
        "SELECT 'records' AS name, COUNT(*) AS n FROM $links"
        " UNION ALL SELECT 'linked', COUNT(*) FROM $links WHERE method <> 'unlinked'"
        " UNION ALL SELECT 'unknown_type', (SELECT COUNT(*) FROM $links)"
        " - (SELECT COUNT(*) FROM cmp_fx)"
        " UNION ALL SELECT 'children_assessed', COUNT(*) FROM $cases",
        links=tbl(LINKS_TABLE),
        cases=tbl(CASES),
    )
