"""记录与人员关联的方式：代码及其中文名，全平台只此一份（入库、比对引擎、页面都用这里）。"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

EXACT_ID: Final = "exact_id"  # 身份证号合规且在户籍库中，按号码精确关联
CONVERTED_15: Final = "converted_15"  # 15 位旧号码转换为 18 位后精确关联
NEAR_MISS: Final = "near_miss"  # 号码有一两位之差，姓名、出生日期等佐证
FUZZY: Final = "fuzzy"  # 没有可用号码，按姓名、出生日期、性别、区划
MANUAL: Final = "manual"  # 经办人员人工确认
DEMO: Final = "demo"  # 演示数据按生成时的真值关联
UNLINKED: Final = "unlinked"  # 未能关联到任何人

LINK_METHOD_LABELS: Final = MappingProxyType(
    {
        EXACT_ID: "身份证号精确",
        CONVERTED_15: "15位号码转换",
        NEAR_MISS: "近似号码",
        FUZZY: "模糊匹配",
        MANUAL: "人工确认",
        DEMO: "演示数据",
        UNLINKED: "未能匹配",
    }
)
# 可以直接采信、不必再核对身份的关联方式
TRUSTED_LINK_METHODS: Final = frozenset({EXACT_ID, MANUAL})


def link_method_label(method: str) -> str:
    return LINK_METHOD_LABELS.get(method, "关联方式不详")
