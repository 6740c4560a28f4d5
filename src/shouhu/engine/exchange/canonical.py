"""规范写法的快速判断：由数据项的字段定义（FieldSpec）生成 DuckDB SQL。

一行的每个单元格都已是规范写法（身份证号 18 位且校验位对、日期 2026-01-05、代码表中的代码或
名称、区划代码 6/9/12 位……）时，SQL 直接给出规范值；否则整行交给 `RowValidator` 逐格判断，
所以怪写法（全角数字、15 位号码、2026/1/5）和错误的说法只有一个定义。SQL 只认得写法的一个
子集：它放行的值，逐行校验也会原样接受（差分测试验证这一点）。

SQL 由 sqlglot 的表达式拼成，值（代码表文本、省级代码）一律作为字面量转义。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlglot import exp

from shouhu.core.catalog import DataItem, FieldSpec, FieldType
from shouhu.core.exchange.values import make_parser
from shouhu.core.identity.divisions import province_prefixes
from shouhu.core.identity.id_number import CHECK_CHARS, ID_WEIGHTS

_TEXT_CHARS: Final = r"[\p{L}\p{N}\p{P}\p{S}]+"  # 不含空白、控制字符和零宽字符
_NAME_CHARS: Final = r"[\p{L}·]+"
_LETTER: Final = r"\p{L}"
_ISO_DATE: Final = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_EARLIEST: Final = date(1900, 1, 1)
_LATEST: Final = date(2100, 12, 31)


@dataclass(frozen=True, slots=True)
class SourceColumn:
    """文件中的一列（DuckDB 中的列名）和它对应的字段。"""

    name: str
    spec: FieldSpec


def lit(value: str) -> str:
    return exp.Literal.string(value).sql("duckdb")


def ident(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql("duckdb")


def canonical_select(
    item: DataItem, columns: list[SourceColumn], example: dict[str, str], today: date
) -> str:
    """`SELECT __row, <各字段的规范值>, __ok FROM batch`：__ok 为真的行不必再逐行校验。"""
    mapped = {c.spec.key: c for c in columns}
    values = ["__row"]
    oks: list[str] = []
    for spec in item.fields:
        column = mapped.get(spec.key)
        if column is None:
            kind = "DATE" if spec.type is FieldType.DATE else "VARCHAR"
            values.append(f"CAST(NULL AS {kind}) AS {ident(spec.key)}")
            if spec.type is FieldType.ID_NUMBER:
                values.append(f"FALSE AS {ident(spec.key + '__valid')}")
            continue
        src = ident(column.name)
        absent = f"({src} IS NULL OR {src} = '')"
        ok = _ok(spec, src, today)
        value = _value(spec, src)
        values.append(f"CASE WHEN {absent} THEN NULL ELSE {value} END AS {ident(spec.key)}")
        oks.append(f"({ok})" if spec.required else f"({absent} OR ({ok}))")
        if spec.type is FieldType.ID_NUMBER:
            values.append(f"NOT {absent} AS {ident(spec.key + '__valid')}")
    is_example = " AND ".join(
        f"coalesce({ident(c.name)}, '') = {lit(example.get(c.spec.key, ''))}" for c in columns
    )
    ok_all = " AND ".join(oks) or "TRUE"
    values.append(f"(({ok_all}) AND NOT ({is_example})) AS __ok")
    return f"SELECT {', '.join(values)} FROM batch"


def _ok(spec: FieldSpec, src: str, today: date) -> str:
    kind = spec.type
    longest = f" AND length({src}) <= {spec.max_length}" if spec.max_length is not None else ""
    if kind is FieldType.ID_NUMBER:
        return id_number_ok(src, today)
    if kind is FieldType.NAME:
        return (
            f"regexp_full_match({src}, {lit(_NAME_CHARS)}) "
            f"AND regexp_matches({src}, {lit(_LETTER)}){longest}"
        )
    if kind is FieldType.TEXT:
        return f"regexp_full_match({src}, {lit(_TEXT_CHARS)}){longest}"
    if kind is FieldType.DATE:
        day = f"try_strptime({src}, '%Y-%m-%d')"
        return (
            f"regexp_full_match({src}, {lit(_ISO_DATE)}) AND {day} IS NOT NULL AND "
            f"CAST({day} AS DATE) BETWEEN DATE {lit(_EARLIEST.isoformat())} "
            f"AND DATE {lit(_LATEST.isoformat())}"
        )
    if kind is FieldType.CODE:
        texts = ", ".join(lit(text) for text in code_texts(spec))
        return f"{src} IN ({texts})" if texts else "FALSE"
    if kind is FieldType.DIVISION_CODE:
        return (
            f"regexp_full_match({src}, '[0-9]{{6}}|[0-9]{{9}}|[0-9]{{12}}') "
            f"AND NOT (length({src}) > 6 AND suffix({src}, '000'))"
        )
    return "FALSE"  # 布尔、整数等：本快速路径不认，逐行校验


def _value(spec: FieldSpec, src: str) -> str:
    if spec.type is FieldType.DATE:
        return f"TRY_CAST({src} AS DATE)"
    if spec.type is FieldType.CODE:
        cases = " ".join(f"WHEN {lit(t)} THEN {lit(c)}" for t, c in code_texts(spec).items())
        return f"CASE {src} {cases} END" if cases else "NULL"
    return src


def code_texts(spec: FieldSpec) -> dict[str, str]:
    """代码列可原样接受的写法 → 代码：代码、名称和别名中，本项目的解析函数认得的那些。"""
    assert spec.code_list is not None
    parse = make_parser(spec)
    out: dict[str, str] = {}
    for option in spec.code_list.options:
        for text in (option.code, option.label, *option.aliases):
            if parse(text) == option.code:
                out[text] = option.code
    return out


def id_number_ok(src: str, today: date) -> str:
    """GB 11643：18 位、省级代码真实、出生日期在 1900-01-01 至今天之间、加权和 mod 11 为 1。"""
    digits = " + ".join(
        f"{w} * TRY_CAST(substr({src}, {i + 1}, 1) AS INTEGER)"
        for i, w in enumerate(ID_WEIGHTS[:17])
    )
    born = f"try_strptime(substr({src}, 7, 8), '%Y%m%d')"
    provinces = ", ".join(lit(p) for p in sorted(province_prefixes()))
    return (
        f"regexp_full_match({src}, '[0-9]{{17}}[0-9X]') "
        f"AND substr({src}, 1, 2) IN ({provinces}) "
        f"AND {born} IS NOT NULL "
        f"AND CAST({born} AS DATE) BETWEEN DATE {lit(_EARLIEST.isoformat())} "
        f"AND DATE {lit(today.isoformat())} "
        f"AND {lit(CHECK_CHARS)}[coalesce(({digits}) % 11, 11) + 1] = substr({src}, 18, 1)"
    )
