"""代码和存储的取值 → 人读的中文：日期、事实在句子里的说法、字段名、字段取值、原因代码。

清单本身（哪些代码、各叫什么）在 vocabulary.py；这里是把它们说成句子的规则，和要用到
阈值（thresholds.py）的原因说明。界面、导出、说明都用这里的函数，不各自拼写。
"""

from __future__ import annotations

from datetime import date
from types import MappingProxyType
from typing import Final

from shouhu.core.policy.thresholds import ADULT_AGE, LOST_CONTACT_MONTHS, restriction_term_text
from shouhu.core.policy.vocabulary import (
    BOOL_FIELDS,
    DATE_FIELDS,
    DISABILITY_CATEGORY_LABELS,
    DISABILITY_LEVEL_LABELS,
    FACT_LABELS,
    FIELD_LABELS,
    FIELD_LABELS_BY_TYPE,
    MISSING_FIELDS,
    PARENT_FACT_TYPES,
    PARENTS,
    SCHOOL_LEVEL_LABELS,
    SUBJECT_LABELS,
)

UNKNOWN_DATE: Final = "日期不详"
BLANK: Final = "未填写"


def date_text(value: date | None) -> str:
    """日期的唯一写法：2026年8月15日（不补零）。没有日期时为“日期不详”。"""
    if value is None:
        return UNKNOWN_DATE
    return f"{value.year}年{value.month}月{value.day}日"


# 事实类型在“父亲……”之后的说法：名称本身不成句的几种（“父亲宣告死亡”会读成父亲宣告别人）
_PHRASES: Final = MappingProxyType(
    {
        "declared_dead": "被宣告死亡",
        "declared_missing": "被宣告失踪",
        "guardianship_revoked": "被撤销监护资格",
        "severe_illness": "患重病",
        "institutional_care": "由儿童福利机构集中养育",
        "low_income": "享受低保",
        "extreme_poverty": "属特困人员",
        "poverty_monitoring": "属防止返贫监测对象/脱贫户",
    }
)


def fact_phrase(fact_type: str) -> str:
    """主语之后的说法：父亲 + 被宣告死亡 / 服刑在押 / 患重病……"""
    return _PHRASES.get(fact_type) or FACT_LABELS[fact_type]


def field_label(fact_type: str, field: str) -> str:
    """字段名：先看这类事实有没有更贴切的叫法（学段、残疾等级、刑期截止日期……）。"""
    return FIELD_LABELS_BY_TYPE.get((fact_type, field)) or FIELD_LABELS[field]


_BOOL_TEXT: Final = MappingProxyType(
    {
        "life": ("无期徒刑", "有期徒刑"),
        "qualifying": ("属于重病", "不属于重病"),
        "consent": ("同意", "不同意"),
    }
)


def fact_value_label(fact_type: str, field: str, value: object) -> str:
    """一个存储的取值说给人听：level "1" → 一级，category "intellectual" → 智力残疾，
    in_school 的 level "junior_secondary" → 初中，服刑在押的 life True → 无期徒刑，
    日期 → 2026年8月15日。

    取值不在清单上时原样返回（数据目录在读入时已拒绝这样的值）。
    """
    if value is None or value == "":
        return BLANK
    if field in DATE_FIELDS:
        return _date_value(value)
    if field in BOOL_FIELDS and isinstance(value, bool):
        yes, no = _BOOL_TEXT[field]
        return yes if value else no
    text = str(value)
    if field == "level":
        labels = SCHOOL_LEVEL_LABELS if fact_type == "in_school" else DISABILITY_LEVEL_LABELS
        return labels.get(text, text)
    if field == "category":
        return DISABILITY_CATEGORY_LABELS.get(text, text)
    return text


def _date_value(value: object) -> str:
    if isinstance(value, date):
        return date_text(value)
    try:
        return date_text(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


# ---------------------------------------------------------------- 原因代码


# 不由主体和事实类型拼成的原因代码；"other" 是经办人员终止保障时写明理由的“其他”
REASON_LABELS: Final = MappingProxyType(
    {
        "child_deceased": "儿童本人已死亡",
        "birth_date_mismatch": "出生日期与身份证号不一致，需核实",
        "aged_out": f"已年满{ADULT_AGE}周岁",
        "adopted": "已被依法收养",
        "parents_unknown": "查找不到生父母",
        "institutional_care": "由儿童福利机构集中养育",
        "other_parent_unknown": "父母另一方情况不明，需核实",
        "no_qualifying_condition": "父母均无符合条件的情形（或情形已结束）",
        "missing_birth_date": "缺少出生日期，需核实",
        "other": "其他（见书面理由）",
    }
)
# 原因的短说法里带上门槛的事实类型
_WITH_THRESHOLD: Final = MappingProxyType(
    {
        "imprisoned": f"，刑期{restriction_term_text()}",
        "compulsory_rehab": f"，期限{restriction_term_text()}",
        "other_restriction": f"，期限{restriction_term_text()}",
        "lost_contact": f"{LOST_CONTACT_MONTHS}个月以上",
    }
)


def reason_codes() -> tuple[str, ...]:
    """规则可能给出的每个原因代码（另加 "other"）。"""
    missing = tuple(f"missing_{f}" for f in (*MISSING_FIELDS, "birth_date"))
    by_parent = tuple(f"{p}_{t}" for p in PARENTS for t in PARENT_FACT_TYPES)
    conflicts = tuple(f"conflict_{p}" for p in PARENTS)
    return tuple(dict.fromkeys((*REASON_LABELS, *missing, *conflicts, *by_parent)))


def reason_label(code: str) -> str:
    """原因代码的一句话说明，如 father_imprisoned → 父亲服刑在押，刑期6个月以上。
    未知代码原样返回（不会发生在规则给出的代码上，见 reason_codes 的测试）。"""
    if code in REASON_LABELS:
        return REASON_LABELS[code]
    if code.startswith("missing_"):
        field = code.removeprefix("missing_")
        return f"记录缺少{FIELD_LABELS[field]}，需核实" if field in FIELD_LABELS else code
    if code.startswith("conflict_"):
        who = SUBJECT_LABELS.get(code.removeprefix("conflict_"))
        return f"{who}的死亡记录与其他记录相互矛盾，需核实" if who else code
    subject, _, fact_type = code.partition("_")
    if subject in PARENTS and fact_type in FACT_LABELS:
        return SUBJECT_LABELS[subject] + fact_phrase(fact_type) + _WITH_THRESHOLD.get(fact_type, "")
    return code


# 概况：只说有没有这种情况、对儿童意味着什么（给只有“概况”授权的人看），不说判决、病名、编号。
_SUMMARIES: Final = MappingProxyType(
    {
        "deceased": "已故",
        "declared_dead": "被宣告死亡",
        "declared_missing": "被宣告失踪",
        "imprisoned": "处于限制人身自由状态",
        "compulsory_rehab": "处于限制人身自由状态",
        "other_restriction": "处于限制人身自由状态",
        "severe_illness": "患重病",
        "severe_disability": "有残疾",
        "lost_contact": "失去联系",
        "guardianship_revoked": "被撤销监护资格",
        "deported": "被遣送（驱逐）出境",
    }
)


def month_text(value: date) -> str:
    return f"{value.year}年{value.month}月"


def summary_phrase(fact_type: str, *, until: date | None = None) -> str:
    """概况说法（主语之后）：“处于限制人身自由状态，至2027年2月”。日期只到月。"""
    text = _SUMMARIES.get(fact_type) or fact_phrase(fact_type)
    return f"{text}，至{month_text(until)}" if until else text


def fact_summary(subject: str, fact_type: str, *, until: date | None = None) -> str:
    """一条事实的概况：“父亲处于限制人身自由状态，至2027年2月”。"""
    return SUBJECT_LABELS[subject] + summary_phrase(fact_type, until=until)
