"""比较：每个候选对、每个字段算出一个整数等级（0 = 一方缺值，不计分）。

全部按字符比较（SUBSTRING 在 DuckDB 与 Spark 里都按字符计）：DuckDB 的 levenshtein 按字节
计数，中文姓名一个字不同就是 3，所以姓名用逐位比较和拼音，文本的编辑距离只对 ASCII 计。
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlglot import exp

from shouhu.engine.linkage import repair
from shouhu.engine.linkage.settings import FieldSpec
from shouhu.engine.linkage.sqlkit import char_at, col, mismatch_count, q, weighted_sum

LEVELS = {
    # 1 相同 · 2 差一位或相邻颠倒 · 3 差 2–3 位 · 4 其他 · 5 其他且记录的号码本身合格
    "resident_id": 6,
    "chinese_name": 6,  # 1 相同 · 2 同音 · 3 等长仅一字不同 · 4 同姓 · 5 其他
    "date": 5,  # 1 相同 · 2 差一位或月日颠倒 · 3 同年 · 4 其他
    "gender": 3,  # 1 相同 · 2 不同
    "division": 7,  # 1 同村 · 2 同乡 · 3 同县 · 4 同市 · 5 同省 · 6 其他
    "text": 5,  # 1 相同 · 2 编辑距离 1 · 3 编辑距离 2 · 4 其他
    "exact": 3,  # 1 相同 · 2 不同
}
# 与另一等级共用权重的等级：号码“相差甚远”不论记录的号码是否合格，证据一样（随机配对里的记录
# 号码都合格，单独估不出 4 的 u）；5 只另用于硬条件（见 LinkSettings.required）。
SHARED_LEVELS = {"resident_id": {5: 4}}
NAME_POSITIONS = 8  # 逐位比较前 8 个字，其余整段比较


def level_column(spec: FieldSpec) -> str:
    return f"{spec.column}__lvl"


def _swap_count(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    """相邻两位颠倒的位置个数（与差异个数 2 合用即判定为一次颠倒）。"""
    total: exp.Expr = exp.convert(0)
    for i in range(1, 18):
        term = q(
            "CASE WHEN $ai <> $bi AND $ai = $bj AND $aj = $bi THEN 1 ELSE 0 END",
            ai=char_at(a, i),
            bi=char_at(b, i),
            aj=char_at(a, i + 1),
            bj=char_at(b, i + 1),
        )
        total = exp.Add(this=total, expression=term)
    return exp.Paren(this=total)


def _far(a: exp.Expr) -> exp.Expr:
    """相差较多时：记录的号码本身能过校验（另一个真实的人的号码）为 5，否则（录坏了）为 4。
    录错一位或颠倒两位不可能过校验，所以 5 几乎不会是同一人。"""
    return q(
        "CASE WHEN REGEXP_MATCHES($a, $canon) AND $sum % 11 = 1 THEN 5 ELSE 4 END",
        a=a,
        canon="^[0-9]{17}[0-9X]$",
        sum=weighted_sum(a, 18),
    )


def resident_id_level(
    written: exp.Expr, b: exp.Expr, *, ocr: exp.Expr | None = None, prefix: exp.Expr | None = None
) -> exp.Expr:
    """written 是记录一侧（部门写的，已清洗），b 是户籍一侧（规范）。

    先按字形把字母换回数字（repair.ocr_sql），换回后才相同的算差一处（不是原样相同）；
    Excel 存坏的号码只比可信的前缀：前缀相同且含出生日期（≥ 14 位）算差 2–3 处，
    更短的前缀相同不计分（0），不同为“其他”；丢了或多了
    一位、删一位即相同的算差一处（含清洗时补了 X 的 17 位号码）。"""
    a = ocr if ocr is not None else repair.ocr_sql(written)
    prefix = prefix if prefix is not None else repair.prefix_sql(a.copy())
    return q(
        "CASE WHEN $a IS NULL OR $b IS NULL THEN 0 WHEN $w = $b THEN 1 WHEN $a = $b THEN 2"
        " WHEN $p IS NOT NULL THEN CASE WHEN SUBSTRING($b, 1, LENGTH($p)) <> $p THEN 4"
        " WHEN LENGTH($p) >= 14 THEN 3 ELSE 0 END"
        " WHEN LENGTH($a) = 17 AND LENGTH($b) = 18 THEN CASE WHEN $short THEN 2 ELSE 4 END"
        " WHEN LENGTH($a) = 19 AND LENGTH($b) = 18 THEN CASE WHEN $long THEN 2 ELSE 4 END"
        " WHEN LENGTH($a) <> 18 OR LENGTH($b) <> 18 THEN 4"
        # 丢了一位的 17 位号码，算出的校验码恰为 X 时被清洗补成 18 位（当作存成数字丢了末尾
        # 的 X）：去掉这个 X 再插一位即相同的，也是丢了一位
        " WHEN SUBSTRING($a, 18, 1) = 'X' AND SUBSTRING($b, 18, 1) <> 'X' AND $short17 THEN 2"
        # 差 3 处以内时，四段（5+5+4+4 位）中至少一段相同：先用这个便宜的条件筛掉绝大多数
        " WHEN SUBSTRING($a, 1, 5) <> SUBSTRING($b, 1, 5) AND SUBSTRING($a, 6, 5) <>"
        " SUBSTRING($b, 6, 5)"
        " AND SUBSTRING($a, 11, 4) <> SUBSTRING($b, 11, 4) AND SUBSTRING($a, 15, 4) <>"
        " SUBSTRING($b, 15, 4)"
        " THEN $far ELSE CASE WHEN $mm = 1 THEN 2"
        " WHEN $mm = 2 THEN CASE WHEN $sw > 0 THEN 2 ELSE 3 END WHEN $mm = 3 THEN 3 ELSE $far"
        " END END",
        a=a,
        w=written,
        b=b,
        p=prefix,
        short=repair.one_off_sql(a.copy(), b.copy()),
        short17=repair.one_off_sql(q("SUBSTRING($a, 1, 17)", a=a.copy()), b.copy(), 18),
        long=repair.one_off_sql(b.copy(), a.copy()),
        mm=mismatch_count(a, b, 18),
        sw=_swap_count(a, b),
        far=_far(a),
    )


def chinese_name_level(f: Mapping[str, exp.Expr], p: Mapping[str, exp.Expr]) -> exp.Expr:
    """f/p：两边的 norm、pinyin、skey、chars 列（f 是记录一侧）。"""
    a, b = f["chars"], p["chars"]
    return q(
        "CASE WHEN $fn IS NULL OR $pn IS NULL THEN 0 WHEN $fn = $pn THEN 1"
        " WHEN $fp = $pp THEN 2"
        # 仅一字不同：等长，且首字相同或其余相同（便宜的前置条件，随机配对大多在此止步）
        " WHEN LENGTH($a) = LENGTH($b) AND (SUBSTRING($a, 1, 1) = SUBSTRING($b, 1, 1)"
        " OR SUBSTRING($a, 2) = SUBSTRING($b, 2)) THEN CASE WHEN $mm + CASE WHEN"
        " SUBSTRING($a, $tail) = SUBSTRING($b, $tail) THEN 0 ELSE 2 END = 1 THEN 3"
        " WHEN $fs = $ps THEN 4 ELSE 5 END"
        # 长名字（复姓、少数民族姓名）被系统截断，或漏写一个字：短的一方至少 3 字
        " WHEN LENGTH($a) >= 4 AND LENGTH($b) > LENGTH($a) AND SUBSTRING($b, 1, LENGTH($a)) = $a"
        " THEN 3"
        " WHEN LENGTH($b) >= 4 AND LENGTH($a) = LENGTH($b) - 1 AND $dropped THEN 3"
        " WHEN $fs = $ps THEN 4 ELSE 5 END",
        fn=f["norm"],
        pn=p["norm"],
        fp=f["pinyin"],
        pp=p["pinyin"],
        fs=f["skey"],
        ps=p["skey"],
        a=a,
        b=b,
        mm=mismatch_count(a, b, NAME_POSITIONS),
        tail=NAME_POSITIONS + 1,
        dropped=repair.one_off_sql(a.copy(), b.copy(), NAME_POSITIONS),
    )


def date_level(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return q(
        "CASE WHEN $a IS NULL OR $b IS NULL THEN 0 WHEN $a = $b THEN 1"
        " WHEN SUBSTRING($a, 1, 4) <> SUBSTRING($b, 1, 4) AND SUBSTRING($a, 5, 4) <>"
        " SUBSTRING($b, 5, 4)"
        " THEN 4 WHEN $mm = 1 OR (SUBSTRING($a, 1, 4) = SUBSTRING($b, 1, 4)"
        " AND SUBSTRING($a, 5, 2) = SUBSTRING($b, 7, 2) AND SUBSTRING($a, 7, 2) = SUBSTRING($b,"
        " 5, 2))"
        " THEN 2 WHEN SUBSTRING($a, 1, 4) = SUBSTRING($b, 1, 4) THEN 3 ELSE 4 END",
        a=a,
        b=b,
        mm=mismatch_count(a, b, 8),
    )


def division_level(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return q(
        "CASE WHEN $a IS NULL OR $b IS NULL THEN 0"
        " WHEN LENGTH($a) >= 12 AND LENGTH($b) >= 12 AND SUBSTRING($a, 1, 12) = SUBSTRING($b, 1,"
        " 12) THEN 1"
        " WHEN LENGTH($a) >= 9 AND LENGTH($b) >= 9 AND SUBSTRING($a, 1, 9) = SUBSTRING($b, 1, 9)"
        " THEN 2"
        " WHEN SUBSTRING($a, 1, 6) = SUBSTRING($b, 1, 6) THEN 3"
        " WHEN SUBSTRING($a, 1, 4) = SUBSTRING($b, 1, 4) THEN 4"
        " WHEN SUBSTRING($a, 1, 2) = SUBSTRING($b, 1, 2) THEN 5 ELSE 6 END",
        a=a,
        b=b,
    )


def text_level(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return q(
        "CASE WHEN $a IS NULL OR $b IS NULL THEN 0 WHEN $a = $b THEN 1"
        " WHEN NOT REGEXP_MATCHES($a || $b, '^[ -~]*$') THEN 4"
        " WHEN LEVENSHTEIN($a, $b) <= 1 THEN 2 WHEN LEVENSHTEIN($a, $b) <= 2 THEN 3 ELSE 4 END",
        a=a,
        b=b,
    )


def exact_level(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return q("CASE WHEN $a IS NULL OR $b IS NULL THEN 0 WHEN $a = $b THEN 1 ELSE 2 END", a=a, b=b)


_PAIRWISE: dict[str, Callable[[exp.Expr, exp.Expr], exp.Expr]] = {  # 号码另算（level_sql）
    "date": date_level,
    "gender": exact_level,
    "division": division_level,
    "text": text_level,
    "exact": exact_level,
}
NAME_PARTS = ("norm", "pinyin", "skey", "chars")


def level_sql(spec: FieldSpec, fact: str, person: str, fnames: str, pnames: str) -> exp.Expr:
    """一个字段的等级表达式。fact/person：两边中间表的别名；fnames/pnames：姓名特征表别名。"""
    if spec.kind == "chinese_name":
        f = {part: col(f"{spec.column}__{part}", fnames) for part in NAME_PARTS}
        p = {part: col(f"{spec.column}__{part}", pnames) for part in NAME_PARTS}
        return chinese_name_level(f, p)
    value = f"{spec.column}__v"
    if spec.kind == "resident_id":  # 记录一侧的修补每条记录算一次（prepare.facts_select）
        ocr, prefix = col(f"{spec.column}__ocr", fact), col(f"{spec.column}__pre", fact)
        return resident_id_level(col(value, fact), col(value, person), ocr=ocr, prefix=prefix)
    return _PAIRWISE[spec.kind](col(value, fact), col(value, person))
