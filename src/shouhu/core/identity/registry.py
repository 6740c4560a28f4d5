"""户口状态：部门在户籍名单里写的状态，和平台据以标记人员的状态。全平台只此一份。"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

REGISTERED: Final = "registered"
DECEASED: Final = "deceased"
CANCELLED: Final = "cancelled"
MOVED_OUT: Final = "moved_out"
ABSENT: Final = "absent"
NOT_LOCAL: Final = "not_local"

# 户籍名单“户口状态”一列的取值（代码表 registry_status；codelists.toml 只给别名）
REGISTRY_STATUS_LABELS: Final = MappingProxyType(
    {REGISTERED: "正常", DECEASED: "死亡", CANCELLED: "注销", MOVED_OUT: "迁出"}
)
# 平台上一个人的户籍状态：名单写的，加上平台自己推出的两种
PERSON_STATUS_LABELS: Final = MappingProxyType(
    {
        **REGISTRY_STATUS_LABELS,
        ABSENT: "不在最新全量名单中",
        NOT_LOCAL: "非本地户籍",
    }
)

# 户籍基线的数据项（数据目录 items/household_registry.toml）：它的报送建立和更新人员
REGISTRY_ITEM: Final = "household_registry"
