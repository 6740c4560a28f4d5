"""授权页要显示的：每条授权一行，全用中文名（部门类型、数据项、用途、角色、可见程度）。"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from shouhu.core.catalog import AGENCY_LABELS, catalog_load, purpose_label
from shouhu.web.accounts.models import Agency, User
from shouhu.web.accounts.permissions import SEPARATED_ROLES, Role, role_label
from shouhu.web.grants.defaults import SHARE_FIELDS, SHARE_ITEM
from shouhu.web.grants.models import DisclosureLevel, Grant


@dataclass(frozen=True)
class GrantRow:
    pk: int
    receiver: str  # 部门类型，或某个部门
    item: str
    purpose: str
    roles: str
    level: str
    valid_until: date | None
    basis: str
    revoked: bool
    editable: bool


def may_manage_type_wide(user: User) -> bool:
    """对一类部门（不指定哪一个）的授权影响全省：只有省级及以上的安全管理员能改。"""
    return user.division.level == "province" or user.division.parent_id is None


def grants_visible_to(user: User) -> QuerySet[Grant]:
    """对一类部门的授权人人可见；对某个部门的授权，只见本辖区内的部门。"""
    in_area = Q(agency__division__path__startswith=user.division.path)
    return Grant.objects.filter(Q(agency__isnull=True) | in_area).select_related("agency")


def grant_editable(user: User, grant: Grant) -> bool:
    return grant.agency_id is not None or may_manage_type_wide(user)


def grant_rows(user: User, grants: QuerySet[Grant], *, show_revoked: bool) -> list[GrantRow]:
    catalog = catalog_load()
    items = {item.code: item.name for item in catalog.items}
    levels = dict(DisclosureLevel.choices)
    rows = []
    chosen = grants if show_revoked else grants.filter(revoked_at__isnull=True)
    for g in chosen.order_by("item_code", "agency_type", "agency_id", "purpose", "pk"):
        receiver = g.agency.name if g.agency else f"各级{AGENCY_LABELS[g.agency_type]}"
        rows.append(
            GrantRow(
                pk=g.pk,
                receiver=receiver,
                item=_item_label(g, items),  # 推送名单的授权归在一组，各条的字段写在可见程度里
                purpose=purpose_label(g.purpose),
                roles="、".join(role_label(r) for r in g.roles),
                level=_share_fields(g) if g.item_code == SHARE_ITEM else levels.get(g.level, ""),
                valid_until=g.valid_until,
                basis=g.basis,
                revoked=g.revoked_at is not None,
                editable=g.revoked_at is None and grant_editable(user, g),
            )
        )
    return rows


def _item_label(grant: Grant, items: dict[str, str]) -> str:
    if grant.item_code == SHARE_ITEM:
        return "推送名单"
    return items.get(grant.item_code, "（数据目录中已没有的数据项）")


def _share_fields(grant: Grant) -> str:
    fields = "、".join(SHARE_FIELDS.get(code, "（已停用的字段）") for code in grant.fields)
    return f"推送名单（可带：{fields or '无'}）"


def grantable_roles() -> list[tuple[str, str]]:
    """能被授权看个人信息的角色：三员除外。"""
    return [(r.value, r.label) for r in Role if r not in SEPARATED_ROLES]


def grant_form_choices(user: User) -> dict[str, object]:
    catalog = catalog_load()
    return {
        "agency_types": list(AGENCY_LABELS.items()),
        "agencies": list(
            Agency.objects.filter(division__path__startswith=user.division.path)
            .order_by("division_id", "name")
            .values_list("pk", "name")
        ),
        "items": [(i.code, i.name) for i in catalog.items if i.fact_types]
        + [(SHARE_ITEM, "推送名单（给接收部门的部门用户）")],
        "share_fields": list(SHARE_FIELDS.items()),
        "purposes": [(c, p.label) for c, p in catalog.purposes.items() if p.kind != "platform"],
        "roles": grantable_roles(),
        "levels": DisclosureLevel.choices,
        "type_wide": may_manage_type_wide(user),
    }
