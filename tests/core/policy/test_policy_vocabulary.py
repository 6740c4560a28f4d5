"""每份政策清单只有一个定义，每个代码都有中文名称，清单之间互不矛盾（issue 9 第1条，政策部分）。"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

import pytest

from shouhu.core.catalog.build import ESSENTIAL_FACT_FIELDS, POLICY_CODE_LISTS
from shouhu.core.catalog.facts import ALL_FACT_TYPES, FACT_FIELD_KINDS
from shouhu.core.catalog.loader import catalog_load
from shouhu.core.policy import load_params, rules, ruleset, thresholds
from shouhu.core.policy.visits import MAJOR_CHANGE_LABELS, MAJOR_CHANGES, RISK_LABELS, RISK_LEVELS
from shouhu.core.policy.vocabulary import (
    CATEGORIES,
    CATEGORY_LABELS,
    CHILD_FACT_TYPES,
    CHILD_FIELDS,
    COMMON_DOCUMENTS,
    DISABILITY_CATEGORIES,
    DISABILITY_CATEGORY_LABELS,
    DISABILITY_LEVEL_LABELS,
    DISABILITY_LEVELS,
    DOCUMENT_LABELS,
    FACT_DOCUMENT_NEEDS,
    FACT_DOCUMENTS,
    FACT_FIELDS,
    FACT_LABELS,
    FACT_TYPES,
    FIELD_LABELS,
    FIELD_LABELS_BY_TYPE,
    NEEDED_FIELDS,
    ORPHAN_TYPE_LABELS,
    ORPHAN_TYPES,
    PARENT_FIELDS,
    SCHOOL_LEVEL_LABELS,
    SCHOOL_LEVELS,
    STATUS_LABELS,
    STATUSES,
    SUBJECT_LABELS,
    SUBJECTS,
    SUPPORT_LABEL_NAMES,
    SUPPORT_LABELS,
    documents_needed,
)
from shouhu.core.policy.wording import (
    date_text,
    fact_phrase,
    fact_value_label,
    field_label,
    reason_codes,
    reason_label,
)


def _labelled(codes: Iterable[str], label: Callable[[str], str]) -> dict[str, str]:
    return {code: label(code) for code in codes}


# 清单名 → (代码, 代码 → 中文)
LISTS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "主体": (SUBJECTS, dict(SUBJECT_LABELS)),
    "事实类型": (FACT_TYPES, dict(FACT_LABELS)),
    "事实类型（句中说法）": (FACT_TYPES, _labelled(FACT_TYPES, fact_phrase)),
    "事实字段": (FACT_FIELDS, dict(FIELD_LABELS)),
    "认定结论": (STATUSES, dict(STATUS_LABELS)),
    "类别": (CATEGORIES, dict(CATEGORY_LABELS)),
    "孤儿类别": (ORPHAN_TYPES, dict(ORPHAN_TYPE_LABELS)),
    "§8 标签": (SUPPORT_LABELS, dict(SUPPORT_LABEL_NAMES)),
    "残疾类别": (DISABILITY_CATEGORIES, dict(DISABILITY_CATEGORY_LABELS)),
    "残疾等级": (DISABILITY_LEVELS, dict(DISABILITY_LEVEL_LABELS)),
    "在校学段": (SCHOOL_LEVELS, dict(SCHOOL_LEVEL_LABELS)),
    "原因代码": (reason_codes(), _labelled(reason_codes(), reason_label)),
    "风险等级": (RISK_LEVELS, dict(RISK_LABELS)),
    "重大变故": (MAJOR_CHANGES, dict(MAJOR_CHANGE_LABELS)),
}


def _chinese(text: str) -> bool:
    return bool(text.strip()) and any(ord(ch) > 127 for ch in text)


@pytest.mark.parametrize("name", LISTS)
def test_every_code_has_one_chinese_label(name: str) -> None:
    codes, labels = LISTS[name]
    assert len(set(codes)) == len(codes), name
    assert set(labels) == set(codes), name
    for code in codes:
        assert _chinese(labels[code]), (name, code, labels[code])
        assert labels[code] != code
    assert len(set(labels.values())) == len(codes), f"{name}：两个代码同名"


def test_every_reason_the_rules_can_give_has_a_label() -> None:
    given = {r.code for r in ruleset().reasons}
    assert given <= set(reason_codes())
    assert set(reason_codes()) - given == {"other"}


def test_reason_labels_carry_the_thresholds() -> None:
    assert reason_label("father_imprisoned") == "父亲服刑在押，刑期6个月以上"
    assert (
        reason_label("mother_lost_contact") == f"母亲失联{thresholds.LOST_CONTACT_MONTHS}个月以上"
    )
    assert reason_label("aged_out") == f"已年满{thresholds.ADULT_AGE}周岁"
    assert reason_label("father_declared_dead") == "父亲被宣告死亡"
    assert reason_label("missing_end") == "记录缺少结束日期，需核实"
    assert reason_label("conflict_mother") == "母亲的死亡记录与其他记录相互矛盾，需核实"
    assert reason_label("no_such_code") == "no_such_code"


def test_fact_types_agree_across_the_tables() -> None:
    types = set(FACT_TYPES)
    assert types == set(PARENT_FIELDS) | set(CHILD_FIELDS) == set(ALL_FACT_TYPES)
    assert types == set(FACT_LABELS) == set(NEEDED_FIELDS) == set(FACT_DOCUMENTS)
    assert types == set(FACT_DOCUMENT_NEEDS)
    assert set(FACT_DOCUMENT_NEEDS.values()) | set(COMMON_DOCUMENTS) <= set(DOCUMENT_LABELS)
    assert documents_needed(["imprisoned", "lost_contact", "imprisoned"]) == (
        "household_register",
        "guardian_id_card",
        "custody_proof",
        "lost_contact_proof",
    )
    assert rules.CHILD_AGGREGATE_TYPES is CHILD_FACT_TYPES
    for fact_type, fields in NEEDED_FIELDS.items():
        allowed = {**PARENT_FIELDS, **CHILD_FIELDS}[fact_type]
        assert set(fields) <= set(allowed), fact_type


def test_fact_fields_agree_across_the_tables() -> None:
    assert tuple(FIELD_LABELS) == FACT_FIELDS
    assert tuple(FACT_FIELD_KINDS) == FACT_FIELDS
    for (fact_type, field), label in FIELD_LABELS_BY_TYPE.items():
        assert field in {**PARENT_FIELDS, **CHILD_FIELDS}[fact_type], (fact_type, field)
        assert field_label(fact_type, field) == label
    assert field_label("severe_illness", "disease") == "病种"


def test_support_labels_are_the_category_and_fact_names() -> None:
    for code, name in SUPPORT_LABEL_NAMES.items():
        assert name == (CATEGORY_LABELS[code] if code in CATEGORIES else FACT_LABELS[code])


def test_catalog_code_lists_agree_with_the_policy_vocabulary() -> None:
    code_lists = catalog_load().code_lists
    for key, labels in POLICY_CODE_LISTS.items():
        assert {o.code: o.label for o in code_lists[key].options} == dict(labels), key
    for code_list in code_lists.values():
        for option in code_list.options:
            if option.code in FACT_LABELS:  # 代码是事实类型时，中文名或别名之一与事实类型的名称相同
                names = (option.label, *option.aliases)
                assert FACT_LABELS[option.code] in names, (code_list.key, option.code)


def test_thresholds_use_codes_from_the_lists() -> None:
    rule = thresholds.SEVERE_DISABILITY
    assert set(rule.any_category_levels) | set(rule.some_levels) <= set(DISABILITY_LEVELS)
    assert set(rule.some_categories) <= set(DISABILITY_CATEGORIES)


def test_school_levels_in_the_parameters_are_known_codes() -> None:
    params = load_params()
    for region in params.regions.values():
        for entry in region.entries.get("past_18_in_school.levels", ()):
            assert isinstance(entry.value, tuple)
            assert set(entry.value) <= set(SCHOOL_LEVELS), region.region


def test_essential_fields_are_the_needed_ones_less_those_blank_at_source() -> None:
    """目录必填列 = 规则需要的字段 − 报送时可以合法空着的；两者的差别固定在这里。"""
    differ = {
        t: tuple(f for f in NEEDED_FIELDS[t] if f not in ESSENTIAL_FACT_FIELDS[t])
        for t in NEEDED_FIELDS
    }
    assert {t: d for t, d in differ.items() if d} == {
        "imprisoned": ("end",),
        "compulsory_rehab": ("end",),
        "other_restriction": ("end",),
        "in_school": ("start",),
    }


@pytest.mark.parametrize(
    ("fact_type", "field", "value", "text"),
    [
        ("severe_disability", "level", "1", "一级"),
        ("severe_disability", "level", 4, "四级"),
        ("severe_disability", "category", "intellectual", "智力残疾"),
        ("in_school", "level", "junior_secondary", "初中"),
        ("imprisoned", "life", True, "无期徒刑"),
        ("imprisoned", "life", False, "有期徒刑"),
        ("severe_illness", "qualifying", False, "不属于重病"),
        ("hiv_infected", "consent", True, "同意"),
        ("deceased", "date", date(2026, 8, 15), "2026年8月15日"),
        ("lost_contact", "start", "2025-01-05", "2025年1月5日"),
        ("severe_illness", "disease", "白血病", "白血病"),
        ("imprisoned", "end", None, "未填写"),
    ],
)
def test_fact_value_label(fact_type: str, field: str, value: object, text: str) -> None:
    assert fact_value_label(fact_type, field, value) == text


def test_every_coded_value_has_a_label() -> None:
    for fact_type in FACT_TYPES:
        fields = {**PARENT_FIELDS, **CHILD_FIELDS}[fact_type]
        for field in ("level", "category"):
            if field not in fields:
                continue
            codes = SCHOOL_LEVELS if fact_type == "in_school" else DISABILITY_LEVELS
            codes = DISABILITY_CATEGORIES if field == "category" else codes
            for code in codes:
                assert _chinese(fact_value_label(fact_type, field, code)), (fact_type, code)


def test_one_date_format() -> None:
    assert date_text(date(2026, 8, 15)) == "2026年8月15日"
    assert date_text(date(2026, 12, 5)) == "2026年12月5日"
    assert date_text(None) == "日期不详"
