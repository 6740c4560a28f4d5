"""原因说明（issue 第4条）、终止理由（§7）、探访（§6）、下一次变化（第5条）、补贴（§8、§9）。"""

from __future__ import annotations

from datetime import date

import pytest
from policy_cases import DEAD, JAILED, run

from shouhu.core.policy import Assessment, assessment_to_json
from shouhu.core.policy.visits import DEFAULT_RISK, visit_requirement


def reason(a: Assessment, code: str):  # type: ignore[no-untyped-def]
    return next(r for r in a.reasons if r.code == code)


def test_eligible_reasons_name_facts_text_and_clause() -> None:
    a = run(father=[JAILED], mother=[DEAD])
    jailed = reason(a, "father_imprisoned")
    assert jailed.facts == ("father.facts[0]",)
    assert jailed.clause == "bayannur §3(二)2(5)"
    assert jailed.text == "父亲服刑在押，刑期6个月以上（2025年1月10日至2031年1月9日）"
    dead = reason(a, "mother_deceased")
    assert dead.facts == ("mother.facts[0]",)
    assert dead.clause == "bayannur §3(一)"
    assert dead.text == "母亲于2020年5月1日死亡"


def test_missing_end_names_fact_field_and_court_judgment() -> None:
    a = run(father=[DEAD, {"type": "imprisoned", "start": "2019-01-10"}], mother=None)
    # 父亲已死亡：缺截止日期的服刑记录不影响结论
    assert a.status == "needs_review"
    assert {r.code for r in a.reasons} == {"other_parent_unknown"}
    a = run(father=[{"type": "imprisoned", "start": "2025-01-10"}], mother=[DEAD])
    missing = reason(a, "missing_end")
    assert missing.facts == ("father.facts[0]",)
    assert "缺少刑期截止日期，也未注明是否无期徒刑" in missing.text
    assert "人民法院判决书" in missing.documents
    assert missing.clause.startswith("policy §4.6")
    assert "bayannur §3(二)2(5)" in missing.clause


def test_missing_start_of_lost_contact_asks_for_police_receipt() -> None:
    a = run(father=[{"type": "lost_contact"}], mother=[DEAD])
    missing = reason(a, "missing_start")
    assert "公安部门出具的《儿童父母失联查找情况回执单》" in missing.documents


def test_missing_level_asks_for_disability_certificate() -> None:
    a = run(father=[{"type": "severe_disability", "category": "physical"}], mother=[DEAD])
    assert "有效期内的残疾人证（注明类别和等级）" in reason(a, "missing_level").documents


def test_conflict_lists_death_and_later_fact_with_documents() -> None:
    later = {"type": "imprisoned", "start": "2021-01-01", "end": "2030-01-01"}
    a = run(father=[DEAD, later], mother=[DEAD])
    conflict = reason(a, "conflict_father")
    assert conflict.facts == ("father.facts[0]", "father.facts[1]")
    assert "死亡日期为2020年5月1日" in conflict.text
    assert "矛盾" in conflict.text
    assert any("死亡医学证明" in doc for doc in conflict.documents)
    assert "司法部门出具的服刑在押证明" in conflict.documents


def test_conflict_names_the_earliest_death_and_a_term_already_served() -> None:
    served = {"type": "imprisoned", "start": "2021-01-01", "end": "2022-01-01"}
    later_death = {"type": "deceased", "date": "2024-01-01"}
    a = run(father=[later_death, served, DEAD], mother=[DEAD])
    conflict = reason(a, "conflict_father")
    assert conflict.facts == ("father.facts[1]", "father.facts[2]")


def test_other_parent_unknown_asks_about_the_other_parent() -> None:
    a = run(father=[DEAD], mother=None)
    r = reason(a, "other_parent_unknown")
    assert r.facts == ("father.facts[0]",)
    assert "母亲情况不明" in r.text
    assert "出生医学证明" in r.documents


def test_birth_date_mismatch_points_at_both_fields() -> None:
    a = run(id_number="150802201203050025", father=[DEAD], mother=[DEAD])
    r = reason(a, "birth_date_mismatch")
    assert r.facts == ("child.birth_date", "child.id_number")
    assert "（2012年3月4日）" in r.text
    assert "（2012年3月5日）" in r.text


def test_termination_names_the_fact_that_ended_the_condition() -> None:
    released = {"type": "imprisoned", "start": "2020-01-01", "end": "2026-06-01"}
    a = run(father=[released], mother=[DEAD])
    r = reason(a, "no_qualifying_condition")
    assert a.status == "not_eligible"
    assert "father.facts[0]" in r.facts
    assert "父亲服刑在押（2020年1月1日至2026年6月1日），已刑满释放" in r.text


@pytest.mark.parametrize(
    ("fact", "phrase"),
    [
        (
            {"type": "lost_contact", "start": "2020-01-01", "end": "2026-06-01"},
            "父亲自2020年1月1日起失去联系，2026年6月1日恢复联系",
        ),
        (
            {
                "type": "severe_disability",
                "level": 1,
                "category": "physical",
                "valid_until": "2026-06-01",
            },
            "有效期至2026年6月1日，残疾人证已过有效期",
        ),
    ],
)
def test_termination_texts_for_contact_restored_and_certificate_expired(
    fact: dict[str, object], phrase: str
) -> None:
    a = run(father=[fact], mother=[DEAD])
    assert phrase in reason(a, "no_qualifying_condition").text


def test_aged_out_text_gives_the_18th_birthday() -> None:
    a = run(as_of="2030-03-04", father=[DEAD], mother=[DEAD])
    assert reason(a, "aged_out").text == "儿童出生于2012年3月4日，已于2030年3月4日年满18周岁"


def test_next_change_at_release_from_prison() -> None:
    a = run(birth="2015-01-01", father=[JAILED], mother=[DEAD])
    assert a.next_change is not None
    assert a.next_change.date == date(2031, 1, 9)
    assert (a.next_change.status, a.next_change.category) == ("not_eligible", None)
    assert a.next_change.text == "自2031年1月9日起，父亲刑满释放，结论将变为“不符合”"


def test_next_change_at_18th_birthday() -> None:
    a = run(father=[JAILED], mother=[DEAD])
    assert a.next_change is not None
    assert a.next_change.date == date(2030, 3, 4)
    assert "年满18周岁" in a.next_change.text


def test_next_change_when_six_months_of_lost_contact_are_reached() -> None:
    a = run(father=[{"type": "lost_contact", "start": "2026-08-31"}], mother=[DEAD])
    assert a.status == "not_eligible"
    assert a.next_change is not None
    assert a.next_change.date == date(2027, 2, 28)
    assert a.next_change.category == "de_facto_unsupported"
    assert "失联满6个月" in a.next_change.text


def test_next_change_when_certificate_expires() -> None:
    cert = {
        "type": "severe_disability",
        "level": 2,
        "category": "visual",
        "valid_until": "2027-05-31",
    }
    a = run(father=[cert], mother=[DEAD])
    assert a.next_change is not None
    assert a.next_change.date == date(2027, 6, 1)
    assert "残疾人证有效期届满" in a.next_change.text


def test_no_next_change_after_aging_out() -> None:
    assert run(as_of="2031-01-01", father=[DEAD], mother=[DEAD]).next_change is None


def test_hiv_infected_child_subsidised_in_sixian_with_consent() -> None:
    hiv = {"type": "hiv_infected", "date": "2020-01-01", "consent": True}
    a = run(region="341324", father=[], mother=[], child=[hiv])
    assert (a.status, a.category, a.labels) == ("not_eligible", None, ("hiv_infected",))
    assert a.subsidy is not None
    assert a.subsidy.basis == "hiv_infected"
    assert a.subsidy.example


@pytest.mark.parametrize(
    ("region", "consent"), [("150800", True), ("370700", True), ("341324", False), ("370114", None)]
)
def test_hiv_infected_child_not_subsidised_elsewhere_or_without_consent(
    region: str, consent: bool | None
) -> None:
    hiv: dict[str, object] = {"type": "hiv_infected"}
    if consent is not None:
        hiv["consent"] = consent
    a = run(region=region, father=[], mother=[], child=[hiv])
    assert a.subsidy is None
    assert a.labels == ("hiv_infected",)


def test_subsidy_amounts_are_marked_as_examples() -> None:
    a = run(father=[DEAD], mother=[DEAD])
    assert a.subsidy is not None
    assert a.subsidy.basis == "scattered_orphan"
    assert a.subsidy.example
    assert a.subsidy.source.startswith("示例值（非官方）")
    assert assessment_to_json(a)["subsidy"]["example"] is True


def test_json_result_has_the_documented_fields() -> None:
    out = assessment_to_json(run(father=[JAILED], mother=[DEAD]))
    for key in (
        "case_id",
        "as_of",
        "status",
        "category",
        "orphan_type",
        "reviews_per_year",
        "labels",
        "reasons",
    ):
        assert key in out
    assert out["as_of"] == "2026-11-01"
    assert out["labels"] == ["de_facto_unsupported"]
    assert set(out["reasons"][0]) >= {"code", "text", "facts", "clause"}
    assert out["next_change"]["date"] == "2030-03-04"


def test_visits_by_risk_level_default_general() -> None:
    assert DEFAULT_RISK == "general"
    assert visit_requirement().every == "quarter"
    assert visit_requirement("key").every == "month"
    high = visit_requirement("high")
    assert (high.every, high.within_hours) == ("week", 24)
    with pytest.raises(ValueError, match="未知的风险等级"):
        visit_requirement("urgent")
