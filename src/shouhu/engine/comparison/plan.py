"""比对的执行计划（一）：从关联结果建规则要的两张长表的查询（步骤在 run.plan_comparison）。
全是集合式 SQL，没有逐个儿童的循环。

表（本次运行的临时表，都以 cmp_ 开头；规则的表名照 PolicyTables）：
  cmp_fx        事实：record_id, pid（未关联为空）, method, confidence, type 与解析后的各字段
  cmp_active    台账里在保的个案：每个儿童一行（同一儿童多个在保个案时取 case_id 最小的）
  cmp_cpid / cmp_ppid   儿童类事实、父母类事实联上的人，以及未关联记录的可能人选（ambiguity.py）
  cmp_kid0      户籍里要判定的人：本人有儿童类事实，或父/母有父母类事实，或有在保个案
  cmp_kid       每人一行，加上户籍里查不到的在保儿童；去掉“肯定已成年且无个案”的人（kids_select）
  policy_cases / policy_facts   规则的输入（policy_facts 另带 record_id、confidence、method）
  （现成关联 links= 时，lk_links 由 links_given 建成，不做记录关联）

户籍号码、父母号码按户籍原样取用（户籍是基准，与记录关联的 pid 相同）；台账的儿童号码去空白、
转大写。地区取户籍区划前 6 位，没有时取台账个案的区划，再没有时取设置里的地区（与
`shouhu assess --region` 一样是缺省值）；都没有时用全国参数。
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
from sqlglot import exp

from shouhu.core.errors import InvalidInput
from shouhu.core.policy import PolicyParams
from shouhu.core.policy.dates import add_months
from shouhu.core.policy.vocabulary import CHILD_FIELDS, FACT_FIELDS, PARENT_FIELDS
from shouhu.engine.backends import Backend
from shouhu.engine.backends.base import fixed_query
from shouhu.engine.comparison.values import bool_sql, code_sql, date_sql, id_sql, text_sql
from shouhu.engine.linkage import LINKS_TABLE
from shouhu.engine.linkage.sqlkit import col, q, tbl

STEP = "比对"
REGISTRY, REGISTER, FACTS = "cmp_in_registry", "cmp_in_register", "cmp_in_facts"
CHILD_TYPES = tuple(sorted(CHILD_FIELDS))
PARENT_TYPES = tuple(sorted(PARENT_FIELDS))
ALLOWED = {**PARENT_FIELDS, **CHILD_FIELDS}  # 同一类型在两张表里字段相同
_PARSE = {
    "date": date_sql,
    "start": date_sql,
    "end": date_sql,
    "valid_until": date_sql,
    "level": text_sql,
    "category": code_sql,
    "disease": text_sql,
    "qualifying": bool_sql,
    "life": bool_sql,
    "consent": bool_sql,
}
ADULT_MARGIN_YEARS = 1  # 预筛只去掉比最大年龄上限还大一岁以上的人：留足余量，绝不误删


def step(what: str) -> str:
    return f"{STEP}·{what}"


def _source(name: str, present: frozenset[str]) -> exp.Expr:
    return col(name) if name in present else exp.null()


def _in(value: exp.Expr, items: tuple[str, ...]) -> exp.Expr:
    return exp.In(this=value, expressions=[exp.Literal.string(i) for i in items])


def _raw_id(value: exp.Expr) -> exp.Expr:
    return q("NULLIF(CAST($v AS VARCHAR), '')", v=value)


# ---------------------------------------------------------------- 事实与台账


def links_given(backend: Backend, links: pa.Table) -> None:
    """用现成的关联代替记录关联，形状同 LINKS_TABLE；缺 method 记 provided，缺置信度记 100。
    表里没有的记录、id_number 为空的、同一记录给了两个不同的人的，都算未关联。"""
    for column in ("record_id", "id_number"):
        if column not in links.column_names:
            raise InvalidInput(f"表 links 缺少必需的列 {column}")
    present = frozenset(links.column_names)
    backend.load_arrow("cmp_in_links", links)
    given = q(
        "SELECT CAST(f.record_id AS VARCHAR) AS record_id, g.id AS id_number,"
        " CASE WHEN g.id IS NULL THEN 'unlinked' ELSE COALESCE(g.method, 'provided') END AS method,"
        " CAST(CASE WHEN g.id IS NULL THEN 0 ELSE COALESCE(g.confidence, 100) END AS INT)"
        " AS confidence FROM $facts AS f LEFT JOIN (SELECT rid, CASE WHEN COUNT(DISTINCT id) = 1"
        " THEN MIN(id) END AS id, MIN(method) AS method, MIN(confidence) AS confidence FROM"
        " (SELECT CAST(record_id AS VARCHAR) AS rid, $id AS id, $method AS method,"
        " $confidence AS confidence FROM cmp_in_links) AS l GROUP BY rid) AS g"
        " ON g.rid = CAST(f.record_id AS VARCHAR)",
        facts=tbl(FACTS),
        id=_raw_id(col("id_number")),
        method=text_sql(_source("method", present)),
        confidence=q("TRY_CAST($c AS INT)", c=_source("confidence", present)),
    )
    backend.create(LINKS_TABLE, given, step=step("现成的关联"))


@fixed_query
def facts_linked_select(present: frozenset[str]) -> exp.Expr:
    """cmp_fx：类型已知的全部事实（未关联的 pid 为空）；每个字段只在该类型允许时取值
    （与单个认定的解析一致）。"""
    raw = exp.select(
        exp.alias_(q("CAST(record_id AS VARCHAR)"), "rid"),
        exp.alias_(code_sql(col("type")), "type"),
        *(exp.alias_(_source(name, present), name) for name in FACT_FIELDS),
    ).from_(tbl(FACTS))
    fields = []
    for name in FACT_FIELDS:
        allowed = tuple(sorted(t for t, names in ALLOWED.items() if name in names))
        value = _PARSE[name](col(name))
        fields.append(
            exp.alias_(q("CASE WHEN $ok THEN $v END", ok=_in(col("type"), allowed), v=value), name)
        )
    parsed = exp.select(col("rid"), col("type"), *fields).from_(raw.subquery("r"))
    return (
        exp.select(
            col("record_id", "l"),
            exp.alias_(q("CASE WHEN l.method <> 'unlinked' THEN l.id_number END"), "pid"),
            col("method", "l"),
            col("confidence", "l"),
            col("type", "f"),
            *(col(name, "f") for name in FACT_FIELDS),
        )
        .from_(tbl(LINKS_TABLE).as_("l"))
        .join(parsed.subquery("f"), on=q("f.rid = l.record_id"))
        .where(_in(col("type", "f"), tuple(sorted(ALLOWED))))
    )


@fixed_query
def active_select(present: frozenset[str]) -> exp.Expr:
    """cmp_active：台账里在保的个案，每个儿童一行。"""
    ranked = q(
        "SELECT $child AS child, CAST(case_id AS VARCHAR) AS case_id, $category AS category,"
        " $division AS division, ROW_NUMBER() OVER (PARTITION BY $child ORDER BY"
        " CAST(case_id AS VARCHAR)) AS rn FROM $t WHERE $status = 'active' AND $child IS NOT NULL",
        child=id_sql(col("child_id_number")),
        category=code_sql(col("category")),
        division=text_sql(_source("division_code", present)),
        status=code_sql(col("status")),
        t=tbl(REGISTER),
    )
    return q(
        "SELECT child, case_id, category, division FROM $r AS r WHERE rn = 1",
        r=exp.Subquery(this=ranked),
    )


# ---------------------------------------------------------------- 要判定的儿童


@fixed_query
def touched_select(types: tuple[str, ...]) -> exp.Expr:
    """cmp_cpid / cmp_ppid：儿童类（父母类）事实联上的人，以及未关联记录的可能人选。"""
    return q(
        "SELECT pid FROM cmp_fx WHERE pid IS NOT NULL AND $t UNION SELECT a.pid FROM"
        " cmp_amb AS a JOIN cmp_fx AS f ON f.record_id = a.record_id WHERE $ft",
        t=_in(col("type"), types),
        ft=_in(col("type", "f"), types),
    )


@fixed_query
def kids_touched_select(present: frozenset[str]) -> exp.Expr:
    """cmp_kid0：户籍只扫一遍，取被事实或个案涉及的人（半联接；户籍可达千万行，扫描时只做
    最便宜的事：字符串清洗、年龄预筛都留到 kids_select，对少得多的行做）。"""
    me = q("CAST(id_number AS VARCHAR)")
    father = q("CAST($f AS VARCHAR)", f=_source("father_id_number", present))
    mother = q("CAST($m AS VARCHAR)", m=_source("mother_id_number", present))
    touched = q(
        "$me IN (SELECT pid FROM cmp_cpid) OR $father IN (SELECT pid FROM cmp_ppid)"
        " OR $mother IN (SELECT pid FROM cmp_ppid) OR $me IN (SELECT child FROM cmp_active)",
        me=me,
        father=father,
        mother=mother,
    )
    query = exp.select(
        exp.alias_(me.copy(), "id"),
        exp.alias_(father.copy(), "father"),
        exp.alias_(mother.copy(), "mother"),
        exp.alias_(_source("birth_date", present), "birth"),
        exp.alias_(_source("division_code", present), "division"),
    ).from_(tbl(REGISTRY))
    return query.where(touched)


def adult_cutoff(as_of: date, params: PolicyParams) -> date:
    """出生早于此日的人在任何地区、任何参数下都已超龄：18 岁；若有地区开启“在校就读延续保障”，
    取参数里最大的年龄上限；再加一岁余量。"""
    segments = params.segments()
    ages = [18]
    if any(s.name == "past_18_in_school.supported" and s.value is True for s in segments):
        ages += [
            s.value
            for s in segments
            if s.name == "past_18_in_school.until_age" and isinstance(s.value, int)
        ]
    return add_months(as_of, -12 * (max(ages) + ADULT_MARGIN_YEARS))


@fixed_query
def kids_select(*, cutoff: date, region: str | None) -> exp.Expr:
    """cmp_kid：每人一行，加上户籍里查不到的在保儿童；清洗号码与出生日期，定参数地区。

    去掉“肯定已成年且无个案”的人：户籍出生日期与号码一致、且早于 cutoff。他们的结论只能是
    不符合（已满18周岁或儿童已死亡），没有在保个案就不产生比对发现。出生日期与号码不一致的
    人（规则会要求核实）留下。"""
    birth_text = text_sql(col("birth"))
    division = text_sql(col("division"))
    cleaned = exp.select(
        col("id"),
        exp.alias_(_raw_id(col("father")), "father"),
        exp.alias_(_raw_id(col("mother")), "mother"),
        exp.alias_(date_sql(col("birth")), "birth"),
        exp.alias_(
            q(
                "COALESCE(REPLACE($b, '-', '') = SUBSTRING(id, 7, 8)"
                " AND SUBSTRING(id, 7, 8) < $cutoff, FALSE)",
                b=birth_text,
                cutoff=cutoff.strftime("%Y%m%d"),
            ),
            "adult",
        ),
        exp.alias_(
            q("CASE WHEN REGEXP_MATCHES($d, '^[0-9]{6}') THEN SUBSTRING($d, 1, 6) END", d=division),
            "division",
        ),
    ).from_(tbl("cmp_kid0"))
    union = q(
        "SELECT id, father, mother, birth, adult, division FROM $k AS k"
        " UNION ALL SELECT a.child, NULL, NULL, NULL, FALSE, NULL FROM cmp_active AS a"
        " WHERE NOT EXISTS (SELECT 1 FROM cmp_kid0 AS k WHERE k.id = a.child)",
        k=exp.Subquery(this=cleaned),
    )
    ranked = q(
        "SELECT u.*, a.case_id AS active_case, a.division AS case_division, ROW_NUMBER() OVER"
        " (PARTITION BY u.id ORDER BY u.father, u.mother, u.birth, u.division) AS rn"
        " FROM $u AS u LEFT JOIN cmp_active AS a ON a.child = u.id",
        u=exp.Subquery(this=union),
    )
    region_value = exp.Literal.string(region) if region else exp.null()
    return q(
        "SELECT id, father, mother, birth,"
        " COALESCE(division, SUBSTRING(case_division, 1, 6), $region) AS region FROM $r AS r"
        " WHERE rn = 1 AND (active_case IS NOT NULL OR NOT adult)",
        r=exp.Subquery(this=ranked),
        region=region_value,
    )


# ---------------------------------------------------------------- 规则的长表


CARRIED = ("record_id", "type", *FACT_FIELDS, "confidence", "method")
ROLES = (
    ("child", "id", CHILD_TYPES),
    ("father", "father", PARENT_TYPES),
    ("mother", "mother", PARENT_TYPES),
)


def facts_indexed(rows: exp.Query) -> exp.Select:
    """(case_id, subject, CARRIED…) → 加上 fact_index：同一儿童同一主体内按 record_id 编号。"""
    index = q(
        "CAST(ROW_NUMBER() OVER (PARTITION BY case_id, subject ORDER BY record_id) - 1 AS INT)"
    )
    return exp.select(
        col("case_id"),
        col("subject"),
        exp.alias_(index, "fact_index"),
        *(col(name) for name in CARRIED),
    ).from_(rows.subquery("u"))


def roles_union(held: exp.Query) -> exp.Query:
    """held(pid, CARRIED…) 是“谁有哪些事实”；按儿童本人、父、母三种身份连到 cmp_kid。
    各部分是新建的：构造时不复制（copy=False），否则每一步都深拷贝越来越大的并集。"""
    union: exp.Query | None = None
    for subject, key, types in ROLES:
        part = (
            exp.select(
                exp.alias_(col("id", "k"), "case_id"),
                exp.alias_(exp.Literal.string(subject), "subject"),
                *(col(name, "f") for name in CARRIED),
            )
            .from_(tbl("cmp_kid").as_("k"), copy=False)
            .join(
                held.subquery("f"),  # held 用三次：每次一个副本
                on=exp.EQ(this=col("pid", "f"), expression=col(key, "k")),
                copy=False,
            )
            .where(_in(col("type", "f"), types), copy=False)
        )
        union = part if union is None else exp.union(union, part, distinct=False, copy=False)
    assert union is not None
    return union


@fixed_query
def policy_cases_select(as_of: date) -> exp.Expr:
    """policy_cases：每个儿童一行。"""
    as_of_value = exp.cast(exp.Literal.string(as_of.isoformat()), exp.DataType.Type.DATE)
    return q(
        "SELECT id AS case_id, $as_of AS as_of, region, birth AS birth_date, id AS id_number,"
        " father IS NOT NULL AS father_known, mother IS NOT NULL AS mother_known FROM cmp_kid",
        as_of=as_of_value,
    )


@fixed_query
def policy_facts_select() -> exp.Expr:
    """policy_facts：每个 (儿童, 主体, 事实) 一行，fact_index 按 record_id 排（结果与行的先后
    无关）。同一条事实可能同时出现在几个儿童名下（兄弟姐妹的父亲）。"""
    linked = exp.select("pid", *CARRIED).from_(tbl("cmp_fx")).where(q("pid IS NOT NULL"))
    return facts_indexed(roles_union(linked))
