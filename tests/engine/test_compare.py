"""比对引擎：批量结果与单个儿童的参照（core 的 assess_case，逐个儿童）逐条相同。

参照实现 `reference_findings` 只用 Python：按给定的关联把记录归到人，逐个儿童组装 CaseInput、
调用 assess_case，再对照台账——与引擎的 SQL 互不依赖。
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import pyarrow as pa
import pytest

from shouhu.core.policy import CaseInput, Fact, Person, assess_case
from shouhu.core.policy.vocabulary import CHILD_FIELDS, PARENT_FIELDS
from shouhu.engine.comparison import CompareResult, compare_tables
from shouhu.engine.comparison.ambiguity import UNRESOLVED
from shouhu.engine.synth import SynthRegion, synth_region

AS_OF = date(2026, 11, 1)
BOOLS = {"true": True, "1": True, "是": True, "false": False, "0": False, "否": False}
Link = tuple[str, int]  # (户籍号码, 置信度 0–100)


def _value(name: str, raw: Any) -> Any:
    text = None if raw is None else str(raw).strip()
    if not text:
        return None
    if name in ("date", "start", "end", "valid_until"):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    if name in ("qualifying", "life", "consent"):
        return BOOLS.get(text.lower())
    return text.lower() if name == "category" else text


def _fact(row: Mapping[str, Any]) -> Fact:
    kind = str(row["type"]).strip().lower()
    fields = {**PARENT_FIELDS, **CHILD_FIELDS}[kind]
    return Fact(type=kind, **{f: _value(f, row.get(f)) for f in fields})


def _active(register: pa.Table) -> dict[str, tuple[str, str]]:
    active: dict[str, tuple[str, str]] = {}
    for row in sorted(register.to_pylist(), key=lambda r: str(r["case_id"])):
        if str(row["status"]).strip().lower() == "active":
            child = str(row["child_id_number"]).strip().upper()
            active.setdefault(child, (str(row["case_id"]), str(row["category"]).strip().lower()))
    return active


def _kind(status: str, category: str | None, case: tuple[str, str] | None) -> str | None:
    if status == "needs_review":
        return "review"
    if status == "eligible":
        return "enrol" if case is None else ("change" if case[1] != category else None)
    return "exit" if case is not None else None


def reference_findings(
    registry: pa.Table, register: pa.Table, facts: pa.Table, links: Mapping[str, Link]
) -> list[dict[str, Any]]:
    """compare-format 的发现，逐个儿童用 assess_case 判定（参照实现）。"""
    persons = {r["id_number"]: r for r in registry.to_pylist()}
    rows = sorted(facts.to_pylist(), key=lambda r: str(r["record_id"]))
    held: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["record_id"] in links and str(row["type"]).strip().lower() in {
            **PARENT_FIELDS,
            **CHILD_FIELDS,
        }:
            held[links[row["record_id"]][0]].append(row)
    active = _active(register)
    children = {p for p, rs in held.items() if any(r["type"] in CHILD_FIELDS for r in rs)}
    parents = {p for p, rs in held.items() if any(r["type"] in PARENT_FIELDS for r in rs)}
    for person in persons.values():
        if person["father_id_number"] in parents or person["mother_id_number"] in parents:
            children.add(person["id_number"])
    found = []
    for child in sorted(children | set(active)):
        me = persons.get(child, {})

        def facts_of(pid: str | None, types: Mapping[str, object]) -> list[dict[str, Any]]:
            return [r for r in held.get(pid or "", []) if r["type"] in types]

        own = facts_of(child, CHILD_FIELDS)
        by_role = {"child": own}
        parents_of: dict[str, Person | None] = {}
        for role in ("father", "mother"):
            pid = me.get(f"{role}_id_number")
            by_role[role] = facts_of(pid, PARENT_FIELDS) if pid else []
            parents_of[role] = Person(tuple(_fact(r) for r in by_role[role])) if pid else None
        birth = me.get("birth_date")
        case = CaseInput(
            as_of=AS_OF,
            child=Person(
                tuple(_fact(r) for r in own),
                id_number=child,
                birth_date=date.fromisoformat(birth) if birth else None,
            ),
            father=parents_of["father"],
            mother=parents_of["mother"],
            region=(me.get("division_code") or "")[:6] or None,
        )
        result = assess_case(case)
        kind = _kind(result.status, result.category, active.get(child))
        if kind is None:
            continue
        used = set()
        for reason in result.reasons:
            for ref in reason.facts:
                role, _, rest = ref.partition(".facts[")
                if rest:
                    used.add(by_role[role][int(rest.rstrip("]"))]["record_id"])
        found.append(
            {
                "kind": kind,
                "child_id_number": child,
                "category": result.category,
                "case_id": active[child][0] if kind in ("exit", "change") else None,
                "reasons": ";".join(sorted(r.code for r in result.reasons)),
                "record_ids": ";".join(sorted(used)) or None,
                "link_confidence": min((links[r][1] for r in used), default=None),
            }
        )
    for row in rows:
        if row["record_id"] not in links:
            found.append({"kind": "unlinked", "record_ids": row["record_id"]})
    return found


def as_rows(result: CompareResult, register: pa.Table) -> list[dict[str, Any]]:
    """引擎的发现，置信度换回 0–100 的整数，便于与参照比较。

    因未关联记录而改为 review 的（原因 unresolved_record）还原成只按已关联事实的发现：
    参照只看已关联的记录。还原前先检查多出来的记录号确是未关联的记录。
    """
    active = _active(register)
    unlinked = {r["record_id"] for r in result.links.to_pylist() if r["method"] == "unlinked"}
    rows = []
    for row in result.findings.to_pylist():
        confidence = row["link_confidence"]
        percent = None if confidence is None else int(confidence * 100)
        if row["kind"] == "unlinked":
            rows.append({"kind": "unlinked", "record_ids": row["record_ids"]})
            continue
        codes = row["reasons"].split(";")
        if UNRESOLVED in codes:
            codes.remove(UNRESOLVED)
            records = row["record_ids"].split(";")
            assert set(records) & unlinked
            kept = [r for r in records if r not in unlinked]
            row = {**row, "reasons": ";".join(codes), "record_ids": ";".join(kept) or None}
            child = row["child_id_number"]
            row["kind"] = _kind(row["status"], row["category"], active.get(child))
            row["case_id"] = active[child][0] if row["kind"] in ("exit", "change") else None
            if row["kind"] is None:
                continue
        rows.append(
            {
                **{k: row[k] for k in ("kind", "child_id_number", "category", "case_id")},
                **{k: row[k] for k in ("reasons", "record_ids")},
                "link_confidence": percent,
            }
        )
    return rows


def _key(row: Mapping[str, Any]) -> tuple[str, str]:
    return (str(row["kind"]), str(row.get("child_id_number") or row["record_ids"]))


def _without_contradictions(row: dict[str, Any], want: dict[str, Any] | None) -> dict[str, Any]:
    """部门记录矛盾（规则之外，参照的逐个认定不知道）只加原因与记录：去掉后应与参照相同。"""
    codes = (row.get("reasons") or "").split(";")
    kept = [c for c in codes if not c.startswith("contradiction_")]
    if kept == codes or want is None:
        return row
    assert set(want["record_ids"].split(";")) <= set(row["record_ids"].split(";"))
    return {**row, "reasons": ";".join(kept), "record_ids": want["record_ids"]}


def assert_same(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
    want_by = {_key(r): r for r in want}
    got_by = {_key(r): _without_contradictions(r, want_by.get(_key(r))) for r in got}
    assert len(got_by) == len(got), "同一儿童出现了不止一次"
    only_contradictions = {
        k for k, r in got_by.items() if k not in want_by and "contradiction_" in str(r)
    }
    assert sorted(set(got_by) - only_contradictions) == sorted(want_by)
    for key, row in want_by.items():
        assert got_by[key] == row, key


def true_links(region: SynthRegion) -> dict[str, Link]:
    return {
        r["record_id"]: (r["id_number"], 100)
        for r in region.truth_links.to_pylist()
        if r["in_registry"]
    }


@cache
def _region(seed: int, persons: int) -> SynthRegion:
    return synth_region(persons=persons, seed=seed, as_of=AS_OF)


@cache
def _compared(seed: int, persons: int) -> CompareResult:
    region = _region(seed, persons)
    return compare_tables(
        registry=region.registry, register=region.register, facts=region.facts, as_of=AS_OF
    )


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_batch_on_true_links_equals_assess_case_per_child(seed: int) -> None:
    region = _region(seed, 4000)
    links = true_links(region)
    given = pa.table({"record_id": list(links), "id_number": [pid for pid, _ in links.values()]})
    result = compare_tables(
        registry=region.registry,
        register=region.register,
        facts=region.facts,
        as_of=AS_OF,
        links=given,
    )
    want = reference_findings(region.registry, region.register, region.facts, links)
    assert_same(as_rows(result, region.register), want)
    assert {r["kind"] for r in want} >= {"enrol", "exit", "review"}


@pytest.mark.parametrize("seed", [21, 22])
def test_batch_on_its_own_links_equals_assess_case_per_child(seed: int) -> None:
    region = _region(seed, 5000)
    result = _compared(seed, 5000)
    links = {
        r["record_id"]: (r["id_number"], r["confidence"])
        for r in result.links.to_pylist()
        if r["method"] != "unlinked"
    }
    outsiders = {r["record_id"] for r in region.truth_links.to_pylist() if not r["in_registry"]}
    assert not outsiders & set(links)  # 外地人的记录留作未关联
    want = reference_findings(region.registry, region.register, region.facts, links)
    assert_same(as_rows(result, region.register), want)


def test_findings_match_the_synthetic_truth_on_a_small_region() -> None:
    region = _region(11, 4000)
    result = _compared(11, 4000)
    got = {
        (r["kind"], r["child_id_number"] or r["record_ids"]) for r in result.findings.to_pylist()
    }
    want = {
        (r["kind"], r["child_id_number"] or r["record_ids"])
        for r in region.truth_findings.to_pylist()
    }
    assert got == want


def test_link_confidence_is_a_two_decimal_fraction() -> None:
    result = _compared(21, 5000)
    values = [v for v in result.findings.column("link_confidence").to_pylist() if v is not None]
    assert values
    assert all(Decimal(0) <= v <= Decimal(1) for v in values)
    assert all(v == v.quantize(Decimal("0.01")) for v in values)
    assert result.findings.schema.field("link_confidence").type == pa.decimal128(3, 2)
