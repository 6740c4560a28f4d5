"""未能关联的部门记录：户籍中可能是谁。经办人员把记录与候选人逐项对照，选出对的人，或记下都不是。

候选来自用户能看到的户籍人员（access 层），按部门所填的号码（原样、一位之差或两位颠倒、15 位
升 18 位、曾用号码）和姓名（同名、同音）找，再逐项对照号码、姓名、性别、出生日期、户籍地：
一致的、不一致的各列一句，按相符程度排序。不调用比对引擎——这里只为一条记录找几个人。
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from shouhu.core.identity import (
    convert_15_to_18,
    is_valid_id_number,
    name_pinyin_key,
    name_similarity,
    near_misses,
    normalize_id_number,
    normalize_name,
)
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.exchange.models import Fact
from shouhu.web.registry.models import Person
from shouhu.web.registry.selectors import division_path_names, id_number_display

SHOWN = 8
LOOKED_AT = 60


@dataclass(frozen=True)
class Candidate:
    person_pk: int
    name: str
    id_display: str
    gender: str
    birth_date: date | None
    division_path: tuple[str, ...]
    agrees: tuple[str, ...]  # “号码相同”“姓名相同”……
    differs: tuple[str, ...]  # “性别不同”“出生日期相差 3 年”……
    score: int


@dataclass(frozen=True)
class Written:
    """部门所填的此人（核对用）。"""

    id_number: str  # 规范化后的
    numbers: frozenset[str]  # 可能是的有效号码：原样、近似、15 位转换
    name: str
    gender: str
    birth_date: date | None
    division_code: str


def written_of(fact: Fact) -> Written:
    number = normalize_id_number(fact.subject_id_number or "")
    numbers: set[str] = set()
    if len(number) == 15:
        with contextlib.suppress(ValueError):
            numbers.add(convert_15_to_18(number))
    elif is_valid_id_number(number):
        numbers.add(number)
    if len(number) == 18:
        numbers.update(near_misses(number))
    return Written(
        id_number=number,
        numbers=frozenset(numbers),
        name=normalize_name(fact.subject_name or ""),
        gender=fact.subject_gender,
        birth_date=fact.subject_birth_date,
        division_code=fact.subject_division_code,
    )


def record_candidates(*, user: User, fact: Fact) -> tuple[Candidate, ...]:
    """这条记录在用户辖区的户籍中可能是谁（最多 SHOWN 个，最像的在前）。"""
    written = written_of(fact)
    wanted = Q(pk__in=[])
    if written.numbers:
        wanted |= Q(id_number__in=written.numbers)
        wanted |= Q(former_numbers__id_number__in=written.numbers | {written.id_number})
    if written.name:
        wanted |= Q(name=written.name) | Q(name_pinyin=name_pinyin_key(written.name))
    persons = (
        access.persons_visible_to(user)
        .filter(wanted)
        .select_related("division")
        .prefetch_related("former_numbers")
        .distinct()[:LOOKED_AT]
    )
    scored = [_candidate(user, person, written) for person in persons]
    scored.sort(key=lambda c: (-c.score, c.person_pk))
    return tuple(scored[:SHOWN])


def _candidate(user: User, person: Person, written: Written) -> Candidate:
    agrees: list[str] = []
    differs: list[str] = []
    score = _number(person, written, agrees, differs)
    score += _name(person, written, agrees, differs)
    score += _gender(person, written, agrees, differs)
    score += _birth(person, written, agrees, differs)
    if written.division_code and person.division_id.startswith(written.division_code[:6]):
        agrees.append("同一县区")
        score += 5
    return Candidate(
        person_pk=person.pk,
        name=person.name,
        id_display=id_number_display(user=user, id_number=person.id_number),
        gender=person.get_gender_display() if person.gender else "未登记",
        birth_date=person.birth_date,
        division_path=division_path_names(person.division),
        agrees=tuple(agrees),
        differs=tuple(differs),
        score=score,
    )


def _number(person: Person, written: Written, agrees: list[str], differs: list[str]) -> int:
    if not written.id_number:
        differs.append("部门未填号码")
        return 0
    own = person.id_number or ""
    if own and own == written.id_number:
        agrees.append("号码相同")
        return 100
    former = {f.id_number for f in person.former_numbers.all()}
    if written.id_number in former:
        agrees.append("是此人的曾用号码")
        return 95
    if len(written.id_number) == 15 and own in written.numbers:
        agrees.append("15 位旧号码升位后相同")
        return 90
    if own in written.numbers:
        agrees.append("号码只差一位或两位颠倒")
        return 60
    differs.append("号码不同")
    return 0


def _name(person: Person, written: Written, agrees: list[str], differs: list[str]) -> int:
    if not written.name:
        return 0
    if person.name == written.name:
        agrees.append("姓名相同")
        return 30
    if person.name_pinyin and person.name_pinyin == name_pinyin_key(written.name):
        agrees.append("姓名同音")
        return 15
    similarity = name_similarity(person.name, written.name)
    differs.append("姓名不同" if similarity < 60 else "姓名相近")
    return similarity // 10


def _gender(person: Person, written: Written, agrees: list[str], differs: list[str]) -> int:
    if not written.gender or not person.gender:
        return 0
    if written.gender == person.gender:
        agrees.append("性别相同")
        return 5
    differs.append("性别不同")
    return -20


def _birth(person: Person, written: Written, agrees: list[str], differs: list[str]) -> int:
    if written.birth_date is None or person.birth_date is None:
        return 0
    if written.birth_date == person.birth_date:
        agrees.append("出生日期相同")
        return 20
    years = abs(written.birth_date.year - person.birth_date.year)
    differs.append(f"出生日期相差 {years} 年" if years else "出生日期不同（同年）")
    return -10 if years > 1 else 0
