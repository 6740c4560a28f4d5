"""部门及其报送的数据项：开设、改名、收窄数据项。每次变更都记入审计日志。

部门报送哪些数据项，缺省是数据目录里这类部门的全部数据项；系统管理员可以收窄到其中几项
（如某县法院不报送刑事判决）。报送的每条路径、应报清单和接口凭证都按 `agency_items` 走。
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from shouhu.core.catalog import DataItem, catalog_load
from shouhu.core.errors import InvalidInput
from shouhu.web.accounts.models import Agency, AgencyType
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.registry.models import Division

NAME_MAX = 100


def agency_catalog_items(agency: Agency) -> list[DataItem]:
    """数据目录里这类部门的全部数据项（部门所在地区生效的目录）。"""
    return catalog_load(agency.division_id[:6]).items_for(agency.agency_type)


def agency_items(agency: Agency) -> list[DataItem]:
    """本部门报送的数据项：目录中的全部，或系统管理员收窄后的那几项（按目录顺序）。"""
    items = agency_catalog_items(agency)
    if agency.item_codes is None:
        return items
    chosen = set(agency.item_codes)
    return [item for item in items if item.code in chosen]


def _checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("请填写部门名称（如“临河区人民法院”）。")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"部门名称不能超过 {NAME_MAX} 个字。")
    return name


def agency_add(
    *, ctx: RequestContext, name: str, agency_type: str, division: Division, actor: str = ""
) -> Agency:
    """开设一个部门；同一区划同一类部门只能有一个。"""
    if agency_type not in AgencyType.values:
        raise InvalidInput("请从列表中选择部门类型。")
    name = _checked_name(name)
    if Agency.objects.filter(agency_type=agency_type, division=division).exists():
        label = AgencyType(agency_type).label
        raise InvalidInput(f"{division.name}已有{label}部门，不能重复开设。")
    with transaction.atomic():
        agency = Agency.objects.create(name=name, agency_type=agency_type, division=division)
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.AGENCY,
            object_id=agency.pk,
            detail={"agency_type": agency_type, "division": division.code},
            actor_username=actor,
        )
    return agency


def agency_update(
    *,
    ctx: RequestContext,
    agency: Agency,
    name: str,
    item_codes: Iterable[str] | None,
    actor: str = "",
    contact_phone: str | None = None,
) -> Agency:
    """改名，设定报送的数据项（None 或全选为目录中的全部）和催报短信的联系电话（None 为不改）。"""
    name = _checked_name(name)
    items = _checked_items(agency, item_codes)
    phone = agency.contact_phone if contact_phone is None else _checked_phone(contact_phone)
    changed = {"name": name != agency.name, "items": items != agency.item_codes,
               "phone": phone != agency.contact_phone}  # fmt: skip
    if not any(changed.values()):
        return agency
    with transaction.atomic():
        agency.name, agency.item_codes, agency.contact_phone = name, items, phone
        agency.save(update_fields=["name", "item_codes", "contact_phone"])
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.AGENCY,
            object_id=agency.pk,
            detail={
                "renamed": changed["name"],
                "contact_phone_changed": changed["phone"],
                "items": "all" if items is None else items,
            },
            actor_username=actor,
        )
    return agency


def _checked_phone(raw: str) -> str:
    """联系电话：数字，可带 +、- 和空格，最多 20 位；空为不发催报短信。"""
    phone = raw.strip()
    if phone and (len(phone) > 20 or not all(ch.isdigit() or ch in "+- " for ch in phone)):
        raise InvalidInput("联系电话只能由数字组成（可带 +、- 和空格），最多 20 位。")
    return phone


def _checked_items(agency: Agency, item_codes: Iterable[str] | None) -> list[str] | None:
    """None 表示全部；只能在这类部门的目录数据项里选，至少选一项。"""
    if item_codes is None:
        return None
    own = [item.code for item in agency_catalog_items(agency)]
    codes = [code for code in dict.fromkeys(c.strip() for c in item_codes) if code]
    foreign = [code for code in codes if code not in own]
    if foreign:
        raise InvalidInput(f"数据项 {'、'.join(foreign)} 不是这类部门报送的数据项。")
    if own and not codes:
        raise InvalidInput("请至少选择一个报送的数据项；不再报送任何数据的部门无须收窄。")
    if set(codes) == set(own):
        return None
    return [code for code in own if code in codes]
