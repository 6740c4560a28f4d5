"""Templates open cleanly and tell the department what to fill in."""

from __future__ import annotations

import io

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from shouhu.core.catalog import Catalog, DataItem, catalog_load
from shouhu.core.exchange import template_csv, template_xlsx

ITEM_CODES = [item.code for item in catalog_load().items]


def load(item: DataItem) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(template_xlsx(item)))


def test_data_sheet_has_bold_chinese_headers_and_a_frozen_header(court: DataItem) -> None:
    sheet = load(court).worksheets[0]
    assert [c.value for c in sheet[1]] == list(court.headers)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"


def test_id_and_number_columns_are_text_formatted(court: DataItem) -> None:
    sheet = load(court).worksheets[0]
    letters = {c.value: c.column_letter for c in sheet[1]}
    for header in ("当事人身份证号", "子女身份证号", "案号", "户籍地行政区划代码"):
        assert sheet.column_dimensions[letters[header]].number_format == "@"
    assert sheet.column_dimensions[letters["判决生效日期"]].number_format == "yyyy-mm-dd"


def test_code_and_bool_columns_have_drop_downs(custody: DataItem) -> None:
    workbook = load(custody)
    sheet = workbook.worksheets[0]
    letters = {c.value: c.column_letter for c in sheet[1]}
    validations = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    kind = validations[f"{letters['羁押类型']}2"]
    assert kind.type == "list"
    source = workbook["代码表"]
    assert workbook["代码表"].sheet_state == "hidden"
    column = kind.formula1.split("!")[1].split(":")[0].replace("$", "")[0]
    labels = [c.value for c in source[column][1:] if c.value]
    assert labels == ["服刑在押", "强制隔离戒毒"]
    assert validations[f"{letters['是否无期']}2"].formula1 == '"是,否"'
    assert validations[f"{letters['性别']}2"].type == "list"


def test_instructions_sheet_lists_every_column_and_the_due_day(court: DataItem) -> None:
    sheet = load(court)["填写说明"]
    text = [[c.value for c in row] for row in sheet.iter_rows()]
    flat = "\n".join(str(v) for row in text for v in row if v)
    assert text[2][:2] == ["数据项代码", "court_judgment"]
    assert "每月，5日前报送上一期数据" in flat
    table = {row[0]: row for row in text if row[0] in court.headers}
    assert set(table) == set(court.headers)
    assert table["案号"][1] == "必填"
    assert table["撤销或恢复日期"][1] == "选填"
    assert table["文书类型"][3] == "宣告失踪、宣告死亡、撤销监护资格"
    assert "18位公民身份号码" in table["当事人身份证号"][2]


@pytest.mark.parametrize("code", ITEM_CODES)
def test_every_template_is_readable_by_calamine_and_openpyxl(catalog: Catalog, code: str) -> None:
    data = template_xlsx(catalog.item(code))
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert workbook.sheet_names[1:] == ["填写说明", "代码表"]
    assert openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].max_row == 2


def test_csv_template_is_utf8_with_bom_and_crlf(court: DataItem) -> None:
    data = template_csv(court)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0].split(",") == list(court.headers)
    assert lines[2:] == [""]
