"""清洗：把 registry 与 facts 变成统一形状的中间表（SQL，集合运算）。

core 里的 Python 清洗函数是参照标准。号码的常见写法（全角数字、空格、连字符、引号、小写 x、
乘号 ×、星号 *、15 位旧号、17 位丢了末位 X）在 SQL 里直接清洗；SQL 认不准的少见写法（别的 Unicode
字符、Excel 的 “.0”、nan 之类）留空，由 `id_fallback` 取去重后的原值交给 core 的
normalize_id_number，再联接回来。属性测试保证两条路结果一致。

中间表列名：rid（记录号）或 pid（户籍人员号），每个字段 `<列>__<用途>`。
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

import pyarrow as pa
from sqlglot import exp

from shouhu.core.identity import normalize_id_number
from shouhu.engine.linkage import repair
from shouhu.engine.linkage.settings import FieldSpec, LinkSettings
from shouhu.engine.linkage.sqlkit import check_digit_sql, col, named, q, tbl

# 号码里的全角数字、各种 x 一并换成半角；其后的字符（各种空白、连字符、引号、逗号）删去。
# 这些字符 core 的清洗也是这样处理的（NFKC 后的结果相同），超出此集合的写法交回 core。
ID_MAP_FROM = "０１２３４５６７８９Ｘｘx×*"
ID_MAP_TO = "0123456789XXXXX"
ID_DELETE = " \t\u3000\u00a0-'\"`,"
NAME_DELETE = " \t\u3000\u00a0"
CANONICAL = "^[0-9]{17}[0-9X]$"
_DIGIT_RUN = re.compile(r"[0-9]")

Column = exp.Expr


def text_of(value: Column) -> Column:
    return exp.cast(value, exp.DataType.build("VARCHAR"))


def id_clean_sql(raw: Column) -> Column:
    return q(
        "TRANSLATE(COALESCE($r, ''), $src, $dst)",
        r=text_of(raw),
        src=ID_MAP_FROM + ID_DELETE,
        dst=ID_MAP_TO,
    )


def _legacy_date_ok(c: Column) -> Column:
    """15 位旧号第 7–12 位 YYMMDD（19YY 年）是真实日期；1900 年不是闰年。"""
    return q(
        "TRY_CAST(SUBSTRING($c, 9, 2) AS INT) BETWEEN 1 AND 12 AND TRY_CAST(SUBSTRING($c, 11, 2)"
        " AS INT)"
        " BETWEEN 1 AND CASE WHEN TRY_CAST(SUBSTRING($c, 9, 2) AS INT) IN (4, 6, 9, 11) THEN 30"
        " WHEN TRY_CAST(SUBSTRING($c, 9, 2) AS INT) <> 2 THEN 31"
        " WHEN TRY_CAST(SUBSTRING($c, 7, 2) AS INT) % 4 = 0"
        " AND TRY_CAST(SUBSTRING($c, 7, 2) AS INT) <> 0 THEN 29 ELSE 28 END",
        c=c,
    )


def id_normalize_sql(c: Column) -> Column:
    """清洗后的串 c → 规范号码；c 为空得 ''；SQL 认不准的得 NULL（交给 id_fallback）。"""
    first17 = q("SUBSTRING($c, 1, 6) || '19' || SUBSTRING($c, 7, 9)", c=c)
    return q(
        "CASE WHEN REGEXP_MATCHES($c, $canon) THEN $c WHEN $c = '' THEN ''"
        " WHEN REGEXP_MATCHES($c, '^[0-9]{15}$') AND $legacy THEN $f17 || $check15"
        " WHEN REGEXP_MATCHES($c, '^[0-9]{17}$') AND $check17 = 'X' THEN $c || 'X'"
        " WHEN REGEXP_MATCHES($c, '^[0-9X]+$') THEN $c ELSE NULL END",
        c=c,
        canon=CANONICAL,
        legacy=_legacy_date_ok(c),
        f17=first17,
        check15=check_digit_sql(first17),
        check17=check_digit_sql(c),
    )


def id_converted_sql(c: Column) -> Column:
    return q("REGEXP_MATCHES($c, '^[0-9]{15}$') AND $legacy", c=c, legacy=_legacy_date_ok(c))


def id_fallback(raw_values: Sequence[str]) -> pa.Table:
    """SQL 认不准的号码写法：用 core 清洗（只对去重后的原值做）。"""
    values = [normalize_id_number(v) for v in raw_values]
    converted = [
        len(v) == 18 and _digit_count(r) == 15 for r, v in zip(raw_values, values, strict=True)
    ]
    return pa.table({"raw": list(raw_values), "v": values, "c15": converted})


def _digit_count(raw: str) -> int:
    return len(_DIGIT_RUN.findall(unicodedata.normalize("NFKC", raw)))


# ---------------------------------------------------------------- 各种类字段的清洗


def _blank_to_null(value: Column) -> Column:
    return q("NULLIF(TRIM($v), '')", v=text_of(value))


def date_sql(raw: Column) -> Column:
    return repair.date_digits_sql(raw)


def gender_sql(raw: Column) -> Column:
    return q(
        "CASE WHEN UPPER(TRIM($v)) IN ('M', '男', 'MALE', '1') THEN 'M'"
        " WHEN UPPER(TRIM($v)) IN ('F', '女', 'FEMALE', '2') THEN 'F' END",
        v=text_of(raw),
    )


def division_sql(raw: Column) -> Column:
    return q(
        "CASE WHEN REGEXP_MATCHES(TRIM($v), '^[0-9]{6,12}$') THEN TRIM($v) END", v=text_of(raw)
    )


def name_clean_sql(raw: Column) -> Column:
    """户籍姓名在 SQL 里只去空白（户籍是规范写法）；部门姓名另由 Python 清洗。"""
    return q("NULLIF(TRANSLATE($v, $delete, ''), '')", v=text_of(raw), delete=NAME_DELETE)


def from_id(kind: str, id_value: Column) -> Column | None:
    """号码里读得出的字段：出生日期、性别（第 17 位奇男偶女）、县级区划。"""
    ok = q("REGEXP_MATCHES(COALESCE($i, ''), $canon)", i=id_value, canon=CANONICAL)
    # Excel 存坏的号码（后三位成 000、科学计数）只有前缀可信：前 14 位在时日期与县照读，性别不读
    prefix = repair.prefix_sql(id_value)
    if kind == "date":
        return q(
            "CASE WHEN $ok THEN SUBSTRING($i, 7, 8) WHEN LENGTH($p) >= 14 THEN SUBSTRING($p, 7, 8)"
            " END",
            ok=ok,
            i=id_value,
            p=prefix,
        )
    if kind == "gender":
        return q(
            "CASE WHEN $ok AND NOT $zeroed THEN CASE WHEN TRY_CAST(SUBSTRING($i, 17, 1) AS INT)"
            " % 2 = 1 THEN 'M' ELSE 'F' END END",
            ok=ok,
            i=id_value,
            zeroed=repair.zeroed_sql(id_value),
        )
    if kind == "division":
        return q(
            "CASE WHEN $ok THEN SUBSTRING($i, 1, 6) WHEN LENGTH($p) >= 6 THEN SUBSTRING($p, 1, 6)"
            " END",
            ok=ok,
            i=id_value,
            p=prefix,
        )
    return None


_SIMPLE: dict[str, Callable[[Column], Column]] = {
    "date": date_sql,
    "gender": gender_sql,
    "division": division_sql,
    "text": lambda v: q("LOWER($v)", v=_blank_to_null(v)),
    "exact": _blank_to_null,
}


def resident_id_field(settings: LinkSettings) -> FieldSpec | None:
    return next((f for f in settings.fields if f.kind == "resident_id"), None)


def _source(name: str, present: set[str]) -> Column:
    return col(name) if name in present else exp.null()


def _alias(value: Column, name: str) -> exp.Expr:
    return named(value, name)


def registry_pid(settings: LinkSettings) -> Column:
    return text_of(col(settings.person_key))


def registry_select(
    settings: LinkSettings, source: str, present: set[str], pids: exp.Query
) -> exp.Select:
    """户籍中间表，只含用得到的人（候选人与样本人员）：pid、各字段清洗值。

    号码按户籍的规范写法（只去空白、转大写）；户籍是基准，不像部门记录那样逐一清洗。
    """
    id_spec = resident_id_field(settings)
    id_value = None
    if id_spec is not None:
        id_value = q("NULLIF(UPPER(TRIM($v)), '')", v=text_of(_source(id_spec.registry, present)))
    items: list[exp.Expr] = [_alias(registry_pid(settings), "pid")]
    for spec in settings.fields:
        raw = _source(spec.registry, present)
        if spec.kind == "resident_id":
            items.append(
                _alias(q("NULLIF(UPPER(TRIM($v)), '')", v=text_of(raw)), f"{spec.column}__v")
            )
        elif spec.kind == "chinese_name":
            items.append(_alias(name_clean_sql(raw), f"{spec.column}__raw"))
        else:
            value = _with_id(spec.kind, _SIMPLE[spec.kind](raw), id_value)
            items.append(_alias(value, f"{spec.column}__v"))
    where = exp.In(this=registry_pid(settings), query=pids.subquery())
    return exp.select(*items).from_(tbl(source), copy=False).where(where, copy=False)


def registry_key(settings: LinkSettings, spec: FieldSpec, key: str, present: set[str]) -> Column:
    """分块时户籍一侧的键，直接在原表上算（户籍可达千万行，只用最便宜的表达式）：
    号码、姓名原样；出生日期取自号码第 7–14 位（户籍号码即基准）；县取区划前 6 位。"""
    raw = _source(spec.registry, present)
    id_spec = resident_id_field(settings)
    if spec.kind in ("resident_id", "chinese_name"):
        return text_of(raw)
    if spec.kind == "date" and id_spec is not None:
        value = q("SUBSTRING($i, 7, 8)", i=text_of(col(id_spec.registry)))
    elif spec.kind == "division" and spec.registry not in present and id_spec is not None:
        value = text_of(col(id_spec.registry))
    elif spec.kind == "division":
        value = text_of(raw)
    else:
        value = _SIMPLE[spec.kind](raw)
    if key == "year":
        return q("SUBSTRING($v, 1, 4)", v=value)
    if key == "county":
        return q("SUBSTRING($v, 1, 6)", v=value)
    return value


def _with_id(kind: str, value: Column, id_value: Column | None) -> Column:
    derived = from_id(kind, id_value) if id_value is not None else None
    return value if derived is None else exp.func("COALESCE", value, derived)


def facts_key_select(settings: LinkSettings, source: str, present: set[str]) -> exp.Expr:
    """全部记录只算精确联接要用的号码（第一层）：rid、原值、SQL 清洗结果、是否 15 位升位。

    已是规范写法的号码（绝大多数）直接取用；其余的另走一支做清洗（DuckDB 的 TRANSLATE 遇到
    非 ASCII 字符较慢，只让少数行付这个代价）。
    """
    rid = _alias(text_of(col(settings.record_key)), "rid")
    spec = settings.field_of(settings.exact_field) if settings.exact_field else None
    if spec is None:
        return exp.select(rid).from_(tbl(source))
    raw = _source(spec.column, present)
    if spec.kind != "resident_id":
        return exp.select(rid, _alias(_SIMPLE[spec.kind](raw), f"{spec.column}__v")).from_(
            tbl(source)
        )
    fast = q("REGEXP_MATCHES(COALESCE($r, ''), $canon)", r=text_of(raw), canon=CANONICAL)
    clean = id_clean_sql(raw)
    names = (f"{spec.column}__raw", f"{spec.column}__n", f"{spec.column}__c15")
    canonical = (
        exp.select(
            rid,
            _alias(text_of(raw), names[0]),
            _alias(text_of(raw), names[1]),
            _alias(exp.false(), names[2]),
        )
        .from_(tbl(source), copy=False)
        .where(fast, copy=False)
    )
    other = (
        exp.select(
            rid.copy(),
            _alias(text_of(raw), names[0]),
            _alias(id_normalize_sql(clean), names[1]),
            _alias(id_converted_sql(clean), names[2]),
        )
        .from_(tbl(source), copy=False)
        .where(exp.not_(fast.copy()), copy=False)
    )
    return exp.union(canonical, other, distinct=False, copy=False)


def facts_key_finish(settings: LinkSettings, source: str, fix: str | None) -> exp.Select:
    """第二层：并入 Python 清洗的少见写法，得到 `<号码>__v` 与 `<号码>__c15`。"""
    spec = settings.field_of(settings.exact_field) if settings.exact_field else None
    table = tbl(source).as_("f")
    if spec is None or spec.kind != "resident_id":
        return exp.select("f.*").from_(table)
    name = spec.column
    n: Column = col(f"{name}__n", "f")
    c15: Column = col(f"{name}__c15", "f")
    if fix is not None:
        n = exp.func("COALESCE", n, col("v", "x"))
        c15 = q(
            "CASE WHEN $n IS NULL THEN $xc ELSE $c END",
            n=col(f"{name}__n", "f"),
            xc=col("c15", "x"),
            c=c15,
        )
    items = [
        col("rid", "f"),
        _alias(q("NULLIF($n, '')", n=n), f"{name}__v"),
        _alias(c15, f"{name}__c15"),
    ]
    select = exp.select(*items).from_(table)
    if fix is not None:
        on = q("$a = $b", a=col(f"{name}__raw", "f"), b=col("raw", "x"))
        select = select.join(tbl(fix).as_("x"), on=on, join_type="left")
    return select


def _id_repairs(name: str, items: list[exp.Expr]) -> list[exp.Expr]:
    """每条记录算一次的号码修补（compare.resident_id_level 读）：`__ocr` 字形换回数字，
    `__pre` 残缺号码里可信的前缀。放在配对的等级表达式里，要对每一对重算一遍。"""
    value = next(item for item in items if item.alias_or_name == f"{name}__v")
    value = value.this if isinstance(value, exp.Alias) else value
    ocr = repair.ocr_sql(value.copy())
    return [
        _alias(ocr, f"{name}__ocr"),
        _alias(repair.prefix_sql(ocr.copy()), f"{name}__pre"),
    ]


def facts_select(
    settings: LinkSettings, source: str, present: set[str], keys: str, rids: exp.Query
) -> exp.Select:
    """部门记录中间表，只含要打分或作样本的记录：号码取自第一层，其余字段在此清洗；
    缺出生日期、性别、区划的从号码里读。"""
    exact = settings.exact_field
    items: list[exp.Expr] = [col("rid", "k")]
    id_value: Column | None = None
    for spec in settings.fields:
        raw = _source(spec.column, present)
        if spec.column == exact:
            items.append(col(f"{spec.column}__v", "k"))
            if spec.kind == "resident_id":
                id_value = col(f"{spec.column}__v", "k")
        elif spec.kind == "resident_id":
            value = q("NULLIF($n, '')", n=id_normalize_sql(id_clean_sql(raw)))
            items.append(_alias(value, f"{spec.column}__v"))
            id_value = id_value or value
        elif spec.kind == "chinese_name":
            items.append(_alias(_blank_to_null(raw), f"{spec.column}__raw"))
    for spec in settings.fields:
        if spec.kind == "resident_id":
            items += _id_repairs(spec.column, items)
        elif spec.kind != "chinese_name":
            value = _with_id(spec.kind, _SIMPLE[spec.kind](_source(spec.column, present)), id_value)
            items.append(_alias(value, f"{spec.column}__v"))
    on = q("k.rid = $rid", rid=text_of(col(settings.record_key, "s")))
    return (
        exp.select(*items)
        .from_(tbl(source).as_("s"), copy=False)
        .join(tbl(keys).as_("k"), on=on, copy=False)
        .where(exp.In(this=col("rid", "k"), query=rids.subquery()), copy=False)
    )
