"""事实级谓词：一条事实在 as_of 是否有效（in force）、是否“符合”（docs/rules.md §2、§3）。

都是表达式（expr.py），缺字段时按三值逻辑得到“未知”，由 rules.py 两种情况各判一次。
"""

from __future__ import annotations

from functools import cache

from shouhu.core.policy import thresholds
from shouhu.core.policy.expr import (
    AddMonths,
    Case,
    CaseField,
    Expr,
    Field,
    InSet,
    IsNull,
    Lit,
    OnList,
    and_,
    coalesce,
    eq,
    is_true,
    le,
    lt,
    or_,
)
from shouhu.core.policy.vocabulary import RESTRICTION_TYPES

AS_OF = CaseField("as_of")
SEVERE_ILLNESS_LIST = "severe_illness.list"
SCHOOL_LEVELS_LIST = "past_18_in_school.levels"

_DATE = Field("date")
_START = Field("start")
_END = Field("end")


def _before_end() -> Expr:
    return or_(IsNull(_END), lt(AS_OF, _END))


def _date_reached() -> Expr:
    return le(_DATE, AS_OF)


def _open_start() -> Expr:
    return or_(IsNull(_START), le(_START, AS_OF))


@cache
def in_force(fact_type: str) -> Expr:
    """事实在 as_of 是否有效；缺决定所需的日期时为未知。"""
    if fact_type in ("deceased", "adopted", "parents_unknown"):
        return _date_reached()
    if fact_type in ("declared_dead", "declared_missing", "guardianship_revoked", "deported"):
        return and_(_date_reached(), _before_end())
    if fact_type == "severe_disability":
        valid_until = Field("valid_until")
        return and_(_open_start(), or_(IsNull(valid_until), le(AS_OF, valid_until)))
    if fact_type == "severe_illness":
        return and_(_open_start(), _before_end())
    if fact_type in RESTRICTION_TYPES:
        # 无期徒刑没有截止日；既无 end 又非无期时“是否仍在服刑”未知
        return and_(le(_START, AS_OF), or_(is_true(Field("life")), lt(AS_OF, _END)))
    if fact_type == "hiv_infected":
        return or_(IsNull(_DATE), le(_DATE, AS_OF))
    # lost_contact、institutional_care、in_school、low_income、extreme_poverty、poverty_monitoring
    return and_(le(_START, AS_OF), _before_end())


@cache
def qualifies(fact_type: str) -> Expr:
    """有效且满足 §3 的条件（重残等级、重病目录、期限6个月以上、失联满6个月……）。"""
    base = in_force(fact_type)
    if fact_type == "severe_disability":
        return and_(base, _severe_disability())
    if fact_type == "severe_illness":
        listed = OnList(Field("disease"), SEVERE_ILLNESS_LIST)
        return and_(base, coalesce(Field("qualifying"), listed))
    if fact_type in RESTRICTION_TYPES:
        long_enough = le(AddMonths(_START, thresholds.RESTRICTION_MONTHS), _END)
        return and_(base, or_(is_true(Field("life")), long_enough))
    if fact_type == "lost_contact":
        return and_(base, le(AddMonths(_START, thresholds.LOST_CONTACT_MONTHS), AS_OF))
    if fact_type == "in_school":
        return and_(base, OnList(Field("level"), SCHOOL_LEVELS_LIST))
    return base


def _severe_disability() -> Expr:
    """等级和类别合乎 thresholds.SEVERE_DISABILITY；缺等级（或需要时缺类别）为未知。"""
    rule, level, category = thresholds.SEVERE_DISABILITY, Field("level"), Field("category")
    return or_(
        InSet(level, rule.any_category_levels),
        and_(InSet(level, rule.some_levels), InSet(category, rule.some_categories)),
    )


def hiv_consented() -> Expr:
    return and_(in_force("hiv_infected"), is_true(Field("consent")))


def by_type(preds: dict[str, Expr]) -> Expr:
    """按事实类型分派的谓词（用于跨类型的聚合）。"""
    whens = tuple((eq(Field("type"), Lit(t)), p) for t, p in preds.items())
    return Case(whens, Lit(None))
