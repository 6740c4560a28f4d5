"""一个县的全部合成数据：户籍、事实、台账、部门记录（带错误）和真值。

各县互相独立（随机数流由种子和县代码派生），所以按县分块生成、边生成边写文件，内存只与最大的
县有关；同一种子、同一县得到同样的数据，与其他县的顺序无关。
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from shouhu.engine.synth.dirty import DirtyRates, date_write, subject_write
from shouhu.engine.synth.facts import FACT_FIELDS, SENDERS, FactRows, background_facts
from shouhu.engine.synth.ids import id_numbers_build
from shouhu.engine.synth.names import names_build, surnames_draw
from shouhu.engine.synth.population import Population, population_draw, population_finish
from shouhu.engine.synth.register import CaseRow, register_build
from shouhu.engine.synth.scenarios import SCENARIOS, scenarios_apply
from shouhu.engine.synth.tables import (
    FACTS,
    REGISTER,
    TRUTH_FINDINGS,
    TRUTH_LINKS,
    parent_links_table,
    registry_table,
    rows_table,
    text,
)
from shouhu.engine.synth.truth import Judge, findings_build, touched_children
from shouhu.engine.synth.villages import villages_of

OUTSIDER_SHARE = 0.003  # 关于户籍不在本地区的人的记录（应报告为无法匹配）


@dataclass(frozen=True)
class CountyTables:
    registry: pa.Table
    register: pa.Table
    facts: pa.Table
    truth_links: pa.Table
    truth_findings: pa.Table
    parent_links: pa.Table


@dataclass(frozen=True)
class Outsider:
    id_number: str
    name: str
    birth_date: str
    gender: str
    division_code: str


def _streams(seed: int, county_code: str) -> list[np.random.Generator]:
    sequence = np.random.SeedSequence([seed, int(county_code)])
    return [np.random.default_rng(s) for s in sequence.spawn(7)]


def county_generate(
    *,
    seed: int,
    county_code: str,
    persons: int,
    as_of: date,
    rates: DirtyRates,
    outsider_codes: list[str],
    county_only: bool = False,
) -> CountyTables:
    """一个县的全部表。步骤的先后有讲究：困境情形可能改动孩子的生日，所以在编号之前。

    county_only：户籍和部门记录只写县代码、不写村（居），是记录关联的最坏情形。
    """
    r_pop, r_scen, r_ids, r_bg, r_out, r_reg, r_dirty = _streams(seed, county_code)
    villages = villages_of(county_code, persons=persons, county_only=county_only)
    pop = population_draw(
        r_pop, persons=persons, as_of=as_of, county_code=county_code, villages=villages
    )
    facts = FactRows()
    assignment = scenarios_apply(r_scen, pop, as_of, facts)
    population_finish(r_ids, pop, mongolian_share=0.05 if county_code.startswith("15") else 0.0)
    background_facts(r_bg, pop, as_of, facts)
    outsiders = _outsiders(r_out, facts, as_of, outsider_codes)
    _senders_and_record_ids(r_out, facts, county_code)
    judge = Judge(pop, facts, as_of=as_of, region=county_code)
    judge.decide_all(touched_children(pop, facts, as_of))
    cases = register_build(
        r_reg, pop, judge, assignment, as_of=as_of, case_prefix=f"C{county_code}"
    )
    fact_rows, link_rows = _written(r_dirty, pop, facts, outsiders, rates)
    return CountyTables(
        registry=registry_table(pop),
        register=rows_table(_register_rows(pop, cases), REGISTER),
        facts=rows_table(fact_rows, FACTS),
        truth_links=rows_table(link_rows, TRUTH_LINKS),
        truth_findings=rows_table(_findings(pop, judge, cases, facts), TRUTH_FINDINGS),
        parent_links=parent_links_table(pop),
    )


def _findings(
    pop: Population, judge: Judge, cases: list[CaseRow], facts: FactRows
) -> list[dict[str, str]]:
    """应有的比对发现：儿童的（对照台账）和外地人记录的“无法匹配”。"""
    id_of = {c: pop.id_number[c].decode() for c in judge.decisions}
    active = {c.child: (c.case_id, c.category) for c in cases if c.status == "active"}
    found = findings_build(judge, active, id_of)
    unlinked = dict.fromkeys(("child_id_number", "category", "case_id", "reasons"), "")
    found += [
        {"kind": "unlinked", **unlinked, "record_ids": r["record_id"]}
        for r in facts.rows
        if r["subject"] < 0
    ]
    return found


def _outsiders(
    rng: np.random.Generator, facts: FactRows, as_of: date, codes: list[str]
) -> list[Outsider]:
    """户籍在外地的人（服刑人员、死者）：部门报来了，本地户籍里查无此人。"""
    count = int(rng.binomial(len(facts.rows), OUTSIDER_SHARE)) if facts.rows else 0
    if count == 0:
        return []
    code = np.array([int(codes[i]) for i in rng.integers(0, len(codes), count)], dtype=np.int64)
    birth = np.datetime64(as_of, "D") - rng.integers(20 * 365, 60 * 365, count).astype(
        "timedelta64[D]"
    )
    male = rng.random(count) < 0.8
    ids = id_numbers_build(code, birth, rng.integers(0, 100, count), male)
    names = names_build(rng, surnames_draw(rng, count), male).to_pylist()
    outsiders = []
    for i in range(count):
        outsiders.append(
            Outsider(
                ids[i].decode(), names[i], str(birth[i]), "M" if male[i] else "F", str(code[i])
            )
        )
        start = as_of - timedelta(days=int(rng.integers(30, 3 * 365)))
        fact = (
            {"type": "deceased", "date": start.isoformat()}
            if rng.random() < 0.4
            else {
                "type": "imprisoned",
                "start": start.isoformat(),
                "end": (start + timedelta(days=int(rng.integers(200, 3000)))).isoformat(),
            }
        )
        facts.add(-(i + 1), fact)
    return outsiders


def _senders_and_record_ids(rng: np.random.Generator, facts: FactRows, county_code: str) -> None:
    """打乱顺序（部门报送时各类记录混在一起），定报送部门，编记录号。"""
    order = rng.permutation(len(facts.rows))
    facts.rows = [facts.rows[i] for i in order]
    u = rng.random(len(facts.rows))
    for n, (row, pick) in enumerate(zip(facts.rows, u.tolist(), strict=True)):
        senders = SENDERS[row["type"]]
        cumulative = 0.0
        for agency_type, share in senders:
            cumulative += share
            if pick < cumulative or agency_type == senders[-1][0]:
                row["agency_type"] = agency_type
                break
        row["record_id"] = f"R{county_code}{n + 1:07d}"


def _written(
    rng: np.random.Generator,
    pop: Population,
    facts: FactRows,
    outsiders: list[Outsider],
    rates: DirtyRates,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """部门记录（主体照部门写的样子）和真值关联。出生日期六成记录有，性别多写 M/F、
    也有写男/女或不写的，区划有的写到村居、有的只写县。"""
    subjects = sorted({r["subject"] for r in facts.rows if r["subject"] >= 0})
    names = dict(
        zip(subjects, pop.name.take(pa.array(subjects, pa.int64())).to_pylist(), strict=True)
    )
    fact_rows, link_rows = [], []
    u_birth, u_gender, u_division = rng.random((3, len(facts.rows))).tolist()
    for i, row in enumerate(facts.rows):
        subject = _subject(pop, outsiders, names, row["subject"])
        written = subject_write(
            rng, rates, subject.id_number, subject.name, subject.birth_date < "2000-01-01"
        )
        fact_rows.append(
            {
                "record_id": row["record_id"],
                "agency_type": row["agency_type"],
                "type": row["type"],
                "id_number": written.id_number,
                "name": written.name,
                "birth_date": date_write(rng, rates, subject.birth_date)[0]
                if u_birth[i] < 0.6
                else None,
                "gender": _gender_written(subject.gender, u_gender[i]),
                "division_code": subject.division_code
                if u_division[i] < 0.5
                else subject.division_code[:6],
                **{k: text(row.get(k)) for k in FACT_FIELDS},
            }
        )
        link_rows.append(
            {
                "record_id": row["record_id"],
                "id_number": subject.id_number,
                "in_registry": row["subject"] >= 0,
                "id_noise": written.id_noise,
                "name_noise": written.name_noise,
                "scenario": SCENARIOS[row["scenario"]].name if row["scenario"] >= 0 else "",
            }
        )
    return fact_rows, link_rows


def _gender_written(gender: str, u: float) -> str | None:
    if u < 0.7:
        return gender
    if u < 0.9:
        return {"M": "男", "F": "女"}[gender]
    return None


def _subject(
    pop: Population, outsiders: list[Outsider], names: dict[int, str], index: int
) -> Outsider:
    if index < 0:
        return outsiders[-index - 1]
    return Outsider(
        id_number=pop.id_number[index].decode(),
        name=names[index],
        birth_date=str(pop.birth[index]),
        gender="M" if pop.male[index] else "F",
        division_code=pop.division_codes[pop.division[index]],
    )


def _register_rows(pop: Population, cases: list[CaseRow]) -> list[dict[str, Any]]:
    return [
        {
            "case_id": c.case_id,
            "child_id_number": pop.id_number[c.child].decode(),
            "category": c.category,
            "status": c.status,
            "division_code": pop.division_codes[pop.division[c.child]],
            "orphan_type": c.orphan_type,
            "opened_on": c.opened_on.isoformat(),
            "closed_on": c.closed_on.isoformat() if c.closed_on else None,
            "close_reason_code": c.close_reason_code,
            "close_reason": c.close_reason,
        }
        for c in cases
    ]
