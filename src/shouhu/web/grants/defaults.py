"""默认授权：按数据目录的敏感程度，给民政部门的各角色一套起步的授权（安全管理员可以改）。

- 民政经办：每个数据项、每个用途（数据项的用途加个案办理）都看详情；
- 乡镇儿童督导员、村（居）儿童主任：内部数据看详情；敏感和高度敏感的只看概况（有没有这种情况、
  对儿童意味着什么），不看判决、法院、记录编号和病名；
- 艾滋病病毒感染情况：儿童督导员、儿童主任连概况也没有（《艾滋病防治条例》第三十九条：未经本人或者
  监护人同意，不得公开感染者的信息）。监护人未同意的，访问层另把可见范围限于卫生健康部门和县级民政
  经办（见 web/access/disclosure.py）。
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from shouhu.core.catalog import DataItem, Sensitivity, catalog_load
from shouhu.web.accounts.permissions import Role

# 只让确有需要的人知道“有这件事”的事实类型：没有授权的角色连概况也看不到
NEED_TO_KNOW_ONLY: Final = frozenset({"hiv_infected"})
DEFAULT_BASIS: Final = "平台默认授权（按数据目录的敏感程度）"
CASE_WORK: Final = "case_work"
SHARE_ITEM: Final = "share_list"  # 授权表里推送名单的“数据项”
# 推送名单可带的字段：代码 → 中文表头（取值见 web/shares/fields.py）
SHARE_FIELDS: Final = {
    "name": "姓名",
    "id_number": "身份证号",
    "gender": "性别",
    "birth_date": "出生日期",
    "category": "保障类别",
    "division": "户籍地",
    "opened_on": "纳入保障日期",
    "closed_on": "终止保障日期",
    "placement": "安置方式",
    "carer_name": "监护人（照料人）姓名",
    "carer_phone": "联系电话",
    "address": "家庭住址",
}
_PERSON: Final = ("name", "id_number", "gender", "birth_date")
# 推送用途 → 接收的部门类型、名单默认可带的字段
SHARE_RECEIVERS: Final = {
    "insurance_enrolment": ("medical_insurance",
                            (*_PERSON, "category", "division", "opened_on", "closed_on")),
    "education_aid": ("education", (*_PERSON, "category", "division", "carer_name",
                                    "carer_phone")),
    "funding": ("finance", ("name", "id_number", "category", "division", "opened_on",
                            "closed_on")),
    "care_services": ("womens_federation", ("name", "gender", "birth_date", "category",
                                            "division", "carer_name", "carer_phone", "address")),
    "rehabilitation": ("disabled_federation", (*_PERSON, "category", "division")),
    "registry_check": ("public_security", (*_PERSON, "division")),
}  # fmt: skip


@dataclass(frozen=True)
class GrantSpec:
    agency_type: str
    item_code: str
    purpose: str
    roles: tuple[str, ...]
    level: str
    fields: tuple[str, ...] = ()


def _field_level(item: DataItem) -> str | None:
    """儿童督导员、儿童主任对这个数据项默认看到多少（None：看不到）。"""
    if item.sensitivity == Sensitivity.INTERNAL:
        return "detail"
    if NEED_TO_KNOW_ONLY & set(item.fact_types):
        return None
    return "exists"


def default_grants() -> list[GrantSpec]:
    specs: list[GrantSpec] = []
    for item in catalog_load().items:
        if not item.fact_types:
            continue
        field = _field_level(item)
        for purpose in dict.fromkeys((*item.purposes, CASE_WORK)):
            specs.append(
                GrantSpec("civil_affairs", item.code, purpose, (Role.CASEWORKER,), "detail")
            )
            if field is not None:
                roles = (Role.SUPERVISOR, Role.CHILD_DIRECTOR)
                specs.append(GrantSpec("civil_affairs", item.code, purpose, roles, field))
    return specs + share_grants()


def share_grants() -> list[GrantSpec]:
    """各推送用途的接收部门的部门用户：名单上可带默认的字段。"""
    return [
        GrantSpec(agency_type, SHARE_ITEM, purpose, (Role.DEPARTMENT_USER,), "detail", fields)
        for purpose, (agency_type, fields) in SHARE_RECEIVERS.items()
    ]
