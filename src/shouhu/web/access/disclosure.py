"""一条事实可以给这个用户看多少：看不到（none）、概况（exists）、详情（detail）。

人员在不在用户辖区内由 `persons.py` 判断；这里判断看到的程度：
- 按共享授权（`grants.Grant`）：用户所在部门（或该类型的所有部门）、角色、数据项、用途；
- 内部数据不必说明用途；敏感数据看详情须先说明用途，且该用途在授权之内，否则最多看概况；
- 不在用户辖区内的父母（儿童的认定仍要用他们的事实），最多看概况（修复 H1）；
- 监护人未同意的艾滋病病毒感染情况，只有卫生健康部门和县级民政经办可见（《艾滋病防治条例》
  第三十九条），其他人连概况也没有。
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Final

from django.db.models import Q
from django.utils import timezone

from shouhu.core.catalog import DataItem, Sensitivity, catalog_load
from shouhu.core.policy.vocabulary import (
    CASE_CATEGORY_LABELS,
    ORPHAN_TYPE_LABELS,
    SENSITIVE_CASE_CATEGORIES,
)
from shouhu.web.accounts.models import Agency, User
from shouhu.web.accounts.permissions import Role
from shouhu.web.exchange.models import Fact
from shouhu.web.grants.models import Grant

NONE: Final = "none"
EXISTS: Final = "exists"
DETAIL: Final = "detail"
_RANK: Final = {NONE: 0, EXISTS: 1, DETAIL: 2}
CONSENT_GUARDED: Final = frozenset({"hiv_infected"})
# 个案类别本身就说出一条敏感事实的：类别 → 事实类型（安全复测：儿童主任、督导员从“艾滋病病毒
# 感染儿童”这一类别得知感染）。看不到其中任何一种事实的人，每个个案的类别都只显示为“保障对象”
# （`category_text`）：只替换感染儿童的类别时，“困境儿童”只出现在不是孤儿、不是事实无人抚养
# 儿童的个案上，仍能推出感染。
WITHHELD_CATEGORY: Final = "保障对象"
# 看不到真实类别的人，在保儿童的资格认定结论一律读作这一句（`outcome_withheld`）：感染儿童在保却
# “不符合”，与“保障对象”并读就说出了感染。
IN_CARE_OUTCOME: Final = f"在保（{WITHHELD_CATEGORY}）"


def _lower(a: str, b: str) -> str:
    return a if _RANK[a] <= _RANK[b] else b


def _higher(a: str, b: str) -> str:
    return a if _RANK[a] >= _RANK[b] else b


@dataclass
class Disclosure:
    """一个用户在一次查看中的授权表：(数据项, 用途) → 程度。每个请求建一次。"""

    user: User
    purpose: str | None  # 用户说明的用途；None 表示还没有说明
    levels: dict[tuple[str, str], str] = field(default_factory=dict)
    # `categories_shown` 的结果：按人定，一次查看里只算一次（名单、列表每行都要问）
    categories: bool | None = field(default=None, repr=False)

    def granted(self, item_code: str, purpose: str | None) -> str:
        if purpose is not None:
            return self.levels.get((item_code, purpose), NONE)
        found = NONE
        for (code, _), level in self.levels.items():
            if code == item_code:
                found = _higher(found, level)
        return found

    def purposes_with_detail(self, item_codes: Iterable[str]) -> list[str]:
        """可以说明的用途：让这些数据项中至少一项能看详情的用途。"""
        wanted = set(item_codes)
        return sorted(
            {p for (code, p), level in self.levels.items() if code in wanted and level == DETAIL}
        )


def disclosure_for(user: User, *, purpose: str | None = None) -> Disclosure:
    """用户当前有效的授权（按部门、部门类型和角色筛出），供这一次查看用。"""
    today = timezone.localdate()
    agency = user.agency
    disclosure = Disclosure(user=user, purpose=purpose)
    if agency is None:
        return disclosure
    grants = Grant.objects.filter(
        Q(agency__isnull=True) | Q(agency=agency), agency_type=agency.agency_type,
        revoked_at__isnull=True,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))  # fmt: skip
    # 一个部门类型有上百条授权，每个儿童页面、名单都要读一遍：只取四列，不建模型实例
    levels = disclosure.levels
    for item_code, purpose, roles, level in grants.values_list(
        "item_code", "purpose", "roles", "level"
    ):
        if user.role in roles:
            key = (item_code, purpose)
            levels[key] = _higher(levels.get(key, NONE), level)
    return disclosure


def disclosure_for_agency(agency: Agency, role: str) -> Disclosure:
    """一个部门的某一角色的授权表（发给部门的推送名单按它定，不按发布名单的经办人员）。"""
    return disclosure_for(User(agency=agency, role=role, division=agency.division))


@cache
def _items_by_type(region: str) -> dict[str, tuple[DataItem, ...]]:
    by_type: dict[str, list[DataItem]] = {}
    for item in catalog_load(region or None).items:
        for fact_type in item.fact_types:
            by_type.setdefault(fact_type, []).append(item)
    return {t: tuple(items) for t, items in by_type.items()}


def fact_items(fact: Fact) -> tuple[DataItem, ...]:
    """事实来自哪个数据项；没有报送批次的（人工录入等）按可能产生它的所有数据项，取最严的。"""
    region = fact.agency.division_id[:6] if fact.agency_id else ""
    if fact.submission_id is not None and fact.submission is not None:
        for item in catalog_load(region or None).items:
            if item.code == fact.submission.item_code:
                return (item,)
    return _items_by_type(region).get(fact.type, ())


def _consent_allows(user: User, fact: Fact) -> bool:
    if fact.type not in CONSENT_GUARDED or fact.consent is True:
        return True
    agency_type = user.agency.agency_type if user.agency else ""
    county_caseworker = user.role == Role.CASEWORKER and user.division.level == "county"
    return agency_type == "health" or (agency_type == "civil_affairs" and county_caseworker)


def fact_level(disclosure: Disclosure, fact: Fact, *, in_scope: bool = True) -> str:
    """这个用户在这次查看中对这条事实能看到多少。"""
    if not _consent_allows(disclosure.user, fact):
        return NONE
    items = fact_items(fact)
    if not items:
        return NONE
    level = DETAIL
    for item in items:
        any_purpose = disclosure.granted(item.code, None)
        if item.sensitivity == Sensitivity.INTERNAL:
            granted = any_purpose
        else:  # 敏感数据：详情只在说明了、且授权了的用途下；否则最多概况
            stated = (
                disclosure.granted(item.code, disclosure.purpose) if disclosure.purpose else NONE
            )
            granted = _higher(stated, _lower(any_purpose, EXISTS))
        level = _lower(level, granted)
    return level if in_scope else _lower(level, EXISTS)


def categories_shown(disclosure: Disclosure) -> bool:
    """这个用户能否看到个案的真实类别——按人定，对每个个案都一样。

    说出敏感事实的类别（`SENSITIVE_CASE_CATEGORIES`），按这条事实的授权、并当作监护人没有同意来判断：
    监护人同意与否只影响事实栏里能不能看到这条事实，不影响类别。否则同一个用户在同意的儿童上
    看到真实类别、在未同意的儿童上看到统一的说法，这个差别本身就说出了感染。"""
    if disclosure.categories is None:
        disclosure.categories = all(
            fact_level(disclosure, Fact(type=fact_type, consent=False)) != NONE
            for fact_type in SENSITIVE_CASE_CATEGORIES.values()
        )
    return disclosure.categories


def category_text(disclosure: Disclosure, category: str, orphan_type: str = "") -> str:
    """个案（或申请、比对发现）的类别给这个用户看的文字。

    能看到真实类别的（`categories_shown`），看真实类别（孤儿给出孤儿类型时显示散居孤儿、
    集中养育孤儿）；不能的，每个个案都显示同一个“保障对象”，孤儿、事实无人抚养儿童也一样——
    只替换感染儿童的类别，替换的说法就成了感染的暗号。没有类别时为空。"""
    if not category:
        return ""
    if not categories_shown(disclosure):
        return WITHHELD_CATEGORY
    if category == "orphan" and orphan_type in ORPHAN_TYPE_LABELS:
        return ORPHAN_TYPE_LABELS[orphan_type]
    return CASE_CATEGORY_LABELS.get(category, "")


def outcome_withheld(disclosure: Disclosure, *, in_care: bool) -> bool:
    """资格认定的结论（符合孤儿条件、不符合……）要不要对这个用户换成 `IN_CARE_OUTCOME`。

    与 `category_text` 同一条规则、按人定：看不到真实类别的人，每个在保儿童（有保障中的个案）的
    结论都读作同一句，孤儿、事实无人抚养儿童也一样。不在保的儿童照常显示规则的结论（他们没有
    类别可以对照）。"""
    return in_care and not categories_shown(disclosure)
