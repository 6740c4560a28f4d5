"""引擎测试的小数据：干净的户籍（core 的 id_number_generate）加上故意弄脏的部门记录。"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import pytest

from shouhu.core.identity import id_number_generate

COUNTIES = ("150802", "150821", "150822", "150823", "370114", "370702", "341324")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程魏"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅鹏飞浩宇欣怡子涵俊"
HOMOPHONES = {
    "伟": "玮",
    "芳": "方",
    "静": "敬",
    "丽": "莉",
    "军": "君",
    "杰": "洁",
    "明": "鸣",
    "华": "桦",
    "红": "宏",
    "玉": "钰",
    "飞": "菲",
    "宇": "雨",
    "俊": "骏",
    "强": "蔷",
    "平": "萍",
}
TRADITIONAL = {
    "伟": "偉",
    "丽": "麗",
    "军": "軍",
    "杰": "傑",
    "涛": "濤",
    "兰": "蘭",
    "华": "華",
    "国": "國",
    "红": "紅",
    "鹏": "鵬",
    "飞": "飛",
    "俊": "俊",
    "张": "張",
    "刘": "劉",
    "陈": "陳",
}
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@dataclass(frozen=True)
class Person:
    id_number: str
    name: str
    gender: str
    birth: date
    division: str


def person_make(rng: random.Random, taken: set[str]) -> Person:
    while True:
        gender = rng.choice("MF")
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 70))
        division = rng.choice(COUNTIES)
        number = id_number_generate(
            division_code=division, birth_date=birth, sequence=rng.randrange(100), gender=gender
        )
        if number not in taken:
            taken.add(number)
            given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            return Person(number, rng.choice(SURNAMES) + given, gender, birth, division)


def registry_table(people: list[Person]) -> pa.Table:
    return pa.table(
        {
            "id_number": [p.id_number for p in people],
            "name": [p.name for p in people],
            "gender": [p.gender for p in people],
            "birth_date": [p.birth.isoformat() for p in people],
            "division_code": [p.division for p in people],
        }
    )


def facts_table(rows: list[dict[str, str | None]]) -> pa.Table:
    columns = (
        "record_id",
        "agency_type",
        "type",
        "id_number",
        "name",
        "birth_date",
        "gender",
        "division_code",
    )
    return pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in columns})


def record_of(person: Person, record_id: str, **changes: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "record_id": record_id,
        "agency_type": "education",
        "type": "enrolment",
        "id_number": person.id_number,
        "name": person.name,
        "birth_date": person.birth.isoformat(),
        "gender": person.gender,
        "division_code": person.division,
    }
    row.update(changes)
    return row


def typo(rng: random.Random, number: str) -> str:
    position = rng.randrange(17)
    digit = rng.choice([d for d in "0123456789" if d != number[position]])
    return number[:position] + digit + number[position + 1 :]


def swap(rng: random.Random, number: str) -> str:
    positions = [i for i in range(16) if number[i] != number[i + 1]]
    i = rng.choice(positions)
    return number[:i] + number[i + 1] + number[i] + number[i + 2 :]


def wrong_char(rng: random.Random, name: str) -> str:
    i = rng.randrange(1, len(name))
    replacement = HOMOPHONES.get(name[i]) or rng.choice([c for c in GIVEN if c != name[i]])
    return name[:i] + replacement + name[i + 1 :]


def dirty_record(
    rng: random.Random, person: Person, record_id: str
) -> tuple[dict[str, str | None], str]:
    """一条带一种“错法”的记录和错法名。"""
    kind = rng.choice(
        ("clean", "typo", "swap", "missing", "short", "wide", "lower", "name", "trad", "spaces")
    )
    number, name = person.id_number, person.name
    if kind == "typo":
        number = typo(rng, number)
    elif kind == "swap":
        number = swap(rng, number)
    elif kind == "missing":
        number = ""
    elif kind == "short" and person.birth.year < 2000:
        number = number[:6] + number[8:17]
    elif kind == "wide":
        number = number.translate(FULL_WIDTH)
    elif kind == "lower":
        number = f" {number[:6]} {number[6:].lower()}"
    elif kind == "name":
        name = wrong_char(rng, name)
    elif kind == "trad":
        name = "".join(TRADITIONAL.get(c, c) for c in name)
    elif kind == "spaces":
        name = " ".join(name)
    return record_of(person, record_id, id_number=number, name=name), kind


@dataclass(frozen=True)
class Region:
    people: list[Person]
    registry: pa.Table
    facts: pa.Table
    truth: dict[str, str]  # record_id → 本人号码
    kinds: dict[str, str]


def region_build(seed: int, persons: int, records: int) -> Region:
    rng = random.Random(seed)
    taken: set[str] = set()
    people = [person_make(rng, taken) for _ in range(persons)]
    rows, truth, kinds = [], {}, {}
    for k in range(records):
        person = rng.choice(people)
        record_id = f"r{k:06d}"
        row, kind = dirty_record(rng, person, record_id)
        rows.append(row)
        truth[record_id], kinds[record_id] = person.id_number, kind
    return Region(people, registry_table(people), facts_table(rows), truth, kinds)


@pytest.fixture(scope="session")
def small_region() -> Region:
    return region_build(seed=7, persons=3000, records=1500)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session for every test marked `spark` (starting one costs ~10 s)."""
    pytest.importorskip("pyspark")
    from shouhu.engine.backends.spark_backend import spark_session_local

    session = spark_session_local(cores=2, shuffle_partitions=1, tiny=True)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
