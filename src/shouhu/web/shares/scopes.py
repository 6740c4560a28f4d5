"""每种推送用途列哪些在保儿童——一处定义，发布名单、名单页面和 docs/outbound-lists.md 都照它。

- 资助参保、资金保障、关爱服务：全部在保儿童（zhangqiu §2(七)：社会散居孤儿、事实无人抚养儿童
  全部纳入基本医保、大病保险和医疗救助；资金保障与关爱服务面向全部保障对象）。
- 教育资助：学龄儿童（满 6 周岁、未满 18 周岁），或部门报有现行在校记录的。
- 康复救助：有现行重度残疾记录（残联报送的残疾证）的儿童。
- 户籍核实和落户：户籍状态不是“正常”的儿童（不在最新全量名单中、非本地户籍、迁出等），请公安
  核实、办理落户。
名单跟着变：儿童不再属于这一用途（如已落户、满 18 周岁），下一份名单对该部门列为“停止”。
"""

from __future__ import annotations

from datetime import date
from types import MappingProxyType
from typing import Final

from django.db.models import Q, QuerySet

from shouhu.core.identity.registry import REGISTERED
from shouhu.core.policy.dates import adult_cutoff
from shouhu.web.cases.models import Case
from shouhu.web.exchange.choices import UNUSABLE_ACCEPTANCE
from shouhu.web.exchange.models import Fact

SCHOOL_AGE: Final = 6
ALL_CHILDREN: Final = "全部在保儿童"
SCOPE_NOTES: Final = MappingProxyType({
    "insurance_enrolment": ALL_CHILDREN,
    "funding": ALL_CHILDREN,
    "care_services": ALL_CHILDREN,
    "education_aid": f"学龄儿童（满 {SCHOOL_AGE} 周岁、未满 18 周岁）或有在校记录的在保儿童",
    "rehabilitation": "有重度残疾记录（残疾证）的在保儿童",
    "registry_check": "户籍状态不是“正常”的在保儿童（不在最新全量名单中、非本地户籍、迁出等）",
})  # fmt: skip


def scope_note(purpose: str) -> str:
    return SCOPE_NOTES.get(purpose, ALL_CHILDREN)


def _current_fact(fact_type: str) -> QuerySet[Fact]:
    usable = Fact.objects.filter(type=fact_type, is_current=True, person__isnull=False)
    return usable.exclude(acceptance__in=UNUSABLE_ACCEPTANCE)


def cases_for_purpose(active: QuerySet[Case], purpose: str, today: date) -> QuerySet[Case]:
    """这一用途的名单该列的个案（active 是辖区内保障中的个案）。"""
    if purpose == "education_aid":
        school_age = Q(child__birth_date__gt=adult_cutoff(today), child__birth_date__lte=_years_ago(
            today, SCHOOL_AGE))  # fmt: skip
        in_school = Q(child_id__in=_current_fact("in_school").values("person_id"))
        return active.filter(school_age | in_school)
    if purpose == "rehabilitation":
        return active.filter(child_id__in=_current_fact("severe_disability").values("person_id"))
    if purpose == "registry_check":
        return active.exclude(child__registry_status=REGISTERED)
    return active


def _years_ago(today: date, years: int) -> date:
    """满 years 周岁的人出生不晚于这一天（today 是2月29日而那年不是闰年时取2月28日）。"""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return date(today.year - years, 2, 28)
