"""困境儿童和农村留守儿童名册（sixian §2(一)1、§2(二)）：名册、登记类型、帮扶措施的中文名，
以及规则算出的 §8 标签提出哪一类登记。

孤儿、事实无人抚养儿童在保障台账（个案）上，不另登记；规则能算出的（重残、重病、低保等贫困
家庭、艾滋病病毒感染）由平台提出、经办人员确认；规则算不出的（受监护人侵害、流浪、遭遇突发
事件和意外伤害、留守）由经办人员或乡镇督导员按实际情况登记。

探访：sixian §2(一)6“村（居）民委员会应建立定期走访制度，每季度核实困境儿童家庭情况、监护
情况、就学情况等基本信息”——每季度一次，这次走访就是核实，不另排核查；留守儿童 sixian §2(二)7
要求“上门走访、重点评估”核实委托照护情况，未给次数，同样按每季度（见 docs/casework.md）。
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType
from typing import Final

REGISTERS: Final = ("in_difficulty", "left_behind")
REGISTER_LABELS: Final = MappingProxyType(
    {"in_difficulty": "困境儿童", "left_behind": "农村留守儿童"}
)

# 登记类型（sixian §2(一)1 列出的困境儿童，去掉在保障台账上的孤儿和事实无人抚养儿童）
ENTRY_KINDS: Final = (
    "severe_disability",
    "severe_illness",
    "poor_family",
    "hiv_infected",
    "guardian_abuse",
    "street_child",
    "sudden_event",
    "left_behind",
)
ENTRY_KIND_LABELS: Final = MappingProxyType(
    dict(
        zip(
            ENTRY_KINDS,
            (
                "重残儿童",
                "重病儿童",
                "低保、特困或建档立卡贫困家庭儿童",
                "艾滋病病毒感染儿童",
                "受监护人侵害儿童",
                "流浪儿童",
                "遭遇突发事件和意外伤害的儿童",
                "农村留守儿童",
            ),
            strict=True,
        )
    )
)
KIND_REGISTER: Final = MappingProxyType(
    {kind: "left_behind" if kind == "left_behind" else "in_difficulty" for kind in ENTRY_KINDS}
)
# 规则（§8 标签）提出的类型；其余只能手工登记
LABEL_KINDS: Final = MappingProxyType(
    {
        "severe_disability": "severe_disability",
        "severe_illness": "severe_illness",
        "low_income": "poor_family",
        "extreme_poverty": "poor_family",
        "poverty_monitoring": "poor_family",
        "hiv_infected": "hiv_infected",
    }
)
HAND_KINDS: Final = tuple(k for k in ENTRY_KINDS if k not in set(LABEL_KINDS.values()))

# 留守儿童父母的去向（sixian §2(二)7：外出务工不能履行监护职责的，委托有照护能力的成年人照护）
PARENT_WHEREABOUTS: Final = MappingProxyType(
    {
        "at_home": "在家",
        "away_in_province": "省内外出务工",
        "away_out_of_province": "省外务工",
        "abroad": "境外",
        "unknown": "去向不明",
        "deceased": "已故",
    }
)

# 帮扶措施（sixian §2(一)2—5、§2(二)8：生活、医疗康复、教育、监护、心理关爱）
SUPPORT_MEASURES: Final = MappingProxyType(
    {
        "social_assistance": "纳入社会救助（低保、特困、临时救助）",
        "medical_aid": "医疗救助、资助参保",
        "rehabilitation": "康复救助",
        "education_aid": "教育资助、控辍保学",
        "guardianship": "监护指导或监护干预",
        "psychological": "心理疏导、情感关爱",
        "referral": "转介社会组织或部门",
        "material": "物资帮扶",
        "other": "其他",
    }
)

END_REASONS: Final = MappingProxyType(
    {
        "no_longer_applies": "困境情形消除（父母返乡、家庭脱困等）",
        "aged_out": "年满18周岁",
        "moved_away": "迁出本地",
        "child_deceased": "儿童死亡",
        "entered_guarantee": "纳入孤儿或事实无人抚养儿童保障",
        "other": "其他",
    }
)

PROPOSAL_STATUS_LABELS: Final = MappingProxyType(
    {"open": "待确认", "accepted": "已登记", "dismissed": "不予登记", "withdrawn": "规则不再提出"}
)

# 名册儿童按“一般”对象每季度走访（sixian §2(一)6）；与个案同一套探访要求
REGISTER_VISIT_RISK: Final = "general"


def kinds_from_labels(labels: Iterable[str]) -> tuple[str, ...]:
    """§8 标签 → 规则能提出的登记类型（去重，按 ENTRY_KINDS 的顺序）。"""
    wanted = {LABEL_KINDS[label] for label in labels if label in LABEL_KINDS}
    return tuple(kind for kind in ENTRY_KINDS if kind in wanted)
