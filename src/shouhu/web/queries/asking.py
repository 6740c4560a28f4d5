"""从儿童页面向部门查询父母的情况：哪些数据项可以问（本平台声明为只查询、且配置了查询对象的）。"""

from __future__ import annotations

from django.conf import settings

from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.exchange.items import item_name


def askable_items(user: User) -> list[tuple[str, str]]:
    """(数据项代码, 名称)：只查询的数据项里配置了查询对象（SHOUHU_QUERY_PEERS）的；没有写个案
    权限的角色没有。"""
    if not may(user, Right.WRITE_CASES):
        return []
    codes = sorted(set(settings.QUERY_ONLY_ITEMS) & set(settings.QUERY_PEERS))
    return [(code, item_name(code, user.division_id[:6])) for code in codes]
