"""各部门报送的事实（docs/rules.md §2）：全体人口中按现实比例发生的“背景”事实。

背景事实按年龄和性别的发生率向量化抽取（死亡多在老年、服刑多为青壮年男性……），造成困境的
组合（父母双亡、一方死亡一方服刑……）由 `scenarios` 按家庭安排。每条事实带上报送部门
（glossary 的 agency_type），同一类事实可能来自不同部门（死亡：公安销户或卫健死亡证明）。
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from shouhu.engine.synth.population import ROLE_CHILD, Population

DAYS_PER_YEAR = 365.2425
# docs/rules.md §2 中事实可带的字段（compare-format 的 facts 表同名列）。
FACT_FIELDS = ("date", "start", "end", "valid_until", "category", "level", "disease",
               "qualifying", "life", "consent")  # fmt: skip
DISABILITY_CATEGORIES = (
    "physical",
    "visual",
    "hearing",
    "speech",
    "intellectual",
    "mental",
    "multiple",
)
DISABILITY_CATEGORY_P = (0.45, 0.12, 0.15, 0.01, 0.08, 0.10, 0.09)
DISABILITY_LEVEL_P = (0.15, 0.25, 0.30, 0.30)
# 重病：前几种在各地重病目录里常见，后几种一般不算重病（是否符合由 qualifying 或地区目录决定）。
DISEASES = (
    "恶性肿瘤",
    "尿毒症",
    "白血病",
    "再生障碍性贫血",
    "重症肌无力",
    "肝硬化失代偿期",
    "器官移植术后",
    "精神分裂症",
    "高血压",
    "糖尿病",
    "慢性胃炎",
    "腰椎间盘突出",
)
# 服刑刑期（月）与权重；终身为无期徒刑。
PRISON_TERMS = np.array([3, 5, 6, 8, 12, 18, 24, 36, 60, 84, 120, 180])
PRISON_TERM_P = np.array([6, 5, 6, 5, 10, 8, 10, 10, 10, 6, 5, 3], dtype=np.float64)

# 事实类型 → 可能的报送部门及其比例。
SENDERS: dict[str, tuple[tuple[str, float], ...]] = {
    "deceased": (("public_security", 0.7), ("health", 0.3)),
    "declared_dead": (("court", 1.0),),
    "declared_missing": (("court", 1.0),),
    "guardianship_revoked": (("court", 1.0),),
    "severe_disability": (("disabled_federation", 1.0),),
    "severe_illness": (("health", 0.6), ("medical_insurance", 0.4)),
    "imprisoned": (("justice", 0.8), ("court", 0.2)),
    "compulsory_rehab": (("public_security", 0.7), ("justice", 0.3)),
    "other_restriction": (("public_security", 0.8), ("procuratorate", 0.2)),
    "lost_contact": (("public_security", 1.0),),
    "deported": (("public_security", 1.0),),
    "adopted": (("civil_affairs", 1.0),),
    "parents_unknown": (("public_security", 0.6), ("civil_affairs", 0.4)),
    "institutional_care": (("civil_affairs", 1.0),),
    "hiv_infected": (("health", 1.0),),
    "in_school": (("education", 1.0),),
    "low_income": (("civil_affairs", 1.0),),
    "extreme_poverty": (("civil_affairs", 1.0),),
    "poverty_monitoring": (("rural_revitalization", 1.0),),
}


@dataclass
class FactRows:
    """一个县的事实记录（干净的字段值；主体是本县人口的下标，或外地人 -1）。"""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, subject: int, fact: dict[str, Any], scenario: int = -1) -> None:
        self.rows.append({"subject": subject, "scenario": scenario, **fact})

    def extend(self, subjects: npt.NDArray[np.int64], fact_type: str, **fields: Any) -> None:
        """一批同类事实；fields 为与 subjects 等长的数组或列表（None 表示该条没有此字段）。"""
        columns = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in fields.items()}
        for i, subject in enumerate(subjects.tolist()):
            fact: dict[str, Any] = {"type": fact_type}
            for key, values in columns.items():
                if values[i] is not None:
                    fact[key] = values[i]
            self.add(subject, fact)


def iso(days: npt.NDArray[np.datetime64]) -> list[str]:
    return [str(d) for d in np.datetime_as_string(days, unit="D")]


def add_months(
    days: npt.NDArray[np.datetime64], months: npt.NDArray[np.int64]
) -> npt.NDArray[np.datetime64]:
    """日历月相加，日取到目标月的月末为止（docs/rules.md §1：8 月 31 日 + 6 个月 = 2 月 28 日）。"""
    month = days.astype("datetime64[M]")
    offset = (days - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months.astype("timedelta64[M]")
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    result = target.astype("datetime64[D]") + np.minimum(offset, length - 1).astype(
        "timedelta64[D]"
    )
    return np.asarray(result, dtype="datetime64[D]")


def add_months_one(day: date, months: int) -> date:
    result = add_months(np.array([day], dtype="datetime64[D]"), np.array([months]))[0]
    return date.fromisoformat(str(result))


@dataclass(frozen=True)
class Ages:
    """as_of 时每人的周岁（近似到天，足够决定发生率）和若干常用的人群掩码。"""

    years: npt.NDArray[np.float64]
    adult: npt.NDArray[np.bool_]
    child: npt.NDArray[np.bool_]  # 户籍上有父母（或父母不详）的子女，且未满 25 岁


def ages_of(pop: Population, as_of: date) -> Ages:
    years = (np.datetime64(as_of, "D") - pop.birth).astype(np.int64) / DAYS_PER_YEAR
    return Ages(years, years >= 18, (pop.role == ROLE_CHILD) & (years < 25))


def _pick(rng: np.random.Generator, p: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    return np.flatnonzero(rng.random(len(p)) < p)


def _days_before(
    rng: np.random.Generator, as_of: date, n: int, max_days: float
) -> npt.NDArray[np.datetime64]:
    back = rng.integers(0, max(1, int(max_days)), n).astype("timedelta64[D]")
    return np.datetime64(as_of, "D") - back


def _after_birth(
    pop: Population, who: npt.NDArray[np.int64], days: npt.NDArray[np.datetime64]
) -> npt.NDArray[np.datetime64]:
    return np.maximum(days, pop.birth[who] + np.timedelta64(1, "D"))


def _choice(
    rng: np.random.Generator, values: tuple[Any, ...], p: tuple[float, ...], n: int
) -> list[Any]:
    return [values[i] for i in rng.choice(len(values), size=n, p=np.array(p) / sum(p))]


def _maybe(rng: np.random.Generator, values: list[Any], absent: float) -> list[Any]:
    drop = rng.random(len(values)) < absent
    return [None if d else v for v, d in zip(values, drop.tolist(), strict=True)]


def background_facts(rng: np.random.Generator, pop: Population, as_of: date, out: FactRows) -> None:
    """全体人口中按现实发生率出现的事实。"""
    ages = ages_of(pop, as_of)
    _deaths(rng, pop, ages, as_of, out)
    _disabilities(rng, pop, ages, as_of, out)
    _illnesses(rng, pop, ages, as_of, out)
    _restrictions(rng, pop, ages, as_of, out)
    _court_and_police(rng, pop, ages, as_of, out)
    _household_support(rng, pop, ages, as_of, out)
    _child_facts(rng, pop, ages, as_of, out)


def _deaths(
    rng: np.random.Generator, pop: Population, ages: Ages, as_of: date, out: FactRows
) -> None:
    rate = np.select(
        [ages.years < 18, ages.years < 40, ages.years < 60, ages.years < 80],
        [0.0002, 0.0015, 0.005, 0.025],
        0.1,
    )
    who = _pick(rng, rate)
    when = _after_birth(pop, who, _days_before(rng, as_of, len(who), 2 * 365))
    out.extend(who, "deceased", date=iso(when))


def _disabilities(
    rng: np.random.Generator, pop: Population, ages: Ages, as_of: date, out: FactRows
) -> None:
    who = _pick(rng, 0.003 + np.minimum(ages.years, 90) * 0.00015)
    n = len(who)
    start = _after_birth(pop, who, _days_before(rng, as_of, n, 12 * 365))
    valid = add_months(start, np.full(n, 120))  # 第二代残疾人证有效期十年
    levels = rng.choice(4, size=n, p=DISABILITY_LEVEL_P) + 1
    out.extend(
        who,
        "severe_disability",
        category=_choice(rng, DISABILITY_CATEGORIES, DISABILITY_CATEGORY_P, n),
        level=_maybe(rng, levels.tolist(), 0.005),
        start=iso(start),
        valid_until=_maybe(rng, iso(valid), 0.1),
    )


def _illnesses(
    rng: np.random.Generator, pop: Population, ages: Ages, as_of: date, out: FactRows
) -> None:
    who = _pick(rng, np.where(ages.adult, 0.003, 0.0005))
    n = len(who)
    start = _after_birth(pop, who, _days_before(rng, as_of, n, 5 * 365))
    end = start + rng.integers(180, 3 * 365, n).astype("timedelta64[D]")
    qualifying = _choice(rng, (True, False, None), (0.4, 0.3, 0.3), n)
    out.extend(
        who,
        "severe_illness",
        disease=_choice(rng, DISEASES, (1,) * len(DISEASES), n),
        qualifying=qualifying,
        start=iso(start),
        end=_maybe(rng, iso(end), 0.8),
    )


def _restrictions(
    rng: np.random.Generator, pop: Population, ages: Ages, as_of: date, out: FactRows
) -> None:
    working = ages.adult & (ages.years < 65)
    who = _pick(rng, np.where(working, np.where(pop.male, 0.0015, 0.0002), 0.0))
    n = len(who)
    start = _after_birth(pop, who, _days_before(rng, as_of, n, 10 * 365))
    term = rng.choice(PRISON_TERMS, size=n, p=PRISON_TERM_P / PRISON_TERM_P.sum())
    end: list[Any] = iso(add_months(start, term))
    life = (rng.random(n) < 0.03).tolist()
    end = [None if lf else e for e, lf in zip(end, life, strict=True)]
    out.extend(
        who,
        "imprisoned",
        start=iso(start),
        end=_maybe(rng, end, 0.005),
        life=[True if lf else None for lf in life],
    )
    for fact_type, rate, terms, back in (
        ("compulsory_rehab", 0.0003, (24, 24, 24, 24, 12, 12, 6), 4),
        ("other_restriction", 0.0001, (1, 2, 3, 6, 9, 12), 2),
    ):
        who = _pick(rng, np.where(working & (ages.years < 55), rate, 0.0))
        start = _after_birth(pop, who, _days_before(rng, as_of, len(who), back * 365))
        months = rng.choice(np.array(terms), size=len(who))
        out.extend(who, fact_type, start=iso(start), end=iso(add_months(start, months)))


def _court_and_police(
    rng: np.random.Generator, pop: Population, ages: Ages, as_of: date, out: FactRows
) -> None:
    adult = ages.adult & (ages.years < 70)
    who = _pick(rng, np.where(adult, 0.0004, 0.0))
    start = _after_birth(pop, who, _days_before(rng, as_of, len(who), 4 * 365))
    found = start + rng.integers(1, 3 * 365, len(who)).astype("timedelta64[D]")
    found_iso = [e if e <= as_of.isoformat() else None for e in iso(found)]
    out.extend(who, "lost_contact", start=iso(start), end=_maybe(rng, found_iso, 0.65))
    for fact_type, rate, revoked in (
        ("declared_dead", 0.00005, 0.05),
        ("declared_missing", 0.0001, 0.05),
        ("guardianship_revoked", 0.0001, 0.1),
        ("deported", 0.00003, 0.1),
    ):
        who = _pick(rng, np.where(adult, rate, 0.0))
        when = _after_birth(pop, who, _days_before(rng, as_of, len(who), 6 * 365))
        undone = when + rng.integers(30, 3 * 365, len(who)).astype("timedelta64[D]")
        undone_iso = [e if e <= as_of.isoformat() else None for e in iso(undone)]
        out.extend(who, fact_type, date=iso(when), end=_maybe(rng, undone_iso, 1 - revoked))


def _household_support(
    rng: np.random.Generator, pop: Population, ages: Ages, as_of: date, out: FactRows
) -> None:
    """低保、特困、防返贫监测：按家庭抽取，给家中每个未满 25 岁的子女各报一条。"""
    families = int(pop.family.max()) + 1 if len(pop) else 0
    for fact_type, rate, back, ended in (
        ("low_income", 0.02, 6, 0.2),
        ("extreme_poverty", 0.003, 6, 0.1),
        ("poverty_monitoring", 0.015, 4, 0.3),
    ):
        chosen = np.zeros(families + 1, dtype=bool)
        chosen[_pick(rng, np.full(families, rate))] = True
        who = np.flatnonzero(ages.child & chosen[pop.family])
        start = _after_birth(pop, who, _days_before(rng, as_of, len(who), back * 365))
        end = start + rng.integers(90, 3 * 365, len(who)).astype("timedelta64[D]")
        end_iso = [e if e <= as_of.isoformat() else None for e in iso(end)]
        out.extend(who, fact_type, start=iso(start), end=_maybe(rng, end_iso, 1 - ended))


def _child_facts(
    rng: np.random.Generator, pop: Population, ages: Ages, as_of: date, out: FactRows
) -> None:
    minor = ages.child & (ages.years < 18)
    who = _pick(rng, np.where(minor, 0.0005, 0.0))
    when = _after_birth(pop, who, _days_before(rng, as_of, len(who), 10 * 365))
    out.extend(who, "adopted", date=iso(when))
    who = _pick(rng, np.where(minor, 0.0003, 0.0))
    when = _after_birth(pop, who, _days_before(rng, as_of, len(who), 5 * 365))
    out.extend(
        who,
        "hiv_infected",
        date=iso(when),
        consent=_choice(rng, (True, False, None), (0.6, 0.2, 0.2), len(who)),
    )
    school = np.flatnonzero((ages.years >= 3) & (ages.years < 22) & ages.child)
    school_facts(rng, pop, school[rng.random(len(school)) < 0.01], as_of, out)


SCHOOL_STAGES = (
    (3, "preschool"),
    (6, "primary"),
    (12, "junior_secondary"),
    (15, "senior_secondary"),
    (18, "undergraduate"),
)


def school_facts(
    rng: np.random.Generator,
    pop: Population,
    who: npt.NDArray[np.int64],
    as_of: date,
    out: FactRows,
) -> None:
    """在校就读：学段由年龄定，开始日期为该学段开学那年的 9 月 1 日。"""
    years = (np.datetime64(as_of, "D") - pop.birth[who]).astype(np.int64) / DAYS_PER_YEAR
    for i, age in zip(who.tolist(), years.tolist(), strict=True):
        first, level = max((s for s in SCHOOL_STAGES if s[0] <= age), default=SCHOOL_STAGES[0])
        if level == "senior_secondary" and rng.random() < 0.2:
            level = "secondary_vocational"
        if level == "undergraduate" and rng.random() < 0.4:
            level = "higher_vocational"
        birth_year = int(str(pop.birth[i])[:4])
        start = date(min(birth_year + first, as_of.year - (as_of.month < 9)), 9, 1)
        out.add(i, {"type": "in_school", "level": level, "start": start.isoformat()})
