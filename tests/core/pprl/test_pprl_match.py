"""Matching in the encoded space on a small dirty set: precision and recall, fixed threshold."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from shouhu.core.identity import id_number_generate
from shouhu.core.pprl import (
    PERSON_ZH,
    PERSON_ZH_V2,
    Person,
    Term,
    answers_build,
    link,
    linkage_key_generate,
    persons_encode,
)
from shouhu.engine.synth.names import name_traditional, name_wrong_char, names_build, surnames_draw

PERSONS, RECORDS = 3000, 600


def _typo(rng: np.random.Generator, number: str) -> str:
    i = int(rng.integers(0, 17))
    return number[:i] + str((int(number[i]) + 1 + int(rng.integers(0, 9))) % 10) + number[i + 1 :]


def _dirty(rng: np.random.Generator, person: Person) -> tuple[Person, str]:
    """部门记录的写法：四成干净，其余号码录错一位、相邻颠倒、缺号、错一个字、繁体、写成 15 位。"""
    name, number, kind = person.name, person.id_number, int(rng.integers(0, 10))
    if kind == 1:
        number = _typo(rng, number)
    elif kind == 2:
        i = int(rng.integers(0, 16))
        number = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
    elif kind == 3:
        number = ""
    elif kind == 4:
        number, name = "", name_traditional(name)
    elif kind == 5:
        number, name = "", name_wrong_char(rng, name)
    elif kind == 6:
        name = name_wrong_char(rng, name)
    elif kind == 7 and number[6:8] == "19":
        number = number[:6] + number[8:17]
    return Person(name, number, person.birth_date, person.gender), str(kind)


@pytest.fixture(scope="module")
def population() -> list[Person]:
    rng = np.random.default_rng(19)
    male = rng.random(PERSONS) < 0.5
    names = names_build(rng, surnames_draw(rng, PERSONS), male).to_pylist()
    born = [date(1960, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 365 * 30, PERSONS)]
    out = []
    for k in range(PERSONS):
        gender = "M" if male[k] else "F"
        number = id_number_generate(
            division_code="150802", birth_date=born[k], sequence=k % 100, gender=gender
        )
        out.append(Person(str(names[k]), number, born[k], gender))
    return out


@pytest.mark.parametrize("schema", [PERSON_ZH, PERSON_ZH_V2], ids=lambda s: s.name)
def test_dirty_records_are_found_with_high_precision_and_recall(population, schema):
    rng = np.random.default_rng(20)
    truth = rng.choice(PERSONS, RECORDS, replace=False)
    records = [_dirty(rng, population[int(k)])[0] for k in truth]
    key = linkage_key_generate()
    encoded = persons_encode(population, key, schema), persons_encode(records, key, schema)
    links = link(*encoded, schema)
    correct = int((truth[links.record] == links.query).sum())
    assert correct / len(links) >= 0.995  # precision
    assert correct / RECORDS >= 0.97  # recall (without ID and with a wrong character: may miss)
    assert len(set(links.record.tolist())) == len(links)  # at most one person per record here


def test_only_the_asked_persons_in_the_list_are_answered_with_their_term(population):
    asked = population[:50]
    key = linkage_key_generate()
    department = [population[3], population[7], population[2000]]  # 2000 was not asked
    terms = [
        Term(date(2020, 1, 1), date(2030, 1, 1)),
        Term(date(2010, 1, 1), date(2015, 6, 30)),
        Term(date(2021, 1, 1), None, life=True),
    ]
    links = link(persons_encode(asked, key), persons_encode(department, key), PERSON_ZH_V2)
    answers = answers_build(links, terms, date(2026, 4, 1))
    assert [(a.row, a.in_force, a.since, a.until) for a in answers] == [
        (3, True, date(2020, 1, 1), date(2030, 1, 1)),
        (7, False, date(2010, 1, 1), date(2015, 6, 30)),
    ]


def test_an_empty_list_on_either_side_matches_nothing(population):
    key = linkage_key_generate()
    some, none = persons_encode(population[:5], key), persons_encode([], key)
    assert len(link(some, none, PERSON_ZH_V2)) == 0
    assert len(link(none, some, PERSON_ZH_V2)) == 0
    assert answers_build(link(none, some, PERSON_ZH_V2), [], date(2026, 4, 1)) == []
