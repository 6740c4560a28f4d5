"""未关联记录“可能是谁”：关联不猜，但下游要知道一条没联上的记录可能关系到哪些人。

  lk_possible   记录关联打过分的候选里，置信度不低于 possible_floor、与最佳候选分差在歧义间隔内
                的人（同名同姓、分不出是谁的那几个）。link_tables 结束时建好（plan.py）。
  plan_records_about(persons=…)   反过来查：给定一批人（如要关闭个案的儿童及其父母），同县里哪些
                未关联记录的姓名与其相同、同音或仅一字不同（或同姓，且出生日期或号码相近），
                且出生日期、性别、号码都不矛盾。
                关联的分块要全名或出生日期，号码缺失、又写错一个字、又没写出生日期的记录
                连候选都没有；人少时这样的宽松查找很便宜。

两者都是 (record_id, id_number, confidence)，confidence 为同一模型的置信度（0–100），仅供参考。
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from sqlglot import exp

from shouhu.engine.linkage import prepare, repair
from shouhu.engine.linkage.calibrate import Model
from shouhu.engine.linkage.compare import level_column
from shouhu.engine.linkage.features import levels_step, registry_names_step, registry_query
from shouhu.engine.linkage.plan import LINKS_TABLE, POSSIBLE_TABLE
from shouhu.engine.linkage.scoring import scored_select
from shouhu.engine.linkage.settings import FieldSpec, LinkSettings
from shouhu.engine.linkage.sqlkit import col, q, query, tbl
from shouhu.engine.steps import Plan, Slot, SqlStep

STEP = "记录关联·可能人选"
# 宽松查找时各种类字段不得矛盾：出生日期相同或差一位（缺值不计）、性别相同（缺值不计）
_NOT_CONTRADICTING = {"date": (0, 1, 2), "gender": (0, 1)}


def _empty() -> exp.Expr:
    return q(
        "SELECT CAST(NULL AS VARCHAR) AS record_id, CAST(NULL AS VARCHAR) AS id_number,"
        " CAST(NULL AS INT) AS confidence WHERE 1 = 0"
    )


def plan_records_about(
    settings: LinkSettings,
    model: Slot[Model],
    *,
    registry: str,
    reg_cols: frozenset[str],
    persons: str,
    out: str,
) -> Plan:
    """out (record_id, id_number, confidence)：persons 表（列 pid）里的人，同县未关联、且在
    lk_possible 里没有可能人选的记录中，可能是他们的。接在同一连接里的记录关联之后
    （用到它的清洗结果与姓名特征）。

    分块：同县（区划前 6 位）且 姓名首字相同 / 等长而其余相同 / 拼音相同；再按关联的硬条件
    （姓名相同、同音或仅一字不同；号码不是另一个合格号码）与“出生日期、性别不矛盾”筛选——
    同姓而名字对不上的（只写了姓、漏了字）另要出生日期相同或差一位、或号码差一两处
    （_names_ok_select）。
    记录或这个人没有区划、设置里没有姓名或区划字段时，查不到（out 为空表）。"""
    name = next((f for f in settings.fields if f.kind == "chinese_name"), None)
    division = next((f for f in settings.fields if f.kind == "division"), None)
    if name is None or division is None:
        return (SqlStep(out, (), _empty, STEP),)
    index = [f for f in settings.fields if f.kind == "chinese_name"].index(name)
    names_table = f"lk_pn{index}c"
    return (
        SqlStep("lk_ab_rec", ("lk_res", LINKS_TABLE, POSSIBLE_TABLE), _unlinked, STEP),
        SqlStep(
            "lk_ab_reg",
            (registry, persons),
            partial(registry_query, settings, registry, frozenset(reg_cols), (persons,)),
            STEP,
        ),
        registry_names_step(settings, registry="lk_ab_reg", pairs=("lk_ab_reg",), suffix="c"),
        SqlStep(
            "lk_ab_pairs",
            ("lk_ab_reg", names_table, "lk_ab_rec"),
            partial(
                _pairs_select, name, division, prepare.resident_id_field(settings), names_table
            ),
            STEP,
        ),
        levels_step(
            settings, "lk_ab_pairs", out="lk_ab_lv", registry="lk_ab_reg", suffix="c", label=STEP
        ),
        SqlStep("lk_ab_ok", ("lk_ab_lv", "lk_ab_rec"), partial(_names_ok_select, settings), STEP),
        SqlStep(out, ("lk_ab_ok",), lambda: _loose_select(settings, model.get()), STEP),
    )


def _unlinked() -> exp.Expr:
    return q(
        "SELECT r.* FROM lk_res AS r JOIN $links AS l ON l.record_id = r.rid"
        " AND l.method = 'unlinked'"
        " WHERE NOT EXISTS (SELECT 1 FROM $possible AS p WHERE p.record_id = r.rid)",
        links=tbl(LINKS_TABLE),
        possible=tbl(POSSIBLE_TABLE),
    )


def _record_county(division: exp.Expr, id_spec: FieldSpec | None) -> exp.Expr:
    """记录的县：区划前 6 位；没写区划时取号码的前 6 位——号码坏了（丢一位、Excel 存坏、
    扫描认错）前 6 位多半仍对，正是这类记录最需要反查。"""
    county = q("SUBSTRING($d, 1, 6)", d=division)
    if id_spec is None:
        return county
    number = repair.ocr_sql(col(f"{id_spec.column}__v"))
    from_number = q(
        "CASE WHEN REGEXP_MATCHES($n, '^[0-9]{6}') THEN SUBSTRING($n, 1, 6) END", n=number
    )
    return exp.func("COALESCE", county, from_number)


def _pairs_select(
    name: FieldSpec, division: FieldSpec, id_spec: FieldSpec | None, names_table: str
) -> exp.Expr:
    chars, pinyin = f"{name.column}__chars", f"{name.column}__pinyin"
    county = f"{division.column}__v"
    person_side = query(
        "SELECT p.pid, SUBSTRING(p.$d, 1, 6) AS county, n.$c AS chars, n.$y AS py"
        " FROM lk_ab_reg AS p JOIN $names AS n ON n.raw = p.$raw",
        d=exp.to_identifier(county, quoted=True),
        c=exp.to_identifier(chars, quoted=True),
        y=exp.to_identifier(pinyin, quoted=True),
        raw=exp.to_identifier(f"{name.column}__raw", quoted=True),
        names=tbl(names_table),
    )
    record_side = query(
        "SELECT rid, $county AS county, $c AS chars, $y AS py FROM lk_ab_rec",
        county=_record_county(col(county), id_spec),
        c=col(chars),
        y=col(pinyin),
    )
    keys = (
        "SUBSTRING(r.chars, 1, 1) = SUBSTRING(p.chars, 1, 1)",
        "LENGTH(r.chars) = LENGTH(p.chars) AND SUBSTRING(r.chars, 2) = SUBSTRING(p.chars, 2)",
        "r.py = p.py",
    )
    parts = [
        query(
            f"SELECT r.rid, p.pid FROM $r AS r JOIN $p AS p ON r.county = p.county AND {key}",
            r=record_side.subquery(),
            p=person_side.subquery(),
        )
        for key in keys
    ]
    union: exp.Query = parts[0]
    for part in parts[1:]:
        union = exp.union(union, part, distinct=True)
    return union


def _names_ok_select(settings: LinkSettings) -> exp.Expr:
    """lk_ab_ok：姓名满足关联的硬条件（相同、同音或仅一字不同）的配对，另加同姓而名字对不上
    的——只写了姓的（张某、张某某：对外公开的名单常这样写）、三个字漏了一个的——只在出生日期
    相同或差一位、或号码差一两处时（只凭姓和县，县里同姓的人太多）。"""
    name = next(f for f in settings.fields if f.kind == "chinese_name")
    allowed = dict(settings.required).get(name.column, (1, 2, 3))
    level = col(level_column(name))
    ok: exp.Expr = exp.In(this=level, expressions=[exp.convert(v) for v in allowed])
    backed = [
        exp.In(this=col(level_column(f)), expressions=[exp.convert(v) for v in levels])
        for f in settings.fields
        for kind, levels in (("date", (1, 2)), ("resident_id", (2, 3)))
        if f.kind == kind
    ]
    if backed:
        ok = q(
            "$ok OR $level = 4 AND ($backed)", ok=ok, level=level.copy(), backed=exp.or_(*backed)
        )
    return exp.select("v.*").from_(tbl("lk_ab_lv").as_("v")).where(ok)


def _loose_select(settings: LinkSettings, model: Model) -> exp.Expr:
    """姓名的硬条件已在 lk_ab_ok 里查过；这里另加各字段不得矛盾。"""
    name = next(f for f in settings.fields if f.kind == "chinese_name")
    extra = tuple(
        (f.column, _NOT_CONTRADICTING[f.kind])
        for f in settings.fields
        if f.kind in _NOT_CONTRADICTING
    )
    required = tuple(r for r in settings.required if r[0] != name.column)
    loose = replace(settings, required=required + extra)
    scored = scored_select("lk_ab_ok", loose, model)
    return query(
        "SELECT rid AS record_id, pid AS id_number, CAST(conf AS INT) AS confidence FROM $s",
        s=scored.subquery("s"),
    )
