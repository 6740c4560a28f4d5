"""一个县的合成户籍人口：年龄结构、家庭（父母与一至三个子女）、住址（村居）、姓名、身份证号。

全部按数组生成。人员依次排列为：父亲、母亲、子女、其他成年人；`father`/`mother` 为父母
在本县数组中的下标（-1 表示户籍中没有登记）。少数家庭只登记了一方父母，极少数子女父母都不详
（弃婴、查找不到生父母）。
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from shouhu.core.errors import InvalidInput
from shouhu.engine.synth.ids import id_numbers_build, sequences_assign
from shouhu.engine.synth.names import names_build, surnames_draw

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
DateArray = npt.NDArray[np.datetime64]

ROLE_OTHER, ROLE_FATHER, ROLE_MOTHER, ROLE_CHILD = 0, 1, 2, 3

# 各 5 岁组人口占比（%），形状取自第七次全国人口普查（0–4 … 95–99 岁）。
# fmt: off
AGE_BAND_SHARES = np.array([5.4, 6.4, 6.3, 5.4, 5.3, 6.3, 8.7, 7.0, 6.6, 8.2, 8.6, 7.2, 5.2, 5.2,
                            3.6, 2.2, 1.4, 0.7, 0.25, 0.05])
# fmt: on
CHILDREN_PER_FAMILY = (np.array([1, 2, 3]), np.array([0.45, 0.42, 0.13]))
FAMILIES_PER_PERSON = 0.165  # 约三成人口是家庭中的子女（0–24 岁为主）
FATHER_UNKNOWN, MOTHER_UNKNOWN, BOTH_UNKNOWN = 0.03, 0.007, 0.003
DAYS_PER_YEAR = 365.2425
MAX_RENUMBER_ROUNDS = 20


@dataclass
class Population:
    """一个县的人口（内部结构，按下标对齐的数组）。"""

    county_code: str
    division_codes: list[str]  # 村居（或县）代码，division 为其下标
    birth: DateArray
    male: BoolArray
    division: IntArray
    role: npt.NDArray[np.int8]
    family: IntArray  # 子女和父母所属家庭；其他人为 -1
    father: IntArray
    mother: IntArray
    id_number: npt.NDArray[np.bytes_] = field(default_factory=lambda: np.empty(0, "S18"))
    name: pa.StringArray = field(default_factory=lambda: pa.array([], pa.string()))

    def __len__(self) -> int:
        return len(self.birth)


def _age_weights(low: int, high: int) -> npt.NDArray[np.float64]:
    """low..high 岁（含）每个整数年龄的权重，按 5 岁组占比均分。"""
    per_year = np.repeat(AGE_BAND_SHARES / 5.0, 5)
    weights = per_year[low : high + 1]
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def _ages_draw(rng: np.random.Generator, n: int, low: int, high: int) -> IntArray:
    return np.asarray(low + rng.choice(high - low + 1, size=n, p=_age_weights(low, high)))


def _years(
    rng: np.random.Generator, mean: float, sd: float, low: float, high: float, n: int
) -> npt.NDArray[np.float64]:
    return np.asarray(np.clip(rng.normal(mean, sd, n), low, high), dtype=np.float64)


@dataclass(frozen=True)
class _Families:
    count: int
    kids: IntArray
    child_births: list[DateArray]  # 第 i 个元素：各家庭第 i 个孩子（从小到大）的生日
    mother_birth: DateArray
    father_birth: DateArray
    father_known: BoolArray
    mother_known: BoolArray
    home: IntArray


def _families_draw(
    rng: np.random.Generator, count: int, as_of: date, village_p: npt.NDArray[np.float64]
) -> _Families:
    youngest_age = _ages_draw(rng, count, 0, 24)
    kids = np.asarray(rng.choice(CHILDREN_PER_FAMILY[0], size=count, p=CHILDREN_PER_FAMILY[1]))
    youngest = _births(rng, youngest_age, as_of)
    births = [youngest]
    for _ in range(2):  # 相邻两孩间隔十个月到七年
        gap = rng.integers(300, 7 * 365, count).astype("timedelta64[D]")
        births.append(births[-1] - gap)
    eldest = np.stack(births, axis=1)[np.arange(count), kids - 1]
    span_years = (youngest - eldest).astype(np.int64) / DAYS_PER_YEAR
    mother_at_first = np.minimum(_years(rng, 25.5, 4.0, 18, 40, count), 45 - span_years)
    mother_birth = eldest - (mother_at_first * DAYS_PER_YEAR).astype("timedelta64[D]")
    gap_years = _years(rng, 2.0, 2.5, -3, 12, count)
    father_birth = mother_birth - (gap_years * DAYS_PER_YEAR).astype("timedelta64[D]")
    u = rng.random(count)
    both_unknown = u < BOTH_UNKNOWN
    father_known = ~both_unknown & (u >= BOTH_UNKNOWN + FATHER_UNKNOWN)
    mother_known = ~both_unknown & ~(
        (u >= BOTH_UNKNOWN + FATHER_UNKNOWN) & (u < BOTH_UNKNOWN + FATHER_UNKNOWN + MOTHER_UNKNOWN)
    )
    home = _villages_draw(rng, count, village_p)
    return _Families(
        count, kids, births, mother_birth, father_birth, father_known, mother_known, home
    )


def _village_weights(rng: np.random.Generator, villages: int) -> npt.NDArray[np.float64]:
    """村居大小不一：各村的人口比例取对数正态。"""
    weights = rng.lognormal(0.0, 0.6, villages)
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def _villages_draw(rng: np.random.Generator, n: int, p: npt.NDArray[np.float64]) -> IntArray:
    return np.asarray(rng.choice(len(p), size=n, p=p), dtype=np.int64)


def _other_ages(
    rng: np.random.Generator,
    others: int,
    persons: int,
    family_births: list[DateArray],
    as_of: date,
) -> IntArray:
    """其他成年人的年龄补足家庭成员之外的部分，使全县年龄结构接近普查的形状。"""
    day = np.datetime64(as_of, "D")
    ages = np.concatenate([(day - b).astype(np.int64) // 366 for b in family_births])
    have = np.bincount(np.clip(ages, 0, 99), minlength=100)[18:]
    want = _age_weights(0, 99)[18:] * persons
    residual = np.clip(want - have, 0, None)
    if others == 0 or residual.sum() == 0:
        return _ages_draw(rng, others, 25, 99)
    return np.asarray(18 + rng.choice(82, size=others, p=residual / residual.sum()))


def _families_fit(fam: _Families, persons: int) -> _Families:
    """人口很少时只保留装得下的前若干个家庭（各家庭独立同分布，截取前缀不改变分布）。"""
    size = fam.father_known.astype(np.int64) + fam.mother_known + fam.kids
    keep = int(np.searchsorted(np.cumsum(size), persons, side="right"))
    if keep == fam.count:
        return fam
    return _Families(
        keep,
        fam.kids[:keep],
        [b[:keep] for b in fam.child_births],
        fam.mother_birth[:keep],
        fam.father_birth[:keep],
        fam.father_known[:keep],
        fam.mother_known[:keep],
        fam.home[:keep],
    )


def _births(rng: np.random.Generator, ages: IntArray, as_of: date) -> DateArray:
    """满 `ages` 岁的人的生日（当年内随机一天）。"""
    days = ages * DAYS_PER_YEAR + rng.integers(1, 366, len(ages))
    return np.datetime64(as_of, "D") - days.astype("timedelta64[D]")


def population_draw(
    rng: np.random.Generator, *, persons: int, as_of: date, county_code: str, villages: list[str]
) -> Population:
    """一个县 `persons` 人的户籍（尚无号码和姓名，见 `population_finish`）。"""
    village_p = _village_weights(rng, len(villages))
    fam = _families_fit(
        _families_draw(rng, int(persons * FAMILIES_PER_PERSON), as_of, village_p), persons
    )
    fathers = np.flatnonzero(fam.father_known)
    mothers = np.flatnonzero(fam.mother_known)
    child_family = np.repeat(np.arange(fam.count), fam.kids)
    child_order = np.arange(len(child_family)) - np.repeat(np.cumsum(fam.kids) - fam.kids, fam.kids)
    child_birth = np.stack(fam.child_births, axis=1)[child_family, child_order]
    n_parents = len(fathers) + len(mothers)
    others = persons - n_parents - len(child_family)
    father_index = np.full(fam.count, -1, dtype=np.int64)
    father_index[fathers] = np.arange(len(fathers))
    mother_index = np.full(fam.count, -1, dtype=np.int64)
    mother_index[mothers] = len(fathers) + np.arange(len(mothers))
    nobody = np.full(n_parents + others, -1, dtype=np.int64)
    n_villages = len(villages)
    family_births = [fam.father_birth[fathers], fam.mother_birth[mothers], child_birth]
    return Population(
        county_code=county_code,
        division_codes=villages,
        birth=np.concatenate(
            [
                fam.father_birth[fathers],
                fam.mother_birth[mothers],
                child_birth,
                _births(rng, _other_ages(rng, others, persons, family_births, as_of), as_of),
            ]
        ),
        male=np.concatenate(
            [
                np.ones(len(fathers), bool),
                np.zeros(len(mothers), bool),
                rng.random(len(child_family)) < 0.52,
                rng.random(others) < 0.5,
            ]
        ),
        division=np.concatenate(
            [
                _moved(rng, fam.home[fathers], n_villages),
                _moved(rng, fam.home[mothers], n_villages),
                fam.home[child_family],
                _villages_draw(rng, others, village_p),
            ]
        ),
        role=np.concatenate(
            [
                np.full(len(fathers), ROLE_FATHER, np.int8),
                np.full(len(mothers), ROLE_MOTHER, np.int8),
                np.full(len(child_family), ROLE_CHILD, np.int8),
                np.full(others, ROLE_OTHER, np.int8),
            ]
        ),
        family=np.concatenate([fathers, mothers, child_family, np.full(others, -1, np.int64)]),
        father=np.concatenate([nobody[:n_parents], father_index[child_family], nobody[n_parents:]]),
        mother=np.concatenate([nobody[:n_parents], mother_index[child_family], nobody[n_parents:]]),
    )


def _moved(rng: np.random.Generator, home: IntArray, villages: int) -> IntArray:
    """一成父母的户籍不在子女所在的村居（外出、分户）。"""
    moved = rng.random(len(home)) < 0.1
    other = rng.integers(0, villages, len(home))
    return np.where(moved, other, home)


def population_finish(rng: np.random.Generator, pop: Population, *, mongolian_share: float) -> None:
    """按最终的生日和性别编号、起名（子女多随父姓）。"""
    code = np.full(len(pop), int(pop.county_code), dtype=np.int64)
    for _ in range(MAX_RENUMBER_ROUNDS):
        sequence, overflow = sequences_assign(rng, code, pop.birth, pop.male)
        if not overflow.any():
            break
        # 同一天同性别出生的超过 100 人（大县）：把多出的人的生日提前一到三天，再编号。
        shift = rng.integers(1, 4, int(overflow.sum())).astype("timedelta64[D]")
        pop.birth[overflow] = pop.birth[overflow] - shift
    else:
        raise InvalidInput("单个县的人口过多，身份证号不够用；请把人口分到多个县（用市或省作地区）")
    pop.id_number = id_numbers_build(code, pop.birth, sequence, pop.male)
    surname = surnames_draw(rng, len(pop))
    is_child = pop.role == ROLE_CHILD
    father_surname = np.where(pop.father >= 0, surname[np.maximum(pop.father, 0)], -1)
    mother_surname = np.where(pop.mother >= 0, surname[np.maximum(pop.mother, 0)], -1)
    inherited = np.where(
        (father_surname >= 0) & (rng.random(len(pop)) < 0.92), father_surname, mother_surname
    )
    surname = np.where(is_child & (inherited >= 0), inherited, surname)
    pop.name = names_build(rng, surname, pop.male, mongolian_share=mongolian_share)
