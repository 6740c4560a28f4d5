"""没判对的 enrol / exit 按原因分组（找改进点用）：

    .venv/bin/python bench/compare/misses.py --data DIR --findings DIR/out/findings.parquet

对每个真值 enrol / exit 而发现里没对上的儿童：引擎给了什么（没有发现、review 带
unresolved_record 且带着决定它的记录、review 没带、别的种类）；决定它的记录（真值 record_ids）
里没关联上的那些为什么没关联上（unlinked 的原因）、记录写了什么（号码有无与真值的错误种类、
出生日期有无、区划几位、姓名有无错字）。最后同样列出查准率的错（发现了而真值不是的 enrol / exit）。
打印计数表（JSON），--show N 另打印每组 N 个例子的记录号。
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from score import UNRESOLVED, keys, records


def _record_shape(fact: dict[str, Any], truth: dict[str, Any]) -> str:
    number = (fact.get("id_number") or "").strip()
    parts = [
        "号码:" + ("无" if not number else truth.get("id_noise") or "对"),
        "生日:" + ("有" if fact.get("birth_date") else "无"),
        "区划:" + str(len((fact.get("division_code") or "").strip())),
        "姓名:" + (truth.get("name_noise") or "对"),
    ]
    if not truth.get("in_registry"):
        parts.append("户籍无此人")
    return " ".join(parts)


def _rows(path: Path, wanted: set[str]) -> dict[str, dict[str, Any]]:
    table = pq.read_table(path)
    table = table.filter(pc.is_in(table.column("record_id"), value_set=pa.array(sorted(wanted))))
    return {r["record_id"]: r for r in table.to_pylist()}


def _families(data: Path, children: set[str]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """(儿童及其父母的号码 → 身份：儿童|父|母, 儿童 → 一家三人的号码)。"""
    table = pq.read_table(
        data / "registry.parquet", columns=["id_number", "father_id_number", "mother_id_number"]
    )
    table = table.filter(pc.is_in(table.column("id_number"), value_set=pa.array(sorted(children))))
    roles: dict[str, str] = {}
    members: dict[str, set[str]] = {}
    for row in table.to_pylist():
        roles[row["id_number"]] = "儿童"
        for role, column in (("父", "father_id_number"), ("母", "mother_id_number")):
            if row[column]:
                roles[row[column]] = role
        members[row["id_number"]] = {
            row[c] for c in ("id_number", "father_id_number", "mother_id_number") if row[c]
        }
    return roles, members


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--findings", type=Path, required=True)
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args()
    want = keys(pq.read_table(args.data / "truth_findings.parquet").to_pylist())
    rows = pq.read_table(args.findings).to_pylist()
    got = keys(rows)
    by_child = {r["child_id_number"]: r for r in rows if r["child_id_number"]}
    unlinked = {r["record_ids"]: r["reasons"] for r in rows if r["kind"] == "unlinked"}
    missed = [k for k in want if k[0] in ("enrol", "exit") and k not in got]
    needed = set().union(*(records(want[k]) for k in missed)) if missed else set()
    wrong_keys = [k for k in got if k[0] in ("enrol", "exit") and k not in want]
    links_table = pq.read_table(args.data / "truth_links.parquet")
    family, members = _families(args.data, {k[1] for k in wrong_keys})
    about = {
        r
        for r, p in zip(
            links_table.column("record_id").to_pylist(),
            links_table.column("id_number").to_pylist(),
            strict=True,
        )
        if p in family
    }
    needed |= about
    facts = _rows(args.data / "facts.parquet", needed)
    truth_links = _rows(args.data / "truth_links.parquet", needed)
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, list[str]] = defaultdict(list)
    for key in missed:
        kind, child = key[0], key[1]
        found = by_child.get(child)
        deciding = records(want[key])
        if found is None:
            outcome = "无发现"
        elif found["kind"] == "review" and UNRESOLVED in (found["reasons"] or ""):
            cites = deciding & records(found)
            outcome = "review·带决定记录" if cites else "review·未带决定记录"
        else:
            outcome = found["kind"] + ("·同种类细节不同" if found["kind"] == kind else "")
        loose = sorted(r for r in deciding if r in unlinked)
        cause = (
            "; ".join(
                f"{unlinked[r]} [{_record_shape(facts.get(r, {}), truth_links.get(r, {}))}]"
                for r in loose
            )
            if loose
            else "决定记录都已关联"
        )
        groups[f"{kind} → {outcome}"][cause] += 1
        if len(examples[f"{kind} → {outcome} | {cause}"]) < args.show:
            examples[f"{kind} → {outcome} | {cause}"].append(f"{child} {sorted(deciding)}")
    truth_kind = {k[1]: k[0] for k in want}
    wrong: Counter[str] = Counter()
    for key in wrong_keys:
        child = key[1]
        loose = sorted(
            f"{family[truth_links[r]['id_number']]}·{facts[r]['type']}·{unlinked[r]}"
            f" [{_record_shape(facts[r], truth_links[r])}]"
            for r in about
            if r in unlinked and truth_links[r]["id_number"] in members.get(child, set())
        )
        label = f"{key[0]} 而真值 {truth_kind.get(child, '无')} | "
        label += "; ".join(loose) or "一家的记录都已关联（有记录联错了人）"
        wrong[label] += 1
        if args.show:
            print("wrong", key, loose)
    out = {g: dict(c.most_common()) for g, c in sorted(groups.items())}
    print(json.dumps({"missed": out, "wrong": dict(wrong)}, ensure_ascii=False, indent=1))
    for group, ids in examples.items() if args.show else ():
        print(group, ids)


if __name__ == "__main__":
    main()
