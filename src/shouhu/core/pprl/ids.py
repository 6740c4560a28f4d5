"""身份证号的带密钥哈希，按数组一次校验（百万条时逐个调用 is_valid_id_number 要二十秒）。

ids_checked 与 core.identity 的 is_valid_id_number 判定一致（属性测试核对）：18 位、前 17 位数字、
末位数字或 X、省级代码真实、出生日期真实且在 1900-01-01 至今天之间、校验码对。
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from shouhu.core.identity import near_misses
from shouhu.core.identity.divisions import province_prefixes
from shouhu.core.identity.id_number import ID_WEIGHTS
from shouhu.core.pprl.keys import LinkageKey, keyed_u64

_CANONICAL = re.compile(r"[0-9]{17}[0-9X]")
_FILLER = "0" * 18
_WEIGHTS = np.array(ID_WEIGHTS, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class CheckedIds:
    valid: NDArray[np.bool_]
    birth: NDArray[np.datetime64]  # 合格号码中的出生日期（不合格的行无意义）
    male: NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class IdKeys:
    """身份证号的带密钥哈希，一条记录可有多个（号码不合格时取近似纠错的各个候选）。"""

    hashes: NDArray[np.uint64]  # (m,)
    owners: NDArray[np.int64]  # (m,) 属于第几条记录
    exact: NDArray[np.bool_]  # (m,) True：号码本身合格；False：近似纠错的候选


def ids_checked(numbers: Sequence[str], *, today: date | None = None) -> CheckedIds:
    """numbers 须已经过 normalize_id_number。"""
    n = len(numbers)
    shaped = [s if _CANONICAL.fullmatch(s) else _FILLER for s in numbers]
    raw = np.frombuffer("".join(shaped).encode("ascii"), dtype=np.uint8).reshape(n, 18)
    values = np.where(raw == ord("X"), 10, raw.astype(np.int64) - 48)
    digits = values[:, :17]
    canonical = np.array([s is not _FILLER for s in shaped], dtype=np.bool_).reshape(n)
    checksum = (values * _WEIGHTS).sum(axis=1) % 11 == 1
    provinces = np.array(sorted(int(p) for p in province_prefixes()))
    province = np.isin(digits[:, 0] * 10 + digits[:, 1], provinces)
    birth, birth_ok = _births(digits, today or date.today())
    valid = canonical & checksum & province & birth_ok
    return CheckedIds(valid=valid, birth=birth, male=digits[:, 16] % 2 == 1)


def _births(
    digits: NDArray[np.int64], today: date
) -> tuple[NDArray[np.datetime64], NDArray[np.bool_]]:
    place = np.array([1000, 100, 10, 1])
    year = digits[:, 6:10] @ place
    month = digits[:, 10:12] @ place[2:]
    day = digits[:, 12:14] @ place[2:]
    sane = (month >= 1) & (month <= 12) & (day >= 1) & (year >= 1900)
    months = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
    birth = months.astype("datetime64[D]") + np.clip(day, 1, 31) - 1
    same_month = birth.astype("datetime64[M]") == months
    in_range = birth <= np.datetime64(today.isoformat())
    return birth, sane & same_month & in_range


def ids_encode(numbers: Sequence[str], key: LinkageKey) -> IdKeys:
    """合格号码一个键；18 位但不合格的，取 near_misses 的每个候选（录错一位、相邻颠倒）。"""
    valid = ids_checked(numbers).valid
    hashes: list[int] = []
    owners: list[int] = []
    exact: list[bool] = []
    for row, (number, ok) in enumerate(zip(numbers, valid.tolist(), strict=True)):
        candidates = [number] if ok else list(near_misses(number)) if len(number) == 18 else []
        for candidate in candidates:
            hashes.append(keyed_u64(key.id_key, candidate.encode()))
            owners.append(row)
            exact.append(ok)
    return IdKeys(
        hashes=np.asarray(hashes, dtype=np.uint64),
        owners=np.asarray(owners, dtype=np.int64),
        exact=np.asarray(exact, dtype=np.bool_),
    )
