"""名册的一行（docs/rules.md §9）：应发减已发，多发，抵扣，合计，元与分——纯函数，到分。"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shouhu.core.policy import PolicyParams, load_params
from shouhu.core.policy.roster import parse_yuan, roster_entry, roster_totals, yuan
from shouhu.core.policy.subsidy import SubsidyCase, SubsidyTerms, basis_of, terms_in

PARAMS: PolicyParams = load_params()
TERMS = SubsidyTerms()
CASE = SubsidyCase(approved_on=date(2026, 3, 5), basis="scattered_orphan", region="150802")


def m(year: int, month: int) -> date:
    return date(year, month, 1)


def test_months_already_paid_are_not_paid_again_and_a_failed_month_is() -> None:
    paid = {m(2026, 3): 150000, m(2026, 5): 150000}  # 4月发放失败（未计入已发）
    entry = roster_entry(CASE, m(2026, 6), paid=paid, params=PARAMS, terms=TERMS)
    assert [(p.month, p.fen, p.arrears) for p in entry.payments] == [
        (m(2026, 4), 150000, True),
        (m(2026, 6), 150000, False),
    ]
    assert (entry.gross_fen, entry.net_fen) == (300000, 300000)


def test_months_settled_outside_the_platform_are_left_alone() -> None:
    entry = roster_entry(
        CASE, m(2026, 6), paid={}, params=PARAMS, terms=TERMS, settled_before=m(2026, 6)
    )
    assert [p.month for p in entry.payments] == [m(2026, 6)]


def test_offset_reduces_the_payment_never_below_zero() -> None:
    entry = roster_entry(
        CASE, m(2026, 3), paid={}, params=PARAMS, terms=TERMS, offset_available=400000
    )
    assert (entry.gross_fen, entry.offset_fen, entry.net_fen) == (150000, 150000, 0)


def test_months_paid_after_the_last_month_are_overpaid_once() -> None:
    ended = SubsidyCase(approved_on=date(2026, 1, 5), basis="de_facto_unsupported",
                        ended_on=date(2026, 6, 20), region="150802")  # fmt: skip
    paid = {m(2026, k): 150000 for k in range(1, 10)}
    entry = roster_entry(ended, m(2026, 10), paid=paid, params=PARAMS, terms=TERMS)
    assert entry.payments == ()
    assert [p.month for p in entry.overpaid] == [m(2026, 7), m(2026, 8), m(2026, 9)]
    again = roster_entry(ended, m(2026, 11), paid=paid, params=PARAMS, terms=TERMS,
                         known_overpaid={m(2026, 7), m(2026, 8), m(2026, 9)})  # fmt: skip
    assert again.overpaid == ()


def test_totals_by_basis_add_up_to_the_roster() -> None:
    entries = [
        roster_entry(SubsidyCase(approved_on=date(2026, 2, 1), basis=b, region="150802"),
                     m(2026, 3), paid={}, params=PARAMS, terms=TERMS, offset_available=o)
        for b, o in (("scattered_orphan", 0), ("institutional_orphan", 1),
                     ("de_facto_unsupported", 0))
    ]  # fmt: skip
    totals = roster_totals(entries)
    assert sum(totals.by_basis.values()) == totals.gross_fen == 2 * 150000 * 2 + 2 * 200000
    assert totals.net_fen == sum(e.net_fen for e in entries) == totals.gross_fen - 1


def test_region_terms_come_from_the_dated_parameters() -> None:
    assert terms_in(PARAMS, "370114", m(2026, 5)) == SubsidyTerms()
    assert basis_of("orphan", "institutional") == "institutional_orphan"
    assert basis_of("hiv_infected") == "hiv_infected"
    with pytest.raises(ValueError, match="补贴依据"):
        basis_of("left_behind")


@given(st.integers(min_value=0, max_value=10**12))
def test_yuan_and_back_is_exact(fen: int) -> None:
    assert parse_yuan(yuan(fen)) == fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [("1400", 140000), ("1,400.5", 140050), ("0.07", 7), (".5", 50), ("1400.555", None),
     ("-3", None), ("abc", None), ("", None)],
)  # fmt: skip
def test_parse_yuan(text: str, fen: int | None) -> None:
    assert parse_yuan(text) == fen
