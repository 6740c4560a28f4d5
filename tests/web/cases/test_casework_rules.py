"""个案工作里不碰数据库的规则：风险评估的建议等级、“7 天内”的界限。到期日本身由规则模块给出
（tests/core/policy/test_policy_schedules.py）。"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from shouhu.core.errors import InvalidInput
from shouhu.web.cases.risk import RISK_QUESTIONS, risk_proposal, risk_propose
from shouhu.web.cases.worklists import Moment

CALM = {"care": "able", "harm": "none", "health": "good", "school": "normal", "family": "none"}


@pytest.mark.parametrize(
    ("changes", "level"),
    [
        ({}, "general"),
        ({"family": "some"}, "general"),
        ({"family": "some", "care": "strained"}, "key"),
        ({"school": "dropped"}, "key"),
        ({"harm": "seen"}, "high"),
        ({"care": "unable"}, "high"),
    ],
)
def test_the_assessment_proposes_a_level(changes: dict[str, str], level: str) -> None:
    assert risk_propose(CALM | changes) == level


def test_an_incomplete_assessment_proposes_nothing() -> None:
    answers = {k: v for k, v in CALM.items() if k != "harm"}
    with pytest.raises(InvalidInput, match="伤害"):
        risk_propose(answers)
    assert risk_proposal(answers) == ""
    assert risk_proposal(CALM | {"care": "nonsense"}) == ""
    assert {q.code for q in RISK_QUESTIONS} == set(CALM)


@pytest.mark.parametrize(
    ("today", "last"),
    [(date(2026, 11, 30), date(2026, 12, 6)), (date(2026, 12, 5), date(2026, 12, 11))],
)
def test_the_week_ahead_is_seven_days_from_today(today: date, last: date) -> None:
    assert Moment(today=today, now=datetime(2026, 12, 1)).week_end == last
