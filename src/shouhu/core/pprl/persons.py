"""把人员记录整理成编码所需的列：姓名、身份证号、出生日期（YYYY-MM-DD）、性别（M/F）。

出生日期、性别缺失时取自合格的身份证号；两边都这样整理，所以“只有号码”的记录也能按姓名比对。
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from shouhu.core.identity import normalize_id_number
from shouhu.core.pprl.encode import Encoded, encode
from shouhu.core.pprl.ids import ids_checked
from shouhu.core.pprl.keys import LinkageKey
from shouhu.core.pprl.schema import PERSON_ZH_V2, Schema

_GENDERS = {"m": "M", "男": "M", "male": "M", "f": "F", "女": "F", "female": "F"}


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    id_number: str = ""
    birth_date: date | None = None
    gender: str = ""  # M / F / 男 / 女，或空


def person_columns(persons: Sequence[Person]) -> dict[str, list[str]]:
    numbers = [normalize_id_number(p.id_number) for p in persons]
    checked = ids_checked(numbers)
    id_births = checked.birth.astype(str).tolist()
    id_genders = np.where(checked.male, "M", "F").tolist()
    births, genders = [], []
    for person, ok, id_birth, id_gender in zip(
        persons, checked.valid.tolist(), id_births, id_genders, strict=True
    ):
        stated = person.birth_date.isoformat() if person.birth_date else ""
        births.append(stated or (id_birth if ok else ""))
        gender = _GENDERS.get(person.gender.strip().casefold(), "")
        genders.append(gender or (id_gender if ok else ""))
    names = [p.name for p in persons]
    return {"name": names, "id_number": numbers, "birth_date": births, "gender": genders}


def persons_encode(
    persons: Sequence[Person], key: LinkageKey, schema: Schema = PERSON_ZH_V2
) -> Encoded:
    return encode(person_columns(persons), schema, key, id_column="id_number")
