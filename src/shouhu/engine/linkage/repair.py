"""部门号码与日期的“修补”：清洗之后仍不规范、但还能看出本来是谁的写法（docs/dirty-data.md）。

清洗（prepare.py，与 core 的 normalize_id_number 一致）只做不改变含义的事；这里的修补是
猜测，只用于找候选和比较等级，从不当作号码本身：
- 扫描识别把数字认成字母（O/D/Q→0、I/l/|→1、Z→2、S→5、G→6、B→8）、末位 X 写成 *：
  比较前按字形换回数字（ocr_sql）；
- Excel 把号码存成数字：只剩 15 位有效数字、后三位成 000（“zeroed”），或写成科学计数
  1.50802E+17：只有前几位可信（prefix_sql）。前 14 位在时，出生日期与县还读得出；
- 丢了一位（17 位）或多了一位（19 位）：插入或删去一位、过得了校验的号码作为候选
  （blocking.near_length_select），比较时“删一位即相同”算差一处（one_off_sql）。
- 日期：2010-1-5、2010/1/5、2010.1.5、2010年1月5日、20100105、Excel 序列号（1900 日期系统，
  1899-12-30 为 0）一律读成 YYYYMMDD（date_digits_sql）。月日颠倒由日期等级容忍。
"""

from __future__ import annotations

from sqlglot import exp

from shouhu.engine.linkage.sqlkit import q, weighted_sum

OCR_FROM = "OoDQIl|ZzSsGB*"
OCR_TO = "0000111225568X"
# Excel 序列号只认 1930–2063 年之间的（10959–59999）：更小的多半是别的数
SERIAL_RANGE = (10959, 59999)


def ocr_sql(value: exp.Expr) -> exp.Expr:
    """字形相近的字母换回数字（只对含字母的号码有作用；纯数字原样）。"""
    return q("TRANSLATE($v, $src, $dst)", v=value, src=OCR_FROM, dst=OCR_TO)


def zeroed_sql(value: exp.Expr) -> exp.Expr:
    """18 位、末三位 000、过不了校验：Excel 只存了前 15 位有效数字。"""
    return q(
        "REGEXP_MATCHES($v, '^[0-9]{15}000$') AND $sum % 11 <> 1",
        v=value,
        sum=weighted_sum(value, 18),
    )


def prefix_sql(value: exp.Expr) -> exp.Expr:
    """残缺号码里可信的前缀；不残缺（或缺值）为 NULL。

    科学计数法经清洗后形如 150802E+17（小数点已去）：尾数就是号码的前几位。"""
    return q(
        "CASE WHEN $v IS NULL THEN NULL WHEN $zeroed THEN SUBSTRING($v, 1, 15)"
        " WHEN REGEXP_MATCHES($v, '^[0-9]{1,16}[Ee][+]?17$')"
        " THEN REGEXP_EXTRACT($v, '^([0-9]+)', 1) END",
        v=value,
        zeroed=zeroed_sql(value),
    )


def one_off_sql(short: exp.Expr, long: exp.Expr, positions: int = 19) -> exp.Expr:
    """long 删去前 positions 位中的某一位即得 short（long 比 short 多一位；调用方保证长度）。"""
    terms = [
        q(
            "SUBSTRING($l, 1, $i - 1) || SUBSTRING($l, $i + 1) = $s",
            l=long,
            s=short,
            i=i,
        )
        for i in range(1, positions + 1)
    ]
    return exp.Paren(this=exp.or_(*terms))


def date_digits_sql(raw: exp.Expr) -> exp.Expr:
    """各种日期写法 → YYYYMMDD 文本；认不出的为 NULL（不核对日期是否存在，比较只看字符）。"""
    t = q("TRIM(CAST($v AS VARCHAR))", v=raw)
    parts = "^([0-9]{4})[^0-9]{1,2}([0-9]{1,2})[^0-9]{1,2}([0-9]{1,2})"
    serial = q(
        "STRFTIME(CAST('1899-12-30' AS DATE) + CAST(CAST($t AS DOUBLE) AS INT), '%Y%m%d')", t=t
    )
    return q(
        "CASE WHEN REGEXP_MATCHES($t, '^[0-9]{8}([^0-9]|$)') THEN SUBSTRING($t, 1, 8)"
        " WHEN REGEXP_MATCHES($t, $parts) THEN REGEXP_EXTRACT($t, $parts, 1)"
        " || LPAD(REGEXP_EXTRACT($t, $parts, 2), 2, '0') || LPAD(REGEXP_EXTRACT($t, $parts, 3), 2,"
        " '0')"
        " WHEN REGEXP_MATCHES($t, '^[0-9]{5}([.]0+)?$')"
        " AND CAST(CAST($t AS DOUBLE) AS INT) BETWEEN $lo AND $hi THEN $serial END",
        t=t,
        parts=parts,
        lo=SERIAL_RANGE[0],
        hi=SERIAL_RANGE[1],
        serial=serial,
    )


def date_iso_sql(raw: exp.Expr) -> exp.Expr:
    """同上，写成 YYYY-MM-DD（规则的日期字段用）。"""
    d = date_digits_sql(raw)
    return q("SUBSTRING($d, 1, 4) || '-' || SUBSTRING($d, 5, 2) || '-' || SUBSTRING($d, 7, 2)", d=d)
