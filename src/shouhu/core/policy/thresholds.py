"""规则的阈值，每个只写这一次（docs/rules.md §3、§4）。

predicates.py 和 rules.py 用它们判断，explain.py、wording.py 用它们写说明：说明里的
“一级、二级残疾或三级、四级精神、智力残疾”“6个月以上”“年满18周岁”都由这里生成。
改一个阈值，判断和念给家庭听的说明一起变（tests/core/policy/test_policy_index.py 核对两者）。
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from shouhu.core.policy.vocabulary import DISABILITY_CATEGORY_LABELS, DISABILITY_LEVEL_LABELS


@dataclass(frozen=True, slots=True)
class SevereDisability:
    """重残：any_category_levels 各级的任何类别，或 some_levels 各级的 some_categories 类别。"""

    any_category_levels: tuple[str, ...]
    some_levels: tuple[str, ...]
    some_categories: tuple[str, ...]

    def text(self) -> str:
        """如“一级、二级残疾或三级、四级精神、智力残疾”（bayannur §3(二)2(4) 的原话）。"""
        first = "、".join(DISABILITY_LEVEL_LABELS[v] for v in self.any_category_levels)
        second = "、".join(DISABILITY_LEVEL_LABELS[v] for v in self.some_levels)
        kinds = "、".join(
            DISABILITY_CATEGORY_LABELS[c].removesuffix("残疾") for c in self.some_categories
        )
        return f"{first}残疾或{second}{kinds}残疾"


# “重残是指一级、二级残疾或三级、四级精神、智力残疾”（bayannur §3(二)2(4)）
SEVERE_DISABILITY: Final = SevereDisability(
    any_category_levels=("1", "2"),
    some_levels=("3", "4"),
    some_categories=("mental", "intellectual"),
)
# 服刑在押、强制隔离戒毒、被执行其他限制人身自由的措施“期限在6个月以上”（以上含本数）
RESTRICTION_MONTHS: Final = 6
# 父母“失去联系……6个月以上”：最后联系之日起满这么多个日历月
LOST_CONTACT_MONTHS: Final = 6
# “未满18周岁的未成年人”（bayannur §3(一)）
ADULT_AGE: Final = 18


def restriction_term_text() -> str:
    """期限的门槛，如“6个月以上”。"""
    return f"{RESTRICTION_MONTHS}个月以上"
