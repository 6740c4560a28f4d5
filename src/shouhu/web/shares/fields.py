"""名单上的字段：哪些字段获授权（共享授权的 `fields`），以及每个字段从个案里怎么取值。

字段的代码和中文表头在 `grants.defaults.SHARE_FIELDS`（一处定义）；这里给每个代码一个取值
函数。名单只带授权里列出的字段——多一个也不带。
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from django.db.models import Q
from django.utils import timezone

from shouhu.web import access
from shouhu.web.accounts.models import Agency
from shouhu.web.accounts.permissions import Role
from shouhu.web.cases.models import CareArrangement, Case, Category, Placement
from shouhu.web.grants.defaults import SHARE_FIELDS, SHARE_ITEM
from shouhu.web.grants.models import Grant
from shouhu.web.registry.models import Gender


def _carer(case: Case) -> CareArrangement | None:
    current = [c for c in case.care_arrangements.all() if c.ended_on is None]
    return current[0] if current else None


def _iso(value: object) -> str:
    return value.isoformat() if value is not None else ""  # type: ignore[attr-defined]


_CATEGORY: Final = dict(Category.choices)
_PLACEMENT: Final = dict(Placement.choices)
_GENDER: Final = dict(Gender.choices)

EXTRACTORS: Final[dict[str, Callable[[Case], str]]] = {
    "name": lambda c: c.child.name,
    "id_number": lambda c: c.child.id_number or "",
    "gender": lambda c: str(_GENDER.get(c.child.gender, "")),
    "birth_date": lambda c: _iso(c.child.birth_date),
    "category": lambda c: str(_CATEGORY.get(c.category, "")),
    "division": lambda c: c.child.division.name,
    "opened_on": lambda c: _iso(c.opened_on),
    "closed_on": lambda c: _iso(c.closed_on),
    "placement": lambda c: str(_PLACEMENT.get(c.placement, "")),
    "carer_name": lambda c: carer.carer_name if (carer := _carer(c)) else "",
    "carer_phone": lambda c: carer.phone if (carer := _carer(c)) else "",
    "address": lambda c: carer.address if (carer := _carer(c)) else "",
}
assert set(EXTRACTORS) == set(SHARE_FIELDS), "every share field needs a value"


def granted_fields(agency: Agency, purpose: str) -> list[str]:
    """这个部门（的部门用户）为这个用途现在获授权的名单字段，按字段表的顺序；没有授权时为空。"""
    return granted_fields_each([agency], [purpose])[(agency.pk, purpose)]


def granted_fields_each(
    agencies: list[Agency], purposes: list[str]
) -> dict[tuple[int, str], list[str]]:
    """一次查询，得出每个（部门, 用途）获授权的名单字段（granted_fields 的批量版：县里的部门
    × 推送用途，待办和定时发布每次都要）。"""
    today = timezone.localdate()
    grants = Grant.objects.filter(
        agency_type__in={a.agency_type for a in agencies}, item_code=SHARE_ITEM,
        purpose__in=purposes, revoked_at__isnull=True,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))  # fmt: skip
    grants = list(grants.filter(Q(agency__isnull=True) | Q(agency__in=agencies)))
    found: dict[tuple[int, str], list[str]] = {}
    for agency in agencies:
        for purpose in purposes:
            allowed = {
                f for g in grants
                if g.agency_type == agency.agency_type and g.purpose == purpose
                and g.agency_id in (None, agency.pk) and Role.DEPARTMENT_USER in g.roles
                for f in g.fields
            }  # fmt: skip
            found[(agency.pk, purpose)] = [code for code in SHARE_FIELDS if code in allowed]
    return found


def case_values(case: Case, fields: list[str], disclosure: access.Disclosure) -> dict[str, str]:
    """名单上这个个案的各字段；类别按接收部门的授权（`access.category_text`）。"""
    values = {code: EXTRACTORS[code](case) for code in fields}
    if "category" in values:
        values["category"] = access.category_text(disclosure, case.category)
    return values


def field_header(code: str) -> str:
    return SHARE_FIELDS.get(code, "（已停用的字段）")
