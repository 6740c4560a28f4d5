"""记录关联的姓名特征与比较等级，以及由等级计数估计模型（plan.py 的步骤用）。

姓名特征（拼音、去繁体、姓键）由 Python 只对去重后的姓名算，装入小表：记录一侧 lk_fn<i>、
户籍姓首字 lk_sk<i>、户籍一侧 lk_pn<i><suffix>（i 是第几个姓名字段）。
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from sqlglot import exp

from shouhu.engine.backends.base import Backend, FixedQuery, fixed_query
from shouhu.engine.linkage import names, prepare
from shouhu.engine.linkage.calibrate import Model, Pattern, model_fit
from shouhu.engine.linkage.compare import LEVELS, NAME_PARTS, SHARED_LEVELS, level_column, level_sql
from shouhu.engine.linkage.settings import FieldSpec, LinkSettings
from shouhu.engine.linkage.sqlkit import col, named, q, tbl
from shouhu.engine.steps import PyStep, SqlStep

STEP = "记录关联"


def step_label(what: str) -> str:
    return f"{STEP}·{what}"


def pids_union(pairs: tuple[str, ...]) -> exp.Query:
    union: exp.Query = exp.select("pid").from_(tbl(pairs[0]))
    for table in pairs[1:]:
        union = exp.union(union, exp.select("pid").from_(tbl(table)), distinct=True)
    return union


@fixed_query
def registry_query(
    settings: LinkSettings, registry: str, present: frozenset[str], pairs: tuple[str, ...]
) -> exp.Expr:
    """只含 pairs 各表里出现的人的户籍中间表（prepare.registry_select）；同一套设置、表名与
    列名只建一次。"""
    return prepare.registry_select(settings, registry, set(present), pids_union(pairs))


def name_fields(settings: LinkSettings) -> list[FieldSpec]:
    return [f for f in settings.fields if f.kind == "chinese_name"]


def _load_features(
    backend: Backend, table: str, column: str, raw_names: Sequence[str], *, standard: bool = False
) -> None:
    features = names.name_features(raw_names, standard=standard)
    renamed = ["raw", *(f"{column}__{part}" for part in NAME_PARTS)]
    backend.load_arrow(table, features.select(["raw", *NAME_PARTS]).rename_columns(renamed))


def distinct_values(backend: Backend, query: exp.Expr, step: str) -> list[str]:
    """取回一列去重值（去掉空值、排序）。"""
    values = backend.fetch(query, step=step_label(step)).column(0).to_pylist()
    return sorted(v for v in values if v is not None)


def fact_names(backend: Backend, *, settings: LinkSettings, registry: str) -> None:
    """残余记录与标注样本记录的姓名特征；户籍首字 → 姓键小表；lk_res = 残余记录 + 姓名特征。"""
    select = exp.select("r.*").from_(tbl("lk_res0").as_("r"))
    for i, spec in enumerate(name_fields(settings)):
        raw = col(f"{spec.column}__raw")
        wanted = exp.select(raw).distinct().from_(tbl("lk_fact"))
        _load_features(
            backend, f"lk_fn{i}", spec.column, distinct_values(backend, wanted, "记录姓名")
        )
        first = q("SUBSTRING($n, 1, 1)", n=prepare.text_of(col(spec.registry)))
        firsts = exp.select(first).distinct().from_(tbl(registry))
        backend.load_arrow(
            f"lk_sk{i}", names.surname_map(distinct_values(backend, firsts, "户籍姓首字"))
        )
        parts = [col(f"{spec.column}__{part}", f"n{i}") for part in NAME_PARTS]
        select = select.select(*parts).join(
            tbl(f"lk_fn{i}").as_(f"n{i}"),
            on=q("$a = $b", a=col(f"{spec.column}__raw", "r"), b=col("raw", f"n{i}")),
            join_type="left",
        )
    backend.create("lk_res", select, step=step_label("残余记录姓名特征"))


def name_tables(
    settings: LinkSettings, suffix: str = ""
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """每个姓名字段的特征表：记录一侧 lk_fn<i>、户籍姓首字 lk_sk<i>、户籍一侧 lk_pn<i><suffix>。"""
    indexes = range(len(name_fields(settings)))
    return (
        tuple(f"lk_fn{i}" for i in indexes),
        tuple(f"lk_sk{i}" for i in indexes),
        tuple(f"lk_pn{i}{suffix}" for i in indexes),
    )


def registry_names_step(
    settings: LinkSettings, *, registry: str, pairs: tuple[str, ...], suffix: str = ""
) -> PyStep:
    """候选人与样本人员的姓名特征 lk_pn<i><suffix>（户籍只对用得到的人注音）。"""
    return PyStep(
        name_tables(settings, suffix)[2],
        (registry, *pairs),
        partial(_registry_names, settings=settings, registry=registry, pairs=pairs, suffix=suffix),
        step_label("户籍姓名"),
    )


def _registry_names(
    backend: Backend, *, settings: LinkSettings, registry: str, pairs: tuple[str, ...], suffix: str
) -> None:
    pids = pids_union(pairs)
    for i, spec in enumerate(name_fields(settings)):
        wanted = q(
            "SELECT DISTINCT p.$raw FROM $reg AS p WHERE p.pid IN $pids",
            raw=col(f"{spec.column}__raw"),
            reg=tbl(registry),
            pids=pids.subquery(),
        )
        names_ = distinct_values(backend, wanted, "户籍姓名")
        _load_features(backend, f"lk_pn{i}{suffix}", spec.column, names_, standard=True)


def levels_reads(
    settings: LinkSettings, pairs: str, *, registry: str = "lk_reg", suffix: str = ""
) -> tuple[str, ...]:
    """levels_select 读的表。"""
    fn, _, pn = name_tables(settings, suffix)
    return (pairs, "lk_fact", registry, *fn, *pn)


def levels_step(
    settings: LinkSettings,
    pairs: str,
    *,
    out: str,
    registry: str = "lk_reg",
    suffix: str = "",
    label: str,
) -> SqlStep:
    """配对表 pairs → out：各字段等级。"""
    return SqlStep(
        out,
        levels_reads(settings, pairs, registry=registry, suffix=suffix),
        partial(levels_query, settings, pairs, registry=registry, suffix=suffix),
        label,
    )


def levels_query(
    settings: LinkSettings, pairs: str, *, registry: str = "lk_reg", suffix: str = ""
) -> FixedQuery:
    """levels_select 的查询，同一套设置与表名只建一次。"""
    return _levels_fixed(settings, pairs, registry, suffix)


def levels_select(
    settings: LinkSettings, pairs: str, *, registry: str = "lk_reg", suffix: str = ""
) -> exp.Select:
    """配对表 → 各字段等级。表达式很大：构造时不复制（copy=False），免得每步深拷贝整棵树。"""
    select = exp.select(col("rid", "x"), col("pid", "x"))
    name_index = {f.column: i for i, f in enumerate(name_fields(settings))}
    for spec in settings.fields:
        i = name_index.get(spec.column, 0)
        level = level_sql(spec, "f", "p", f"fn{i}", f"pn{i}")
        select = select.select(named(level, level_column(spec)), copy=False)
    select = select.from_(tbl(pairs).as_("x"), copy=False)
    select = select.join(tbl("lk_fact").as_("f"), on=q("f.rid = x.rid"), copy=False)
    select = select.join(tbl(registry).as_("p"), on=q("p.pid = x.pid"), copy=False)
    for spec in name_fields(settings):
        i = name_index[spec.column]
        raw = f"{spec.column}__raw"
        for side, alias, table in (
            ("f", f"fn{i}", f"lk_fn{i}"),
            ("p", f"pn{i}", f"lk_pn{i}{suffix}"),
        ):
            on = q("$a = $b", a=col("raw", alias), b=col(raw, side))
            select = select.join(tbl(table).as_(alias), on=on, join_type="left", copy=False)
    return select


@fixed_query
def _pattern_counts(settings: LinkSettings, source: str, levels_of: bool) -> exp.Expr:
    """各等级组合的配对数：source 是配对表（levels_of：先算等级）或已算好等级的表。"""
    columns = [col(level_column(spec)) for spec in settings.fields]
    table = levels_select(settings, source).subquery("t", copy=False) if levels_of else tbl(source)
    counts = exp.select(*columns, exp.alias_(exp.func("COUNT", exp.Star()), "n")).from_(
        table, copy=False
    )
    return counts.group_by(*[c.copy() for c in columns], copy=False)


@fixed_query
def _levels_fixed(settings: LinkSettings, pairs: str, registry: str, suffix: str) -> exp.Expr:
    return levels_select(settings, pairs, registry=registry, suffix=suffix)


def _patterns(
    backend: Backend, settings: LinkSettings, source: str, step: str, *, levels_of: bool = True
) -> dict[Pattern, int]:
    query = _pattern_counts(settings, source, levels_of)
    rows = backend.fetch(query, step=step_label(step)).to_pylist()
    names_ = [level_column(spec) for spec in settings.fields]
    return {tuple(int(row[c]) for c in names_): int(row["n"]) for row in rows}


def model_estimate(backend: Backend, settings: LinkSettings) -> Model:
    """由标注配对、随机配对与残余候选 lk_lv 上的等级计数估计模型。"""
    matches = _patterns(backend, settings, "lk_tm", "标注配对")
    randoms = _patterns(backend, settings, "lk_tr", "随机配对")
    residual = _patterns(backend, settings, "lk_lv", "残余候选", levels_of=False)
    learn = [i for i, f in enumerate(settings.fields) if f.column == settings.exact_field]
    return model_fit(
        levels=[LEVELS[f.kind] for f in settings.fields],
        matches=matches,
        randoms=randoms,
        residual=residual,
        learn=learn,
        iterations=settings.em_iterations,
        shared=[SHARED_LEVELS.get(f.kind, {}) for f in settings.fields],
    )
