"""Dates with the PSI match: only a matched ID opens its entry; another key opens none."""

from __future__ import annotations

from datetime import date

import pytest

pytest.importorskip("private_set_intersection")  # the optional extra shouhu[psi]

from shouhu.core.pprl.psi import (
    ENTRY_SIZE,
    Dates,
    psi_answer,
    psi_dates_read,
    psi_intersection,
    psi_request,
)

A, B, C = "150802198503140011", "150802199001090012", "150802197002020013"


def test_each_matched_id_opens_its_own_dates_and_nothing_else():
    request, key = psi_request([A, "150802200101010014", C])
    answer = psi_answer(
        request, [C, A, B], 3,
        [Dates(date(2020, 6, 1), None, True), Dates(date(2024, 1, 5), date(2028, 1, 4)),
         Dates(date(2025, 10, 1), date(2027, 9, 30))],
    )  # fmt: skip
    hits = psi_intersection(key, answer.setup, answer.response)
    assert hits == [0, 2]
    # asked for every index, only the two matches decrypt; B's entry stays closed
    assert psi_dates_read(key, answer.response, answer.dates, [0, 1, 2]) == {
        0: Dates(date(2024, 1, 5), date(2028, 1, 4)),
        2: Dates(date(2020, 6, 1), None, True),
    }
    _, other_key = psi_request([A])
    assert psi_dates_read(other_key, answer.response, answer.dates, hits) == {}
    tampered = bytearray(answer.dates)
    for end in range(ENTRY_SIZE, len(tampered) + 1, ENTRY_SIZE):
        tampered[end - 1] ^= 1  # the last byte of each entry's GCM tag
    assert psi_dates_read(key, answer.response, bytes(tampered), hits) == {}
