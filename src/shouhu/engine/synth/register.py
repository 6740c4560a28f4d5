"""民政台账（register）及其“陈旧”：大多数符合条件的儿童有保障中的个案，少数漏登（应纳未纳）、
类别不对（类别变更）；条件已消失的儿童有的已按时终止，有的还挂着（应退未退）。

台账依据规则引擎的判定（truth.Verdict）和家庭情形（scenarios）生成，比例可调。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from shouhu.engine.synth.population import Population
from shouhu.engine.synth.scenarios import SCENARIOS, Assignment
from shouhu.engine.synth.truth import Judge

OTHER_CATEGORY = {"orphan": "de_facto_unsupported", "de_facto_unsupported": "orphan"}
CLOSE_REASONS = {
    "aged_out": "年满18周岁，依规终止保障。",
    "adopted": "已依法办理收养登记，终止保障。",
    "child_deceased": "儿童死亡，终止保障。",
    "no_qualifying_condition": (
        "父母情况已变化（刑满释放、恢复联系或残疾证到期等），不再符合条件，终止保障。"
    ),
}


@dataclass(frozen=True)
class Staleness:
    """台账陈旧的程度。"""

    enrolled: float = 0.85  # 符合条件者中，有正确类别个案的比例
    wrong_category: float = 0.05  # 符合条件者中，个案类别不对的比例（其余为漏登）
    not_closed: float = 0.6  # 条件已消失者中，个案仍在保障中的比例（其余已按时终止）
    review_enrolled: float = 0.5  # 需人工核查者中，已有个案的比例
    wrongly_open: float = 0.02  # 差一点符合的儿童中，被错误纳入保障的比例


@dataclass(frozen=True)
class CaseRow:
    case_id: str
    child: int
    category: str
    orphan_type: str
    status: str
    opened_on: date
    closed_on: date | None
    close_reason_code: str
    close_reason: str


def _day(rng: np.random.Generator, lo: date, hi: date) -> date:
    return lo + timedelta(days=int(rng.integers(0, max(0, (hi - lo).days) + 1)))


def register_build(
    rng: np.random.Generator,
    pop: Population,
    judge: Judge,
    assignment: Assignment,
    *,
    as_of: date,
    case_prefix: str,
    staleness: Staleness = Staleness(),
) -> list[CaseRow]:
    cases: list[CaseRow] = []
    for child, decision in sorted(judge.decisions.items()):
        planned = _plan(rng, decision, assignment.child.get(child, -1), staleness)
        if planned is None:
            continue
        category, active = planned
        birth = date.fromisoformat(str(pop.birth[child]))
        opened = _day(rng, max(birth, as_of - timedelta(days=5 * 365)), as_of - timedelta(days=30))
        orphan_type = _orphan_type(judge, child) if category == "orphan" else ""
        case_id = f"{case_prefix}{len(cases) + 1:06d}"
        if active:
            cases.append(
                CaseRow(case_id, child, category, orphan_type, "active", opened, None, "", "")
            )
            continue
        reasons = judge.verdict(child).reasons
        code = next((r for r in reasons if r in CLOSE_REASONS), "no_qualifying_condition")
        closed = _day(rng, opened, as_of)
        cases.append(
            CaseRow(
                case_id,
                child,
                category,
                orphan_type,
                "closed",
                opened,
                closed,
                code,
                CLOSE_REASONS[code],
            )
        )
    return cases


def _orphan_type(judge: Judge, child: int) -> str:
    """孤儿个案的类型：仍符合孤儿条件的照认定结果，否则（类别登错、已不符合）按散居。"""
    verdict = judge.verdict(child) if judge.decisions[child][1] == "orphan" else None
    return (verdict.orphan_type if verdict else None) or "scattered"


def _plan(
    rng: np.random.Generator, decision: tuple[str, str | None], scenario: int, s: Staleness
) -> tuple[str, bool] | None:
    """(个案类别, 是否保障中)；None 表示台账里没有这个儿童。"""
    u = rng.random()
    status, category = decision
    if status == "eligible" and category:
        if u < s.enrolled:
            return category, True
        if u < s.enrolled + s.wrong_category:
            return OTHER_CATEGORY[category], True
        return None
    if status == "needs_review":
        return ("de_facto_unsupported", True) if u < s.review_enrolled else None
    former = SCENARIOS[scenario].former if scenario >= 0 else ""
    if former:
        return former, u < s.not_closed
    if scenario >= 0 and u < s.wrongly_open:
        return "de_facto_unsupported", True
    return None
