"""记录关联的执行计划（plan_linkage）：一串声明了读写哪些表的步骤（engine/steps.py），
每步一个 sqlglot 表达式或一次经 Python 的往返，DuckDB 与 Spark 跑同一份。

步骤（表名都以 lk_ 开头，是本次运行的临时表）：
  lk_reg / lk_fact      清洗后的户籍与部门记录（号码在 SQL 里清洗，少见写法交回 core）
  lk_exact              号码精确联上的（15 位旧号升位后联上的记为 converted_15；Excel 存坏而
                        恰是别人号码的除外）
  lk_res                其余记录 + 姓名特征（Python 只对去重后的姓名做）
  lk_cand               分块候选：号码近似、出生日期 + 姓、县 + 全名……（设置里的规则）
  lk_lv → lk_sc → lk_dec  各字段等级 → 整数分数与置信度 → 取最佳、阈值、歧义判定
  lk_links              每条记录一行：record_id, id_number, method, confidence
  lk_possible           未关联记录的可能人选：record_id, id_number, confidence（possible.py）
权重由精确联上的记录（白送的标注）与残余候选上的 EM 估计（calibrate.py）；姓名特征、
比较等级与估计在 features.py。
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

import pyarrow as pa
from sqlglot import exp

from shouhu.engine.backends.base import Backend, EngineError, fixed_query
from shouhu.engine.linkage import blocking, prepare
from shouhu.engine.linkage.calibrate import Model
from shouhu.engine.linkage.features import (
    distinct_values,
    fact_names,
    levels_reads,
    levels_step,
    model_estimate,
    name_fields,
    name_tables,
    registry_names_step,
    registry_query,
    step_label,
)
from shouhu.engine.linkage.scoring import (
    decision_select,
    links_select,
    possible_select,
    scored_select,
)
from shouhu.engine.linkage.settings import LinkSettings
from shouhu.engine.linkage.sqlkit import col, q, query, tbl
from shouhu.engine.steps import Plan, PyStep, Slot, SqlStep, steps_run

LINKS_TABLE = "lk_links"
POSSIBLE_TABLE = "lk_possible"


def link_tables(backend: Backend, *, registry: str, facts: str, settings: LinkSettings) -> Model:
    """在 backend 里把 facts 表的每条记录关联到 registry 表的人，结果写入 LINKS_TABLE，
    未关联记录的可能人选写入 POSSIBLE_TABLE；返回估计出的模型。"""
    model: Slot[Model] = Slot(_s("估计权重"))
    plan = plan_linkage(
        settings,
        registry=registry,
        facts=facts,
        reg_cols=frozenset(backend.columns(registry)),
        fact_cols=frozenset(backend.columns(facts)),
        model=model,
    )
    steps_run(backend, plan)
    return model.get()


def plan_linkage(
    settings: LinkSettings,
    *,
    registry: str,
    facts: str,
    reg_cols: frozenset[str],
    fact_cols: frozenset[str],
    model: Slot[Model],
) -> Plan:
    """记录关联的步骤（model 由“估计权重”一步填上，供打分用）。

    户籍可能很大：只在精确联接与分块时扫描它（用最便宜的键表达式），清洗、注音、比较都只对
    候选人与样本人员做。部门记录同理：全部记录只清洗号码，其余字段只对残余记录与样本做。
    """
    _require(registry, reg_cols, [settings.person_key])
    _require(facts, fact_cols, [settings.record_key])
    fn, sk, _ = name_tables(settings)
    sampled = ("lk_cand", "lk_tm", "lk_tr")
    scored = ("lk_sc", "lk_sc2") if settings.fallback_blocking else ("lk_sc",)
    decided = "lk_decf" if settings.fallback_blocking else "lk_dec"
    return (
        PyStep(
            ("lk_f1", "lk_idfix", "lk_fkey"),
            (facts,),
            partial(_fact_keys, settings=settings, facts=facts, present=fact_cols),
            _s("清洗号码"),
        ),
        SqlStep(
            "lk_exact0",
            (registry, "lk_fkey"),
            partial(_exact_select, settings, registry, reg_cols),
            _s("精确联接"),
        ),
        SqlStep(
            "lk_exact",
            ("lk_exact0", registry, facts),
            partial(_zeroed_guard_select, settings, registry, facts, reg_cols, fact_cols),
            _s("精确联接"),
        ),
        PyStep(
            ("lk_rank", "lk_tm", "lk_tr"),
            ("lk_exact",),
            partial(_training_pairs, settings=settings),
            _s("抽取标注样本"),
        ),
        SqlStep(
            "lk_fact",
            (facts, "lk_fkey", "lk_exact", "lk_tm", "lk_tr"),
            partial(_facts_query, settings, facts, fact_cols),
            _s("清洗记录"),
        ),
        SqlStep(
            "lk_res0",
            ("lk_fact", "lk_exact"),
            partial(_anti, "lk_fact", "lk_exact"),
            _s("残余记录"),
        ),
        PyStep(
            (*fn, *sk, "lk_res"),
            ("lk_fact", registry, "lk_res0"),
            partial(fact_names, settings=settings, registry=registry),
            _s("残余记录姓名特征"),
        ),
        _candidates_step(settings, registry, reg_cols, rules=settings.blocking),
        SqlStep(
            "lk_reg",
            (registry, *sampled),
            partial(registry_query, settings, registry, reg_cols, sampled),
            _s("清洗户籍"),
        ),
        registry_names_step(settings, registry="lk_reg", pairs=sampled),
        levels_step(settings, "lk_cand", out="lk_lv", label=_s("比较")),
        PyStep(
            (),
            ("lk_lv", *(r for t in ("lk_tm", "lk_tr") for r in levels_reads(settings, t))),
            lambda backend: model.set(model_estimate(backend, settings)),
            _s("估计权重"),
        ),
        SqlStep(
            "lk_sc", ("lk_lv",), lambda: scored_select("lk_lv", settings, model.get()), _s("打分")
        ),
        SqlStep("lk_dec", ("lk_sc",), partial(decision_select, "lk_sc", settings), _s("判定")),
        *(
            _fallback_steps(settings, registry, reg_cols, model)
            if settings.fallback_blocking
            else ()
        ),
        SqlStep(
            LINKS_TABLE,
            ("lk_exact", decided, "lk_fkey"),
            partial(links_select, "lk_exact", decided, "lk_fkey"),
            _s("汇总"),
        ),
        SqlStep(
            POSSIBLE_TABLE,
            (*scored, LINKS_TABLE),
            partial(possible_select, scored, LINKS_TABLE, settings),
            _s("可能人选"),
        ),
    )


@fixed_query
def _facts_query(settings: LinkSettings, facts: str, present: frozenset[str]) -> exp.Expr:
    """lk_fact 的查询（只看设置与列名：同一套设置只建一次）。"""
    return prepare.facts_select(settings, facts, set(present), "lk_fkey", _rids())


def _rids() -> exp.Query:
    """要清洗全部字段的记录：精确联不上的与标注样本里的。"""
    return query(
        "SELECT rid FROM lk_fkey AS k WHERE NOT EXISTS (SELECT 1 FROM lk_exact AS e"
        " WHERE e.record_id = k.rid) UNION SELECT rid FROM lk_tm UNION SELECT rid FROM lk_tr"
    )


def _fallback_steps(
    settings: LinkSettings, registry: str, present: frozenset[str], model: Slot[Model]
) -> Plan:
    """第二轮分块：只为第一轮没联上的记录用 fallback_blocking 再找候选（如同县同名——大县里
    常见名字一人就有几十个同名者，对所有残余记录都做太贵）。同一模型打分；这些记录在两轮
    候选的并集上重新判定，最终判定在 lk_decf。"""
    fresh = q(
        "SELECT c.rid, c.pid FROM lk_cand2a AS c WHERE NOT EXISTS"
        " (SELECT 1 FROM lk_cand AS k WHERE k.rid = c.rid AND k.pid = c.pid)"
    )
    # 显式列与联接（不用 IN 子查询）：Spark 对检查点表上的 IN + UNION ALL 会解析失败
    both = q(
        "SELECT s.rid, s.pid, s.score, s.conf, s.idl FROM lk_sc AS s"
        " JOIN (SELECT DISTINCT rid FROM lk_res2) AS k ON k.rid = s.rid"
        " UNION ALL SELECT rid, pid, score, conf, idl FROM lk_sc2"
    )
    final = q(
        "SELECT d.record_id, d.id_number, d.method, d.confidence FROM lk_dec AS d"
        " WHERE NOT EXISTS (SELECT 1 FROM lk_res2 AS k WHERE k.rid = d.record_id)"
        " UNION ALL SELECT record_id, id_number, method, confidence FROM lk_dec2"
    )
    return (
        SqlStep("lk_res2", ("lk_res", "lk_dec"), _unresolved, _s("第二轮记录")),
        _candidates_step(
            settings,
            registry,
            present,
            rules=settings.fallback_blocking,
            residual="lk_res2",
            out="lk_cand2a",
        ),
        SqlStep("lk_cand2", ("lk_cand2a", "lk_cand"), fresh.copy, _s("第二轮候选")),
        SqlStep(
            "lk_reg2",
            (registry, "lk_cand2"),
            partial(registry_query, settings, registry, present, ("lk_cand2",)),
            _s("第二轮清洗户籍"),
        ),
        registry_names_step(settings, registry="lk_reg2", pairs=("lk_cand2",), suffix="b"),
        levels_step(
            settings,
            "lk_cand2",
            out="lk_lv2",
            registry="lk_reg2",
            suffix="b",
            label=_s("第二轮比较"),
        ),
        SqlStep(
            "lk_sc2",
            ("lk_lv2",),
            lambda: scored_select("lk_lv2", settings, model.get()),
            _s("第二轮打分"),
        ),
        SqlStep("lk_sc3", ("lk_sc", "lk_res2", "lk_sc2"), both.copy, _s("第二轮打分")),
        SqlStep(
            "lk_dec2", ("lk_sc3",), partial(decision_select, "lk_sc3", settings), _s("第二轮判定")
        ),
        SqlStep("lk_decf", ("lk_dec", "lk_res2", "lk_dec2"), final.copy, _s("第二轮判定")),
    )


def _unresolved() -> exp.Expr:
    return q(
        "SELECT r.* FROM lk_res AS r WHERE NOT EXISTS (SELECT 1 FROM lk_dec AS d"
        " WHERE d.record_id = r.rid AND d.method <> 'unlinked')"
    )


def _s(what: str) -> str:
    return step_label(what)


def _require(table: str, present: frozenset[str], needed: Iterable[str]) -> None:
    for column in needed:
        if column not in present:
            raise EngineError(_s("读入"), table, f"缺少必需的列 {column}")


def _count(backend: Backend, table: str) -> int:
    result = backend.fetch(
        exp.select(exp.func("COUNT", exp.Star())).from_(tbl(table)), step=_s("计数")
    )
    return int(result.column(0)[0].as_py())


def _fact_keys(
    backend: Backend, *, settings: LinkSettings, facts: str, present: frozenset[str]
) -> None:
    """lk_fkey：全部记录的号码（SQL 清洗；SQL 认不准的少见写法取去重原值交 core 清洗）。"""
    first = prepare.facts_key_select(settings, facts, set(present))
    backend.create("lk_f1", first, step=_s("清洗号码"))
    spec = settings.field_of(settings.exact_field) if settings.exact_field else None
    fix = None
    if spec is not None and spec.kind == "resident_id":
        raw, n = col(f"{spec.column}__raw"), col(f"{spec.column}__n")
        odd = (
            exp.select(raw)
            .distinct()
            .from_(tbl("lk_f1"))
            .where(q("$n IS NULL AND $r IS NOT NULL", n=n, r=raw))
        )
        values = sorted(
            v for v in backend.fetch(odd, step=_s("号码少见写法")).column(0).to_pylist()
        )
        if values:
            backend.load_arrow("lk_idfix", prepare.id_fallback(values))
            fix = "lk_idfix"
    backend.create("lk_fkey", prepare.facts_key_finish(settings, "lk_f1", fix), step=_s("清洗号码"))


def _exact_select(settings: LinkSettings, registry: str, present: frozenset[str]) -> exp.Expr:
    """号码精确联接，直接对户籍原表（户籍号码是基准）。号码不是户籍主键时（如 FEBRL 的
    soc_sec_id），只认户籍里唯一的值。"""
    if settings.exact_field is None:
        return q(
            "SELECT CAST(NULL AS VARCHAR) AS record_id, CAST(NULL AS VARCHAR) AS id_number,"
            " 'exact_id' AS method, CAST(100 AS INT) AS confidence WHERE 1 = 0"
        )
    spec = settings.field_of(settings.exact_field)
    value = f"{spec.column}__v"
    key = prepare.registry_key(settings, spec, "value", set(present))
    person: exp.Query = exp.select(
        exp.alias_(prepare.registry_pid(settings), "pid", quoted=True),
        exp.alias_(key, value, quoted=True),
    ).from_(tbl(registry))
    if spec.registry != settings.person_key:
        person = query(
            "SELECT MIN(pid) AS pid, $v FROM $p AS u WHERE $v IS NOT NULL GROUP BY $v HAVING"
            " COUNT(*) = 1",
            v=col(value),
            p=person.subquery(),
        )
    method: exp.Expr = exp.Literal.string("exact_id")
    if spec.kind == "resident_id":
        method = q(
            "CASE WHEN $c THEN 'converted_15' ELSE 'exact_id' END",
            c=col(f"{spec.column}__c15", "f"),
        )
    return q(
        "SELECT f.rid AS record_id, p.pid AS id_number, $method AS method, CAST(100 AS INT) AS"
        " confidence"
        " FROM lk_fkey AS f JOIN $reg AS p ON $fv = $pv",
        method=method,
        reg=person.subquery(),
        fv=col(value, "f"),
        pv=col(value, "p"),
    )


def _zeroed_guard_select(
    settings: LinkSettings,
    registry: str,
    facts: str,
    reg_cols: frozenset[str],
    fact_cols: frozenset[str],
) -> exp.Expr:
    """lk_exact：精确联上的，去掉“Excel 存坏的号码恰是别人的号码”的。

    Excel 把 18 位号码存成数字只留 15 位有效数字、后三位成 000；这样的号码约 1/11 过得了校验，
    可能正是户籍里同县同日出生、顺序码为 x00 的另一个人。号码末三位为 000、姓名首字与号码的
    主人不同、而与户籍里另一个前 15 位相同的人相同的，不按号码联接，交给打分（那里按可信的
    前 15 位与姓名比较，repair.prefix_sql）。"""
    names = [f for f in settings.fields if f.kind == "chinese_name"]
    spec = prepare.resident_id_field(settings)
    if (
        not names
        or spec is None
        or names[0].column not in fact_cols
        or names[0].registry not in reg_cols
    ):
        return q("SELECT * FROM lk_exact0")

    def first(table: str, column: str) -> exp.Expr:
        return q("SUBSTRING(TRIM(CAST($c AS VARCHAR)), 1, 1)", c=col(column, table))

    suspect = q(
        "SELECT z.record_id, z.id_number, $fx AS first FROM lk_exact0 AS z"
        " JOIN $facts AS x ON $rid = z.record_id JOIN $reg AS r ON $pid = z.id_number"
        " WHERE SUBSTRING(z.id_number, 16, 3) = '000' AND $fx <> $fr",
        facts=tbl(facts),
        reg=tbl(registry),
        rid=exp.cast(col(settings.record_key, "x"), "VARCHAR"),
        pid=exp.cast(col(settings.person_key, "r"), "VARCHAR"),
        fx=first("x", names[0].column),
        fr=first("r", names[0].registry),
    )
    # 户籍里有另一个前 15 位相同、姓名首字与记录相同的人：号码多半是他的、被 Excel 存坏了
    other = q(
        "SELECT s.record_id FROM $s AS s JOIN $reg AS o"
        " ON SUBSTRING($pid, 1, 15) = SUBSTRING(s.id_number, 1, 15)"
        " WHERE $pid <> s.id_number AND $fo = s.first",
        s=exp.Subquery(this=suspect),
        reg=tbl(registry),
        pid=exp.cast(col(settings.person_key, "o"), "VARCHAR"),
        fo=first("o", names[0].registry),
    )
    return q(
        "SELECT e.* FROM lk_exact0 AS e"
        " WHERE NOT EXISTS (SELECT 1 FROM $s AS s WHERE s.record_id = e.record_id)",
        s=exp.Subquery(this=other),
    )


def _anti(facts: str, exact: str) -> exp.Expr:
    return q(
        "SELECT f.* FROM $f AS f WHERE NOT EXISTS (SELECT 1 FROM $e AS e WHERE e.record_id ="
        " f.rid)",
        f=tbl(facts),
        e=tbl(exact),
    )


def _training_pairs(backend: Backend, *, settings: LinkSettings) -> None:
    """标注配对 lk_tm（记录与其本人）与随机配对 lk_tr（记录与别人），按记录号等距抽样。"""
    n_exact = _count(backend, "lk_exact")
    every_m = max(1, n_exact // max(1, settings.training_matches))
    every_r = max(1, n_exact // max(1, settings.training_random))
    ranked = q(
        "SELECT record_id AS rid, id_number AS pid,"
        " ROW_NUMBER() OVER (ORDER BY record_id) AS rn FROM lk_exact"
    )
    backend.create("lk_rank", ranked, step=_s("抽取标注样本"))
    backend.create(
        "lk_tm",
        q("SELECT rid, pid FROM lk_rank WHERE rn % $k = 0", k=every_m),
        step=_s("抽取标注样本"),
    )
    sample = query("SELECT rid, pid FROM lk_rank WHERE rn % $k = 0", k=every_r)
    pairs = q(
        "SELECT a.rid, b.pid FROM $s AS a CROSS JOIN $s AS b WHERE a.pid <> b.pid",
        s=sample.subquery(),
    )
    backend.create("lk_tr", pairs, step=_s("抽取随机配对"))


def _candidates_step(
    settings: LinkSettings,
    registry: str,
    present: frozenset[str],
    *,
    rules: tuple[tuple[str, ...], ...],
    residual: str = "lk_res",
    out: str = "lk_cand",
) -> PyStep:
    """分块候选 out(rid, pid)：每条规则一个等值联接，取并集。号码近似的规则先建改法表 lk_nm
    （少见写法取去重值交 core，装入 lk_nmodd），所以这一步要经 Python。"""
    near = [len(rule) == 1 and rule[0].endswith(":near_miss") for rule in rules]
    skeys = {_skey_table(settings, rule) for rule, n in zip(rules, near, strict=True) if not n}
    made = ("lk_vsub", "lk_vswap", "lk_nmodd", "lk_nm") if any(near) else ()
    return PyStep(
        (*made, out),
        (residual, registry, *sorted(skeys)),
        partial(
            _candidates,
            settings=settings,
            registry=registry,
            present=present,
            rules=rules,
            residual=residual,
            out=out,
        ),
        _s("候选生成"),
    )


def _candidates(
    backend: Backend,
    *,
    settings: LinkSettings,
    registry: str,
    present: frozenset[str],
    rules: tuple[tuple[str, ...], ...],
    residual: str,
    out: str,
) -> None:
    parts: list[exp.Query] = []
    for rule in rules:
        if len(rule) == 1 and rule[0].endswith(":near_miss"):
            column = rule[0].partition(":")[0]
            subs, swaps = blocking.variant_tables()
            backend.load_arrow("lk_vsub", subs)
            backend.load_arrow("lk_vswap", swaps)
            variants = blocking.near_miss_select(residual, column, "lk_vsub", "lk_vswap")
            near = blocking.near_length_select(residual, column, "lk_vsub")
            variants = exp.union(variants, near, distinct=False)
            odd = _odd_near_misses(backend, column, residual)
            if odd is not None:
                variants = exp.union(variants, odd, distinct=False)
            backend.create("lk_nm", variants, step=_s("号码近似"))
            parts.append(blocking.near_miss_rule_select(settings, column, "lk_nm", registry))
            continue
        skeys = _skey_table(settings, rule)
        parts.append(blocking.rule_select(settings, rule, residual, registry, set(present), skeys))
    if not parts:
        raise EngineError(_s("候选生成"), out, "没有分块规则")
    union = parts[0]
    for part in parts[1:]:
        union = exp.union(union, part, distinct=True)
    pairs = exp.select("rid", "pid").distinct().from_(union.subquery("u"))
    backend.create(out, pairs, step=_s("候选生成"))


def _odd_near_misses(backend: Backend, column: str, residual: str) -> exp.Query | None:
    """18 位但含非法字符（如字母 O、中间的 X）的号码很少：取去重值交 core 的 near_misses。"""
    value = col(f"{column}__v")
    odd = q(
        "SELECT DISTINCT $v FROM $res WHERE LENGTH($v) = 18 AND NOT REGEXP_MATCHES($v, $canon)",
        v=value,
        canon=prepare.CANONICAL,
        res=tbl(residual),
    )
    values = distinct_values(backend, odd, "号码近似（少见写法）")
    if not values:
        return None
    backend.load_arrow("lk_nmodd", blocking.near_miss_fallback(values))
    return query(
        "SELECT r.rid, x.cand FROM $res AS r JOIN lk_nmodd AS x ON x.v = $v",
        v=col(f"{column}__v", "r"),
        res=tbl(residual),
    )


def _skey_table(settings: LinkSettings, rule: tuple[str, ...]) -> str:
    fields = [f.column for f in name_fields(settings)]
    for ref in rule:
        column, _, key = ref.partition(":")
        if key == "surname" and column in fields:
            return f"lk_sk{fields.index(column)}"
    return "lk_sk0"


def links_fetch(backend: Backend) -> pa.Table:
    """关联结果按 record_id 排序取回。"""
    links = exp.select("record_id", "id_number", "method", "confidence").from_(tbl(LINKS_TABLE))
    return backend.fetch(links.order_by("record_id"), step=_s("取回结果"))
