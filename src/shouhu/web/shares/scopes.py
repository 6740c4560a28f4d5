"""每种推送用途列哪些在保儿童——一处定义，发布名单、名单页面和 docs/outbound-lists.md 都照它。

- 资助参保、资金保障、关爱服务：全部在保儿童（zhangqiu §2(七)：社会散居孤儿、事实无人抚养儿童
  全部纳入基本医保、大病保险和医疗救助；资金保障与关爱服务面向全部保障对象）。
- 教育资助：学龄儿童（满 6 周岁、未满 18 周岁），或部门报有现行在校记录的（入学日期不晚于名单日、
  尚未离校）。
- 康复救助：有现行残疾记录（残联报送的残疾人证）的儿童；证件在名单日有效（发证日期不晚于
  名单日、有效期至不早于名单日，与 core/policy/predicates.in_force 同义），不论等级。
- 户籍核实和落户：户籍状态不是“正常”的儿童（不在最新全量名单中、非本地户籍、迁出等），请公安
  核实、办理落户。
名单跟着变：儿童不再属于这一用途（如已落户、满 18 周岁、残疾证过期），下一份名单对该部门列为“停止”。
每种推送用途（purposes.toml 里 kind = "share" 的）在 SCOPE_NOTES 里都有一行；没有的用途不能发布。
"""

from __future__ import annotations

from datetime import date
from types import MappingProxyType
from typing import Final

from django.db.models import Q, QuerySet

from shouhu.core.identity.registry import REGISTERED
from shouhu.core.policy.dates import adult_cutoff, age_cutoff
from shouhu.web.cases.models import Case
from shouhu.web.exchange.choices import UNUSABLE_ACCEPTANCE
from shouhu.web.exchange.models import Fact

SCHOOL_AGE: Final = 6
ALL_CHILDREN: Final = "全部在保儿童"
SCOPE_NOTES: Final = MappingProxyType({
    "insurance_enrolment": ALL_CHILDREN,
    "funding": ALL_CHILDREN,
    "care_services": ALL_CHILDREN,
    "education_aid":
        f"学龄儿童（满 {SCHOOL_AGE} 周岁、未满 18 周岁）或教育部门报有在读记录的在保儿童",
    "rehabilitation": "有残联报送、在有效期内的残疾人证的在保儿童",
    "registry_check": "户籍状态不是“正常”的在保儿童（不在最新全量名单中、非本地户籍、迁出等）",
})  # fmt: skip


def scope_note(purpose: str) -> str:
    """这一用途列哪些儿童（中文）；不是推送用途时 KeyError——不默默当作“全部”。"""
    return SCOPE_NOTES[purpose]


def _current_fact(fact_type: str, in_force: Q) -> QuerySet[Fact]:
    usable = Fact.objects.filter(in_force, type=fact_type, is_current=True, person__isnull=False)
    return usable.exclude(acceptance__in=UNUSABLE_ACCEPTANCE)


def _started(today: date) -> Q:
    return Q(start__isnull=True) | Q(start__lte=today)


def cases_for_purpose(active: QuerySet[Case], purpose: str, today: date) -> QuerySet[Case]:
    """这一用途的名单该列的个案（active 是辖区内保障中的个案）。"""
    scope_note(purpose)  # 未定义的用途在这里出错，而不是推送全部儿童
    if purpose == "education_aid":
        school_age = Q(child__birth_date__gt=adult_cutoff(today), child__birth_date__lte=age_cutoff(
            today, SCHOOL_AGE))  # fmt: skip
        attending = _started(today) & (Q(end__isnull=True) | Q(end__gt=today))
        in_school = Q(child_id__in=_current_fact("in_school", attending).values("person_id"))
        return active.filter(school_age | in_school)
    if purpose == "rehabilitation":
        valid = _started(today) & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        certified = _current_fact("severe_disability", valid).values("person_id")
        return active.filter(child_id__in=certified)
    if purpose == "registry_check":
        return active.exclude(child__registry_status=REGISTERED)
    return active
