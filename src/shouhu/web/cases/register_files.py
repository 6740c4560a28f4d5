"""台账导入的文件：读上传的 Excel（表头和数据行）、平台的台账模板、未导入行的清单。"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from shouhu.core.errors import InvalidInput
from shouhu.core.exchange import CellError, ReadLimits
from shouhu.core.exchange.report import LIST_SHEET, write_error_list
from shouhu.core.exchange.sources import file_kind, open_excel
from shouhu.core.exchange.table import INSTRUCTIONS_SHEET, Unreadable, row_is_blank
from shouhu.core.exchange.values import cell_text
from shouhu.web.cases.register_columns import FIELDS

MAX_ROWS: Final = 50_000  # 一个县的台账不过几千人；再多多半是选错了文件
_HEADER_FILL: Final = PatternFill("solid", fgColor="DDEBF7")
_ID_KEYS: Final = frozenset({"id_number", "carer_id_number"})
TEMPLATE_RULES: Final = (
    "第1行是表头；列的顺序可以调整，不需要的选填列可以删除。原有台账不必改成本模板："
    "上传后平台会认出常见的表头写法，由您确认每一列对应什么。",
    "从第2行起每行一名儿童。不要使用公式和合并单元格；身份证号列是文本格式，请勿改成数字。",
    "类别填“孤儿”或“事实无人抚养儿童”（也可填“散居孤儿”“集中养育孤儿”）；"
    "安置方式填“散居”或“集中”。",
    "日期可填 2024-01-05、2024/1/5、2024年1月5日、20240105，或 Excel 日期。",
    "状态填“保障中”或“已终止”，不填视为保障中；已终止的须填终止保障日期和终止原因。",
    "儿童按身份证号与本辖区户籍匹配；匹配不上、信息有误或已有保障中个案的行不导入，"
    "平台列出每一行的原因，可下载清单，改正后只需重新上传这些行。",
)


@dataclass(frozen=True)
class Sheet:
    """上传文件的第一个工作表：表头（文本）和数据行（Excel 行号, 单元格）。"""

    headers: list[str]
    rows: list[tuple[int, list[object]]]


def sheet_read(data: bytes, filename: str, *, what: str = "台账") -> Sheet:
    """读出表头和非空数据行；读不了时 InvalidInput，消息指明文件。what：文件是什么（消息里用）。"""
    try:
        if file_kind(data, filename) != "excel":
            raise Unreadable(f"不是 Excel 文件，请上传 .xlsx 格式的{what}")
        table = open_excel(data, ReadLimits(max_rows=MAX_ROWS))
        headers = [cell_text(cell) for cell in table.header]
        rows = list(_data_rows(table.rows, len(headers)))
    except Unreadable as problem:
        raise InvalidInput(f"文件「{filename}」{problem.message}") from None
    if not any(headers):
        raise InvalidInput(f"文件「{filename}」第一个工作表没有表头。")
    return Sheet(headers, rows)


def _data_rows(
    rows: Iterator[tuple[int, list[object]]], width: int
) -> Iterator[tuple[int, list[object]]]:
    for count, (number, cells) in enumerate(rows):
        if count >= MAX_ROWS:
            raise Unreadable(f"超过{MAX_ROWS}行，请检查是否选错了文件")
        if not row_is_blank(cells):
            yield number, list(cells[:width])


def template_xlsx() -> bytes:
    """平台的台账模板：平台自己的表头（必需的列标 *）和一页填写说明。"""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "台账"
    for column, field in enumerate(FIELDS, start=1):
        cell = sheet.cell(row=1, column=column, value=field.label + ("*" if field.required else ""))
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(12, 2 * len(field.label) + 4)
        if field.key in _ID_KEYS:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(INSTRUCTIONS_SHEET)
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 90
    for number, text in enumerate(TEMPLATE_RULES, start=1):
        notes.cell(row=number, column=1, value=f"{number}.")
        notes.cell(row=number, column=2, value=text)
    start = len(TEMPLATE_RULES) + 2
    for offset, title in enumerate(("列名", "是否必需", "示例")):
        notes.cell(row=start, column=1 + offset, value=title).font = Font(bold=True)
    for number, field in enumerate(FIELDS, start=start + 1):
        notes.cell(row=number, column=1, value=field.label)
        notes.cell(row=number, column=2, value="必需" if field.required else "选填")
        notes.cell(row=number, column=3, value=field.example)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems_xlsx(problems: Sequence[CellError]) -> bytes:
    """未导入的行：行号、列名、值（身份证号已脱敏）、原因。"""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = LIST_SHEET.replace("错误", "未导入")
    write_error_list(sheet, problems)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
