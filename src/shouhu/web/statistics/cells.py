"""统计数字给谁看、怎么显示：小数字规则（docs/ARCHITECTURE.md 第9条“小数字”）。

能看到真实类别的人（`access.categories_shown`：县级民政经办、卫生健康部门）看确切的数字和全部类别。
其他人（领导、督导员、儿童主任、市级民政经办……）：
- 艾滋病病毒感染儿童从不单列一行或一列，并入“事实无人抚养儿童等”（合计不变）：只从合计里减去
  孤儿、事实无人抚养儿童，就能算出感染儿童有几个，所以不能只把它从行里拿掉；
- 1、2 这样的小数字显示为“<3”（`SMALL_CELL`），可以据以认出某个儿童；
- 一行里有显示为“<3”的数时，这一行的合计显示为“≥下限”（确切的部分加上每个“<3”按 1 算），
  合计本身小于 3 时显示“<3”——否则用合计减去其他数就还原出了那个小数字。
数字本身不变（报表、名单照旧相等），只是显示。
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

SMALL_CELL: Final = 3  # 1 到 SMALL_CELL-1 显示为 "<3"；0 照常显示
SMALL_TEXT: Final = f"<{SMALL_CELL}"
FOLDED_LABEL: Final = "事实无人抚养儿童等"  # 看不到真实类别的人看到的第二类（并入了其他类别）


def is_small(n: int) -> bool:
    return 0 < n < SMALL_CELL


def cell(n: int, *, exact: bool) -> str:
    """一个数显示成什么：确切（exact）时就是这个数；否则小数字显示为 "<3"。"""
    return SMALL_TEXT if not exact and is_small(n) else str(n)


def row_cells(parts: Sequence[int], *, exact: bool) -> tuple[tuple[str, ...], str]:
    """一行的各个数和它们的合计（合计 = 各数之和）显示成什么。"""
    total = sum(parts)
    shown = tuple(cell(n, exact=exact) for n in parts)
    if exact or not any(is_small(n) for n in parts):
        return shown, str(total)
    if is_small(total):
        return shown, SMALL_TEXT
    return shown, f"≥{sum(1 if is_small(n) else n for n in parts)}"


def bar_count(n: int, *, exact: bool) -> int:
    """条形长度用的数：小数字一律按 SMALL_CELL-1 画（1 和 2 画得一样长）。"""
    return SMALL_CELL - 1 if not exact and is_small(n) else n
