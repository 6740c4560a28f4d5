"""本部门报送哪些数据项、报的是哪个月：报送的每条路径（网页、接口、命令行、离线包）都用这里。"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone

from shouhu.core.catalog import Catalog, DataItem, catalog_load
from shouhu.core.errors import InvalidInput, NotFound
from shouhu.web.accounts.agencies import agency_items
from shouhu.web.accounts.models import Agency


def catalog_for(agency: Agency) -> Catalog:
    """The catalog in force where the agency is (its county's, city's, province's overlays)."""
    return catalog_load(agency.division_id[:6])


def item_for_agency(agency: Agency, item_code: str) -> DataItem:
    """本部门报送的数据项（系统管理员可能收窄过，`agency_items`）；否则 NotFound。"""
    for item in agency_items(agency):
        if item.code == item_code:
            return item
    raise NotFound("本单位不报送该数据项，请从列表中选择。")


def month_of(period: date) -> date:
    """The month reported on, as its first day; a month after the current one is refused."""
    month = period.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise InvalidInput("所属月份不能晚于本月。")
    return month


UNKNOWN_ITEM = "数据目录中已没有的数据项"


def item_name(code: str, region: str | None = None) -> str:
    """数据项的中文名（页面上从不显示代码）；目录里已没有的，说明这一点而不是显示代码。"""
    for item in catalog_load(region[:6] if region else None).items:
        if item.code == code:
            return item.name
    return UNKNOWN_ITEM


def query_only_refusal(item: DataItem) -> str | None:
    """本部署规定只查询的数据项：拒收推送名单的中文说明；可以推送时为 None。"""
    if item.code not in settings.QUERY_ONLY_ITEMS:
        return None
    return (
        f"本地规定“{item.name}”只提供查询，不接收推送的名单（巴彦淖尔通知 §4（二））。"
        "请不要上传或推送该数据项；民政部门会通过查询服务逐人核实，"
        "或请贵单位用 shouhu pprl match 在本单位内部比对后反馈结果。"
    )
