"""从儿童页面向部门查询父母的情况：哪些数据项可以问（本平台声明为只查询、且配置了查询对象的），
问的是哪个部门，用途是什么。"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.conf import settings

from shouhu.core.catalog import catalog_load
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.audit.models import Purpose
from shouhu.web.queries.client import peer_name

# 儿童页面上的查询是为个案的定期核查（policy §5）：核实父母是否仍在服刑、戒毒。
ASK_PURPOSE: Final = Purpose.REVIEW


@dataclass(frozen=True, slots=True)
class Askable:
    code: str
    item: str  # 数据项的中文名
    peer: str  # 被查询部门的中文名（SHOUHU_QUERY_PEERS 的 name，或部门类型）


def askable_items(user: User) -> list[Askable]:
    """只查询的数据项里配置了查询对象（SHOUHU_QUERY_PEERS）的；没有写个案权限的角色没有。"""
    if not may(user, Right.WRITE_CASES):
        return []
    codes = set(settings.QUERY_ONLY_ITEMS) & set(settings.QUERY_PEERS)
    items = catalog_load(user.division_id[:6]).items
    return [Askable(i.code, i.name, peer_name(i)) for i in items if i.code in codes]
