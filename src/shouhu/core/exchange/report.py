"""错误报告：把被拒收的行原样放进一个 XLSX，标红出错的单元格并附批注，便于改正后重新上传。

报告的列就是原文件的列（前面加“原行号”“错误说明”两列，重新上传时会被忽略），
所以改好的报告可以直接再次上传。
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Final

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from shouhu.core.catalog import DataItem
from shouhu.core.exchange.headers import HeaderMismatch
from shouhu.core.exchange.reader import open_table
from shouhu.core.exchange.results import CellError, ReadLimits
from shouhu.core.exchange.safe_cells import cell_formula_like, cell_printable
from shouhu.core.exchange.table import Unreadable, row_is_blank
from shouhu.core.exchange.values import cell_text

ERROR_FILL: Final = PatternFill("solid", fgColor="FFC7CE")
ERROR_FONT: Final = Font(color="9C0006")
DATA_SHEET: Final = "错误数据"
LIST_SHEET: Final = "错误清单"
LEAD_COLUMNS: Final = ("原行号", "错误说明")
UNREADABLE_SOURCE: Final = "原文件无法读取，请看“错误清单”"
logger = logging.getLogger(__name__)


def error_report_xlsx(
    data: bytes,
    filename: str,
    item: DataItem,
    errors: Sequence[CellError],
    *,
    limits: ReadLimits | None = None,
) -> bytes:
    """被拒收的行（原样）+ 标红的错误单元格 + 错误清单。文件读不了时只有错误清单。"""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    by_row: dict[int, list[CellError]] = defaultdict(list)
    for error in errors:
        by_row[error.row].append(error)
    try:
        header, rows = source_rows(data, filename, item, limits or ReadLimits(), set(by_row))
        write_rejected_rows(sheet, header, rows, by_row)
    except (Unreadable, HeaderMismatch):
        sheet.cell(row=1, column=1, value=UNREADABLE_SOURCE)
    except Exception as exc:  # 原文件坏到读取器之外（如压缩流损坏）：仍给出错误清单，不报 500
        logger.error("错误报告读取原文件失败：%s", type(exc).__name__)
        sheet.cell(row=1, column=1, value=UNREADABLE_SOURCE)
    write_error_list(workbook.create_sheet(LIST_SHEET), errors)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def source_rows(
    data: bytes, filename: str, item: DataItem, limits: ReadLimits, wanted: set[int]
) -> tuple[list[str], dict[int, list[object]]]:
    table, _ = open_table(data, filename, item, limits)
    header = [cell_text(cell) for cell in table.header]
    rows: dict[int, list[object]] = {}
    if not wanted:
        return header, rows
    last = max(wanted)
    for number, cells in table.rows:
        if number > last:
            break
        if number in wanted and not row_is_blank(cells):
            rows[number] = cells
    return header, rows


def write_rejected_rows(
    sheet: Worksheet,
    header: list[str],
    rows: dict[int, list[object]],
    by_row: dict[int, list[CellError]],
) -> None:
    offset = len(LEAD_COLUMNS)
    for col, title in enumerate((*LEAD_COLUMNS, *header), start=1):
        cell = text_cell(sheet, 1, col, title)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(col)].number_format = "@"
    positions = {title: index for index, title in enumerate(header) if title}
    for out_row, number in enumerate(sorted(rows), start=2):
        cells = rows[number]
        sheet.cell(row=out_row, column=1, value=str(number))
        note = text_cell(sheet, out_row, 2, "\n".join(e.message for e in by_row[number]))
        note.alignment = Alignment(wrap_text=True, vertical="top")
        for index in range(len(header)):
            text = cell_text(cells[index]) if index < len(cells) else ""
            text_cell(sheet, out_row, offset + index + 1, text)
        for error in by_row[number]:
            position = positions.get(error.column)
            if position is not None:
                mark(sheet.cell(row=out_row, column=offset + position + 1), error.message)
    sheet.column_dimensions["B"].width = 60
    sheet.freeze_panes = "C2"


def text_cell(sheet: Worksheet, row: int, column: int, text: str) -> Cell:
    """写入文本单元格。以“=”开头的内容也按文本保存（并标 quotePrefix）：报告里绝不能出现会
    执行的公式；控制字符换成看得见的符号，否则 openpyxl 拒绝保存（safe_cells）。"""
    value = cell_printable(text)
    cell = sheet.cell(row=row, column=column, value=value)
    cell.data_type = "s"
    cell.number_format = "@"
    if cell_formula_like(value):
        cell.quotePrefix = True
    return cell


def mark(cell: Cell, message: str) -> None:
    cell.fill = ERROR_FILL
    cell.font = ERROR_FONT
    existing = cell.comment
    message = cell_printable(message)
    text = f"{existing.text}\n{message}" if existing is not None else message
    cell.comment = Comment(text, "守护", width=300, height=120)


def write_error_list(sheet: Worksheet, errors: Sequence[CellError]) -> None:
    for col, title in enumerate(("行号", "列名", "值（已脱敏）", "问题说明"), start=1):
        sheet.cell(row=1, column=col, value=title).font = Font(bold=True)
    for out_row, error in enumerate(errors, start=2):
        values = (str(error.row), error.column, error.value, error.message)
        for col, value in enumerate(values, start=1):
            text_cell(sheet, out_row, col, value)
    for letter, width in zip("ABCD", (8, 20, 24, 90), strict=True):
        sheet.column_dimensions[letter].width = width
