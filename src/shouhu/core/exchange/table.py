"""读出的表：表头、数据行、被标记的单元格；以及读取各种格式共用的小工具。"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from shouhu.core.exchange.values import cell_text

INSTRUCTIONS_SHEET: Final = "填写说明"
CODES_SHEET: Final = "代码表"
TEMPLATE_MARKER: Final = "数据项代码"
FORMULA_PROBLEM: Final = "单元格是公式，请复制后“选择性粘贴—数值”再上传"
MERGED_PROBLEM: Final = "是合并单元格，请取消合并，每行每列分别填写"


class Unreadable(Exception):
    """文件读不了；message 给报送人员看（不含文件名，由调用方加上）。"""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class CellFlags:
    """被标记的单元格：行号（Excel 行号）→ 列序（与数据行对齐，0 起）→ 问题。"""

    by_row: dict[int, dict[int, str]] = field(default_factory=dict)
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)  # 跨很多行的合并区域

    def add(self, row: int, column: int, problem: str) -> None:
        self.by_row.setdefault(row, {})[column] = problem

    def for_row(self, row: int) -> dict[int, str]:
        found = self.by_row.get(row, {})
        for first, last, left, right in self.spans:
            if first <= row <= last:
                found = {**found, **dict.fromkeys(range(left, right + 1), MERGED_PROBLEM)}
        return found

    @property
    def empty(self) -> bool:
        return not self.by_row and not self.spans


@dataclass
class Table:
    """表头所在行号、表头单元格、数据行迭代器（行号, 单元格列表，与表头按列对齐）。"""

    header_row: int
    header: list[object]
    rows: Iterator[tuple[int, list[object]]]
    height: int  # 表头以下的行数（含空行）：最后一行的行号 = header_row + height
    flags: CellFlags = field(default_factory=CellFlags)
    template_code: str | None = None
    encoding: str | None = None


def first_nonblank(rows: Iterator[tuple[int, list[object]]]) -> tuple[int, list[object]]:
    for number, cells in rows:
        if not row_is_blank(cells):
            return number, trim_trailing(cells)
    raise Unreadable("中没有内容（工作表为空）")


def trim_trailing(cells: list[object]) -> list[object]:
    end = len(cells)
    while end and not cell_text(cells[end - 1]):
        end -= 1
    return cells[:end]


def row_is_blank(cells: list[object]) -> bool:
    """空行：全是空串或 None；只含空白字符的单元格也算空。先用 C 层的 count 快速判断。"""
    if cells.count("") + cells.count(None) == len(cells):
        return True
    return all(cell is None or (isinstance(cell, str) and not cell_text(cell)) for cell in cells)
