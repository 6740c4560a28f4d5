"""导出的 XLSX 写法：openpyxl 读回的值、类型、冻结、页眉与写入的一致。"""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook

from shouhu.core.exchange.xlsx_write import SheetSpec, xlsx_bytes


def test_written_values_read_back() -> None:
    rows = [["姓名", "金额", "日期", "时刻", "是否", "空"],
            ["王<小>&明", 150000, date(2026, 5, 1), datetime(2026, 5, 1, 8, 30), True, None],
            [" 前后空格 ", 1.5, "a\x01b", "", False, "=SUM(A1)"]]  # fmt: skip
    data = xlsx_bytes(
        [SheetSpec("数据", rows, header="水印 & 编号", footer="页脚", freeze_first_row=True),
         SheetSpec("说明", [["一行"]], widths=(100,))],
        title="标题",
    )  # fmt: skip
    book = load_workbook(io.BytesIO(data))
    sheet = book["数据"]
    assert sheet.freeze_panes == "A2"
    assert sheet.oddHeader.center.text == "水印 && 编号"
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[1] == ["王<小>&明", 150000, datetime(2026, 5, 1), datetime(2026, 5, 1, 8, 30),
                         True, None]  # fmt: skip
    assert values[2] == [" 前后空格 ", 1.5, "ab", None, False, "=SUM(A1)"]
    assert book["说明"]["A1"].value == "一行"
    assert book.properties.title == "标题"


def test_the_fast_row_writes_what_the_cell_by_cell_writer_does() -> None:
    """整行就地写出（文本、整数）与逐格 _cell 的结果逐字节相同，其余类型照旧交给 _cell。"""
    from shouhu.core.exchange.xlsx_write import _cell, _letters, _row_xml

    row = ["王<小>&明", " 前后空格 ", "a\x01b", "", None, 150000, -3, True, 1.5,
           date(2026, 5, 1), datetime(2026, 5, 1, 8, 30), "=SUM(A1)", "\t"]  # fmt: skip
    letters = _letters(len(row))
    cells = "".join(_cell(f"{letters[i]}7", v) for i, v in enumerate(row))
    assert _row_xml(7, row, letters) == f'<row r="7">{cells}</row>'
