"""docs/rules.md 逐条款的表驱动测试：每一行的 id 以条款编号开头（s1_…、s4_6_…），
`test_every_clause_has_a_row` 检查每个条款都至少有一行。"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import pytest
from policy_cases import DEAD, JAILED, codes, run

from shouhu.core.policy import Assessment


@dataclass(frozen=True)
class Want:
    status: str
    category: str | None = None
    orphan_type: str | None = None
    reviews: int = 0
    labels: tuple[str, ...] = ()
    codes: frozenset[str] = field(default_factory=frozenset)


def E(
    category: str,
    *reason_codes: str,
    orphan_type: str | None = None,
    reviews: int | None = None,
    labels: tuple[str, ...] | None = None,
) -> Want:
    if category == "orphan":
        orphan_type = orphan_type or "scattered"
    return Want(
        "eligible",
        category,
        orphan_type,
        reviews if reviews is not None else (0 if category == "orphan" else 2),
        labels if labels is not None else (category,),
        frozenset(reason_codes),
    )


def NE(*reason_codes: str, labels: tuple[str, ...] = ()) -> Want:
    return Want("not_eligible", labels=labels, codes=frozenset(reason_codes))


def NR(*reason_codes: str, labels: tuple[str, ...] = ()) -> Want:
    return Want("needs_review", labels=labels, codes=frozenset(reason_codes))


def imprisoned(start: str, end: str | None = None, **more: Any) -> dict[str, Any]:
    fact = {"type": "imprisoned", "start": start, **more}
    if end is not None:
        fact["end"] = end
    return fact


def disability(level: int | None, category: str | None = "physical", **more: Any) -> dict[str, Any]:
    fact: dict[str, Any] = {"type": "severe_disability", **more}
    if level is not None:
        fact["level"] = level
    if category is not None:
        fact["category"] = category
    return fact


ROWS: list[tuple[str, dict[str, Any], Want]] = [
    # §1 生效、日历月、“以上”含本数
    (
        "s1_in_force_from_start_day",
        {"father": [imprisoned("2026-11-01", "2027-11-01")], "mother": [DEAD]},
        E("de_facto_unsupported", "father_imprisoned", "mother_deceased"),
    ),
    (
        "s1_not_in_force_on_end_day",
        {"father": [imprisoned("2025-01-01", "2026-11-01")], "mother": [DEAD]},
        NE("no_qualifying_condition"),
    ),
    (
        "s1_month_end_clamp_reached",
        {
            "as_of": "2026-02-28",
            "father": [{"type": "lost_contact", "start": "2025-08-31"}],
            "mother": [DEAD],
        },
        E("de_facto_unsupported", "father_lost_contact", "mother_deceased"),
    ),
    (
        "s1_month_end_clamp_day_before",
        {
            "as_of": "2026-02-27",
            "father": [{"type": "lost_contact", "start": "2025-08-31"}],
            "mother": [DEAD],
        },
        NE("no_qualifying_condition"),
    ),
    (
        "s1_six_months_includes_the_number",
        {
            "as_of": "2026-05-01",
            "father": [imprisoned("2026-01-31", "2026-07-31")],
            "mother": [DEAD],
        },
        E("de_facto_unsupported", "father_imprisoned", "mother_deceased"),
    ),
    (
        "s1_six_months_one_day_short",
        {
            "as_of": "2026-05-01",
            "father": [imprisoned("2026-01-31", "2026-07-30")],
            "mother": [DEAD],
        },
        NE("no_qualifying_condition"),
    ),
    # §2 各类事实的有效期
    (
        "s2_deceased_future_date_not_in_force",
        {"father": [{"type": "deceased", "date": "2027-01-01"}], "mother": [DEAD]},
        NE("no_qualifying_condition"),
    ),
    (
        "s2_declared_dead_revoked",
        {
            "father": [{"type": "declared_dead", "date": "2019-01-01", "end": "2025-01-01"}],
            "mother": [DEAD],
        },
        NE("no_qualifying_condition"),
    ),
    (
        "s2_declared_dead_in_force",
        {"father": [{"type": "declared_dead", "date": "2019-01-01"}], "mother": [DEAD]},
        E("orphan", "father_declared_dead", "mother_deceased"),
    ),
    (
        "s2_declared_missing_revoked",
        {
            "father": [{"type": "declared_missing", "date": "2019-01-01", "end": "2026-01-01"}],
            "mother": [DEAD],
        },
        NE("no_qualifying_condition"),
    ),
    (
        "s2_disability_valid_on_last_day",
        {"father": [disability(1, valid_until="2026-11-01")], "mother": [DEAD]},
        E("de_facto_unsupported", "father_severe_disability", "mother_deceased", reviews=1),
    ),
    (
        "s2_disability_expired",
        {"father": [disability(1, valid_until="2026-10-31")], "mother": [DEAD]},
        NE("no_qualifying_condition"),
    ),
    (
        "s2_disability_not_yet_valid",
        {"father": [disability(2, start="2026-11-02")], "mother": [DEAD]},
        NE("no_qualifying_condition"),
    ),
    (
        "s2_illness_ended",
        {
            "father": [
                {
                    "type": "severe_illness",
                    "disease": "白血病",
                    "qualifying": True,
                    "end": "2026-11-01",
                }
            ],
            "mother": [DEAD],
        },
        NE("no_qualifying_condition"),
    ),
    (
        "s2_imprisoned_life",
        {"father": [imprisoned("2020-01-01", life=True)], "mother": [DEAD]},
        E("de_facto_unsupported", "father_imprisoned", "mother_deceased"),
    ),
    (
        "s2_compulsory_rehab",
        {
            "father": [{"type": "compulsory_rehab", "start": "2026-01-01", "end": "2028-01-01"}],
            "mother": [DEAD],
        },
        E("de_facto_unsupported", "father_compulsory_rehab", "mother_deceased"),
    ),
    (
        "s2_other_restriction",
        {
            "father": [{"type": "other_restriction", "start": "2026-06-01", "end": "2026-12-01"}],
            "mother": [DEAD],
        },
        E("de_facto_unsupported", "father_other_restriction", "mother_deceased"),
    ),
    (
        "s2_lost_contact_found",
        {
            "father": [{"type": "lost_contact", "start": "2024-01-01", "end": "2026-06-01"}],
            "mother": [DEAD],
        },
        NE("no_qualifying_condition"),
    ),
    (
        "s2_guardianship_restored",
        {
            "father": [{"type": "guardianship_revoked", "date": "2024-01-01", "end": "2026-01-01"}],
            "mother": [DEAD],
        },
        NE("no_qualifying_condition"),
    ),
    (
        "s2_deported_returned",
        {
            "father": [{"type": "deported", "date": "2024-01-01", "end": "2026-01-01"}],
            "mother": [DEAD],
        },
        NE("no_qualifying_condition"),
    ),
    # §3 父母状态
    (
        "s3_absent_deceased",
        {"father": [DEAD], "mother": [DEAD]},
        E("orphan", "father_deceased", "mother_deceased"),
    ),
    (
        "s3_absent_declared_missing",
        {"father": [{"type": "declared_missing", "date": "2021-01-01"}], "mother": [DEAD]},
        E("orphan", "father_declared_missing", "mother_deceased"),
    ),
    (
        "s3_disability_level2_any_category",
        {"father": [disability(2, "visual")], "mother": [DEAD]},
        E("de_facto_unsupported", "father_severe_disability", "mother_deceased", reviews=1),
    ),
    (
        "s3_disability_level3_intellectual",
        {"father": [disability(3, "intellectual")], "mother": [DEAD]},
        E("de_facto_unsupported", "father_severe_disability", "mother_deceased", reviews=1),
    ),
    (
        "s3_disability_level4_mental",
        {"father": [disability(4, "mental")], "mother": [DEAD]},
        E("de_facto_unsupported", "father_severe_disability", "mother_deceased", reviews=1),
    ),
    (
        "s3_disability_level3_physical_not_severe",
        {"father": [disability(3, "physical")], "mother": [DEAD]},
        NE("no_qualifying_condition"),
    ),
    (
        "s3_illness_qualifying_true",
        {
            "father": [{"type": "severe_illness", "disease": "某罕见病", "qualifying": True}],
            "mother": [DEAD],
        },
        E("de_facto_unsupported", "father_severe_illness", "mother_deceased", reviews=1),
    ),
    (
        "s3_illness_on_region_list",
        {"father": [{"type": "severe_illness", "disease": "白血病"}], "mother": [DEAD]},
        E("de_facto_unsupported", "father_severe_illness", "mother_deceased", reviews=1),
    ),
    (
        "s3_illness_not_on_list",
        {"father": [{"type": "severe_illness", "disease": "感冒"}], "mother": [DEAD]},
        NE("no_qualifying_condition"),
    ),
    (
        "s3_illness_qualifying_false_overrides_list",
        {
            "father": [{"type": "severe_illness", "disease": "白血病", "qualifying": False}],
            "mother": [DEAD],
        },
        NE("no_qualifying_condition"),
    ),
    (
        "s3_lost_contact_under_six_months",
        {"father": [{"type": "lost_contact", "start": "2026-05-02"}], "mother": [DEAD]},
        NE("no_qualifying_condition"),
    ),
    (
        "s3_lost_contact_six_months",
        {"father": [{"type": "lost_contact", "start": "2026-05-01"}], "mother": [DEAD]},
        E("de_facto_unsupported", "father_lost_contact", "mother_deceased"),
    ),
    (
        "s3_guardianship_revoked",
        {"father": [{"type": "guardianship_revoked", "date": "2025-01-01"}], "mother": [DEAD]},
        E("de_facto_unsupported", "father_guardianship_revoked", "mother_deceased", reviews=1),
    ),
    (
        "s3_deported",
        {"father": [{"type": "deported", "date": "2025-01-01"}], "mother": [DEAD]},
        E("de_facto_unsupported", "father_deported", "mother_deceased", reviews=1),
    ),
    ("s3_none", {"father": [], "mother": [DEAD]}, NE("no_qualifying_condition")),
    # §4 决定顺序
    (
        "s4_1_child_deceased",
        {"father": [DEAD], "mother": [DEAD], "child": [{"type": "deceased", "date": "2026-01-01"}]},
        NE("child_deceased"),
    ),
    (
        "s4_2_birth_date_from_id",
        {"birth": None, "id_number": "15080220120304002X", "father": [DEAD], "mother": [DEAD]},
        E("orphan", "father_deceased", "mother_deceased"),
    ),
    (
        "s4_2_birth_date_mismatch",
        {"id_number": "150802201203050025", "father": [DEAD], "mother": [DEAD]},
        NR("birth_date_mismatch"),
    ),
    (
        "s4_3_aged_out_on_18th_birthday",
        {"as_of": "2030-03-04", "father": [DEAD], "mother": [DEAD]},
        NE("aged_out"),
    ),
    (
        "s4_3_minor_day_before_18th_birthday",
        {"as_of": "2030-03-03", "father": [DEAD], "mother": [DEAD]},
        E("orphan", "father_deceased", "mother_deceased"),
    ),
    (
        "s4_3_feb29_minor_on_feb28",
        {"birth": "2008-02-29", "as_of": "2026-02-28", "father": [DEAD], "mother": [DEAD]},
        E("orphan", "father_deceased", "mother_deceased"),
    ),
    (
        "s4_3_feb29_turns_18_on_march_1",
        {"birth": "2008-02-29", "as_of": "2026-03-01", "father": [DEAD], "mother": [DEAD]},
        NE("aged_out"),
    ),
    (
        "s4_4_adopted",
        {"father": [DEAD], "mother": [DEAD], "child": [{"type": "adopted", "date": "2025-01-01"}]},
        NE("adopted"),
    ),
    (
        "s4_5_parents_unknown_scattered",
        {
            "father": None,
            "mother": None,
            "child": [{"type": "parents_unknown", "date": "2013-01-01"}],
        },
        E("orphan", "parents_unknown"),
    ),
    (
        "s4_5_parents_unknown_institutional",
        {
            "father": None,
            "mother": None,
            "child": [
                {"type": "parents_unknown", "date": "2013-01-01"},
                {"type": "institutional_care", "start": "2013-02-01"},
            ],
        },
        E("orphan", "parents_unknown", "institutional_care", orphan_type="institutional"),
    ),
    (
        "s4_6_conflict_father",
        {"father": [DEAD, imprisoned("2021-01-01", "2030-01-01")], "mother": [DEAD]},
        NR("conflict_father"),
    ),
    (
        "s4_6_conflict_mother",
        {"father": [DEAD], "mother": [DEAD, disability(1, start="2022-01-01")]},
        NR("conflict_mother"),
    ),
    (
        "s4_6_conflict_condition_no_longer_in_force",
        {"father": [DEAD, imprisoned("2021-01-01", "2022-01-01")], "mother": [DEAD]},
        NR("conflict_father"),
    ),
    (
        "s4_6_conflict_condition_not_yet_started",
        {"father": [DEAD, imprisoned("2027-01-01", "2029-01-01")], "mother": [DEAD]},
        NR("conflict_father"),
    ),
    (
        "s4_6_conflict_death_not_yet_in_force",
        {
            "father": [{"type": "deceased", "date": "2027-01-01"}, imprisoned("2027-03-01")],
            "mother": [DEAD],
        },
        NR("conflict_father"),
    ),
    (
        "s4_6_conflict_start_taken_from_date",
        {
            "father": [
                DEAD,
                {"type": "guardianship_revoked", "date": "2021-01-01", "end": "2022-01-01"},
            ],
            "mother": [DEAD],
        },
        NR("conflict_father"),
    ),
    (
        "s4_6_conflict_after_the_earliest_death",
        {
            "father": [
                {"type": "deceased", "date": "2023-01-01"},
                DEAD,
                imprisoned("2021-01-01", "2022-01-01"),
            ],
            "mother": [DEAD],
        },
        NR("conflict_father"),
    ),
    (
        "s4_6_condition_without_start_no_conflict",
        {"father": [DEAD, disability(1)], "mother": [DEAD]},
        E("orphan", "father_deceased", "mother_deceased"),
    ),
    (
        "s4_6_condition_before_death_no_conflict",
        {"father": [DEAD, imprisoned("2019-01-01", "2030-01-01")], "mother": [DEAD]},
        E("orphan", "father_deceased", "mother_deceased"),
    ),
    (
        "s4_6_missing_end",
        {"father": [imprisoned("2025-01-10")], "mother": [DEAD]},
        NR("missing_end"),
    ),
    ("s4_6_missing_level", {"father": [disability(None)], "mother": [DEAD]}, NR("missing_level")),
    (
        "s4_6_missing_start",
        {"father": [{"type": "lost_contact"}], "mother": [DEAD]},
        NR("missing_start"),
    ),
    (
        "s4_6_incomplete_ignored_when_both_ways_agree",
        {"father": [DEAD, imprisoned("2019-01-10")], "mother": [DEAD]},
        E("orphan", "father_deceased", "mother_deceased"),
    ),
    (
        "s4_6_incomplete_ignored_other_parent_none",
        {"father": [imprisoned("2025-01-10")], "mother": []},
        NE("no_qualifying_condition"),
    ),
    (
        "s4_7_orphan_scattered",
        {"father": [DEAD], "mother": [{"type": "declared_dead", "date": "2021-01-01"}]},
        E("orphan", "father_deceased", "mother_declared_dead"),
    ),
    (
        "s4_7_orphan_institutional",
        {
            "father": [DEAD],
            "mother": [DEAD],
            "child": [{"type": "institutional_care", "start": "2021-01-01"}],
        },
        E(
            "orphan",
            "father_deceased",
            "mother_deceased",
            "institutional_care",
            orphan_type="institutional",
        ),
    ),
    (
        "s4_8_both_conditions",
        {"father": [JAILED], "mother": [disability(1)]},
        E("de_facto_unsupported", "father_imprisoned", "mother_severe_disability"),
    ),
    (
        "s4_8_absent_and_condition",
        {"father": [DEAD], "mother": [{"type": "lost_contact", "start": "2025-01-01"}]},
        E("de_facto_unsupported", "father_deceased", "mother_lost_contact"),
    ),
    (
        "s4_8_condition_and_absent",
        {"father": [JAILED], "mother": [DEAD]},
        E("de_facto_unsupported", "father_imprisoned", "mother_deceased"),
    ),
    (
        "s4_9_only_father_known_absent",
        {"father": [DEAD], "mother": None},
        NR("other_parent_unknown"),
    ),
    (
        "s4_9_only_mother_known_condition",
        {"father": None, "mother": [JAILED]},
        NR("other_parent_unknown"),
    ),
    (
        "s4_9_only_one_known_without_condition",
        {"father": [], "mother": None},
        NE("no_qualifying_condition"),
    ),
    ("s4_10_one_condition_only", {"father": [JAILED], "mother": []}, NE("no_qualifying_condition")),
    # §5 核查次数
    (
        "s5_two_for_lost_contact",
        {"father": [{"type": "lost_contact", "start": "2024-01-01"}], "mother": [DEAD]},
        E("de_facto_unsupported", "father_lost_contact", "mother_deceased", reviews=2),
    ),
    (
        "s5_one_for_declared_missing",
        {"father": [{"type": "declared_missing", "date": "2024-01-01"}], "mother": [disability(1)]},
        E("de_facto_unsupported", "father_declared_missing", "mother_severe_disability", reviews=1),
    ),
    (
        "s5_default_one_for_deported_and_deceased",
        {"father": [{"type": "deported", "date": "2024-01-01"}], "mother": [DEAD]},
        E("de_facto_unsupported", "father_deported", "mother_deceased", reviews=1),
    ),
    (
        "s5_largest_figure_wins",
        {"father": [{"type": "severe_illness", "disease": "白血病"}, JAILED], "mother": [DEAD]},
        E(
            "de_facto_unsupported",
            "father_severe_illness",
            "father_imprisoned",
            "mother_deceased",
            reviews=2,
        ),
    ),
    (
        "s5_orphan_zero",
        {"father": [DEAD], "mother": [DEAD]},
        E("orphan", "father_deceased", "mother_deceased"),
    ),
    # §8 标签
    (
        "s8_labels_whatever_the_decision",
        {
            "as_of": "2030-06-01",
            "father": [DEAD],
            "mother": [DEAD],
            "child": [{"type": "low_income", "start": "2020-01-01"}],
        },
        NE("aged_out", labels=("low_income",)),
    ),
    (
        "s8_label_severe_disability_uses_qualifying_test",
        {
            "father": [JAILED],
            "mother": [],
            "child": [disability(3, "physical"), disability(1, "physical")],
        },
        NE("no_qualifying_condition", labels=("severe_disability",)),
    ),
    (
        "s8_label_disability_level3_physical_none",
        {"father": [], "mother": [], "child": [disability(3, "physical")]},
        NE("no_qualifying_condition"),
    ),
    (
        "s8_label_illness_and_poverty",
        {
            "father": [JAILED],
            "mother": [DEAD],
            "child": [
                {"type": "severe_illness", "disease": "白血病"},
                {"type": "extreme_poverty", "start": "2020-01-01"},
                {"type": "poverty_monitoring", "start": "2020-01-01", "end": "2026-01-01"},
            ],
        },
        E(
            "de_facto_unsupported",
            "father_imprisoned",
            "mother_deceased",
            labels=("de_facto_unsupported", "extreme_poverty", "severe_illness"),
        ),
    ),
    (
        "s8_label_hiv_without_consent",
        {"father": [DEAD], "mother": [DEAD], "child": [{"type": "hiv_infected"}]},
        E("orphan", "father_deceased", "mother_deceased", labels=("hiv_infected", "orphan")),
    ),
]

CLAUSES = (
    "s1",
    "s2",
    "s3",
    "s4_1",
    "s4_2",
    "s4_3",
    "s4_4",
    "s4_5",
    "s4_6",
    "s4_7",
    "s4_8",
    "s4_9",
    "s4_10",
    "s5",
    "s8",
)


def _got(a: Assessment) -> Want:
    return Want(
        a.status, a.category, a.orphan_type, a.reviews_per_year, a.labels, frozenset(codes(a))
    )


@pytest.mark.parametrize(("kwargs", "want"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_clause(kwargs: dict[str, Any], want: Want) -> None:
    assert _got(run(**kwargs)) == want


def test_every_clause_has_a_row() -> None:
    ids = [r[0] for r in ROWS]
    assert len(set(ids)) == len(ids)
    for clause in CLAUSES:
        assert any(i.startswith(clause + "_") for i in ids), clause


# 不适合放进上表的条款：对应的具名测试在别的文件里
ELSEWHERE = {
    "s6_visits": ("test_policy_explain", "test_visits_by_risk_level_default_general"),
    "s7_termination": (
        "test_policy_explain",
        "test_termination_names_the_fact_that_ended_the_condition",
    ),
    "s8_hiv_subsidy": (
        "test_policy_explain",
        "test_hiv_infected_child_subsidised_in_sixian_with_consent",
    ),
    "s9_params_by_region": (
        "test_policy_params",
        "test_region_falls_back_to_city_province_and_national",
    ),
    "s9_examples_marked": ("test_policy_params", "test_amounts_not_in_the_seeds_are_examples"),
}


def test_clauses_outside_the_table_have_named_tests() -> None:
    for module, name in ELSEWHERE.values():
        assert callable(getattr(importlib.import_module(module), name))
