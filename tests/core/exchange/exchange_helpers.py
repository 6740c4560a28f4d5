"""Helpers for the exchange tests: real workbooks and CSV files built with openpyxl / csv."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, timedelta

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from shouhu.core.catalog import DataItem, FieldSpec, FieldType
from shouhu.core.exchange import template_xlsx
from shouhu.core.identity import id_number_generate


def valid_id(index: int = 0, *, born: date = date(1985, 6, 1), division: str = "150802") -> str:
    """A valid resident ID, different for each index."""
    return id_number_generate(
        division_code=division,
        birth_date=born + timedelta(days=index // 100),
        sequence=index % 100,
        gender="M" if index % 2 else "F",
    )


def valid_value(spec: FieldSpec, index: int) -> str:
    """A value every item accepts for this field (dates ordered start < end)."""
    if spec.type is FieldType.ID_NUMBER:
        return valid_id(index)
    if spec.type is FieldType.NAME:
        return "王秀英"
    if spec.type is FieldType.DATE:
        late = spec.target in ("fact.end", "fact.valid_until")
        return "2030-06-30" if late else "2024-01-05"
    if spec.type is FieldType.BOOL:
        return "是"
    if spec.type is FieldType.INT:
        return str(spec.min_value or 1)
    if spec.code_list is not None:
        return spec.code_list.options[0].label
    if spec.type is FieldType.DIVISION_CODE:
        return "150802"
    if spec.target == "record_id":
        return f"R-{index:06d}"
    return "测试内容"


def valid_row(item: DataItem, index: int = 0) -> dict[str, str]:
    return {spec.key: valid_value(spec, index) for spec in item.fields}


def row_list(item: DataItem, values: dict[str, object]) -> list[object]:
    return [values.get(spec.key) for spec in item.fields]


def xlsx_bytes(
    rows: Sequence[Sequence[object]],
    *,
    title: str = "数据",
    setup: Callable[[Worksheet], None] | None = None,
) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    if setup is not None:
        setup(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def item_xlsx(item: DataItem, rows: Sequence[dict[str, object]]) -> bytes:
    return xlsx_bytes([list(item.headers), *(row_list(item, row) for row in rows)])


def filled_template(item: DataItem, rows: Sequence[dict[str, object]]) -> bytes:
    """The real template with the example row replaced by `rows`."""
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx(item)))
    sheet = workbook.worksheets[0]
    sheet.delete_rows(2)
    for offset, row in enumerate(rows, start=2):
        for col, spec in enumerate(item.fields, start=1):
            sheet.cell(row=offset, column=col, value=row.get(spec.key))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[object]], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue().encode(encoding)


def item_csv(
    item: DataItem, rows: Sequence[dict[str, object]], *, encoding: str = "utf-8"
) -> bytes:
    table = [list(item.headers), *(row_list(item, row) for row in rows)]
    return csv_bytes(table, encoding=encoding)
