"""向量化的公民身份号码（GB 11643）：千万人的号码用几次 numpy 运算算出。

编码方案与 `shouhu.core.identity.id_number_generate` 完全相同（第 15–16 位为顺序号 0–99，
第 17 位 = 2 × (顺序号 mod 5) + 性别位），测试逐个比对两者的结果；校验码与
`shouhu.core.identity.check_digit` 一致，也由测试保证。
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from shouhu.core.identity.id_number import CHECK_CHARS as CHECK_TEXT
from shouhu.core.identity.id_number import ID_WEIGHTS

WEIGHTS = np.array(ID_WEIGHTS[:17], dtype=np.int64)
CHECK_CHARS = np.frombuffer(CHECK_TEXT.encode(), dtype=np.uint8)
SEQUENCES_PER_DAY = 100  # 同一区划、同一生日、同一性别最多 100 个号码（见 id_number_generate）

IntArray = npt.NDArray[np.int64]
DateArray = npt.NDArray[np.datetime64]


def _digits(values: IntArray, width: int) -> IntArray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return np.asarray((values[:, None] // powers) % 10, dtype=np.int64)


def date_parts(days: DateArray) -> tuple[IntArray, IntArray, IntArray]:
    """年、月、日三个整数数组。"""
    months = days.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def check_digits(first17: IntArray) -> npt.NDArray[np.uint8]:
    """(n, 17) 的数字矩阵 → n 个校验码（ASCII 字节）。"""
    return np.asarray(CHECK_CHARS[(first17 @ WEIGHTS) % 11], dtype=np.uint8)


def id_numbers_build(
    division_code: IntArray, birth: DateArray, sequence: IntArray, male: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bytes_]:
    """n 个 18 位号码（numpy 'S18'）。division_code 为 6 位整数。"""
    year, month, day = date_parts(birth)
    gender_digit = 2 * (sequence % 5) + male.astype(np.int64)
    first17 = np.concatenate(
        [
            _digits(division_code, 6),
            _digits(year * 10000 + month * 100 + day, 8),
            _digits(sequence, 2),
            gender_digit[:, None],
        ],
        axis=1,
    )
    ascii_ = np.empty((len(birth), 18), dtype=np.uint8)
    ascii_[:, :17] = first17 + ord("0")
    ascii_[:, 17] = check_digits(first17)
    return ascii_.view("S18").ravel()


def sequences_assign(
    rng: np.random.Generator,
    division_code: IntArray,
    birth: DateArray,
    male: npt.NDArray[np.bool_],
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """给每人一个顺序号，使 (区划, 生日, 性别, 顺序号) 互不相同。

    同组的人按随机起点连续编号（模 100）。返回 (顺序号, 号码不够用的人)：一组超过 100 人时，
    组内第 101 人起没有可用的号码，由调用方改动其生日后重新编号。
    """
    n = len(birth)
    key = np.stack([division_code, birth.astype(np.int64), male.astype(np.int64)], axis=1)
    order = np.lexsort(key.T[::-1])
    sorted_key = key[order]
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = np.any(sorted_key[1:] != sorted_key[:-1], axis=1)
    group_id = np.cumsum(new_group) - 1
    group_start = np.flatnonzero(new_group)
    rank = np.arange(n) - group_start[group_id]
    offset = rng.integers(0, SEQUENCES_PER_DAY, size=len(group_start))
    sequence = np.empty(n, dtype=np.int64)
    sequence[order] = (offset[group_id] + rank) % SEQUENCES_PER_DAY
    overflow = np.zeros(n, dtype=bool)
    overflow[order] = rank >= SEQUENCES_PER_DAY
    return sequence, overflow


def to_15_digits(number: str) -> str:
    """18 位号码的旧式 15 位写法（两位年份、无校验码），1999 年以前出生者才有。"""
    return number[:6] + number[8:17]
