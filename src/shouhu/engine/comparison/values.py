"""compare-format 的取值写法 → 规则要的类型（SQL 表达式，DuckDB 与 Spark 结果相同）。

单元格先一律转成文本再解析：文件里读来的是文本，平台传来的 Arrow 表可能已是日期、布尔或整数，
转成文本后两者走同一条路。空单元格（空串或只有空白）一律视为缺失。

- 日期：ISO `YYYY-MM-DD`；部门常写的 2010/1/5、2010.1.5、2010年1月5日、20100105、Excel 序列号
  也认（linkage.repair.date_iso_sql，年在前才认，不猜日月次序）；2 月 30 日之类的不存在的
  日期视为缺失；
- 布尔：`true`/`false`（不分大小写）、`1`/`0`、`是`/`否`；其他写法视为缺失；
- 代码（事实类型、类别、状态）：去空白、转小写；
- 其他文本（等级、病种）：去首尾空白。
"""

from __future__ import annotations

from sqlglot import exp

from shouhu.engine.linkage import repair
from shouhu.engine.linkage.sqlkit import q

TRUE_WORDS = ("true", "1", "是")
FALSE_WORDS = ("false", "0", "否")


def text_sql(value: exp.Expr) -> exp.Expr:
    """去首尾空白；空串为 NULL。"""
    return q("NULLIF(TRIM(CAST($v AS VARCHAR)), '')", v=value)


def code_sql(value: exp.Expr) -> exp.Expr:
    return q("LOWER($t)", t=text_sql(value))


def date_sql(value: exp.Expr) -> exp.Expr:
    """ISO 日期 → DATE；形状不对或日期不存在 → NULL。形状用 LIKE 查（比正则便宜）：
    10 个字符、第 5 和第 8 个是连字符；其余位置不是数字的，TRY_CAST 在两种引擎上都得 NULL。"""
    return q(
        "CASE WHEN $t LIKE '____-__-__' THEN TRY_CAST($t AS DATE) WHEN $t IS NOT NULL"
        " THEN TRY_CAST($other AS DATE) END",
        t=text_sql(value),
        other=repair.date_iso_sql(text_sql(value)),
    )


def bool_sql(value: exp.Expr) -> exp.Expr:
    return q(
        "CASE WHEN $c IN ($t1, $t2, $t3) THEN TRUE WHEN $c IN ($f1, $f2, $f3) THEN FALSE END",
        c=code_sql(value),
        t1=TRUE_WORDS[0],
        t2=TRUE_WORDS[1],
        t3=TRUE_WORDS[2],
        f1=FALSE_WORDS[0],
        f2=FALSE_WORDS[1],
        f3=FALSE_WORDS[2],
    )


def id_sql(value: exp.Expr) -> exp.Expr:
    """户籍与台账里的号码（基准，假定正确）：去空白、转大写。"""
    return q("UPPER($t)", t=text_sql(value))
