"""比对发现的中文标签：原因代码、关联方式。只由代码得出，不含任何个人信息——比对发现里
只存这些；某个儿童的具体说明（哪天、哪条事实）在打开该发现时按当时的事实重新生成。"""

from __future__ import annotations

from shouhu.core.identity.links import UNLINKED, link_method_label
from shouhu.core.policy.vocabulary import FACT_LABELS, FIELD_LABELS, PARENTS, SUBJECT_LABELS

_FIXED = {
    "child_deceased": "儿童本人已死亡",
    "birth_date_mismatch": "出生日期与身份证号不一致，需核实",
    "aged_out": "已年满18周岁",
    "adopted": "已被依法收养",
    "parents_unknown": "查找不到生父母",
    "institutional_care": "由儿童福利机构集中养育",
    "other_parent_unknown": "父母另一方情况不明，需核实",
    "no_qualifying_condition": "父母均无符合条件的情形（或情形已结束）",
    "missing_birth_date": "缺少出生日期，需核实",
    "other": "其他（见书面理由）",
}


def reason_label(code: str) -> str:
    """原因代码的一句话说明，如 father_imprisoned → 父亲服刑在押。未知代码原样返回。"""
    if code in _FIXED:
        return _FIXED[code]
    if code.startswith("missing_"):
        field = FIELD_LABELS.get(code.removeprefix("missing_"), "")
        return f"事实缺少{field}，需核实" if field else code
    if code.startswith("conflict_"):
        who = SUBJECT_LABELS.get(code.removeprefix("conflict_"), "")
        return f"{who}的死亡记录与其他记录相互矛盾，需核实" if who else code
    for parent in PARENTS:
        fact_type = code.removeprefix(f"{parent}_")
        if fact_type != code and fact_type in FACT_LABELS:
            return f"{SUBJECT_LABELS[parent]}{FACT_LABELS[fact_type]}"
    return code


def reasons_with_labels(codes: list[str]) -> list[dict[str, str]]:
    return [{"code": code, "text": reason_label(code)} for code in codes]


def link_display(method: str, confidence: int | None) -> str:
    """如“身份证号精确 100%”“近似号码 97%”“模糊匹配 91%”；未联上只写“未能匹配”。"""
    label = link_method_label(method)
    if method == UNLINKED or confidence is None:
        return label
    return f"{label} {confidence}%"
