"""补贴月份和金额（docs/rules.md §9）：规格的三个例子，算到分。"""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest

from shouhu.core.policy import PolicyParams
from shouhu.core.policy.subsidy import (
    BasisChange,
    MonthPayment,
    SubsidyCase,
    SubsidyTerms,
    overpayments,
    subsidy_schedule,
    total_fen,
)

# 测试用的地区标准：散居孤儿 2026年4月1日起由1300元提到1400元；事实无人抚养儿童 9月1日起
# 由1200元提到1250元。
REGION = "150800"
STANDARDS = """region = "150800"
name = "测试地区"
[sources.s]
title = "某市关于调整孤儿基本生活保障标准的通知"

[[subsidy_fen.scattered_orphan]]
value = 130000
to = 2026-04-01
source = "s"
clause = "一"

[[subsidy_fen.scattered_orphan]]
value = 140000
from = 2026-04-01
source = "s"
clause = "二"

[[subsidy_fen.de_facto_unsupported]]
value = 120000
to = 2026-09-01
source = "s"
clause = "三"

[[subsidy_fen.de_facto_unsupported]]
value = 125000
from = 2026-09-01
source = "s"
clause = "四"
"""


@pytest.fixture(scope="module")
def params() -> PolicyParams:
    root = resources.files("shouhu.core.policy") / "params"
    texts = {
        f.name: f.read_text(encoding="utf-8") for f in root.iterdir() if f.name.endswith(".toml")
    }
    return PolicyParams.from_texts({**texts, f"{REGION}.toml": STANDARDS})


def m(year: int, month: int) -> date:
    return date(year, month, 1)


def rows(payments: tuple[MonthPayment, ...]) -> list[tuple[date, int, bool]]:
    return [(p.month, p.fen, p.arrears) for p in payments]


# 3月申请登记、5月批准的散居孤儿
ENROLLED_IN_MARCH = SubsidyCase(
    applied_on=date(2026, 3, 10),
    approved_on=date(2026, 5, 20),
    basis="scattered_orphan",
    region=REGION,
)


def test_approved_in_may_paid_from_may_without_arrears(params: PolicyParams) -> None:
    paid = subsidy_schedule(ENROLLED_IN_MARCH, through=date(2026, 7, 31), params=params)
    assert rows(paid) == [
        (m(2026, 5), 140000, False),
        (m(2026, 6), 140000, False),
        (m(2026, 7), 140000, False),
    ]
    assert total_fen(paid) == 420000


def test_arrears_from_the_application_month_at_each_months_standard(params: PolicyParams) -> None:
    terms = SubsidyTerms(arrears_from="application_month")
    paid = subsidy_schedule(
        ENROLLED_IN_MARCH, through=date(2026, 7, 31), params=params, terms=terms
    )
    assert rows(paid) == [
        (m(2026, 3), 130000, True),  # 3月1日的标准还是1300元
        (m(2026, 4), 140000, True),
        (m(2026, 5), 140000, False),
        (m(2026, 6), 140000, False),
        (m(2026, 7), 140000, False),
    ]
    assert total_fen(paid) == 690000
    assert total_fen(p for p in paid if p.arrears) == 270000


def test_next_month_start_moves_the_approval_month_into_arrears(params: PolicyParams) -> None:
    terms = SubsidyTerms(start="next_month", arrears_from="application_month")
    paid = subsidy_schedule(
        ENROLLED_IN_MARCH, through=date(2026, 7, 31), params=params, terms=terms
    )
    assert [(p.month.month, p.arrears) for p in paid] == [
        (3, True),
        (4, True),
        (5, True),
        (6, False),
        (7, False),
    ]
    assert total_fen(paid) == 690000
    without = subsidy_schedule(
        ENROLLED_IN_MARCH,
        through=date(2026, 7, 31),
        params=params,
        terms=SubsidyTerms("next_month"),
    )
    assert total_fen(without) == 280000


# 事实无人抚养儿童，1月批准；6月10日父亲刑满释放（资格终止），9月才确认，1—9月都已发放
EXIT_IN_JUNE = SubsidyCase(
    approved_on=date(2026, 1, 15),
    basis="de_facto_unsupported",
    ended_on=date(2026, 6, 10),
    region=REGION,
)
PAID_THROUGH_SEPTEMBER = {m(2026, k): 120000 for k in range(1, 9)} | {m(2026, 9): 125000}


def test_exit_in_june_confirmed_in_september_overpaid_july_to_september(
    params: PolicyParams,
) -> None:
    due = subsidy_schedule(EXIT_IN_JUNE, through=date(2026, 9, 30), params=params)
    assert [p.month.month for p in due] == [1, 2, 3, 4, 5, 6]
    assert total_fen(due) == 720000
    over = overpayments(EXIT_IN_JUNE, PAID_THROUGH_SEPTEMBER)
    assert [(p.month, p.fen) for p in over] == [
        (m(2026, 7), 120000),
        (m(2026, 8), 120000),
        (m(2026, 9), 125000),  # 按实发金额
    ]
    assert total_fen(over) == 365000


def test_stop_the_month_before_the_event(params: PolicyParams) -> None:
    terms = SubsidyTerms(stop="previous_month")
    due = subsidy_schedule(EXIT_IN_JUNE, through=date(2026, 9, 30), params=params, terms=terms)
    assert [p.month.month for p in due] == [1, 2, 3, 4, 5]
    over = overpayments(EXIT_IN_JUNE, PAID_THROUGH_SEPTEMBER, terms)
    assert [p.month.month for p in over] == [6, 7, 8, 9]
    assert total_fen(over) == 485000


def test_no_overpayment_while_support_continues_or_for_unpaid_months() -> None:
    ongoing = SubsidyCase(approved_on=date(2026, 1, 15), basis="de_facto_unsupported")
    assert overpayments(ongoing, PAID_THROUGH_SEPTEMBER) == ()
    unpaid = {**PAID_THROUGH_SEPTEMBER, m(2026, 8): 0}
    assert [p.month.month for p in overpayments(EXIT_IN_JUNE, unpaid)] == [7, 9]


def test_category_change_takes_effect_the_month_after_confirmation(params: PolicyParams) -> None:
    """事实无人抚养儿童的另一方父母也去世：7月20日确认改为散居孤儿，8月起按孤儿标准。"""
    changed = SubsidyCase(
        approved_on=date(2026, 1, 5),
        basis="de_facto_unsupported",
        changes=(BasisChange(date(2026, 7, 20), "scattered_orphan"),),
        region=REGION,
    )
    paid = subsidy_schedule(changed, through=date(2026, 10, 31), params=params)
    assert [(p.month.month, p.basis, p.fen) for p in paid][5:] == [
        (6, "de_facto_unsupported", 120000),
        (7, "de_facto_unsupported", 120000),
        (8, "scattered_orphan", 140000),
        (9, "scattered_orphan", 140000),
        (10, "scattered_orphan", 140000),
    ]
    assert total_fen(paid) == 7 * 120000 + 3 * 140000


def test_confirmed_on_the_first_of_a_month_takes_effect_the_next_month(
    params: PolicyParams,
) -> None:
    changed = SubsidyCase(
        approved_on=date(2026, 1, 5),
        basis="de_facto_unsupported",
        changes=(BasisChange(date(2026, 8, 1), "scattered_orphan"),),
        region=REGION,
    )
    paid = subsidy_schedule(changed, through=date(2026, 9, 30), params=params)
    assert [(p.month.month, p.fen) for p in paid][-2:] == [(8, 120000), (9, 140000)]


def test_a_child_turning_18_is_paid_for_the_birthday_month(params: PolicyParams) -> None:
    case = SubsidyCase(
        approved_on=date(2025, 11, 2),
        basis="scattered_orphan",
        ended_on=date(2026, 3, 4),
        region=REGION,
    )
    paid = subsidy_schedule(case, through=date(2026, 12, 31), params=params)
    assert [(p.month, p.fen) for p in paid] == [
        (m(2025, 11), 130000),
        (m(2025, 12), 130000),
        (m(2026, 1), 130000),
        (m(2026, 2), 130000),
        (m(2026, 3), 130000),
    ]


def test_hiv_infected_children_are_paid_at_the_rate_their_region_refers_to() -> None:
    from shouhu.core.policy import load_params

    case = SubsidyCase(approved_on=date(2026, 2, 1), basis="hiv_infected", region="341324")
    params = load_params()
    paid = subsidy_schedule(case, through=date(2026, 2, 28), params=params)
    scattered = params.resolve("341324", date(2026, 2, 1)).values["subsidy_fen.scattered_orphan"]
    assert [p.fen for p in paid] == [scattered]


def test_unknown_terms_and_bases_are_errors() -> None:
    with pytest.raises(ValueError, match="approval_month"):
        SubsidyTerms(start="approval_day")
    with pytest.raises(ValueError, match="补贴依据"):
        SubsidyCase(approved_on=date(2026, 1, 1), basis="orphan")
