"""真值：用规则引擎（`shouhu.core.policy`，经 assess-format 的案例 JSON）判定每个涉及事实或
个案的儿童，再与台账对照得出应有的比对发现（compare-format 的 findings）。

判定只用干净的事实和真实的亲子关系——这正是比对引擎在完美关联时应得的结果。规则不在此复写。
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from shouhu.core.catalog.facts import CHILD_FACTS, PARENT_FACTS
from shouhu.core.policy import CaseInput, assess_case, case_from_json, decide
from shouhu.engine.synth.facts import FACT_FIELDS, FactRows, add_months_one
from shouhu.engine.synth.population import ROLE_CHILD, Population


@dataclass(frozen=True)
class Verdict:
    """一个儿童的判定结果（取自 Assessment），以及各条理由所用事实的记录号。"""

    status: str
    category: str | None
    orphan_type: str | None
    reasons: tuple[str, ...]
    record_ids: tuple[str, ...]


def _fact_json(row: dict[str, Any]) -> dict[str, Any]:
    return {"type": row["type"], **{k: row[k] for k in FACT_FIELDS if k in row}}


def touched_children(pop: Population, facts: FactRows, as_of: date) -> list[int]:
    """户籍中未满19周岁的子女里，本人有儿童类事实或父母有父母类事实的人。

    更年长的子女不判定：台账里没有他们（register.py），按 docs/rules.md §4 第3步他们只能是
    aged_out，不会产生比对发现；省下的判定约占四分之一。
    """
    touched: set[int] = set()
    cutoff = np.datetime64(add_months_one(as_of, -19 * 12), "D")
    is_child = (pop.role == ROLE_CHILD) & (pop.birth > cutoff)
    parent_of: dict[int, list[int]] = {}
    parent_subjects = {
        r["subject"] for r in facts.rows if r["type"] in PARENT_FACTS and r["subject"] >= 0
    }
    if parent_subjects:
        wanted = np.array(sorted(parent_subjects), dtype=np.int64)
        for column in (pop.father, pop.mother):
            kids = np.flatnonzero(is_child & np.isin(column, wanted))
            for kid, parent in zip(kids.tolist(), column[kids].tolist(), strict=True):
                parent_of.setdefault(parent, []).append(kid)
    for row in facts.rows:
        subject = row["subject"]
        if subject >= 0 and row["type"] in CHILD_FACTS and is_child[subject]:
            touched.add(subject)
        touched.update(parent_of.get(subject, ()) if row["type"] in PARENT_FACTS else ())
    return sorted(touched)


def _facts_by_subject(facts: FactRows) -> dict[int, list[dict[str, Any]]]:
    by_subject: dict[int, list[dict[str, Any]]] = {}
    for row in facts.rows:
        by_subject.setdefault(row["subject"], []).append(row)
    return by_subject


class Judge:
    """一个县的判定：批量时先只要 (status, category)（`decide`，快三倍），需要原因、孤儿类型
    时再做完整认定（`assess_case`）并缓存。"""

    def __init__(self, pop: Population, facts: FactRows, *, as_of: date, region: str) -> None:
        self.pop, self.as_of, self.region = pop, as_of, region
        self.by_subject = _facts_by_subject(facts)
        self.decisions: dict[int, tuple[str, str | None]] = {}
        self._verdicts: dict[int, Verdict] = {}

    def _case(self, child: int) -> tuple[CaseInput, dict[str, str]]:
        case, records = _case_json(self.pop, self.by_subject, child)
        parsed = case_from_json(
            case, default_as_of=self.as_of, default_region=self.region, case_label=str(child)
        )
        return parsed, records

    def decide_all(self, children: Iterable[int]) -> dict[int, tuple[str, str | None]]:
        for child in children:
            case, _ = self._case(child)
            self.decisions[child] = decide(case, self.as_of)
        return self.decisions

    def verdict(self, child: int) -> Verdict:
        if child not in self._verdicts:
            case, records = self._case(child)
            assessment = assess_case(case)
            used = {
                records[r] for reason in assessment.reasons for r in reason.facts if r in records
            }
            self._verdicts[child] = Verdict(
                status=assessment.status,
                category=assessment.category,
                orphan_type=assessment.orphan_type,
                reasons=tuple(reason.code for reason in assessment.reasons),
                record_ids=tuple(sorted(used)),
            )
        return self._verdicts[child]


def _case_json(
    pop: Population, by_subject: dict[int, list[dict[str, Any]]], child: int
) -> tuple[dict[str, Any], dict[str, str]]:
    """(案例 JSON, 事实引用如 "father.facts[0]" → 记录号)。"""
    records: dict[str, str] = {}

    def person(index: int, role: str, allowed: dict[str, frozenset[str]]) -> dict[str, Any]:
        rows = [r for r in by_subject.get(index, []) if r["type"] in allowed]
        for i, row in enumerate(rows):
            records[f"{role}.facts[{i}]"] = row["record_id"]
        return {"id_number": pop.id_number[index].decode(), "facts": [_fact_json(r) for r in rows]}

    case: dict[str, Any] = {"child": person(child, "child", CHILD_FACTS)}
    case["child"]["birth_date"] = str(pop.birth[child])
    for role, column in (("father", pop.father), ("mother", pop.mother)):
        parent = int(column[child])
        case[role] = person(parent, role, PARENT_FACTS) if parent >= 0 else None
    return case, records


def findings_build(
    judge: Judge, active_cases: dict[int, tuple[str, str]], id_of: dict[int, str]
) -> list[dict[str, str]]:
    """compare-format 的 findings 行。active_cases：儿童 → (case_id, 类别)。"""
    found: list[dict[str, str]] = []
    for child in sorted(set(judge.decisions) | set(active_cases)):
        kind = _kind(judge.decisions[child], active_cases.get(child))
        if kind is None:
            continue
        verdict = judge.verdict(child)
        case = active_cases.get(child)
        found.append(
            {
                "kind": kind,
                "child_id_number": id_of[child],
                "category": verdict.category or "",
                "case_id": case[0] if case and kind in ("exit", "change") else "",
                "reasons": ";".join(verdict.reasons),
                "record_ids": ";".join(verdict.record_ids),
            }
        )
    return found


def _kind(decision: tuple[str, str | None], case: tuple[str, str] | None) -> str | None:
    status, category = decision
    if status == "needs_review":
        return "review"
    if status == "eligible":
        if case is None:
            return "enrol"
        return "change" if case[1] != category else None
    return "exit" if case is not None else None
