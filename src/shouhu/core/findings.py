"""比对发现的词汇（docs/formats/compare.md）：发现的种类，和比对在规则原因之外加上的原因。

规则给出的原因代码及其说法在 `core/policy/wording.py`；这里只有比对引擎自己的：记录为什么没能
关联到人，以及为什么把一个本来确定的结论改成“需人工核查”。引擎写这些代码，页面显示中文。
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from shouhu.core.policy.wording import reason_label as rule_reason_label

ENROL: Final = "enrol"
EXIT: Final = "exit"
CHANGE: Final = "change"
REVIEW: Final = "review"
UNLINKED: Final = "unlinked"
KINDS: Final = (ENROL, EXIT, CHANGE, REVIEW, UNLINKED)
KIND_LABELS: Final = MappingProxyType(
    {
        ENROL: "应纳未纳",
        EXIT: "应退未退",
        CHANGE: "类别变更",
        REVIEW: "需人工核查",
        UNLINKED: "无法匹配",
    }
)

NO_CANDIDATE: Final = "no_candidate"
WEAK_MATCH: Final = "weak_match"
AMBIGUOUS_MATCH: Final = "ambiguous_match"
UNRESOLVED_RECORD: Final = "unresolved_record"
OTHER: Final = "other"
# 部门之间互相矛盾的记录（engine/comparison/contradictions.py）：不改规则的结论，另作核查
CONTRADICTION_CHILD_ALIVE: Final = "contradiction_child_alive"
CONTRADICTION_DEPORTED_IMPRISONED: Final = "contradiction_deported_imprisoned"
CONTRADICTION_BORN_AFTER_DEATH: Final = "contradiction_born_after_death"
CONTRADICTIONS: Final = (
    CONTRADICTION_CHILD_ALIVE,
    CONTRADICTION_DEPORTED_IMPRISONED,
    CONTRADICTION_BORN_AFTER_DEATH,
)
COMPARISON_REASON_LABELS: Final = MappingProxyType(
    {
        NO_CANDIDATE: "户籍中找不到可能是此人的人员",
        WEAK_MATCH: "有相近的人员，但证据不足以认定是同一人",
        AMBIGUOUS_MATCH: "有几个人同样相符，无法确定是谁",
        UNRESOLVED_RECORD: "有一条未能关联的记录可能与该儿童或其父母有关，会改变结论",
        CONTRADICTION_CHILD_ALIVE: "部门记录互相矛盾：儿童已登记死亡，之后又有入学、低保或特困记录",
        CONTRADICTION_DEPORTED_IMPRISONED: "部门记录互相矛盾：父母一方被遣送出境的期间又在服刑",
        CONTRADICTION_BORN_AFTER_DEATH: "部门记录互相矛盾：户籍登记的出生日期在父母一方死亡之后",
        OTHER: "其他（见书面理由）",
    }
)

# 核查结果：“需人工核查”“无法匹配”的发现办结时记下的是哪一种结果，而不是“已确认”
MATCHED: Final = "matched"
NO_MATCH: Final = "no_match"
RECORD_WRONG: Final = "record_wrong"
NO_CHANGE: Final = "no_change"
ACTION_TAKEN: Final = "action_taken"
CHECK_OUTCOME_LABELS: Final = MappingProxyType(
    {
        MATCHED: "已人工关联到户籍中的人",
        NO_MATCH: "户籍中没有此人",
        RECORD_WRONG: "记录有误，已请报送部门更正",
        NO_CHANGE: "核实无误，维持现状",
        ACTION_TAKEN: "已在儿童档案中办理",
    }
)
# 在“记录核查结果”里可以直接选的（人工关联、没有此人由选人页面记下）
CHECK_OUTCOMES_CHOSEN: Final = (NO_CHANGE, ACTION_TAKEN, RECORD_WRONG)


def reason_label(code: str) -> str:
    """比对发现上的任一原因代码的一句话说明：比对自己的，或规则的（core/policy/wording.py）。"""
    if code in COMPARISON_REASON_LABELS:
        return COMPARISON_REASON_LABELS[code]
    if code in CHECK_OUTCOME_LABELS:
        return CHECK_OUTCOME_LABELS[code]
    label = rule_reason_label(code)
    return "其他原因" if label == code else label
