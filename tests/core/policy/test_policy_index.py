"""rules.py 开头“常见情形索引”的逐行测试：每一行的输入 → 结论、类别、原因代码，以及说明里
念出的门槛取自 thresholds.py 的常量（改门槛，判断和说明一起变）。

INDEX_ROWS 是纯数据（assess 格式的个案 JSON 和期望的结果），引擎的批量求值可以原样跑同一批行。
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from policy_cases import DEAD, JAILED, case_json

from shouhu.core.policy import assess_case, case_from_json, predicates, rules, thresholds
from shouhu.core.policy.thresholds import (
    ADULT_AGE,
    LOST_CONTACT_MONTHS,
    RESTRICTION_MONTHS,
    SEVERE_DISABILITY,
    SevereDisability,
    restriction_term_text,
)


@dataclass(frozen=True)
class IndexRow:
    """一行索引：case 是 assess 格式的个案；texts 是（原因代码, 说明里必须出现的话）。"""

    case_name: str
    case: dict[str, Any]
    status: str
    category: str | None = None
    orphan_type: str | None = None
    codes: frozenset[str] = field(default_factory=frozenset)
    texts: tuple[tuple[str, str], ...] = ()


def _row(name: str, status: str, category: str | None = None, **more: Any) -> IndexRow:
    case = case_json(**more.pop("case"))
    codes = frozenset(more.pop("codes"))
    orphan_type = more.pop("orphan_type", "scattered" if category == "orphan" else None)
    return IndexRow(name, case, status, category, orphan_type, codes, **more)


DISABLED_1 = {"type": "severe_disability", "level": 1, "category": "physical"}
MISSING = {"type": "declared_missing", "date": "2021-01-01"}
ORPHAN, DE_FACTO = "orphan", "de_facto_unsupported"
E, NE, NR = "eligible", "not_eligible", "needs_review"

INDEX_ROWS: tuple[IndexRow, ...] = (
    _row(
        "父母双亡",
        E,
        ORPHAN,
        case={"father": [DEAD], "mother": [DEAD]},
        codes={"father_deceased", "mother_deceased"},
        texts=(("father_deceased", "父亲于2020年5月1日死亡"),),
    ),
    _row(
        "一方死亡另一方宣告失踪",
        E,
        ORPHAN,
        case={"father": [DEAD], "mother": [MISSING]},
        codes={"father_deceased", "mother_declared_missing"},
        texts=(("mother_declared_missing", "母亲于2021年1月1日被宣告失踪"),),
    ),
    _row(
        "查找不到生父母",
        E,
        ORPHAN,
        case={
            "father": None,
            "mother": None,
            "child": [{"type": "parents_unknown", "date": "2013-01-01"}],
        },
        codes={"parents_unknown"},
        texts=(("parents_unknown", "查找不到生父母"),),
    ),
    _row(
        "散居孤儿",
        E,
        ORPHAN,
        case={"father": [DEAD], "mother": [DEAD]},
        codes={"father_deceased", "mother_deceased"},
    ),
    _row(
        "集中养育",
        E,
        ORPHAN,
        orphan_type="institutional",
        case={
            "father": [DEAD],
            "mother": [DEAD],
            "child": [{"type": "institutional_care", "start": "2021-01-01"}],
        },
        codes={"father_deceased", "mother_deceased", "institutional_care"},
        texts=(("institutional_care", "儿童由儿童福利机构集中养育（自2021年1月1日起）"),),
    ),
    _row(
        "父母一方死亡另一方重残",
        E,
        DE_FACTO,
        case={"father": [DEAD], "mother": [DISABLED_1]},
        codes={"father_deceased", "mother_severe_disability"},
        texts=(("mother_severe_disability", f"属于重残（{SEVERE_DISABILITY.text()}）"),),
    ),
    _row(
        "父母双方重残",
        E,
        DE_FACTO,
        case={
            "father": [{"type": "severe_disability", "level": 4, "category": "mental"}],
            "mother": [DISABLED_1],
        },
        codes={"father_severe_disability", "mother_severe_disability"},
        texts=(("father_severe_disability", "父亲持四级精神残疾人证，属于重残"),),
    ),
    _row(
        "一方死亡另一方重病",
        E,
        DE_FACTO,
        case={"father": [DEAD], "mother": [{"type": "severe_illness", "disease": "白血病"}]},
        codes={"father_deceased", "mother_severe_illness"},
        texts=(("mother_severe_illness", "母亲患白血病，在本地重病目录内"),),
    ),
    _row(
        "一方死亡另一方服刑",
        E,
        DE_FACTO,
        case={"father": [JAILED], "mother": [DEAD]},
        codes={"father_imprisoned", "mother_deceased"},
        texts=(("father_imprisoned", f"刑期{restriction_term_text()}（2025年1月10日至"),),
    ),
    _row(
        "一方死亡另一方强制隔离戒毒",
        E,
        DE_FACTO,
        case={
            "father": [{"type": "compulsory_rehab", "start": "2026-06-01", "end": "2028-06-01"}],
            "mother": [DEAD],
        },
        codes={"father_compulsory_rehab", "mother_deceased"},
        texts=(("father_compulsory_rehab", f"父亲强制隔离戒毒，期限{restriction_term_text()}"),),
    ),
    _row(
        "一方死亡另一方被执行其他限制人身自由的措施",
        E,
        DE_FACTO,
        case={
            "father": [{"type": "other_restriction", "start": "2026-06-01", "end": "2026-12-01"}],
            "mother": [DEAD],
        },
        codes={"father_other_restriction", "mother_deceased"},
        texts=(("father_other_restriction", f"期限{restriction_term_text()}"),),
    ),
    _row(
        "双方服刑",
        E,
        DE_FACTO,
        case={
            "father": [JAILED],
            "mother": [{"type": "imprisoned", "start": "2024-01-01", "life": True}],
        },
        codes={"father_imprisoned", "mother_imprisoned"},
        texts=(("mother_imprisoned", "母亲服刑在押，无期徒刑（自2024年1月1日起）"),),
    ),
    _row(
        "一方失踪另一方失联满6个月",
        E,
        DE_FACTO,
        case={"father": [MISSING], "mother": [{"type": "lost_contact", "start": "2026-05-01"}]},
        codes={"father_declared_missing", "mother_lost_contact"},
        texts=(("mother_lost_contact", f"到2026年11月1日已满{LOST_CONTACT_MONTHS}个月"),),
    ),
    _row(
        "一方死亡另一方被撤销监护资格",
        E,
        DE_FACTO,
        case={"father": [DEAD], "mother": [{"type": "guardianship_revoked", "date": "2025-01-01"}]},
        codes={"father_deceased", "mother_guardianship_revoked"},
        texts=(("mother_guardianship_revoked", "母亲于2025年1月1日被撤销监护资格"),),
    ),
    _row(
        "一方死亡另一方被遣送出境",
        E,
        DE_FACTO,
        case={"father": [DEAD], "mother": [{"type": "deported", "date": "2025-01-01"}]},
        codes={"father_deceased", "mother_deported"},
        texts=(("mother_deported", "母亲于2025年1月1日被遣送（驱逐）出境"),),
    ),
    _row(
        "一方死亡另一方三级肢体残疾",
        NE,
        case={"father": [DEAD], "mother": [{**DISABLED_1, "level": 3}]},
        codes={"no_qualifying_condition"},
        texts=(("no_qualifying_condition", f"不属于重残（重残指{SEVERE_DISABILITY.text()}）"),),
    ),
    _row(
        "一方死亡另一方服刑不足6个月",
        NE,
        case={
            "father": [{"type": "imprisoned", "start": "2026-10-01", "end": "2027-03-31"}],
            "mother": [DEAD],
        },
        codes={"no_qualifying_condition"},
        texts=(("no_qualifying_condition", f"刑期不足{RESTRICTION_MONTHS}个月"),),
    ),
    _row(
        "一方死亡另一方失联不满6个月",
        NE,
        case={"father": [{"type": "lost_contact", "start": "2026-05-02"}], "mother": [DEAD]},
        codes={"no_qualifying_condition"},
        texts=(("no_qualifying_condition", f"尚未满{LOST_CONTACT_MONTHS}个月（2026年11月2日满）"),),
    ),
    _row(
        "只登记了一方父母",
        NR,
        case={"father": [DEAD], "mother": None},
        codes={"other_parent_unknown"},
        texts=(("other_parent_unknown", "母亲情况不明"),),
    ),
    _row(
        "死亡之后又有服刑记录",
        NR,
        case={"father": [DEAD, {"type": "imprisoned", "start": "2021-01-01", "end": "2022-01-01"}]},
        codes={"conflict_father"},
        texts=(("conflict_father", "父亲的死亡日期为2020年5月1日"),),
    ),
    _row(
        "服刑缺截止日期",
        NR,
        case={"father": [{"type": "imprisoned", "start": "2025-01-10"}], "mother": [DEAD]},
        codes={"missing_end"},
        texts=(("missing_end", "记录缺少刑期截止日期，也未注明是否无期徒刑"),),
    ),
    _row(
        "年满18周岁",
        NE,
        case={"as_of": "2030-03-04", "father": [DEAD], "mother": [DEAD]},
        codes={"aged_out"},
        texts=(("aged_out", f"已于2030年3月4日年满{ADULT_AGE}周岁"),),
    ),
    _row(
        "被收养",
        NE,
        case={
            "father": [DEAD],
            "mother": [DEAD],
            "child": [{"type": "adopted", "date": "2025-01-01"}],
        },
        codes={"adopted"},
        texts=(("adopted", "儿童于2025年1月1日被收养"),),
    ),
    _row(
        "儿童死亡",
        NE,
        case={
            "father": [DEAD],
            "mother": [DEAD],
            "child": [{"type": "deceased", "date": "2026-01-01"}],
        },
        codes={"child_deceased"},
        texts=(("child_deceased", "儿童于2026年1月1日死亡"),),
    ),
)


def index_names() -> list[str]:
    """rules.py 文档开头索引里的情形名（“  情形 → 结论：定义”的行）。"""
    return re.findall(r"^  (\S+) → ", rules.__doc__ or "", flags=re.MULTILINE)


@pytest.mark.parametrize("row", INDEX_ROWS, ids=[r.case_name for r in INDEX_ROWS])
def test_index_row(row: IndexRow) -> None:
    a = assess_case(case_from_json(row.case))
    got = (a.status, a.category, a.orphan_type, frozenset(r.code for r in a.reasons))
    assert got == (row.status, row.category, row.orphan_type, row.codes)
    texts = {r.code: r.text for r in a.reasons}
    for code, words in row.texts:
        assert words in texts[code], texts[code]


def test_every_index_line_has_a_row_and_every_row_a_line() -> None:
    names = index_names()
    assert len(names) == len(set(names)) > 20
    assert names == [r.case_name for r in INDEX_ROWS]


def test_the_severe_disability_text_is_the_seed_wording() -> None:
    assert (
        f"重残是指{SEVERE_DISABILITY.text()}" == "重残是指一级、二级残疾或三级、四级精神、智力残疾"
    )


def _rules_forget() -> None:
    predicates.in_force.cache_clear()
    predicates.qualifies.cache_clear()
    rules.ruleset.cache_clear()


@pytest.fixture
def threshold_set() -> Iterator[Callable[[str, object], None]]:
    """改 thresholds 里的一个阈值，谓词和规则集随之重建；测试结束先恢复阈值、再重建，
    所以后面的测试（同一进程里的引擎测试）拿到的是原来的规则。"""
    original = rules.ruleset()  # 保持引用：新规则集不会复用它的 id（解释器按 id 缓存）
    with pytest.MonkeyPatch.context() as patch:
        _rules_forget()
        yield lambda name, value: patch.setattr(thresholds, name, value)
    _rules_forget()
    assert rules.ruleset() is not original
    assert thresholds.SEVERE_DISABILITY == SEVERE_DISABILITY


def _run(**kwargs: Any) -> tuple[str, str]:
    a = assess_case(case_from_json(case_json(**kwargs)))
    return a.status, " ".join(r.text for r in a.reasons)


def test_changing_the_disability_threshold_changes_rule_and_text_together(
    threshold_set: Callable[[str, object], None],
) -> None:
    narrower = SevereDisability(("1",), ("2", "3", "4"), ("mental",))
    threshold_set("SEVERE_DISABILITY", narrower)
    level_2 = {**DISABLED_1, "level": 2}
    status, text = _run(father=[DEAD], mother=[level_2])
    assert status == NE
    assert f"不属于重残（重残指{narrower.text()}）" in text
    assert "重残指一级残疾或二级、三级、四级精神残疾" in text
    status, text = _run(father=[DEAD], mother=[{**level_2, "category": "mental"}])
    assert status == E
    assert narrower.text() in text


def test_changing_the_term_threshold_changes_rule_and_text_together(
    threshold_set: Callable[[str, object], None],
) -> None:
    threshold_set("RESTRICTION_MONTHS", 12)
    eight_months = {"type": "imprisoned", "start": "2026-06-01", "end": "2027-02-01"}
    status, text = _run(father=[eight_months], mother=[DEAD])
    assert status == NE
    assert "刑期不足12个月" in text
    status, text = _run(father=[{**eight_months, "end": "2027-06-01"}], mother=[DEAD])
    assert status == E
    assert "刑期12个月以上" in text
